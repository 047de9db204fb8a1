"""Dormant accounts (security.md DB-AC-2): disabled after TUIJIN_DORMANT_DAYS unused, audited one by one, the
安全管理员 told and able to enable them again; the last account of each 三员 role stays; a disabled account's
sessions and API tokens stop at once."""

from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from tuijin.api.authentication import api_token_create
from tuijin.core.models import AuditEvent
from tuijin.org.choices import Role
from tuijin.users import dormant
from tuijin.users.dormant import dormant_accounts, dormant_accounts_disable, register_notifier
from tuijin.users.models import ApiToken, User
from tuijin.utilities.testing.matrix import Case, PostMatrix
from tuijin.utilities.testing.world import make_user

DAY = timedelta(days=1)
ADMINS = ("sysadmin", "secadmin", "auditadmin")


def age(user: User, *, joined: int, login: int | None = None) -> None:
    """Make the account `joined` days old, last logged in `login` days ago (None: never)."""
    now = timezone.now()
    last_login = None if login is None else now - login * DAY
    User.objects.filter(pk=user.pk).update(date_joined=now - joined * DAY, last_login=last_login)
    user.refresh_from_db()


def run(*args) -> str:
    out = StringIO()
    call_command("disable_dormant_accounts", *args, stdout=out)
    return out.getvalue()


def active(user: User) -> bool:
    user.refresh_from_db()
    return user.is_active


@pytest.fixture
def told(settings):
    """A recording notifier in place of the notifications app's `notify`."""
    messages: list[dict] = []
    previous = dict(dormant._notifier)
    register_notifier(lambda **kwargs: messages.append(kwargs))
    yield messages
    dormant._notifier.clear()
    dormant._notifier.update(previous)


@pytest.fixture
def stale(world, settings):
    """reporter_a last logged in 100 days ago, reporter_b never logged in since joining 100 days ago; approver_a
    logged in 10 days ago; everyone else joined today."""
    settings.TUIJIN_DORMANT_DAYS = 90
    age(world.reporter_a, joined=200, login=100)
    age(world.reporter_b, joined=100)
    age(world.approver_a, joined=200, login=10)
    return world


def test_accounts_unused_past_the_limit_are_disabled_and_audited(stale, told):
    world = stale
    text = run()
    assert "已停用 2 个" in text and "reporter_a" in text and "reporter_b" in text
    assert not active(world.reporter_a) and not active(world.reporter_b)
    assert world.reporter_a.dormant_disabled_at is not None
    assert active(world.approver_a) and active(world.office) and active(world.secadmin)
    for user in (world.reporter_a, world.reporter_b):
        event = AuditEvent.objects.get(event_type="user_update", object_repr=user.username)
        assert event.detail["action"] == "dormant_disable" and event.detail["fields"] == ["is_active"]
        assert event.user is None and event.user_name == "系统" and event.detail["dormant_days"] == 90
    assert run().startswith("已停用 0 个")  # idempotent
    assert AuditEvent.objects.filter(detail__action="dormant_disable").count() == 2


def test_an_account_that_never_logged_in_counts_from_its_creation(stale):
    found = {a.user.username: a for a in dormant_accounts()}
    assert found["reporter_b"].last_used == stale.reporter_b.date_joined
    assert found["reporter_a"].last_used == stale.reporter_a.last_login
    age(stale.reporter_b, joined=80)
    assert "reporter_b" not in {a.user.username for a in dormant_accounts()}


def test_dry_run_lists_who_would_be_disabled_and_changes_nothing(stale):
    text = run("--dry-run")
    assert "试运行" in text and "将停用 2 个" in text and "reporter_a" in text and "reporter_b" in text
    assert "approver_a" not in text
    assert active(stale.reporter_a) and active(stale.reporter_b)
    assert not AuditEvent.objects.filter(detail__action="dormant_disable").exists()
    with pytest.raises(CommandError):
        run("--dry-run", "--enqueue")


def test_api_token_use_counts_as_use(stale):
    _key, token = api_token_create(user=stale.reporter_a, name="集成")
    ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now() - 5 * DAY)
    run()
    assert active(stale.reporter_a) and not active(stale.reporter_b)


def test_the_day_and_the_limit_decide(stale, settings):
    later = (timezone.localdate() + 30 * DAY).isoformat()  # approver_a is then 40 days idle: still in use
    assert "approver_a" not in run("--dry-run", "--today", later)
    settings.TUIJIN_DORMANT_DAYS = 30
    assert "approver_a" in run("--dry-run", "--today", later)


def test_the_last_active_account_of_each_admin_role_is_kept(world, told):
    later = (timezone.localdate() + 120 * DAY).isoformat()  # everyone created today is then dormant
    text = run("--today", later)
    for name in ADMINS:
        assert active(getattr(world, name)), name
    assert "系统管理员的最后一个在用账户，保留" in text and "安全管理员的最后一个在用账户，保留" in text
    assert not active(world.office) and not active(world.norole)


def test_a_dormant_admin_is_disabled_while_another_holder_of_the_role_is_in_use(world):
    age(world.secadmin, joined=200, login=100)
    age(world.sysadmin, joined=200, login=100)
    make_user("secadmin2", role=Role.SEC_ADMIN, unit=world.gov)
    run()
    assert not active(world.secadmin)
    assert active(world.sysadmin)  # the only 系统管理员


