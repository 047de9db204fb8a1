"""/api/progress/reports/: scoped list/detail, draft update (If-Match: missing → 428, stale → 412), and the
workflow actions (the `version` in the body; stale → 412). Service errors are translated by
`tuijin.api.exceptions.exception_handler`."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from tuijin.api.exceptions import if_match_version
from tuijin.api.viewsets import ScopedViewSetMixin

from .. import services
from ..models import ProgressReport
from .serializers import ProgressReportSerializer, ReportActionSerializer, ReportInputSerializer

__all__ = ["ProgressReportViewSet"]


class ProgressReportViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    queryset = ProgressReport.objects.select_related("project").prefetch_related("problems")
    serializer_class = ProgressReportSerializer
    filterset_fields = ["period", "status", "project"]
    ordering_fields = ["period", "month_investment", "submitted_at"]

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = f'"{response.data["version"]}"'
        return response

    @extend_schema(request=ReportInputSerializer, responses=ProgressReportSerializer)
    def partial_update(self, request, *args, **kwargs):
        report = self.get_object()
        version = if_match_version(request)
        serializer = ReportInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        problems = data.pop("problems", None)
        report = services.report_save(actor=request.user, report=report, version=version, data=data, problems=problems)
        return Response(ProgressReportSerializer(report).data)

    def _action(self, request, service, needs_reason=False):
        report = self.get_object()
        serializer = ReportActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kwargs = {"actor": request.user, "report": report, "version": serializer.validated_data["version"]}
        if needs_reason:
            kwargs["reason"] = serializer.validated_data.get("reason", "")
        report = service(**kwargs)
        return Response(ProgressReportSerializer(ProgressReport.objects.get(pk=report.pk)).data)

    @extend_schema(request=ReportActionSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"], url_path="submit")
    def submit(self, request, pk=None):
        return self._action(request, services.report_submit)

    @extend_schema(request=ReportActionSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"], url_path="withdraw")
    def withdraw(self, request, pk=None):
        """撤回: a submitted report back to draft, until the unit approver has acted."""
        return self._action(request, services.report_withdraw)

    @extend_schema(request=ReportActionSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"], url_path="unit-approve")
    def unit_approve(self, request, pk=None):
        return self._action(request, services.report_unit_approve)

    @extend_schema(request=ReportActionSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"], url_path="office-approve")
    def office_approve(self, request, pk=None):
        return self._action(request, services.report_office_approve)

    @extend_schema(request=ReportActionSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._action(request, services.report_return, needs_reason=True)

    def get_permissions(self):
        # Workflow actions are checked by the services (role + scope); the viewset needs only "view" for them.
        if self.action in ("submit", "withdraw", "unit_approve", "office_approve", "return_"):
            self.permission_action = "view"
        return super().get_permissions()
