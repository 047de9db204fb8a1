"""Two-factor authentication (security.md DB-ID-8; issue 19 item 13): enrolment, the code step, lockout, recovery
codes, the 安全管理员's reset, and no way around it through the API."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tuijin.api.authentication import api_token_create
from tuijin.core.models import AuditEvent
from tuijin.users.models import Lockout, LoginAttempt
from tuijin.users.services import otp_enrol_device, password_reset
from tuijin.users.two_factor import recovery_digest, totp_now
from tuijin.utilities.testing.matrix import Case, PostMatrix
from tuijin.utilities.testing.world import TEST_PASSWORD

LOGIN = "/accounts/login/"
VERIFY = "/accounts/2fa/verify/"
ENROL = "/accounts/2fa/enrol/"
REQUIRED = ["sys_admin", "sec_admin", "audit_admin", "project_office"]
API = "/api/org/units/"

pytestmark = pytest.mark.usefixtures("required_roles")


@pytest.fixture
def required_roles():
    with override_settings(TUIJIN_2FA_REQUIRED_ROLES=REQUIRED):
        yield


def login(client, username, password=TEST_PASSWORD, ip="10.0.0.1", next_url=""):
    data = {"username": username, "password": password}
    url = LOGIN
    if next_url:
        data["next"] = next_url
        url = f"{LOGIN}?next={next_url}"
    return client.post(url, data, REMOTE_ADDR=ip)


def enrol(user) -> TOTPDevice:
    """An enrolled account: a confirmed authenticator and ten recovery codes (as the enrolment page leaves it)."""
    client = Client()
    client.force_login(user)
    device = otp_enrol_device(user)
    response = client.post(ENROL, {"code": totp_now(device)})
    assert response.status_code == 200, response.content[:300]
    device.refresh_from_db()
    assert device.confirmed
    device.codes = response.context["codes"]  # type: ignore[attr-defined]
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the enrolment code may be used once more
    return device


def verified(client, user) -> None:
    """A signed-in session that has passed the second step (enrolling the account first if needed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or enrol(user)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()


def test_a_required_role_is_sent_to_enrolment_and_nothing_else_answers(client, world):
    response = login(client, "office")
    assert response.status_code == 302 and response["Location"] == ENROL
    for url in ("/", reverse("projects:project_list"), reverse("users:password_change"), VERIFY):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(ENROL), url
    assert client.get(API).status_code == 403
    page = client.get(ENROL)
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "<?xml" not in body
    device = TOTPDevice.objects.get(user=world.office, confirmed=False)
    assert page.context["secret"].replace(" ", "") in body.replace(" ", "")
    wrong = client.post(ENROL, {"code": "000000" if totp_now(device) != "000000" else "111111"})
    assert "验证码不正确" in wrong.content.decode()
    done = client.post(ENROL, {"code": totp_now(device)})
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10 and "no-store" in done["Cache-Control"]
    assert all(code in done.content.decode() for code in codes)
    stored = set(StaticToken.objects.filter(device__user=world.office).values_list("token", flat=True))
    assert stored == {recovery_digest(code) for code in codes}  # only digests are stored
    assert not stored & set(codes)
    assert client.get("/").status_code == 200
    event = AuditEvent.objects.get(event_type="user_update", detail__action="otp_enrol")
    assert event.user_name == "office"


def test_an_optional_role_logs_in_with_the_password_alone(client, world):
    assert login(client, "reporter_a")["Location"] == "/"
    assert client.get("/").status_code == 200


def test_an_enrolled_account_must_enter_the_code_before_anything(client, world):
    device = enrol(world.reporter_a)
    successes_before = LoginAttempt.objects.filter(username="reporter_a", success=True).count()
    response = login(client, "reporter_a", next_url="/projects/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert "_auth_user_id" in client.session
    for url in ("/", "/admin/", reverse("users:two_factor"), ENROL):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(VERIFY), url
    api = client.get(API)
    assert api.status_code == 401 and "双因素" in api.json()["detail"]
    assert client.post(API, {}, content_type="application/json").status_code == 401
    # the password alone is neither a success nor a login
    assert LoginAttempt.objects.filter(username="reporter_a", success=True).count() == successes_before
    assert not AuditEvent.objects.filter(event_type="login", user_name="reporter_a").exists()
    key_before = client.session.session_key
    done = client.post(VERIFY + "?next=/projects/", {"code": totp_now(device), "next": "/projects/"})
    assert done.status_code == 302 and done["Location"] == "/projects/"
    assert client.session.session_key != key_before
    assert client.get("/").status_code == 200 and client.get(API).status_code == 200
    event = AuditEvent.objects.get(event_type="login", user_name="reporter_a")
    assert event.detail["second_factor"] == "totp"


def test_a_code_works_once_and_an_old_code_not_at_all(world):
    device = enrol(world.reporter_a)
    now = time.time()
    first = Client()
    login(first, "reporter_a")
    code = totp_now(device, at=now)
    assert first.post(VERIFY, {"code": code}).status_code == 302
    replay = Client()
    login(replay, "reporter_a")
    assert "验证码错误" in replay.post(VERIFY, {"code": code}).content.decode()  # the same code again
    old = Client()
    login(old, "reporter_a")
    assert "验证码错误" in old.post(VERIFY, {"code": totp_now(device, at=now, steps=-2)}).content.decode()
    assert AuditEvent.objects.filter(event_type="login_failed", detail__reason="otp_invalid").count() == 2


def test_wrong_codes_count_toward_the_lockout_and_the_password_does_not_reset_it(world):
    enrol(world.reporter_a)
    client = Client()
    login(client, "reporter_a")
    for _ in range(3):
        assert client.post(VERIFY, {"code": "000001"}).status_code == 200
    client = Client()  # a fresh login with the right password: the count goes on
    login(client, "reporter_a")
    client.post(VERIFY, {"code": "000002"})
    response = client.post(VERIFY, {"code": "000003"})
    assert response.status_code == 302 and response["Location"] == reverse("users:login")
    assert Lockout.objects.filter(kind="username", key="reporter_a").exists()
    assert "_auth_user_id" not in client.session  # the half-done session ended
    again = Client()
    page = login(again, "reporter_a")
    assert page.status_code == 200 and "锁定" in page.content.decode()


def test_a_right_code_just_after_a_wrong_one_works(world):
    """django-otp's back-off is off (the lockout counts instead): it would refuse the right code for a few seconds."""
    device = enrol(world.reporter_a)
    client = Client()
    login(client, "reporter_a")
    client.post(VERIFY, {"code": "000001"})
    client.post(VERIFY, {"code": "000002"})
    assert client.post(VERIFY, {"code": totp_now(device)}).status_code == 302


def test_a_recovery_code_logs_in_once(world):
    device = enrol(world.office)
    code = device.codes[0]
    client = Client()
    login(client, "office")
    response = client.post(VERIFY, {"code": code.lower().replace("-", " ")}, follow=True)
    assert response.status_code == 200 and "还剩 9 个" in response.content.decode()
    event = AuditEvent.objects.get(event_type="login", user_name="office")
    assert event.detail == {"second_factor": "recovery_code", "recovery_codes_left": 9}
    other = Client()
    login(other, "office")
    assert "验证码错误" in other.post(VERIFY, {"code": code}).content.decode()


def test_a_password_reset_does_not_remove_the_second_factor(world):
    enrol(world.reporter_a)
    temporary = password_reset(actor=world.secadmin, user=world.reporter_a)
    client = Client()
    assert login(client, "reporter_a", password=temporary)["Location"] == VERIFY
    assert client.get(reverse("users:password_change"))["Location"].startswith(VERIFY)


def test_the_security_admin_resets_a_lost_device(client, world, django_capture_on_commit_callbacks):
    enrol(world.office)
    verified(client, world.secadmin)
    page = client.get(reverse("users:account", args=[world.office.pk])).content.decode()
    assert "tj-account-otp-reset" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("users:account_two_factor_reset", args=[world.office.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.office).exists()
    assert not StaticToken.objects.filter(device__user=world.office).exists()
    event = AuditEvent.objects.get(event_type="user_update", detail__action="otp_reset")
    assert event.user_name == "secadmin" and event.object_repr == "office"
    notification = apps.get_model("notifications", "Notification")  # users sits below notifications
    assert notification.objects.filter(user=world.office, title__contains="双因素认证已被重置").exists()
    owner = Client()  # a required role: back to enrolment at the next login
    assert login(owner, "office")["Location"] == ENROL


def test_only_the_security_admin_resets_and_never_their_own(client, world):
    enrol(world.reporter_a)
    url = reverse("users:account_two_factor_reset", args=[world.reporter_a.pk])
    for user in (world.sysadmin, world.auditadmin, world.office):
        verified(client, user)
        assert client.post(url).status_code == 403
    assert TOTPDevice.objects.filter(user=world.reporter_a).exists()
    verified(client, world.secadmin)
    response = client.post(reverse("users:account_two_factor_reset", args=[world.secadmin.pk]), follow=True)
    assert "不能重置自己的双因素认证" in response.content.decode()
    assert TOTPDevice.objects.filter(user=world.secadmin).exists()


def test_an_optional_account_enrols_and_removes_it_a_required_one_cannot(world):
    client = Client()
    login(client, "reporter_a")
    assert "tj-otp-enable" in client.get(reverse("users:two_factor")).content.decode()
    device = otp_enrol_device(world.reporter_a)
    assert client.post(ENROL, {"code": totp_now(device)}).status_code == 200
    assert "已启用" in client.get(reverse("users:two_factor")).content.decode()
    wrong = client.post(reverse("users:two_factor"), {"action": "remove", "code": "12"})
    assert "验证码错误" in wrong.content.decode() and TOTPDevice.objects.filter(user=world.reporter_a).exists()
    later = totp_now(device, steps=1)
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        client.post(reverse("users:two_factor"), {"action": "remove", "code": later})
    assert not TOTPDevice.objects.filter(user=world.reporter_a).exists()
    assert AuditEvent.objects.filter(detail__action="otp_remove", user_name="reporter_a").exists()

    office_device = enrol(world.office)
    office = Client()
    login(office, "office")
    office.post(VERIFY, {"code": totp_now(office_device)})
    response = office.post(reverse("users:two_factor"), {"action": "remove", "code": "123456"}, follow=True)
    assert "不能停用" in response.content.decode()
    assert TOTPDevice.objects.filter(user=world.office, confirmed=True).exists()


def test_new_recovery_codes_replace_the_old_ones(world):
    device = enrol(world.reporter_a)
    client = Client()
    login(client, "reporter_a")
    client.post(VERIFY, {"code": totp_now(device)})
    response = client.post(reverse("users:two_factor"), {"action": "recovery_codes"})
    new_codes = response.context["codes"]
    assert len(new_codes) == 10 and not set(new_codes) & set(device.codes)
    other = Client()
    login(other, "reporter_a")
    assert "验证码错误" in other.post(VERIFY, {"code": device.codes[1]}).content.decode()
    assert other.post(VERIFY, {"code": new_codes[0]}).status_code == 302


def test_an_api_token_is_its_own_credential(client, world):
    """Token clients have no session and no second step; a pending browser session cannot use the API."""
    enrol(world.reporter_a)
    key = api_token_create(user=world.reporter_a, name="接口")[0]
    assert Client().get(API, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


class TestAccountTwoFactorReset(PostMatrix):
    url_name = "users:account_two_factor_reset"
    scoped = False
    unscoped_reason = "accounts are not unit-scoped: the 安全管理员 resets any account's second factor"

    @pytest.fixture
    def matrix(self, world):
        enrol(world.reporter_a)
        return Case(allowed=world.secadmin, denied=world.sysadmin, in_scope=world.reporter_a)

    @pytest.fixture
    def required_roles(self):
        """The matrix signs in with force_login (no second step), so no role requires one here."""
        with override_settings(TUIJIN_2FA_REQUIRED_ROLES=[]):
            yield

    def effect(self, obj, matrix):
        assert not TOTPDevice.objects.filter(user=obj).exists()


def test_the_admin_site_has_no_device_pages(client, world):
    """The 系统管理员 neither sees TOTP keys nor removes second factors (the 安全管理员's reset does)."""
    from django.contrib import admin
    from django_otp.plugins.otp_static.models import StaticDevice

    assert not admin.site.is_registered(TOTPDevice) and not admin.site.is_registered(StaticDevice)
    enrol(world.reporter_a)
    verified(client, world.sysadmin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404


def test_a_misspelt_required_role_stops_start_up():
    from tuijin.users.two_factor import check_required_roles

    assert check_required_roles() == []
    with override_settings(TUIJIN_2FA_REQUIRED_ROLES=["sec_admin", "secadmin"]):
        errors = check_required_roles()
    assert [e.id for e in errors] == ["users.E001"] and "secadmin" in errors[0].msg
