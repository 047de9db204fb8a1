"""Notifications: creation in bulk, the outbound channel after commit only, de-duplication, own-only pages."""

import logging

import pytest
from django.db import transaction
from django.urls import reverse

from tuijin.notifications.channels import BaseChannel, LogChannel, get_channel
from tuijin.notifications.models import Notification
from tuijin.notifications.services import Message, notifications_mark_read, notify, notify_many, unread_count

SENT: list[tuple] = []


class RecordingChannel(BaseChannel):
    def send(self, user, title, body, url):
        SENT.append((user.username, title, body, url))


class FailingChannel(BaseChannel):
    def send(self, user, title, body, url):
        if user.username == "reporter_a":
            raise RuntimeError("gateway down")
        SENT.append((user.username, title, body, url))


@pytest.fixture
def recording(settings):
    SENT.clear()
    settings.TUIJIN_NOTIFY_CHANNEL = f"{__name__}.RecordingChannel"
    yield SENT
    SENT.clear()


def test_default_channel_only_logs(settings, world, caplog):
    assert isinstance(get_channel(), LogChannel)
    with caplog.at_level(logging.INFO, logger="tuijin.notifications.channels"):
        LogChannel().send(world.office, "标题", "内容", "/x/")
    assert f"user={world.office.pk} title=标题 url=/x/" in caplog.text


def test_notify_creates_rows_and_sends_after_commit_only(world, recording, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = notify(
            users=[world.reporter_a, world.reporter_b, world.reporter_a],
            title="提醒",
            body="请填报",
            url="/progress/my/",
            level="warning",
        )
    assert len(created) == 2  # each user once
    assert Notification.objects.filter(title="提醒", level="warning").count() == 2
    assert recording == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert sorted(recording) == [
        ("reporter_a", "提醒", "请填报", "/progress/my/"),
        ("reporter_b", "提醒", "请填报", "/progress/my/"),
    ]


def test_rolled_back_notifications_are_never_sent(world, recording, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(users=[world.reporter_a], title="回滚")
            raise RuntimeError("boom")
    assert recording == []
    assert not Notification.objects.filter(title="回滚").exists()


def test_a_failing_channel_does_not_stop_the_others(world, settings, django_capture_on_commit_callbacks, caplog):
    SENT.clear()
    settings.TUIJIN_NOTIFY_CHANNEL = f"{__name__}.FailingChannel"
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[world.reporter_a, world.reporter_b], title="t")
    assert [row[0] for row in SENT] == ["reporter_b"]
    assert "gateway down" in caplog.text
    assert Notification.objects.filter(title="t").count() == 2


def test_dedup_key_is_sent_once_per_user(world, recording, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[world.reporter_a], title="一", dedup_key="k:1")
        notify(users=[world.reporter_a, world.reporter_b], title="二", dedup_key="k:1")
        notify_many([Message(world.reporter_b, "三", dedup_key="k:1")])
    assert list(Notification.objects.order_by("pk").values_list("user__username", "title")) == [
        ("reporter_a", "一"),
        ("reporter_b", "二"),
    ]
    assert [row[:2] for row in recording] == [("reporter_a", "一"), ("reporter_b", "二")]


def test_inactive_users_get_nothing(world, recording):
    world.reporter_b.is_active = False
    world.reporter_b.save()
    assert len(notify(users=[world.reporter_a, world.reporter_b], title="x")) == 1


def test_unread_count_and_mark_read(world, recording):
    notify(users=[world.reporter_a], title="1")
    notify(users=[world.reporter_a], title="2")
    notify(users=[world.reporter_b], title="3")
    assert unread_count(world.reporter_a) == 2
    first = Notification.objects.get(title="1")
    other = Notification.objects.get(title="3")
    assert notifications_mark_read(user=world.reporter_a, pks=[first.pk, other.pk]) == 1  # not someone else's
    assert unread_count(world.reporter_a) == 1
    assert unread_count(world.reporter_b) == 1
    notifications_mark_read(user=world.reporter_a)
    assert unread_count(world.reporter_a) == 0


def test_unread_count_for_anonymous():
    from django.contrib.auth.models import AnonymousUser

    assert unread_count(AnonymousUser()) == 0
    assert unread_count(None) == 0


# --- pages -----------------------------------------------------------------------------------------------------------


def test_list_shows_only_own_notifications(client, world, recording):
    notify(users=[world.reporter_a], title="给甲的消息")
    notify(users=[world.reporter_b], title="给乙的消息")
    client.force_login(world.reporter_a)
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    assert "给甲的消息" in response.content.decode()
    assert "给乙的消息" not in response.content.decode()


def test_any_signed_in_user_may_open_the_page_but_not_anonymous(client, world):
    client.force_login(world.norole)  # no role at all
    assert client.get(reverse("notifications:list")).status_code == 200
    client.logout()
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_other_users_notifications_are_404(client, world, recording):
    notify(users=[world.reporter_b], title="乙", url="/projects/")
    theirs = Notification.objects.get(title="乙")
    client.force_login(world.reporter_a)
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    client.post(reverse("notifications:read_all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_open_marks_read_and_follows_only_local_links(client, world, recording):
    notify(users=[world.reporter_a], title="本站", url="/projects/")
    notify(users=[world.reporter_a], title="外站", url="https://evil.example/phish")
    local, remote = Notification.objects.get(title="本站"), Notification.objects.get(title="外站")
    client.force_login(world.reporter_a)
    response = client.get(reverse("notifications:open", args=[local.pk]))
    assert response.status_code == 302 and response["Location"] == "/projects/"
    local.refresh_from_db()
    assert local.read_at is not None
    response = client.get(reverse("notifications:open", args=[remote.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_mark_read_and_read_all_pages(client, world, recording):
    notify(users=[world.reporter_a], title="第一条消息")
    notify(users=[world.reporter_a], title="第二条消息")
    client.force_login(world.reporter_a)
    first = Notification.objects.get(title="第一条消息")
    assert client.get(reverse("notifications:read", args=[first.pk])).status_code == 405  # POST only
    response = client.post(reverse("notifications:read", args=[first.pk]), {"unread": "1"})
    assert response["Location"] == reverse("notifications:list") + "?unread=1"
    assert unread_count(world.reporter_a) == 1
    page = client.get(reverse("notifications:list") + "?unread=1").content.decode()
    assert "第二条消息" in page and "第一条消息" not in page
    client.post(reverse("notifications:read_all"))
    assert unread_count(world.reporter_a) == 0
    assert "没有未读消息" in client.get(reverse("notifications:list") + "?unread=1").content.decode()
