"""Issue 19 item 4: what counts toward a lock. The account is counted across addresses; the address throttle
counts each account's failures only until that account logs in from the address; refused attempts never count."""

import pytest
from django.test import override_settings

from tuijin.users.models import Lockout, LoginAttempt, User
from tuijin.users.selectors import account_lock_states
from tuijin.users.services import lockout_unlock
from tuijin.utilities.testing.world import TEST_PASSWORD, make_user

LOGIN = "/accounts/login/"
OFFICE = "10.40.0.1"  # one NAT address for a whole office


def attempt(client, username, password, ip=OFFICE):
    response = client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)
    client.logout()
    return response


def is_locked_out(response) -> bool:
    return "锁定" in response.content.decode()


@override_settings(TUIJIN_LOCKOUT_IP_FAILURES=5)
def test_colleagues_typos_followed_by_their_logins_do_not_lock_the_office(client, db):
    """Five people behind one address each mistype once, then log in: nobody else at the address is locked."""
    colleagues = [make_user(f"colleague{index}") for index in range(6)]
    for user in colleagues[:5]:
        attempt(client, user.username, "wrong")
        assert attempt(client, user.username, TEST_PASSWORD).status_code == 302
    attempt(client, colleagues[5].username, "wrong")
    assert not Lockout.objects.filter(kind="ip", key=OFFICE).exists()
    assert attempt(client, colleagues[5].username, TEST_PASSWORD).status_code == 302


@override_settings(TUIJIN_LOCKOUT_IP_FAILURES=5)
def test_one_valid_account_does_not_forgive_the_other_accounts_failures_at_the_address(client, db):
    """A sprayer who knows one password: its login clears only its own account's failures from the address."""
    make_user("known")
    attempt(client, "known", "wrong")
    for name in ["s1", "s2", "s3"]:
        attempt(client, name, "wrong")
    assert attempt(client, "known", TEST_PASSWORD).status_code == 302
    attempt(client, "s4", "wrong")
    assert not Lockout.objects.filter(kind="ip", key=OFFICE).exists()  # 4: known's failure was forgiven
    attempt(client, "s5", "wrong")
    assert Lockout.objects.filter(kind="ip", key=OFFICE).exists()


@override_settings(TUIJIN_LOCKOUT_IP_FAILURES=5)
def test_attempts_refused_during_an_address_lock_do_not_count_for_the_account(client, world):
    """The password is not checked during a lock, so those attempts are not failures of the account."""
    for name in ["x1", "x2", "x3", "x4", "x5"]:
        attempt(client, name, "wrong")
    lock = Lockout.objects.get(kind="ip", key=OFFICE)
    for _ in range(4):
        assert is_locked_out(attempt(client, "reporter_a", TEST_PASSWORD))
    assert LoginAttempt.objects.filter(username="reporter_a", refused=True).count() == 4
    lockout_unlock(actor=world.secadmin, lockout=lock)
    attempt(client, "reporter_a", "wrong", ip="10.40.0.2")  # one real failure: not the fifth
    assert not Lockout.objects.filter(kind="username", key="reporter_a").exists()
    assert attempt(client, "reporter_a", TEST_PASSWORD, ip="10.40.0.2").status_code == 302
    key = User.objects.get(username="reporter_a").username_normalized
    assert account_lock_states([key])[key].failures == 0


def test_attempts_refused_during_the_accounts_lock_are_recorded_but_not_counted(client, db):
    make_user("erin")
    for _ in range(5):
        attempt(client, "erin", "wrong")
    assert is_locked_out(attempt(client, "erin", "wrong"))
    refused = LoginAttempt.objects.filter(username="erin").order_by("-pk").first()
    assert refused.refused and not refused.success
    key = "erin"
    state = account_lock_states([key])[key]
    assert state.is_locked and state.failures == 0


@pytest.mark.parametrize("ip", [OFFICE, "10.40.0.9"])
def test_the_account_lock_holds_from_every_address(client, db, ip):
    make_user("frank")
    for _ in range(5):
        attempt(client, "frank", "wrong")
    assert is_locked_out(attempt(client, "frank", TEST_PASSWORD, ip=ip))
