from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType

from .models import User


class TuijinUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = ("username", "display_name")


@admin.register(User)
class TuijinUserAdmin(UserAdmin):
    """Accounts for the 系统管理员. New accounts must change their password at first login. Existing passwords are
    not shown or reset here: a reset is the 安全管理员's (users:account_password_reset)."""

    add_form = TuijinUserCreationForm
    form = UserChangeForm
    list_display = ("username", "display_name", "is_active", "must_change_password", "last_login")
    list_filter = ("is_active", "must_change_password")
    search_fields = ("username", "display_name")
    fieldsets = (
        (None, {"fields": ("username",)}),  # the password: reset by the 安全管理员 on the account page (三员分离)
        (_("基本信息"), {"fields": ("display_name", "person", "email")}),  # person: read-only, see below
        (
            _("状态"),
            {
                "fields": (
                    "is_active",
                    "must_change_password",
                    "last_login",
                    "password_changed_at",
                    "dormant_disabled_at",
                    "reenabled_at",
                )
            },
        ),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "display_name", "password1", "password2")}),)
    # `person` decides a 包联领导's project scope, so only the 安全管理员 sets it (account page), not here.
    readonly_fields = ("last_login", "password_changed_at", "person", "dormant_disabled_at", "reenabled_at")
    filter_horizontal = ()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.must_change_password = True
        if change and "is_active" in form.changed_data:
            # enabled again: dormancy counts from now (users/dormant.py); disabled here: not a dormancy lock, so
            # the 安全管理员's 重新启用 does not apply to it
            obj.dormant_disabled_at = None
            if obj.is_active:
                obj.reenabled_at = timezone.now()
        super().save_model(request, obj, form, change)
        audit_event_record(
            event_type=AuditEventType.USER_UPDATE if change else AuditEventType.USER_CREATE,
            object_repr=obj.username,
            detail={"fields": list(form.changed_data)},
        )

    def user_change_password(self, request, id, form_url=""):
        """三员分离: resetting a password belongs to the 安全管理员 (users:account_password_reset), never here."""
        raise PermissionDenied(_("重置密码由安全管理员在账户页办理。"))

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are disabled, never deleted (their history must keep its author)
