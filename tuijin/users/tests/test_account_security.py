"""Issue 12 item 9: the 安全管理员 sees each account's lock status, unlocks it and resets its password (a temporary
password shown once, a forced change at the next login); the 系统管理员 and 审计管理员 cannot."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.test import Client
from django.urls import reverse

from tuijin.core.models import AuditEvent
from tuijin.users.models import Lockout, User
from tuijin.users.services import generate_temporary_password
from tuijin.utilities.testing.matrix import Case, PostMatrix
from tuijin.utilities.testing.world import TEST_PASSWORD, make_user

LOGIN = "/accounts/login/"


def attempt(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail(username, times, ip="10.0.0.1"):
    client = Client()
    for _ in range(times):
        attempt(client, username, "wrong-password", ip=ip)


def test_lock_status_on_the_account_list_and_page(client, world):
    fail("reporter_a", 5)  # locked
    fail("reporter_b", 2)  # two failures, not locked
    client.force_login(world.secadmin)
    listing = client.get(reverse("users:account_list")).content.decode()

    def cell(username):
        start = listing.index(f'data-lock="{username}"')
        return listing[start : listing.index("</td>", start)]

    row_a, row_b, row_office = cell("reporter_a"), cell("reporter_b"), cell("office")
    assert "已锁定" in row_a
    assert "近期失败 2 次" in row_b and "已锁定" not in row_b
    assert "已锁定" not in row_office and "近期失败" not in row_office

    page = client.get(reverse("users:account", args=[world.reporter_a.pk])).content.decode()
    lock = Lockout.objects.get(kind="username", key="reporter_a")
    assert "已锁定" in page and "锁定至" in page and "解除锁定" in page and "重置密码" in page
    from django.utils import timezone

    assert timezone.localtime(lock.until).strftime("%Y-%m-%d %H:%M") in page
    page_b = client.get(reverse("users:account", args=[world.reporter_b.pk])).content.decode()
    assert "未锁定" in page_b and "近期登录失败 2 次" in page_b and "解除锁定" not in page_b


def test_sysadmin_sees_the_status_but_no_unlock_or_reset(client, world):
    fail("reporter_a", 5)
    client.force_login(world.sysadmin)
    page = client.get(reverse("users:account", args=[world.reporter_a.pk])).content.decode()
    assert "已锁定" in page
    assert "tj-account-unlock" not in page and "tj-account-reset" not in page


def test_account_list_queries_are_bounded(client, world, django_assert_max_num_queries):
    for index in range(30):
        make_user(f"bulk{index}")
        fail(f"bulk{index}", 1)
    client.force_login(world.secadmin)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("users:account_list"))
    assert response.status_code == 200 and "近期失败 1 次" in response.content.decode()


def test_secadmin_unlocks_the_account_from_its_page(client, world):
    fail("reporter_a", 5)
    client.force_login(world.secadmin)
    response = client.post(reverse("users:account_unlock", args=[world.reporter_a.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("users:account", args=[world.reporter_a.pk])
    assert not Lockout.objects.filter(kind="username", key="reporter_a", unlocked_at__isnull=True).exists()
    assert AuditEvent.objects.filter(
        event_type="unlock", user_name="secadmin", object_repr__contains="reporter_a"
    ).exists()
    assert attempt(Client(), "reporter_a", TEST_PASSWORD).status_code == 302


def test_password_reset_shows_a_temporary_password_once_and_forces_a_change(client, world):
    user = world.reporter_a
    owner = Client()
    owner.force_login(user)
    assert owner.get("/").status_code == 200
    fail("reporter_a", 5)  # locked out: the reset lifts the lock too

    client.force_login(world.secadmin)
    response = client.post(reverse("users:account_password_reset", args=[user.pk]))
    assert response.status_code == 200
    temporary = response.context["temporary_password"]
    body = response.content.decode()
    assert temporary in body and "仅显示这一次" in body
    assert "no-store" in response["Cache-Control"]
    # shown once: the account page does not show it again, and no message carries it
    assert temporary not in client.get(reverse("users:account", args=[user.pk])).content.decode()

    user.refresh_from_db()
    assert user.must_change_password and user.check_password(temporary) and not user.check_password(TEST_PASSWORD)
    assert not Lockout.objects.filter(kind="username", key="reporter_a", unlocked_at__isnull=True).exists()
    event = AuditEvent.objects.get(event_type="password_reset")
    assert event.user_name == "secadmin" and event.object_repr == "reporter_a"
    assert temporary not in str(event.detail)
    assert all(temporary not in str(e.detail) for e in AuditEvent.objects.all())

    # the owner's old session has ended
    assert owner.get("/").status_code == 302

    # the owner logs in with the temporary password and is sent to the change form until the password is changed
    fresh = Client()
    assert attempt(fresh, "reporter_a", temporary, ip="10.0.0.50").status_code == 302
    for url in ("/", reverse("tickets:ticket_list")):
        response = fresh.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("users:password_change")
    page = fresh.get(reverse("users:password_change")).content.decode()
    assert "密码已被重置" in page
    response = fresh.post(
        reverse("users:password_change"),
        {"old_password": temporary, "new_password1": "Neue-Pass-2026!", "new_password2": "Neue-Pass-2026!"},
    )
    assert response.status_code == 302
    assert fresh.get("/").status_code == 200


def test_the_temporary_password_cannot_be_kept(client, world):
    """The history validator keeps the owner from 'changing' to the temporary password itself."""
    client.force_login(world.secadmin)
    temporary = client.post(reverse("users:account_password_reset", args=[world.reporter_a.pk])).context[
        "temporary_password"
    ]
    owner = Client()
    attempt(owner, "reporter_a", temporary)
    response = owner.post(
        reverse("users:password_change"),
        {"old_password": temporary, "new_password1": temporary, "new_password2": temporary},
    )
    assert response.status_code == 200 and "不能使用最近" in response.content.decode()
    assert User.objects.get(pk=world.reporter_a.pk).must_change_password


@pytest.mark.parametrize("name", ["sysadmin", "secadmin", "auditadmin", "reporter_a"])
def test_temporary_passwords_pass_the_policy_of_every_account(world, name):
    user = getattr(world, name)
    for _ in range(5):
        password = generate_temporary_password(user)
        validate_password(password, user)  # 三员: 12 characters at least
        assert len(password) >= 14
        assert not set(password) & set("&<>\"'O0Il1")  # shown as typed in the page; nothing ambiguous


def test_secadmin_cannot_reset_their_own_password(client, world):
    client.force_login(world.secadmin)
    page = client.get(reverse("users:account", args=[world.secadmin.pk])).content.decode()
    assert "tj-account-reset" not in page
    response = client.post(reverse("users:account_password_reset", args=[world.secadmin.pk]))
    assert response.status_code == 302
    world.secadmin.refresh_from_db()
    assert world.secadmin.check_password(TEST_PASSWORD) and not world.secadmin.must_change_password


@pytest.mark.parametrize("name", ["sysadmin", "auditadmin", "office", "reporter_a", "norole"])
def test_only_the_security_admin_unlocks_and_resets(client, world, name):
    fail("reporter_b", 5)
    client.force_login(getattr(world, name))
    assert client.post(reverse("users:account_unlock", args=[world.reporter_b.pk])).status_code == 403
    assert client.post(reverse("users:account_password_reset", args=[world.reporter_b.pk])).status_code == 403
    world.reporter_b.refresh_from_db()
    assert world.reporter_b.check_password(TEST_PASSWORD) and not world.reporter_b.must_change_password
    assert Lockout.objects.filter(kind="username", key="reporter_b", unlocked_at__isnull=True).exists()
    assert AuditEvent.objects.filter(event_type="access_denied", user_name=name).exists()


def test_unknown_account_is_404_for_the_security_admin(client, world):
    client.force_login(world.secadmin)
    assert client.post(reverse("users:account_unlock", args=[99999])).status_code == 404
    assert client.post(reverse("users:account_password_reset", args=[99999])).status_code == 404


class TestAccountUnlock(PostMatrix):
    url_name = "users:account_unlock"
    scoped = False
    unscoped_reason = "accounts are not unit-scoped: the 安全管理员 unlocks any account"

    @pytest.fixture
    def matrix(self, world):
        fail("reporter_a", 5)
        return Case(allowed=world.secadmin, denied=world.sysadmin, in_scope=world.reporter_a)

    def effect(self, obj, matrix):
        assert not Lockout.objects.filter(kind="username", key=obj.username_normalized, unlocked_at__isnull=True)


class TestAccountPasswordReset(PostMatrix):
    url_name = "users:account_password_reset"
    scoped = False
    unscoped_reason = "accounts are not unit-scoped: the 安全管理员 resets any account's password"
    success_status = 200  # the temporary password is shown on the response itself, once

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.secadmin, denied=world.auditadmin, in_scope=world.reporter_a)

    def effect(self, obj, matrix):
        obj.refresh_from_db()
        assert obj.must_change_password and not obj.check_password(TEST_PASSWORD)


def test_the_account_page_greets_the_signed_in_admin_not_the_account(client, world):
    """The page's object is `account`: as `user` it replaced the signed-in user in the header (欢迎，<account>)."""
    client.force_login(world.secadmin)
    response = client.get(reverse("users:account", args=[world.reporter_a.pk]))
    assert response.context["user"] == world.secadmin and response.context["account"] == world.reporter_a


def test_forced_change_names_the_temporary_password(client, world):
    User.objects.filter(pk=world.reporter_a.pk).update(must_change_password=True)
    client.force_login(world.reporter_a)
    assert "临时密码" in client.get(reverse("users:password_change")).content.decode()


def test_account_search_filters_the_list(client, world):
    """The search box (the generic list form, kept while the table swaps) finds by username or name."""
    client.force_login(world.secadmin)
    listing = client.get(reverse("users:account_list"), {"q": world.reporter_a.username}).context["object_list"]
    assert [a.username for a in listing] == [world.reporter_a.username]
    assert not client.get(reverse("users:account_list"), {"q": "没有这个人"}).context["object_list"]
