"""Base viewsets: the queryset is restricted to the caller's scope for every method (NetBox BaseViewSet).

Errors raised by services (ValidationError, ApplicationError, ConflictError, PermissionDenied) are not caught here:
`tuijin.api.exceptions.exception_handler` translates them for every viewset.
"""

from typing import Any

from django.http import Http404
from rest_framework import status, viewsets
from rest_framework.response import Response

from .permissions import ACTION_FOR_METHOD

__all__ = ["ScopedModelViewSet", "ScopedReadOnlyViewSet", "ScopedViewSetMixin", "VersionedRowMixin"]


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


class VersionedRowMixin:
    """A viewset of rows locked by `version`: reading one row answers its version as the ETag (what `If-Match`
    sends back), and a write answers with the row re-read (`fresh_row`) through `row_serializer`, with its new ETag."""

    row_serializer: Any = None

    def fresh_row(self, obj):
        """The row as the answer shows it (override to add the joins and annotations its serializer reads)."""
        return type(obj).objects.get(pk=obj.pk)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)  # type: ignore[misc]
        response["ETag"] = f'"{response.data["version"]}"'
        return response

    def _respond(self, obj, code=status.HTTP_200_OK):
        instance = self.fresh_row(obj)
        response = Response(self.row_serializer(instance, context={"request": self.request}).data, status=code)  # type: ignore[attr-defined]
        response["ETag"] = f'"{instance.version}"'
        return response
