"""Password policy: length, classes, history, forced change, 90-day expiry (DB-ID-2, DB-ID-3)."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tuijin.org.choices import Role
from tuijin.utilities.testing.world import TEST_PASSWORD, make_user


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("12345678", False),  # numeric, one class
        ("password", False),  # common, one class
        ("abcdefgh", False),  # one class
        ("Zhang3", False),  # too short
        ("abcd1234", False),  # two classes
        ("Kx7mPq2z", True),  # three classes, 8 long
        ("abcd-1234", True),  # lower + digit + symbol
        ("长城Abc12x", True),  # non-ASCII counts as a symbol
    ],
)
def test_complexity(db, password, ok):
    user = make_user("policy")
    if ok:
        validate_password(password, user)
    else:
        with pytest.raises(ValidationError):
            validate_password(password, user)


def test_username_like_password_is_rejected(db):
    user = make_user("zhangwei2026")
    with pytest.raises(ValidationError):
        validate_password("Zhangwei2026", user)


def test_admin_accounts_need_twelve_characters(world):
    with pytest.raises(ValidationError) as exc:
        validate_password("Abcd-12345", world.sysadmin)
    assert "12" in str(exc.value)
    validate_password("Abcd-1234567", world.sysadmin)
    validate_password("Abcd-12345", world.reporter_a)


def test_messages_are_chinese(db):
    with pytest.raises(ValidationError) as exc:
        validate_password("abc")
    assert "密码至少需要 8 个字符" in " ".join(exc.value.messages)


def test_the_last_five_passwords_cannot_be_reused(client, db):
    user = make_user("hist")
    client.force_login(user)
    url = reverse("users:password_change")
    current = TEST_PASSWORD
    history = [current]
    for i in range(5):
        new = f"New-Pass-{i}x!"
        response = client.post(url, {"old_password": current, "new_password1": new, "new_password2": new})
        assert response.status_code == 302, response.content.decode()
        current = new
        history.append(new)
    # every one of the last five (including the current) is refused
    for old in history[-5:]:
        response = client.post(url, {"old_password": current, "new_password1": old, "new_password2": old})
        assert response.status_code == 200
        assert "不能使用最近 5 次用过的密码" in response.content.decode()
    # the sixth-oldest may be used again
    response = client.post(url, {"old_password": current, "new_password1": history[0], "new_password2": history[0]})
    assert response.status_code == 302


def test_first_login_forces_a_password_change(client, db):
    user = make_user("fresh")
    user.must_change_password = True
    user.save()
    client.post("/accounts/login/", {"username": "fresh", "password": TEST_PASSWORD})
    assert client.get("/").url == reverse("users:password_change")
    assert client.get(reverse("org:orgunit_list")).url == reverse("users:password_change")
    assert client.get("/api/org/units/").status_code == 403
    response = client.post(
        reverse("users:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "Brand-New-1", "new_password2": "Brand-New-1"},
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_password_expires_after_90_days_with_a_warning_before(client, world):
    user = world.reporter_a
    changed = user.password_changed_at
    with time_machine.travel(changed + timedelta(days=84), tick=False):
        client.force_login(user)
        page = client.get("/")
        assert page.status_code == 200
        assert "密码将在" in page.content.decode()
    with time_machine.travel(changed + timedelta(days=91), tick=False):
        client.force_login(user)
        assert client.get("/").url == reverse("users:password_change")


def test_new_accounts_created_in_admin_must_change_password(client, world):
    client.force_login(world.sysadmin)
    response = client.post(
        "/admin/users/user/add/",
        {
            "username": "newbie",
            "display_name": "新人",
            "person": "",
            "password1": "Strong-Pass-1",
            "password2": "Strong-Pass-1",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from tuijin.users.models import User

    assert User.objects.get(username="newbie").must_change_password


def test_admin_create_user_enforces_the_policy(client, world):
    client.force_login(world.sysadmin)
    response = client.post(
        "/admin/users/user/add/",
        {"username": "weak", "password1": "12345678", "password2": "12345678", "usable_password": "true"},
    )
    assert response.status_code == 200
    from tuijin.users.models import User

    assert not User.objects.filter(username="weak").exists()


def test_demo_accounts_exempt_only_with_demo_password(db, settings):
    from django.core.management import call_command

    from tuijin.users.models import User

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert User.objects.get(username="xijie").must_change_password
    settings.TUIJIN_DEMO_PASSWORD = "Demo-Pass-2026!"
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    user = User.objects.get(username="xijie")
    assert not user.must_change_password and user.check_password("Demo-Pass-2026!")
    assert timezone.now() - user.password_changed_at < timedelta(minutes=1)
    assert Role.SYS_ADMIN in set(User.objects.get(username="sysadmin").memberships.values_list("role", flat=True))
