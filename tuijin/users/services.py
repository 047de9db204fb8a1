"""Writes for authentication: login with lockout, logout, password change, unlock."""

import secrets
import string
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType, AuditOutcome

from .dormant import send_notice
from .models import Lockout, LockoutKind, LoginAttempt, User, normalize_username
from .two_factor import (
    confirmed_totp_device,
    has_second_factor,
    is_two_factor_required,
    new_recovery_codes,
    normalize_recovery_code,
    recovery_codes_left,
    recovery_digest,
)

__all__ = [
    "LoginResult",
    "account_reenable",
    "account_unlock",
    "active_lockouts",
    "generate_temporary_password",
    "lockout_unlock",
    "otp_enrol_confirm",
    "otp_enrol_device",
    "otp_recovery_codes_regenerate",
    "otp_remove",
    "otp_reset",
    "otp_verify",
    "password_reset",
    "session_start",
    "user_login",
    "user_logout",
    "user_password_change",
]

GENERIC_FAILURE = _("用户名或密码错误。")


@dataclass
class LoginResult:
    user: User | None
    error: str = ""
    locked: bool = False
    second_factor: str = ""  # "verify" or "enrol": the session must enter a code or enrol before anything else


def active_lockouts(*, username: str = "", ip: str = ""):
    now = timezone.now()
    query = Lockout.objects.filter(unlocked_at__isnull=True, until__gt=now)
    keys = []
    if username:
        keys.append((LockoutKind.USERNAME, username))
    if ip:
        keys.append((LockoutKind.IP, ip))
    condition = Q(pk__in=[])
    for kind, key in keys:
        condition |= Q(kind=kind, key=key)
    return query.filter(condition)


def _failures_since_reset(kind: str, key: str, now) -> int:
    """The failures that count toward the next lock of `key` (docs/subsystems/authentication.md#lockout).

    Only failures count (a wrong password or second-factor code), never attempts refused during a lock. They count
    inside the window and after the key's last lock ended or was lifted. An account restarts at its last successful
    login. An address counts per account and address: an account's failures there stop counting once that account
    logs in from the address, so colleagues' typos behind one office address never add up, while a sprayer's
    failures on accounts it cannot log in to keep counting."""
    window_start = now - timedelta(minutes=settings.TUIJIN_LOCKOUT_WINDOW_MINUTES)
    starts = [window_start]
    last_lock = Lockout.objects.filter(kind=kind, key=key).order_by("-locked_at").first()
    if last_lock is not None:
        starts.append(min(t for t in (last_lock.until, last_lock.unlocked_at) if t is not None))
    if kind == LockoutKind.USERNAME:
        attempts = LoginAttempt.objects.filter(username=key)
        starts.append(attempts.filter(success=True).aggregate(t=Max("at"))["t"])
        failures = attempts.filter(success=False, refused=False)
    else:
        later_success = LoginAttempt.objects.filter(
            ip=key, username=OuterRef("username"), success=True, pk__gt=OuterRef("pk")
        )
        failures = LoginAttempt.objects.filter(ip=key, success=False, refused=False).exclude(Exists(later_success))
    start = max(t for t in starts if t is not None)
    return failures.filter(at__gt=start).count()


def _locked_message() -> str:
    return _("登录失败次数过多，账户或来源地址已被锁定 %(m)d 分钟。请稍后再试，或联系安全管理员解锁。") % {
        "m": settings.TUIJIN_LOCKOUT_MINUTES
    }


def _lock_if_needed(kind: str, key: str, now) -> Lockout | None:
    """Lock an account after TUIJIN_LOCKOUT_FAILURES failures, an address after TUIJIN_LOCKOUT_IP_FAILURES."""
    threshold = (
        settings.TUIJIN_LOCKOUT_FAILURES if kind == LockoutKind.USERNAME else settings.TUIJIN_LOCKOUT_IP_FAILURES
    )
    if _failures_since_reset(kind, key, now) < threshold:
        return None
    lock = Lockout.objects.create(
        kind=kind, key=key, locked_at=now, until=now + timedelta(minutes=settings.TUIJIN_LOCKOUT_MINUTES)
    )
    audit_event_record(
        event_type=AuditEventType.LOCKOUT,
        user_name=key if kind == LockoutKind.USERNAME else "",
        outcome=AuditOutcome.FAILURE,
        object_repr=f"{lock.get_kind_display()} {key}",
        detail={"kind": kind, "key": key, "until": lock.until.isoformat()},
    )
    return lock


def session_start(request, user: User) -> None:
    """Log the user in (Django rotates the session key) and stamp the session clocks."""
    login(request, user, backend="tuijin.users.backends.RoleBackend")
    now = timezone.now().timestamp()
    request.session["tuijin_login_at"] = now
    request.session["tuijin_last_activity"] = now


