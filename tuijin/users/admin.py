from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType

from .models import User


class TuijinUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = ("username", "display_name")


class TuijinAdminPasswordChangeForm(AdminPasswordChangeForm):
    """A password set by the 系统管理员 is a reset: audited, and the owner must change it at next login."""

    def save(self, commit=True):
        user = super().save(commit=False)
        user.must_change_password = True
        if commit:
            user.save()
            audit_event_record(
                event_type=AuditEventType.PASSWORD_RESET, object_repr=user.username, detail={"user": user.username}
            )
        return user


@admin.register(User)
class TuijinUserAdmin(UserAdmin):
    """Accounts for the 系统管理员. New accounts must change their password at first login."""

    add_form = TuijinUserCreationForm
    form = UserChangeForm
    change_password_form = TuijinAdminPasswordChangeForm
    list_display = ("username", "display_name", "is_active", "must_change_password", "last_login")
    list_filter = ("is_active", "must_change_password")
    search_fields = ("username", "display_name")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("基本信息"), {"fields": ("display_name", "person", "email")}),  # person: read-only, see below
        (_("状态"), {"fields": ("is_active", "must_change_password", "last_login", "password_changed_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "display_name", "password1", "password2")}),)
    # `person` decides a 包联领导's project scope, so only the 安全管理员 sets it (account page), not here.
    readonly_fields = ("last_login", "password_changed_at", "person")
    filter_horizontal = ()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.must_change_password = True
        super().save_model(request, obj, form, change)
        audit_event_record(
            event_type=AuditEventType.USER_UPDATE if change else AuditEventType.USER_CREATE,
            object_repr=obj.username,
            detail={"fields": list(form.changed_data)},
        )

    def has_delete_permission(self, request, obj=None):
        return False  # accounts are disabled, never deleted (their history must keep its author)
