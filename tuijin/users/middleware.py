"""Session policy (idle timeout, absolute lifetime) and password policy (forced and periodic change)."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from tuijin.core.choices import AuditEventType
from tuijin.org.roles import ADMIN_ROLES
from tuijin.org.scoping import user_memberships

__all__ = [
    "PasswordPolicyMiddleware",
    "SessionPolicyMiddleware",
    "TwoFactorMiddleware",
    "idle_limit",
    "password_expires_at",
    "two_factor_pending",
]

_EXEMPT_PREFIXES = ("/static/", "/i18n/", "/accounts/logout/", "/accounts/password/", "/accounts/2fa/")
# While the second factor is pending, only these (and the verification or enrolment page itself) answer.
_TWO_FACTOR_EXEMPT = ("/static/", "/i18n/", "/accounts/logout/", "/healthz/")
VERIFY_PATH = "/accounts/2fa/verify/"
ENROL_PATH = "/accounts/2fa/enrol/"


def idle_limit(user) -> timedelta:
    is_admin = any(m.role in ADMIN_ROLES for m in user_memberships(user))
    minutes = settings.TUIJIN_SESSION_IDLE_MINUTES_ADMIN if is_admin else settings.TUIJIN_SESSION_IDLE_MINUTES
    return timedelta(minutes=minutes)


def password_expires_at(user):
    if settings.TUIJIN_PASSWORD_MAX_AGE_DAYS <= 0 or user.password_changed_at is None:
        return None
    return user.password_changed_at + timedelta(days=settings.TUIJIN_PASSWORD_MAX_AGE_DAYS)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


class SessionPolicyMiddleware:
    """End a session idle longer than the limit (30 min; 15 for the 三员) or older than 12 hours."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "tuijin_last_activity" in request.session:
            now = timezone.now()
            last = request.session.get("tuijin_last_activity", 0)
            started = request.session.get("tuijin_login_at", last)
            idle = now.timestamp() - last > idle_limit(user).total_seconds()
            expired = now.timestamp() - started > settings.TUIJIN_SESSION_ABSOLUTE_HOURS * 3600
            if idle or expired:
                from .services import user_logout

                user_logout(request, reason=AuditEventType.SESSION_TIMEOUT)
                if _is_api(request):
                    return JsonResponse({"detail": _("会话已超时，请重新登录。")}, status=401)
                messages.warning(request, _("会话已超时，请重新登录。"))
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            if now.timestamp() - last > 30:  # write the session at most every 30 s
                request.session["tuijin_last_activity"] = now.timestamp()
        return self.get_response(request)


class PasswordPolicyMiddleware:
    """Until a forced or expired password is changed, every page except the change form redirects to it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(request, "auth", None) is None
            and not request.path.startswith(_EXEMPT_PREFIXES)
        ):
            expires = password_expires_at(user)
            if user.must_change_password or (expires is not None and expires <= timezone.now()):
                if _is_api(request):
                    return JsonResponse({"detail": _("请先修改密码。")}, status=403)
                return redirect("users:password_change")
        return self.get_response(request)


def two_factor_pending(user) -> str:
    """What a signed-in session still lacks: "verify" (the account has a confirmed device and this session has not
    entered a code), "enrol" (its role requires a second factor and it has none) or "" (nothing)."""
    from .two_factor import has_second_factor, is_two_factor_required

    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return ""
    if has_second_factor(user):
        return "verify"
    if is_two_factor_required(user):
        return "enrol"
    return ""


class TwoFactorMiddleware:
    """A session that has passed the password but not the second factor reaches only the code page (or, for an
    account that must enrol, the enrolment page) and logout: every other page redirects there, and the API answers
    401 (403 to enrol). Token requests carry no session and are authenticated by DRF instead (the token is the
    credential, docs/subsystems/authentication.md#api-tokens). Runs after django-otp's OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(_TWO_FACTOR_EXEMPT):
            pending = two_factor_pending(user)
            target = VERIFY_PATH if pending == "verify" else ENROL_PATH
            if pending and request.path != target:
                if _is_api(request):
                    if pending == "verify":
                        return JsonResponse({"detail": _("请先完成双因素认证（输入动态验证码）。")}, status=401)
                    return JsonResponse({"detail": _("请先在网页上启用双因素认证。")}, status=403)
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
