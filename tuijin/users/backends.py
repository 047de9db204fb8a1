"""Authentication and permissions: passwords through Django's ModelBackend, permissions from role memberships."""

from django.contrib.auth.backends import ModelBackend

from tuijin.org.scoping import user_permissions

__all__ = ["RoleBackend"]


class RoleBackend(ModelBackend):
    """Permissions are the union of the user's roles (org.roles.ROLE_SPECS); Django's permission tables are unused."""

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return user_permissions(user_obj)

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        return any(perm.startswith(f"{app_label}.") for perm in self.get_all_permissions(user_obj))
