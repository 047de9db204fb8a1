from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.permissions import require, scoped_object_or_404
from tuijin.core.views_generic import ObjectDetailView, ObjectListView
from tuijin.org.models import Membership, OrgUnit, Person
from tuijin.org.services import membership_grant, membership_revoke

from .filtersets import AccountFilterSet
from .forms import AccountPersonForm, LoginForm, MembershipGrantForm, TuijinPasswordChangeForm
from .models import Lockout, User
from .selectors import account_lock_states
from .services import (
    account_reenable,
    account_unlock,
    lockout_unlock,
    password_reset,
    user_login,
    user_logout,
    user_password_change,
)
from .two_factor import confirmed_totp_device, is_two_factor_required, recovery_codes_left


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        result = user_login(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if result.user is not None:
            target = request.POST.get("next") or request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                target = ""
            if result.second_factor:
                step = "users:two_factor_verify" if result.second_factor == "verify" else "users:two_factor_enrol"
                return redirect(f"{reverse(step)}?{urlencode({'next': target})}" if target else reverse(step))
            return redirect(target or settings.LOGIN_REDIRECT_URL)
        error = result.error
    return render(
        request,
        "users/login.html",
        {"form": form, "error": error, "next": request.GET.get("next", "")},
    )


@require_POST
def logout_view(request):
    user_logout(request)
    messages.info(request, _("您已安全退出。"))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@sensitive_post_parameters()
@login_required
def password_change_view(request):
    form = TuijinPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_password_change(request, user=request.user, new_password=form.cleaned_data["new_password1"])
        messages.success(request, _("密码已修改。"))
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "users/password_change.html", {"form": form})


class AccountListView(ObjectListView):
    """Accounts and their roles: the 系统管理员 creates accounts (admin site), the 安全管理员 grants roles here."""

    queryset = User.objects.prefetch_related("memberships__unit").order_by("username")
    filterset_class = AccountFilterSet
    table_template = "users/htmx/account_table.html"
    title = gettext_lazy("账户与角色")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        accounts = list(context["object_list"])
        states = account_lock_states([a.username_normalized for a in accounts])
        for account in accounts:
            account.lock_state = states.get(account.username_normalized)
        context["object_list"] = accounts
        context["lockout_threshold"] = settings.TUIJIN_LOCKOUT_FAILURES
        return context


class AccountDetailView(ObjectDetailView):
    queryset = User.objects.prefetch_related("memberships__unit")
    template_name = "users/account.html"
    context_object_name = "account"  # not "user": that is the signed-in user (the page header greets them)
    show_history = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_grant"] = user.has_perm("org.add_membership")
        context["can_revoke"] = user.has_perm("org.delete_membership")
        context["grant_form"] = kwargs.get("grant_form") or MembershipGrantForm(
            units=OrgUnit.objects.restrict(user, "view")
        )
        if context["can_grant"]:
            context["person_form"] = AccountPersonForm(
                people=Person.objects.order_by("name", "pk"), initial={"person": self.object.person_id}
            )
        key = self.object.username_normalized
        context["lock_state"] = account_lock_states([key])[key]
        context["lockout_threshold"] = settings.TUIJIN_LOCKOUT_FAILURES
        context["can_unlock"] = user.has_perm("users.unlock_user")
        context["can_reset"] = context["can_unlock"] and user.pk != self.object.pk
        context["can_reenable"] = (
            context["can_unlock"] and not self.object.is_active and self.object.dormant_disabled_at is not None
        )
        context["otp_device"] = confirmed_totp_device(self.object)
        context["otp_required"] = is_two_factor_required(self.object)
        context["otp_codes_left"] = recovery_codes_left(self.object) if context["otp_device"] else 0
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        require(request, "org.add_membership")
        if "person" in request.POST:
            person_form = AccountPersonForm(request.POST, people=Person.objects.all())
            if person_form.is_valid():
                self.object.person = person_form.cleaned_data["person"]
                self.object.save(update_fields=["person"])
                audit_event_record(
                    event_type=AuditEventType.USER_UPDATE,
                    object_repr=self.object.username,
                    detail={"person": str(self.object.person or "")},
                )
                messages.success(request, _("已更新对应人员。"))
            return redirect("users:account", pk=self.object.pk)
        form = MembershipGrantForm(request.POST, units=OrgUnit.objects.restrict(request.user, "view"))
        if form.is_valid():
            try:
                membership_grant(
                    actor=request.user, user=self.object, unit=form.cleaned_data["unit"], role=form.cleaned_data["role"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已授予角色。"))
                return redirect("users:account", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(grant_form=form))


@require_POST
@login_required
def membership_revoke_view(request, pk: int):
    membership = scoped_object_or_404(request, Membership.objects.select_related("user"), pk, action="delete")
    try:
        membership_revoke(actor=request.user, membership=membership)
        messages.success(request, _("已撤销角色。"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("users:account", pk=membership.user_id)


class LockoutListView(ObjectListView):
    queryset = Lockout.objects.select_related("unlocked_by")
    table_template = "users/htmx/lockout_table.html"
    title = gettext_lazy("锁定管理")


@require_POST
@login_required
def lockout_unlock_view(request, pk: int):
    require(request, "users.unlock_user")
    lockout = get_object_or_404(Lockout, pk=pk, unlocked_at__isnull=True)
    lockout_unlock(actor=request.user, lockout=lockout)
    messages.success(request, _("已解除锁定：%(key)s") % {"key": lockout.key})
    return redirect("users:lockout_list")


def _account_for_security_admin(request, pk: int, message: str = "") -> User:
    """The account, for the 安全管理员 only: others get an audited 403 before anything is looked up."""
    require(request, "users.unlock_user", message=message or _("只有安全管理员可以解除锁定或重置密码。"))
    return scoped_object_or_404(request, User.objects.all(), pk, permission=False)


@require_POST
@login_required
def account_unlock_view(request, pk: int):
    """解除锁定 on the account page: lifts every active lock of the account (audited per lock)."""
    account = _account_for_security_admin(request, pk)
    lifted = account_unlock(actor=request.user, user=account)
    if lifted:
        messages.success(request, _("已解除账户 %(u)s 的登录锁定。") % {"u": account.username})
    else:
        messages.info(request, _("账户 %(u)s 当前未被锁定。") % {"u": account.username})
    return redirect("users:account", pk=account.pk)


@require_POST
@login_required
def account_reenable_view(request, pk: int):
    """重新启用 on the account page: an account disabled for not being used (users/dormant.py) works again."""
    account = _account_for_security_admin(request, pk, _("只有安全管理员可以重新启用账户。"))
    try:
        account_reenable(actor=request.user, user=account)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已重新启用账户 %(u)s。") % {"u": account.username})
    return redirect("users:account", pk=account.pk)


@sensitive_post_parameters()
@never_cache
@require_POST
@login_required
def account_password_reset_view(request, pk: int):
    """重置密码: a random temporary password, shown on this response only (not in a message, not in a redirect),
    which the owner must change at the next login."""
    account = _account_for_security_admin(request, pk)
    try:
        temporary = password_reset(actor=request.user, user=account)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("users:account", pk=account.pk)
    return render(request, "users/password_reset_done.html", {"account": account, "temporary_password": temporary})
