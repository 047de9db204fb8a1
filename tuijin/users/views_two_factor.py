"""Two-factor pages: the code step of a login, enrolment, the owner's settings and the 安全管理员's reset.

The rules (who must enrol, what a pending session may reach, what counts toward the lockout) are in
`users.two_factor`, `users.middleware.TwoFactorMiddleware` and `users.services`; these views only call them.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from .middleware import two_factor_pending
from .services import (
    otp_enrol_confirm,
    otp_enrol_device,
    otp_recovery_codes_regenerate,
    otp_remove,
    otp_reset,
    otp_verify,
    user_logout,
)
from .two_factor import (
    confirmed_totp_device,
    is_two_factor_required,
    qr_svg,
    recovery_codes_left,
    secret_text,
)
from .views import _account_for_security_admin


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""


@sensitive_post_parameters("code")
@never_cache
@login_required
def two_factor_verify_view(request):
    """The second step of a login: 6-digit code or a recovery code. Only reachable while the session is pending."""
    if two_factor_pending(request.user) != "verify":
        return redirect(_next(request) or settings.LOGIN_REDIRECT_URL)
    error = ""
    if request.method == "POST":
        result = otp_verify(request, user=request.user, code=request.POST.get("code", ""))
        if result.ok:
            if result.used_recovery_code:
                messages.warning(
                    request,
                    _(
                        "您使用了一个恢复码（已作废），还剩 %(n)d 个。"
                        "请尽快在“双因素认证”页重新绑定身份验证器或生成新的恢复码。"
                    )
                    % {"n": result.recovery_codes_left},
                )
            return redirect(_next(request) or settings.LOGIN_REDIRECT_URL)
        if result.locked:
            user_logout(request)
            messages.error(request, result.error)
            return redirect(settings.LOGIN_URL)
        error = result.error
    return render(request, "users/two_factor_verify.html", {"error": error, "next": _next(request)})


@sensitive_post_parameters("code")
@never_cache
@login_required
def two_factor_enrol_view(request):
    """Bind an authenticator app: QR code and key, then a code from the app; the recovery codes are shown once."""
    if two_factor_pending(request.user) == "verify":
        return redirect("users:two_factor_verify")
    device = otp_enrol_device(request.user)
    error = ""
    if request.method == "POST":
        codes = otp_enrol_confirm(request, user=request.user, device=device, code=request.POST.get("code", ""))
        if codes is not None:
            return render(
                request,
                "users/two_factor_codes.html",
                {"codes": codes, "next": _next(request), "enrolled": True},
            )
        error = _("验证码不正确，请确认手机时间准确，并输入身份验证器上当前显示的 6 位数字。")
    context = {
        "qr_svg": qr_svg(device),
        "secret": secret_text(device),
        "error": error,
        "next": _next(request),
        "required": is_two_factor_required(request.user),
        "replacing": confirmed_totp_device(request.user) is not None,
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    return render(request, "users/two_factor_enrol.html", context)


@sensitive_post_parameters("code")
@never_cache
@login_required
def two_factor_view(request):
    """The owner's 双因素认证 page: status, new recovery codes, turn it off (if the role allows)."""
    user = request.user
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "recovery_codes":
            try:
                codes = otp_recovery_codes_regenerate(request, user=user)
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
                return redirect("users:two_factor")
            return render(request, "users/two_factor_codes.html", {"codes": codes, "enrolled": False})
        if action == "remove":
            try:
                otp_remove(request, user=user, code=request.POST.get("code", ""))
            except PermissionDenied as exc:
                messages.error(request, str(exc))
            except ValidationError as exc:
                error = "；".join(exc.messages)
            else:
                messages.success(request, _("已停用双因素认证。"))
                return redirect("users:two_factor")
    context = {
        "device": confirmed_totp_device(user),
        "required": is_two_factor_required(user),
        "codes_left": recovery_codes_left(user),
        "error": error,
    }
    return render(request, "users/two_factor.html", context)


@require_POST
@login_required
def account_two_factor_reset_view(request, pk: int):
    """重置双因素认证 on the account page (安全管理员 only): the authenticator and recovery codes are removed."""
    account = _account_for_security_admin(request, pk, _("只有安全管理员可以重置双因素认证。"))
    try:
        removed = otp_reset(actor=request.user, user=account)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        if removed:
            messages.success(request, _("已重置账户 %(u)s 的双因素认证，已通知本人。") % {"u": account.username})
        else:
            messages.info(request, _("账户 %(u)s 未启用双因素认证。") % {"u": account.username})
    return redirect("users:account", pk=account.pk)
