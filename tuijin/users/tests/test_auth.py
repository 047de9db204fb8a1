"""Login, lockout (security.md DB-ID-5), session rotation, logout, hashing, identity uniqueness."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import IntegrityError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tuijin.core.models import AuditEvent
from tuijin.users.models import Lockout, User
from tuijin.utilities.testing.world import TEST_PASSWORD, make_user

LOGIN = "/accounts/login/"


def attempt(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def alice(db):
    return make_user("alice")


def test_defaults_are_the_documented_policy():
    assert django_settings.TUIJIN_LOCKOUT_FAILURES == 5
    assert django_settings.TUIJIN_LOCKOUT_WINDOW_MINUTES == 15
    assert django_settings.TUIJIN_LOCKOUT_MINUTES == 30
    assert django_settings.TUIJIN_SESSION_IDLE_MINUTES == 30
    assert django_settings.TUIJIN_PASSWORD_MIN_LENGTH == 8
    assert django_settings.TUIJIN_PASSWORD_MAX_AGE_DAYS == 90
    assert django_settings.TUIJIN_PASSWORD_HISTORY == 5


def test_login_succeeds_and_rotates_the_session_key(client, alice):
    client.get(LOGIN)
    session = client.session
    session["probe"] = 1
    session.save()
    before = client.cookies["sessionid"].value
    response = attempt(client, "alice", TEST_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert is_logged_in(client)
    assert client.cookies["sessionid"].value != before
    assert AuditEvent.objects.filter(event_type="login", user_name="alice", outcome="success").count() == 1


def test_wrong_password_gives_a_generic_chinese_error(client, alice):
    response = attempt(client, "alice", "wrong")
    assert "用户名或密码错误" in response.content.decode()
    assert not is_logged_in(client)
    unknown = attempt(client, "nobody", "wrong")
    assert "用户名或密码错误" in unknown.content.decode()


def test_five_failures_lock_the_account_and_even_the_right_password_is_refused(client, alice):
    for _ in range(5):
        attempt(client, "alice", "wrong", ip="10.0.0.1")
    assert Lockout.objects.filter(kind="username", key="alice").count() == 1
    response = attempt(client, "alice", TEST_PASSWORD, ip="10.0.0.99")  # another address: still locked
    assert not is_logged_in(client)
    assert "锁定" in response.content.decode()
    assert AuditEvent.objects.filter(event_type="lockout").exists()


def test_four_failures_do_not_lock_and_success_resets_the_count(client, alice):
    for _ in range(4):
        attempt(client, "alice", "wrong")
    assert attempt(client, "alice", TEST_PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        attempt(client, "alice", "wrong", ip="10.0.0.2")  # another address: the account count restarted
    assert not Lockout.objects.exists()
    assert attempt(client, "alice", TEST_PASSWORD, ip="10.0.0.2").status_code == 302


def test_failures_outside_the_15_minute_window_do_not_count(client, alice):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            attempt(client, "alice", "wrong", ip="10.0.0.5")
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        for _ in range(2):
            attempt(client, "alice", "wrong", ip="10.0.0.6")
        assert not Lockout.objects.filter(kind="username").exists()
        assert attempt(client, "alice", TEST_PASSWORD, ip="10.0.0.6").status_code == 302


def test_lock_expires_after_30_minutes(client, alice):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            attempt(client, "alice", "wrong")
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        attempt(client, "alice", TEST_PASSWORD, ip="10.0.0.2")
        assert not is_logged_in(client)
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert attempt(client, "alice", TEST_PASSWORD, ip="10.0.0.3").status_code == 302


@override_settings(TUIJIN_LOCKOUT_IP_FAILURES=5)
def test_address_is_locked_across_usernames(client, db):
    make_user("bob")
    for name in ["u1", "u2", "u3", "u4", "u5"]:
        attempt(client, name, "wrong", ip="10.9.9.9")
    assert Lockout.objects.filter(kind="ip", key="10.9.9.9").exists()
    attempt(client, "bob", TEST_PASSWORD, ip="10.9.9.9")
    assert not is_logged_in(client)
    assert attempt(client, "bob", TEST_PASSWORD, ip="10.9.9.8").status_code == 302


@override_settings(TUIJIN_LOCKOUT_FAILURES=2, TUIJIN_LOCKOUT_MINUTES=5)
def test_lockout_numbers_are_configurable(client, alice):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        attempt(client, "alice", "wrong")
        attempt(client, "alice", "wrong")
        attempt(client, "alice", TEST_PASSWORD)
        assert not is_logged_in(client)
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        assert attempt(client, "alice", TEST_PASSWORD).status_code == 302


def test_security_admin_unlocks_and_it_is_audited(client, world):
    for _ in range(5):
        attempt(client, "reporter_a", "wrong")
    lock = Lockout.objects.get(kind="username", key="reporter_a")
    client.force_login(world.secadmin)
    page = client.get(reverse("users:lockout_list"))
    assert "reporter_a" in page.content.decode()
    assert client.post(reverse("users:lockout_unlock", args=[lock.pk])).status_code == 302
    client.logout()
    assert attempt(client, "reporter_a", TEST_PASSWORD, ip="10.0.0.7").status_code == 302
    assert AuditEvent.objects.filter(event_type="unlock", user_name="secadmin").count() == 1


def test_only_the_security_admin_can_unlock(client, world):
    for _ in range(5):
        attempt(client, "reporter_a", "wrong")
    lock = Lockout.objects.get(kind="username")
    for user in (world.sysadmin, world.auditadmin, world.office):
        client.force_login(user)
        assert client.post(reverse("users:lockout_unlock", args=[lock.pk])).status_code == 403
    lock.refresh_from_db()
    assert lock.unlocked_at is None


def test_logout_removes_the_session_from_the_store(client, alice):
    attempt(client, "alice", TEST_PASSWORD)
    key = client.session.session_key
    from django.contrib.sessions.models import Session

    assert Session.objects.filter(session_key=key).exists()
    assert client.post(reverse("users:logout")).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    client.cookies["sessionid"] = key  # replay the old cookie
    assert client.get("/").status_code == 302


def test_logout_requires_post(client, alice):
    client.force_login(alice)
    assert client.get(reverse("users:logout")).status_code == 405


def test_open_redirect_after_login_is_refused(client, alice):
    response = client.post(
        LOGIN + "?next=https://evil.example/",
        {"username": "alice", "password": TEST_PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_production_hasher_is_argon2(db):
    from django.conf import settings as s

    from tuijin.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        user = make_user("hashme")
        assert user.password.startswith("argon2$")
    assert s.PASSWORD_HASHERS  # test settings differ only for speed


@pytest.mark.parametrize("variant", ["Alice", "alice ", "ａｌｉｃｅ", " ALICE"])
def test_usernames_are_unique_after_normalisation(alice, variant):
    with pytest.raises(IntegrityError):
        make_user(variant)


def test_login_accepts_the_normalised_form(client, alice):
    assert attempt(client, "ALICE", TEST_PASSWORD).status_code == 302


def test_password_never_reaches_logs_or_audit(client, alice, caplog):
    secret = "Sup3r-Secret-Pw!"
    attempt(client, "alice", secret)
    assert secret not in caplog.text
    assert not AuditEvent.objects.filter(detail__icontains=secret).exists()
    assert all(secret not in str(e.detail) for e in AuditEvent.objects.all())


def test_no_account_is_a_superuser_after_demo_load(db):
    from django.core.management import call_command

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not User.objects.filter(is_superuser=True).exists()
    assert not User.objects.filter(is_staff=True).exists()


def test_one_accounts_failures_do_not_lock_another_account_at_the_same_address(client, alice):
    """Issue 12: five wrong passwords for one account locked the whole office (one NAT address) for 30 minutes."""
    make_user("bob")
    for _ in range(5):
        attempt(client, "alice", "wrong", ip="10.20.0.1")
    assert Lockout.objects.filter(kind="username", key="alice").exists()
    assert not Lockout.objects.filter(kind="ip", key="10.20.0.1").exists()
    assert attempt(client, "bob", TEST_PASSWORD, ip="10.20.0.1").status_code == 302
    client.logout()
    attempt(client, "alice", TEST_PASSWORD, ip="10.20.0.1")
    assert not is_logged_in(client)  # the account itself stays locked


@override_settings(TUIJIN_LOCKOUT_IP_FAILURES=8)
def test_an_address_spraying_many_accounts_is_throttled(client, db):
    make_user("dave")
    for index in range(8):
        attempt(client, f"sprayed{index}", "wrong", ip="10.30.0.1")
    assert Lockout.objects.filter(kind="ip", key="10.30.0.1").exists()
    attempt(client, "dave", TEST_PASSWORD, ip="10.30.0.1")
    assert not is_logged_in(client)
