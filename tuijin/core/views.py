from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from .attention import attention_for
from .audit import audit_event_record
from .choices import AuditEventType
from .filtersets import AuditEventFilterSet, ObjectChangeFilterSet
from .models import AuditEvent, ObjectChange
from .views_generic import ObjectListView

__all__ = ["AuditEventListView", "ObjectChangeListView", "healthz", "home", "server_error"]


@login_required
def home(request):
    return render(request, "core/home.html", {"attention": attention_for(request.user)})


@never_cache
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def server_error(request, *args, **kwargs):
    """500 page in Chinese with the request id and nothing else (no traceback, no settings)."""
    response = render(request, "500.html", {"request_id": str(getattr(request, "id", ""))}, status=500)
    return response


class _AuditListView(ObjectListView):
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        audit_event_record(
            event_type=AuditEventType.AUDIT_VIEW,
            detail={"list": self.queryset.model._meta.model_name, "filters": request.GET.dict()},
        )
        return response


class AuditEventListView(_AuditListView):
    """安全审计事件: searchable by the audit administrator only (no edit or delete exists)."""

    queryset = AuditEvent.objects.all()
    filterset_class = AuditEventFilterSet
    table_template = "core/htmx/auditevent_table.html"
    title = _("安全审计日志")


class ObjectChangeListView(_AuditListView):
    """Region-wide search of the data change history, for the audit administrator."""

    queryset = ObjectChange.objects.select_related("changed_object_type")
    filterset_class = ObjectChangeFilterSet
    table_template = "core/htmx/objectchange_table.html"
    title = _("数据变更记录")
