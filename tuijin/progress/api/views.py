"""/api/progress/reports/: scoped list/detail, create (the month's first save), draft update (If-Match: missing →
428, stale → 412), and the workflow actions (the `version` in the body; stale → 412). Writes go through the same
services as the form and the 调度表 (`report_create` / `report_save`: same rules, same history); the project office
writes on behalf of a unit (代填) with `on_behalf_reason`. Service errors are translated by
`tuijin.api.exceptions.exception_handler`."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from tuijin.api.exceptions import if_match_version
from tuijin.api.permissions import ACTION_FOR_METHOD
from tuijin.api.viewsets import ScopedViewSetMixin
from tuijin.core.periods import parse_month

from .. import services
from ..anomalies import anomaly_counts
from ..models import ProgressReport
from ..sheet import is_proxy
from .serializers import (
    AnomalyCountSerializer,
    ProgressReportDetailSerializer,
    ProgressReportSerializer,
    ReportActionSerializer,
    ReportCreateSerializer,
    ReportInputSerializer,
)

__all__ = ["ProgressReportViewSet"]

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag of the last read of the report (its version), e.g. "3".',
)
WORKFLOW_ACTIONS = frozenset({"submit", "withdraw", "unit_approve", "office_approve", "return_"})
WRITE_ACTIONS = frozenset({"create", "update", "partial_update"})


def _defaults() -> dict:
    """The editable fields of a report nobody filled in: what a PUT leaves in the fields it does not send."""
    fields = {field.name: field for field in ProgressReport._meta.concrete_fields}
    return {name: fields[name].get_default() for name in services.EDITABLE_FIELDS}


class ProgressReportViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    queryset = ProgressReport.objects.select_related("project").prefetch_related("problems")
    serializer_class = ProgressReportSerializer
    filterset_fields = ["period", "status", "project"]
    ordering_fields = ["period", "month_investment", "submitted_at"]

    # --- permissions and scope ---------------------------------------------------------------------------------

    @property
    def permission_action(self) -> str:
        """The permission the request needs (and the scope `get_object` looks in).

        Workflow actions need only "view": the services check role and scope. A 代填 (the body names an
        `on_behalf_reason`, or the caller is an office user who does not fill in reports) needs the project office's
        report permission, and the report must be in that scope; a unit's own write needs add (create) or change."""
        request = getattr(self, "request", None)
        if request is None or getattr(self, "swagger_fake_view", False):
            return "view"
        if self.action in WORKFLOW_ACTIONS:
            return "view"
        if self.action in WRITE_ACTIONS and self._on_behalf():
            user = request.user
            held = [a for a in services.ON_BEHALF_ACTIONS if user.has_perm(f"progress.{a}_progressreport")]
            return held[0] if held else services.ON_BEHALF_ACTIONS[-1]
        return ACTION_FOR_METHOD.get(request.method, "view")

    def _on_behalf(self) -> bool:
        user = self.request.user
        if not user or not user.is_authenticated:
            return False
        data = self.request.data
        named = hasattr(data, "get") and data.get("on_behalf_reason") is not None
        return named or is_proxy(user)

    def _reason(self, reason: str | None) -> str | None:
        """The services' `on_behalf_reason`: an office user who does not fill in reports always writes on behalf of
        the unit, so a missing reason is refused (400 reason_required) rather than taken as the unit's own write."""
        if reason is None and is_proxy(self.request.user):
            return ""
        return reason

    # --- reads ---------------------------------------------------------------------------------------------------

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("events__actor", "anomalies")
        return queryset

    def get_serializer_class(self):
        return ProgressReportDetailSerializer if self.action == "retrieve" else ProgressReportSerializer

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = f'"{response.data["version"]}"'
        return response

    @extend_schema(
        parameters=[OpenApiParameter("period", str, description="报告期 YYYY-MM (default: the month being reported)")],
        responses=AnomalyCountSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="anomaly-counts", pagination_class=None)
    def anomaly_counts(self, request):
        """数据异常 per responsible unit and kind for a month, in the caller's scope (progress/anomalies.py)."""
        try:
            period = parse_month(request.query_params.get("period"))
        except ValueError:
            period = services.period_for_reporting()
        rows = anomaly_counts(request.user, period)
        return Response(AnomalyCountSerializer(rows, many=True).data)

    # --- writes --------------------------------------------------------------------------------------------------

    @extend_schema(request=ReportCreateSerializer, responses={201: ProgressReportDetailSerializer})
    def create(self, request, *args, **kwargs):
        """The month's first report of a project (as the form's first save): 412 with the existing report when one
        exists already; 400 for a project outside the caller's scope or a future month."""
        serializer = ReportCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        project, period = data.pop("project"), data.pop("period")
        submit = data.pop("submit", False)
        reason = self._reason(data.pop("on_behalf_reason", None))
        problems = data.pop("problems", None)
        report = services.report_create(
            actor=request.user,
            project=project,
            period=period,
            data=data,
            problems=problems,
            submit=submit,
            on_behalf_reason=reason,
        )
        return self._respond(report, status.HTTP_201_CREATED)

    @extend_schema(parameters=[IF_MATCH], request=ReportInputSerializer, responses=ProgressReportDetailSerializer)
    def update(self, request, *args, partial=False, **kwargs):
        """PUT replaces the draft's figures and problems (fields not sent go back to empty); PATCH changes only the
        fields sent (problems only when `problems` is sent)."""
        report = self.get_object()
        version = if_match_version(request)
        serializer = ReportInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        submit = data.pop("submit", False)
        reason = self._reason(data.pop("on_behalf_reason", None))
        problems = data.pop("problems", None)
        if not partial:
            data = {**_defaults(), **data}
            problems = [] if problems is None else problems
        report = services.report_save(
            actor=request.user,
            report=report,
            version=version,
            data=data,
            problems=problems,
            submit=submit,
            on_behalf_reason=reason,
        )
        return self._respond(report, status.HTTP_200_OK)

    @extend_schema(parameters=[IF_MATCH], request=ReportInputSerializer, responses=ProgressReportDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def _respond(self, report: ProgressReport, code: int) -> Response:
        instance = (
            ProgressReport.objects.select_related("project")
            .prefetch_related("problems", "events__actor", "anomalies")
            .get(pk=report.pk)
        )
        response = Response(ProgressReportDetailSerializer(instance).data, status=code)
        response["ETag"] = f'"{instance.version}"'
        return response

    # --- workflow ------------------------------------------------------------------------------------------------

    def _action(self, request, service, needs_reason=False):
        report = self.get_object()
        serializer = ReportActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kwargs = {"actor": request.user, "report": report, "version": serializer.validated_data["version"]}
        if needs_reason:
            kwargs["reason"] = serializer.validated_data.get("reason", "")
        report = service(**kwargs)
        return self._respond(report, status.HTTP_200_OK)

    @extend_schema(request=ReportActionSerializer, responses=ProgressReportDetailSerializer)
    @action(detail=True, methods=["post"], url_path="submit")
    def submit(self, request, pk=None):
        return self._action(request, services.report_submit)

    @extend_schema(request=ReportActionSerializer, responses=ProgressReportDetailSerializer)
    @action(detail=True, methods=["post"], url_path="withdraw")
    def withdraw(self, request, pk=None):
        """撤回: a submitted report back to draft, until the unit approver has acted."""
        return self._action(request, services.report_withdraw)

    @extend_schema(request=ReportActionSerializer, responses=ProgressReportDetailSerializer)
    @action(detail=True, methods=["post"], url_path="unit-approve")
    def unit_approve(self, request, pk=None):
        return self._action(request, services.report_unit_approve)

    @extend_schema(request=ReportActionSerializer, responses=ProgressReportDetailSerializer)
    @action(detail=True, methods=["post"], url_path="office-approve")
    def office_approve(self, request, pk=None):
        return self._action(request, services.report_office_approve)

    @extend_schema(request=ReportActionSerializer, responses=ProgressReportDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._action(request, services.report_return, needs_reason=True)
