"""Base viewsets: the queryset is restricted to the caller's scope for every method (NetBox BaseViewSet)."""

from rest_framework import viewsets

from .permissions import ACTION_FOR_METHOD

__all__ = ["ScopedModelViewSet", "ScopedReadOnlyViewSet", "ScopedViewSetMixin"]


class ScopedViewSetMixin:
    def get_queryset(self):
        action = getattr(self, "permission_action", None) or ACTION_FOR_METHOD.get(self.request.method, "view")
        return self.queryset.restrict(self.request.user, action)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass
