"""Base viewsets: the queryset is restricted to the caller's scope for every method (NetBox BaseViewSet).

Errors raised by services (ValidationError, ApplicationError, ConflictError, PermissionDenied) are not caught here:
`tuijin.api.exceptions.exception_handler` translates them for every viewset.
"""

from django.http import Http404
from rest_framework import viewsets

from .permissions import ACTION_FOR_METHOD

__all__ = ["ScopedModelViewSet", "ScopedReadOnlyViewSet", "ScopedViewSetMixin"]


class ScopedViewSetMixin:
    def get_queryset(self):
        return self.queryset.restrict(self.request.user, self._scope_action())

    def get_object(self):
        """404 for a missing object and for one outside the caller's scope; the latter is audited (as on pages)."""
        try:
            return super().get_object()
        except Http404:
            from tuijin.core.permissions import DenialReason, deny

            pk = self.kwargs.get(getattr(self, "lookup_url_kwarg", None) or self.lookup_field)
            model = self.queryset.model
            if pk is not None and str(pk).isdigit() and model._default_manager.filter(pk=pk).exists():
                deny(self.request, action=self._scope_action(), obj=model, reason=DenialReason.OUT_OF_SCOPE)
            raise

    def _scope_action(self):
        return getattr(self, "permission_action", None) or ACTION_FOR_METHOD.get(self.request.method, "view")


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass
