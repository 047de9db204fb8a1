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
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType, AuditOutcome

from .models import Lockout, LockoutKind, LoginAttempt, User, normalize_username

__all__ = [
    "LoginResult",
    "account_reenable",
    "account_unlock",
    "active_lockouts",
    "generate_temporary_password",
    "lockout_unlock",
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


def active_lockouts(*, username: str = "", ip: str = ""):
    now = timezone.now()
    query = Lockout.objects.filter(unlocked_at__isnull=True, until__gt=now)
    keys = []
    if username:
        keys.append((LockoutKind.USERNAME, username))
    if ip:
        keys.append((LockoutKind.IP, ip))
    from django.db.models import Q

    condition = Q(pk__in=[])
    for kind, key in keys:
        condition |= Q(kind=kind, key=key)
    return query.filter(condition)


def _failures_since_reset(kind: str, key: str, now) -> int:
    """Failures inside the counting window, after the last lock ended (or was lifted) and, for an account, after
    its last successful login. An address is not reset by a success: one valid account must not let a sprayer
    from that address start counting again. Attempts refused while a lock was active do not count."""
    window_start = now - timedelta(minutes=settings.TUIJIN_LOCKOUT_WINDOW_MINUTES)
    field = "username" if kind == LockoutKind.USERNAME else "ip"
    attempts = LoginAttempt.objects.filter(**{field: key})
    starts = [window_start]
    if kind == LockoutKind.USERNAME:
        starts.append(attempts.filter(success=True).aggregate(t=Max("at"))["t"])
    last_lock = Lockout.objects.filter(kind=kind, key=key).order_by("-locked_at").first()
    if last_lock is not None:
        starts.append(min(t for t in (last_lock.until, last_lock.unlocked_at) if t is not None))
    start = max(t for t in starts if t is not None)
    return attempts.filter(success=False, at__gt=start).count()


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
        LoginAttempt.objects.create(username=key, ip=ip, at=now, success=False)
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
    LoginAttempt.objects.create(username=key, ip=ip, at=now, success=True)
    session_start(request, user)
    User.objects.filter(pk=user.pk).update(last_login=now)
    audit_event_record(event_type=AuditEventType.LOGIN, user=user, request=request)
    return LoginResult(user)


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
