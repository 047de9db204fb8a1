"""/api/investment/leads/: scoped list/detail, create (services.lead_create) and update (services.lead_update, with
`If-Match`: missing 428, stale 412), plus the workflow as POST actions with the `version` from the last read:
`submit` (提交阶段), `review` (通过/退回), `convert` (转为重点项目). No permission 403, out of scope 404; service errors
are translated by `tuijin.api.exceptions.exception_handler`."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.viewsets import GenericViewSet

from tuijin.api.exceptions import if_match_version
from tuijin.api.viewsets import ScopedViewSetMixin, VersionedRowMixin
from tuijin.core.permissions import require

from .. import services
from ..models import Lead
from .serializers import (
    LeadInputSerializer,
    LeadReviewSerializer,
    LeadSerializer,
    LeadStageSerializer,
    LeadStepSerializer,
)

__all__ = ["LeadViewSet"]

IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True, description='The ETag from the last GET, e.g. "3".'
)
STAGE_DATA = (
    "signed_date",
    "contract_kind",
    "signed_total",
    "phase1_investment",
    "registered_name",
    "credit_code",
    "registered_date",
    "start_date",
    "production_date",
    "reached_date",
)


def _leads(queryset):
    return queryset.select_related("tracking_unit", "chain", "industry")


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH], request=LeadInputSerializer),
    partial_update=extend_schema(parameters=[IF_MATCH], request=LeadInputSerializer),
    create=extend_schema(request=LeadInputSerializer),
)
class LeadViewSet(
    VersionedRowMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    queryset = Lead.objects.all()
    serializer_class = LeadSerializer
    filterset_fields = ["stage", "review_status", "chain", "tracking_unit"]
    ordering_fields = ["created", "signed_date", "signed_total", "name"]

    def get_queryset(self):
        return _leads(super().get_queryset())

    def get_permissions(self):
        # the workflow actions are checked by the services (permission + scope); the viewset needs "view" for them
        if self.action in ("submit", "review", "convert"):
            self.permission_action = "view"
        return super().get_permissions()

    row_serializer = LeadSerializer

    def fresh_row(self, obj):
        return _leads(Lead.objects.filter(pk=obj.pk)).get()

    def create(self, request, *args, **kwargs):
        serializer = LeadInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        lead = services.lead_create(actor=request.user, data=dict(serializer.validated_data))
        return self._respond(lead, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        lead = self.get_object()
        version = if_match_version(request)
        serializer = LeadInputSerializer(lead, data=request.data, partial=partial, context={"request": request})
        serializer.is_valid(raise_exception=True)
        lead = services.lead_update(
            actor=request.user, lead=lead, version=version, data=dict(serializer.validated_data)
        )
        return self._respond(lead)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(request=LeadStageSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """提交阶段: forward one or more stages with their data, or the same stage again after a return."""
        lead = self.get_object()
        require(request, "investment.change_lead")
        serializer = LeadStageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        stage_data = {k: data[k] for k in STAGE_DATA if k in data and data[k] not in (None, "")}
        lead = services.lead_submit_stage(
            actor=request.user, lead=lead, version=data["version"], to_stage=data["to_stage"], data=stage_data
        )
        return self._respond(lead)

    @extend_schema(request=LeadReviewSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """审核: `approve` true (通过) or false (退回, with an `opinion`)."""
        lead = self.get_object()
        require(request, "investment.review_lead")
        serializer = LeadReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        lead = services.lead_review(
            actor=request.user, lead=lead, version=data["version"], approve=data["approve"], opinion=data["opinion"]
        )
        return self._respond(lead)

    @extend_schema(request=LeadStepSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        """转为重点项目 (once); the answer is the lead, its `project` set."""
        lead = self.get_object()
        require(request, "investment.convert_lead")
        serializer = LeadStepSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.lead_to_project(actor=request.user, lead=lead, version=serializer.validated_data["version"])
        return self._respond(lead)