def test_when_every_holder_is_dormant_the_most_recently_used_stays(world):
    second = make_user("secadmin2", role=Role.SEC_ADMIN, unit=world.gov)
    age(world.secadmin, joined=300, login=200)
    age(second, joined=300, login=100)
    run()
    assert not active(world.secadmin) and active(second)


def test_a_disabled_accounts_session_and_api_token_stop_at_once(stale, client):
    home = reverse("core:home")
    key, _token = api_token_create(user=stale.reporter_a, name="集成")
    client.force_login(stale.reporter_a)
    assert client.get(home).status_code == 200
    assert client.get("/api/org/units/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    age(stale.reporter_a, joined=200, login=100)  # both uses above were long ago
    ApiToken.objects.filter(user=stale.reporter_a).update(last_used=timezone.now() - 95 * DAY)
    dormant_accounts_disable()
    assert not active(stale.reporter_a)
    response = client.get(home)
    assert response.status_code == 302 and response["Location"].startswith(reverse("users:login"))
    client.logout()
    assert client.get("/api/org/units/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_the_security_admins_of_the_accounts_region_are_told(stale, told):
    world = stale
    foreign = make_user("foreign_sec", role=Role.SEC_ADMIN, unit=world.foreign_unit)
    run()
    assert [m["users"] for m in told] == [[world.secadmin]]  # not the neighbouring district's
    message = told[0]
    assert message["title"] == "已停用 2 个长期未使用的账户" and message["level"] == "warning"
    assert "reporter_a（reporter_a）" in message["body"] and "reporter_b" in message["body"]
    assert message["url"] == reverse("users:account_list") and message["kind"] == "dormant_accounts"
    told.clear()
    age(world.norole, joined=100)  # no role, no region: every 安全管理员 is told
    run()
    assert sorted(m["users"][0].username for m in told) == ["foreign_sec", "secadmin"]
    assert told[0]["url"] == reverse("users:account", args=[world.norole.pk]) and foreign.is_active


def test_the_notice_reaches_the_security_admin_through_the_notifications_app(stale):
    """The notifications app registers its `notify` at start-up (users cannot import it: .importlinter)."""
    run()
    notification = apps.get_model("notifications", "Notification")
    assert notification.objects.filter(user=stale.secadmin, kind="dormant_accounts").count() == 1


def test_the_security_admin_enables_the_account_again_and_its_clock_restarts(stale, client):
    world = stale
    run()
    client.force_login(world.secadmin)
    page = client.get(reverse("users:account", args=[world.reporter_a.pk])).content.decode()
    assert "长期未使用" in page and "tj-account-reenable" in page
    response = client.post(reverse("users:account_reenable", args=[world.reporter_a.pk]))
    assert response.status_code == 302
    assert active(world.reporter_a)
    assert world.reporter_a.dormant_disabled_at is None and world.reporter_a.reenabled_at is not None
    event = AuditEvent.objects.get(event_type="user_update", detail__action="reenable")
    assert event.user == world.secadmin and event.object_repr == "reporter_a"
    run()  # the old last login no longer counts
    assert active(world.reporter_a)


def test_an_account_the_system_admin_disabled_is_not_enabled_here(world, client):
    User.objects.filter(pk=world.reporter_a.pk).update(is_active=False)
    client.force_login(world.secadmin)
    page = client.get(reverse("users:account", args=[world.reporter_a.pk])).content.decode()
    assert "tj-account-reenable" not in page
    response = client.post(reverse("users:account_reenable", args=[world.reporter_a.pk]), follow=True)
    assert "不是因长期未使用而停用的" in response.content.decode()
    assert not active(world.reporter_a)


def test_the_system_admin_sees_the_state_but_not_the_button(stale, client):
    run()
    client.force_login(stale.sysadmin)
    page = client.get(reverse("users:account", args=[stale.reporter_a.pk])).content.decode()
    assert "长期未使用" in page and "tj-account-reenable" not in page


def test_enabling_in_the_admin_site_also_restarts_the_clock(stale, client):
    world = stale
    run()
    client.force_login(world.sysadmin)
    url = reverse("admin:users_user_change", args=[world.reporter_a.pk])
    data = {"username": "reporter_a", "display_name": "reporter_a", "email": "", "is_active": "on"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert active(world.reporter_a) and world.reporter_a.reenabled_at is not None
    assert world.reporter_a.dormant_disabled_at is None
    run()
    assert active(world.reporter_a)


class TestAccountReenable(PostMatrix):
    url_name = "users:account_reenable"
    scoped = False
    unscoped_reason = "accounts are not unit-scoped: the 安全管理员 enables any account the dormancy job disabled"

    @pytest.fixture
    def matrix(self, stale):
        dormant_accounts_disable()
        return Case(allowed=stale.secadmin, denied=stale.sysadmin, in_scope=stale.reporter_a)

    def effect(self, obj, matrix):
        obj.refresh_from_db()
        assert obj.is_active and obj.reenabled_at is not None
