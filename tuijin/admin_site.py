"""Django's admin site, open to the 系统管理员 only (accounts and organisation configuration).

Role grants are not here (the 安全管理员 does them in the main UI); audit tables are not here (the 审计管理员 reads
them in the main UI, and nobody edits them).
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

__all__ = ["TuijinAdminConfig", "TuijinAdminSite"]


class TuijinAdminSite(admin.AdminSite):
    site_header = _("推进 · 系统管理")
    site_title = _("推进 系统管理")
    index_title = _("账户与组织配置")

    def login(self, request, extra_context=None):
        """One login for the whole platform (lockout, audit, password policy): send the admin's to it."""
        from django.shortcuts import redirect
        from django.urls import reverse

        return redirect(f"{reverse('users:login')}?next={request.GET.get('next', '/admin/')}")

    def has_permission(self, request):
        from tuijin.org.choices import Role
        from tuijin.org.scoping import user_memberships

        user = request.user
        return user.is_active and any(m.role == Role.SYS_ADMIN for m in user_memberships(user))


class TuijinAdminConfig(AdminConfig):
    default_site = "tuijin.admin_site.TuijinAdminSite"
