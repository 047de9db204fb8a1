"""Django's admin site, open to the 系统管理员 only (accounts and organisation configuration).

Role grants are not here (the 安全管理员 does them in the main UI); audit tables are not here (the 审计管理员 reads
them in the main UI, and nobody edits them).
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

__all__ = ["TuijinAdminConfig", "TuijinAdminSite"]

_NOT_IN_ADMIN = {"otp_totp", "otp_static"}


class TuijinAdminSite(admin.AdminSite):
    site_header = _("推进 · 系统管理")
    site_title = _("推进 系统管理")
    index_title = _("账户与组织配置")

    def login(self, request, extra_context=None):
        """One login for the whole platform (lockout, audit, password policy): send the admin's to it."""
        from django.shortcuts import redirect
        from django.urls import reverse

        return redirect(f"{reverse('users:login')}?next={request.GET.get('next', '/admin/')}")

    def register(self, model_or_iterable, admin_class=None, **options):
        """django-otp registers its devices here; they stay out (三员分离): the owner and the 安全管理员 manage second
        factors in the main UI (users/views_two_factor.py), and the device page would show the TOTP key."""
        models = model_or_iterable if isinstance(model_or_iterable, list | tuple) else [model_or_iterable]
        kept = [model for model in models if model._meta.app_label not in _NOT_IN_ADMIN]
        if kept:
            super().register(kept, admin_class, **options)

    def has_permission(self, request):
        from tuijin.org.choices import Role
        from tuijin.org.scoping import user_memberships

        user = request.user
        return user.is_active and any(m.role == Role.SYS_ADMIN for m in user_memberships(user))


class TuijinAdminConfig(AdminConfig):
    default_site = "tuijin.admin_site.TuijinAdminSite"
