from rest_framework.permissions import BasePermission

__all__ = ["ACTION_FOR_METHOD", "ScopedModelPermission"]

ACTION_FOR_METHOD = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class ScopedModelPermission(BasePermission):
    """Anonymous → 401; authenticated without `<app>.<action>_<model>` → 403 (audited through
    `core.permissions.deny`). Scope is applied by the viewset."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        queryset = getattr(view, "base_queryset", None) or getattr(view, "queryset", None)
        if queryset is None:
            return True
        model = queryset.model
        action = getattr(view, "permission_action", None) or ACTION_FOR_METHOD.get(request.method, "view")
        permission = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        if not request.user.has_perm(permission):
            from tuijin.core.permissions import deny

            deny(request, action=permission)  # audited, then 403
        return True
