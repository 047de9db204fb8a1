from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.cache import never_cache

from .attention import attention_for
from .audit import audit_event_record
from .choices import AuditEventType
from .filtersets import AuditEventFilterSet, ObjectChangeFilterSet
from .history import audit_details, describe_changes
from .models import AuditEvent, ObjectChange
from .views_generic import ObjectListView

__all__ = ["AuditEventListView", "ObjectChangeListView", "healthz", "home", "page_not_found", "server_error"]

API_PREFIX = "/api/"


@login_required
def home(request):
    return render(request, "core/home.html", {"attention": attention_for(request.user)})


@never_cache
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def server_error(request, *args, **kwargs):
    """500 page in Chinese with the request id and nothing else (no traceback, no settings); JSON under /api/."""
    request_id = str(getattr(request, "id", ""))
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": gettext("服务器内部错误。"), "request_id": request_id}, status=500)
    return render(request, "500.html", {"request_id": request_id}, status=500)


def page_not_found(request, exception):
    """Django's 404 page, or JSON under /api/ for a URL no viewset answers (a viewset's own 404 is JSON already)."""
    if request.path.startswith(API_PREFIX):
        body = {"detail": gettext("未找到。"), "request_id": str(getattr(request, "id", ""))}
        return JsonResponse(body, status=404)
    return defaults.page_not_found(request, exception)


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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object_list"] = audit_details(list(context["object_list"]))  # 详情 as 标签：值 lines, names
        return context


class ObjectChangeListView(_AuditListView):
    """Region-wide search of the data change history, for the audit administrator."""

    queryset = ObjectChange.objects.select_related("changed_object_type")
    filterset_class = ObjectChangeFilterSet
    table_template = "core/htmx/objectchange_table.html"
    title = _("数据变更记录")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        changes = list(context["object_list"])
        for change, entry in zip(
            changes, describe_changes(changes, group=False, full=True, keep_all=True), strict=True
        ):
            change.entry = entry  # labels, choice names, names instead of ids, no false changes
        context["object_list"] = changes
        return context