@transaction.atomic
def user_login(request, *, username: str, password: str) -> LoginResult:
    """Check locks, authenticate, count failures, lock after TUIJIN_LOCKOUT_FAILURES within the window."""
    now = timezone.now()
    key = normalize_username(username)[:150]
    ip = getattr(request, "client_ip", None) or "0.0.0.0"  # noqa: S104
    if active_lockouts(username=key, ip=ip).exists():
        LoginAttempt.objects.create(username=key, ip=ip, at=now, success=False, refused=True)
        audit_event_record(
            event_type=AuditEventType.LOGIN_FAILED,
            user_name=key,
            outcome=AuditOutcome.FAILURE,
            detail={"reason": "locked"},
            request=request,
        )
        minutes = settings.TUIJIN_LOCKOUT_MINUTES
        return LoginResult(
            None,
            _("登录失败次数过多，账户或来源地址已被锁定 %(m)d 分钟。请稍后再试，或联系安全管理员解锁。")
            % {"m": minutes},
            locked=True,
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginAttempt.objects.create(username=key, ip=ip, at=now, success=False)
        audit_event_record(
            event_type=AuditEventType.LOGIN_FAILED,
            user_name=key,
            outcome=AuditOutcome.FAILURE,
            detail={"reason": "bad_credentials"},
            request=request,
        )
        locked = [_lock_if_needed(LockoutKind.USERNAME, key, now), _lock_if_needed(LockoutKind.IP, ip, now)]
        if any(locked):
            return LoginResult(
                None,
                _("登录失败次数过多，账户或来源地址已被锁定 %(m)d 分钟。请稍后再试，或联系安全管理员解锁。")
                % {"m": settings.TUIJIN_LOCKOUT_MINUTES},
                locked=True,
            )
        return LoginResult(None, GENERIC_FAILURE)
    if has_second_factor(user):
        # The password alone is not a login: nothing is reset or recorded as a success until the code is right
        # (otp_verify), and the session reaches only the code page (TwoFactorMiddleware).
        session_start(request, user)
        return LoginResult(user, second_factor="verify")
    LoginAttempt.objects.create(username=key, ip=ip, at=now, success=True)
    session_start(request, user)
    User.objects.filter(pk=user.pk).update(last_login=now)
    required = is_two_factor_required(user)
    audit_event_record(
        event_type=AuditEventType.LOGIN,
        user=user,
        request=request,
        detail={"second_factor": "enrolment_required"} if required else None,
    )
    return LoginResult(user, second_factor="enrol" if required else "")


def user_logout(request, *, reason: AuditEventType = AuditEventType.LOGOUT) -> None:
    user = request.user if request.user.is_authenticated else None
    if user is not None:
        audit_event_record(event_type=reason, user=user, request=request)
    logout(request)  # flushes the session row, not just the cookie


@transaction.atomic
def user_password_change(request, *, user: User, new_password: str) -> None:
    """Set a new password (validators already ran in the form), clear the forced-change flag, keep the session."""
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    update_session_auth_hash(request, user)
    audit_event_record(event_type=AuditEventType.PASSWORD_CHANGE, user=user, request=request)


@transaction.atomic
def lockout_unlock(*, actor: User, lockout: Lockout) -> Lockout:
    lockout.unlocked_at = timezone.now()
    lockout.unlocked_by = actor
    lockout.save(update_fields=["unlocked_at", "unlocked_by"])
    audit_event_record(
        event_type=AuditEventType.UNLOCK,
        user=actor,
        object_repr=f"{lockout.get_kind_display()} {lockout.key}",
        detail={"kind": lockout.kind, "key": lockout.key},
    )
    return lockout


def _require_security_admin(actor: User) -> None:
    """Unlocking and resetting are the 安全管理员's (users.unlock_user): not the 系统管理员's, not the 审计管理员's."""
    if not actor.has_perm("users.unlock_user"):
        raise PermissionDenied(_("只有安全管理员可以解除锁定或重置密码。"))


@transaction.atomic
def account_unlock(*, actor: User, user: User) -> int:
    """Lift every active lock on the account (not on addresses); each lift writes an `unlock` event."""
    _require_security_admin(actor)
    locks = list(active_lockouts(username=user.username_normalized).select_for_update())
    for lock in locks:
        lockout_unlock(actor=actor, lockout=lock)
    return len(locks)


@transaction.atomic
def account_reenable(*, actor: User, user: User) -> User:
    """The 安全管理员 enables again an account that `disable_dormant_accounts` disabled (users/dormant.py). Its
    dormancy then counts from now. An account the 系统管理员 disabled stays disabled: that is account management
    (the admin site), not a security lock. Writes `user_update` with `action` "reenable"."""
    _require_security_admin(actor)
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_active or locked.dormant_disabled_at is None:
        raise ValidationError(_("该账户不是因长期未使用而停用的，不能在此重新启用；请联系系统管理员。"))
    disabled_at = locked.dormant_disabled_at
    locked.is_active = True
    locked.dormant_disabled_at = None
    locked.reenabled_at = timezone.now()
    locked.save(update_fields=["is_active", "dormant_disabled_at", "reenabled_at"])
    audit_event_record(
        event_type=AuditEventType.USER_UPDATE,
        user=actor,
        object_repr=locked.username,
        detail={
            "action": "reenable",
            "account": locked.username,
            "fields": ["is_active"],
            "dormant_disabled_at": disabled_at.isoformat(),
        },
    )
    return locked


TEMPORARY_PASSWORD_LENGTH = 14
_ALPHABETS = (string.ascii_uppercase, string.ascii_lowercase, string.digits, "!@#$%*-_=+?")  # nothing HTML escapes
_AMBIGUOUS = set("O0Il1|")


def generate_temporary_password(user: User) -> str:
    """A random password (CSPRNG) with every character class, long enough for a 三员 account, that passes every
    AUTH_PASSWORD_VALIDATORS entry for `user` (history included). Ambiguous characters (O/0, I/l/1) are left out,
    since it is read out or copied by hand."""
    alphabets = ["".join(c for c in alphabet if c not in _AMBIGUOUS) for alphabet in _ALPHABETS]
    length = max(TEMPORARY_PASSWORD_LENGTH, settings.TUIJIN_PASSWORD_ADMIN_MIN_LENGTH)
    for _attempt in range(20):
        chars = [secrets.choice(alphabet) for alphabet in alphabets]
        every = "".join(alphabets)
        chars += [secrets.choice(every) for _ in range(length - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        password = "".join(chars)
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password
    raise RuntimeError("could not generate a password that passes the validators")  # pragma: no cover


@transaction.atomic
def password_reset(*, actor: User, user: User) -> str:
    """The 安全管理员 resets an account's password: a random temporary password, returned to be shown once (never
    stored in clear nor logged). The owner must change it at the next login (PasswordPolicyMiddleware), the
    account's other sessions end (the session hash changes with the password), and its locks are lifted so that
    the temporary password works at once. Writes `password_reset` (and `unlock` per lifted lock)."""
    _require_security_admin(actor)
    if actor.pk == user.pk:
        raise PermissionDenied(_("不能重置自己的密码，请使用“修改密码”。"))
    password = generate_temporary_password(user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    unlocked = account_unlock(actor=actor, user=user)
    audit_event_record(
        event_type=AuditEventType.PASSWORD_RESET,
        user=actor,
        object_repr=user.username,
        detail={"account": user.username, "temporary": True, "must_change": True, "unlocked": unlocked},
    )
    return password


# ---------------------------------------------------------------------------------------------------------------
# Two-factor authentication (users/two_factor.py; docs/subsystems/authentication.md#two-factor-authentication)


@dataclass
class OtpResult:
    ok: bool
    error: str = ""
    locked: bool = False
    used_recovery_code: bool = False
    recovery_codes_left: int = 0


def otp_enrol_device(user: User) -> TOTPDevice:
    """The account's unconfirmed authenticator (a fresh random key), kept until confirmed or replaced."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("身份验证器"), confirmed=False)
    return device


def _store_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("恢复码"), confirmed=True)
    codes = new_recovery_codes()
    StaticToken.objects.bulk_create(StaticToken(device=device, token=recovery_digest(code)) for code in codes)
    return codes


@transaction.atomic
def otp_enrol_confirm(request, *, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the new authenticator with a code it shows. On success it replaces any earlier device, ten new
    recovery codes replace the old ones (returned to be shown once; only their digests are stored), the session
    counts as verified and a `user_update` event (`action` otp_enrol) is written. None when the code is wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token(code.strip()):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _store_recovery_codes(user)
    request.session.cycle_key()
    otp_login(request, device)
    audit_event_record(
        event_type=AuditEventType.USER_UPDATE,
        user=user,
        object_repr=user.username,
        detail={"action": "otp_enrol", "account": user.username, "recovery_codes": len(codes)},
        request=request,
    )
    return codes


def _otp_failed(request, user: User, key: str, ip: str, now) -> OtpResult:
    LoginAttempt.objects.create(username=key, ip=ip, at=now, success=False)
    audit_event_record(
        event_type=AuditEventType.LOGIN_FAILED,
        user=user,
        outcome=AuditOutcome.FAILURE,
        detail={"reason": "otp_invalid"},
        request=request,
    )
    locked = [_lock_if_needed(LockoutKind.USERNAME, key, now), _lock_if_needed(LockoutKind.IP, ip, now)]
    if any(locked):
        return OtpResult(False, _locked_message(), locked=True)
    return OtpResult(False, _("验证码错误或已使用，请输入身份验证器上当前显示的 6 位数字，或一个未用过的恢复码。"))


@transaction.atomic
def otp_verify(request, *, user: User, code: str) -> OtpResult:
    """The second step of a login: the authenticator's current code, or a recovery code (used up). A wrong code is a
    failed login (it counts toward the lockout, like a wrong password); a lock ends the half-done session. On
    success the login is recorded as the password alone would have been (attempt, last_login, `login` event with
    `second_factor`), and the session key rotates."""
    now = timezone.now()
    key = user.username_normalized
    ip = getattr(request, "client_ip", None) or "0.0.0.0"  # noqa: S104
    if active_lockouts(username=key, ip=ip).exists():
        LoginAttempt.objects.create(username=key, ip=ip, at=now, success=False, refused=True)
        audit_event_record(
            event_type=AuditEventType.LOGIN_FAILED,
            user=user,
            outcome=AuditOutcome.FAILURE,
            detail={"reason": "locked", "step": "otp"},
            request=request,
        )
        return OtpResult(False, _locked_message(), locked=True)
    value = (code or "").strip().replace(" ", "")
    device = None
    used_recovery = False
    totp = confirmed_totp_device(user)
    if value.isdigit() and totp is not None:
        totp = TOTPDevice.objects.select_for_update().get(pk=totp.pk)
        if totp.verify_token(value):  # refuses a code already used (replay) and codes outside ±1 step
            device = totp
    elif len(normalize_recovery_code(value)) >= 8:
        static = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if static is not None and static.verify_token(recovery_digest(value)):  # deletes the code it matched
            device, used_recovery = static, True
    if device is None:
        return _otp_failed(request, user, key, ip, now)
    LoginAttempt.objects.create(username=key, ip=ip, at=now, success=True)
    request.session.cycle_key()
    otp_login(request, device)
    User.objects.filter(pk=user.pk).update(last_login=now)
    left = recovery_codes_left(user)
    detail: dict = {"second_factor": "recovery_code" if used_recovery else "totp"}
    if used_recovery:
        detail["recovery_codes_left"] = left
    audit_event_record(event_type=AuditEventType.LOGIN, user=user, detail=detail, request=request)
    return OtpResult(True, used_recovery_code=used_recovery, recovery_codes_left=left)


@transaction.atomic
def otp_recovery_codes_regenerate(request, *, user: User) -> list[str]:
    """Ten new recovery codes for a verified session; the old ones stop working."""
    if not has_second_factor(user):
        raise ValidationError(_("尚未启用双因素认证。"))
    codes = _store_recovery_codes(user)
    audit_event_record(
        event_type=AuditEventType.USER_UPDATE,
        user=user,
        object_repr=user.username,
        detail={"action": "otp_recovery_codes", "account": user.username, "recovery_codes": len(codes)},
        request=request,
    )
    return codes


def _devices_delete(user: User) -> int:
    deleted = TOTPDevice.objects.filter(user=user).delete()[0]
    StaticDevice.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def otp_remove(request, *, user: User, code: str) -> None:
    """The owner turns the second factor off, confirming with a current code. Refused for an account whose role
    requires it (TUIJIN_2FA_REQUIRED_ROLES): only the 安全管理员's reset removes it, and then it must be enrolled
    again at the next login."""
    if is_two_factor_required(user):
        raise PermissionDenied(_("您的角色必须使用双因素认证，不能停用；更换手机请联系安全管理员重置。"))
    device = confirmed_totp_device(user)
    if device is None:
        raise ValidationError(_("尚未启用双因素认证。"))
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token((code or "").strip()):
        raise ValidationError({"code": [_("验证码错误，请输入身份验证器上当前显示的 6 位数字。")]})
    _devices_delete(user)
    audit_event_record(
        event_type=AuditEventType.USER_UPDATE,
        user=user,
        object_repr=user.username,
        detail={"action": "otp_remove", "account": user.username},
        request=request,
    )


@transaction.atomic
def otp_reset(*, actor: User, user: User) -> int:
    """The 安全管理员 removes an account's authenticator and recovery codes (a lost phone). A session of the account
    that was verified with them is verified no more; an account whose role requires a second factor enrols again at
    its next request. Writes `user_update` (`action` otp_reset) and tells the owner (in-app notice)."""
    _require_security_admin(actor)
    if actor.pk == user.pk:
        raise PermissionDenied(_("不能重置自己的双因素认证，请联系另一位安全管理员。"))
    deleted = _devices_delete(user)
    audit_event_record(
        event_type=AuditEventType.USER_UPDATE,
        user=actor,
        object_repr=user.username,
        detail={"action": "otp_reset", "account": user.username, "devices": deleted},
    )
    transaction.on_commit(
        lambda: send_notice(
            users=[user],
            title=_("您的双因素认证已被重置"),
            body=_("安全管理员 %(admin)s 已重置您的身份验证器和恢复码。如非本人申请，请立即联系安全管理员。")
            % {"admin": actor.display_name or actor.username},
            url=reverse("users:two_factor"),
            level="warning",
            kind="otp_reset",
        )
    )
    return deleted
