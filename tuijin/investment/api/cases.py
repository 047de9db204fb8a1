"""/api/investment/cases/ (违约/调整) and /api/investment/results/ (达产跟踪).

- cases: scoped list/detail, create (`cases.case_open`: `commitment`, `shortfall`), and
  `POST …/{id}/decide/` (`decision`, `reason`, `new_due_date`, `new_target_value`, `clawback_amount`, `version`);
- results: scoped list/detail, create (`results.result_save`: `lead`, `year`, `output`, `tax`, `jobs`, `note`) and
  PUT/PATCH with `If-Match` (428 without, 412 stale).

The same services, scope and errors as the pages: 403 without the permission, 404 out of scope, 400 with field
errors or `{detail, code}` for a refused step (`not_eligible`, `case_open`, `not_open`, `not_producing`).
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.viewsets import GenericViewSet

from tuijin.api.exceptions import if_match_version
from tuijin.api.viewsets import ScopedViewSetMixin, VersionedRowMixin
from tuijin.core.permissions import require

from .. import cases, results
from ..choices import CaseDecision
from ..models import Commitment, CommitmentCase, Lead, YearlyResult

__all__ = ["CaseViewSet", "ResultViewSet", "register"]

IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True, description='The ETag from the last GET, e.g. "3".'
)


# --- serializers ---------------------------------------------------------------------------------------------------


class CaseSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    decision_display = serializers.CharField(source="get_decision_display", read_only=True)
    lead = serializers.IntegerField(source="commitment.lead_id", read_only=True)
    lead_name = serializers.CharField(source="commitment.lead.name", read_only=True)
    commitment_content = serializers.CharField(source="commitment.content", read_only=True)

    class Meta:
        model = CommitmentCase
        fields = [
            "id",
            "commitment",
            "commitment_content",
            "lead",
            "lead_name",
            "status",
            "status_display",
            "shortfall",
            "opened_by",
            "decision",
            "decision_display",
            "reason",
            "new_due_date",
            "new_target_value",
            "clawback_amount",
            "decided_by",
            "decided_at",
            "version",
            "created",
            "last_updated",
        ]
        read_only_fields = fields


class CaseOpenSerializer(serializers.Serializer):
    commitment = serializers.PrimaryKeyRelatedField(queryset=Commitment.objects.none())
    shortfall = serializers.CharField(max_length=500, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None:  # absent while the OpenAPI schema is generated
            self.fields["commitment"].queryset = Commitment.objects.restrict(user, "view")  # type: ignore[attr-defined]


class CaseDecideSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=0)
    decision = serializers.ChoiceField(choices=CaseDecision.choices)
    reason = serializers.CharField(max_length=500, allow_blank=True)
    new_due_date = serializers.DateField(required=False, allow_null=True)
    new_target_value = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
    clawback_amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)


class ResultSerializer(serializers.ModelSerializer):
    lead_name = serializers.CharField(source="lead.name", read_only=True)
    output_per_mu = serializers.SerializerMethodField()
    tax_per_mu = serializers.SerializerMethodField()

    class Meta:
        model = YearlyResult
        fields = [
            "id",
            "lead",
            "lead_name",
            "year",
            "output",
            "tax",
            "jobs",
            "note",
            "output_per_mu",
            "tax_per_mu",
            "version",
            "created",
            "last_updated",
        ]
        read_only_fields = fields

    def get_output_per_mu(self, obj) -> str | None:
        value = results.per_mu(obj.output, obj.lead.land_mu)
        return None if value is None else f"{value:f}"

    def get_tax_per_mu(self, obj) -> str | None:
        value = results.per_mu(obj.tax, obj.lead.land_mu)
        return None if value is None else f"{value:f}"


class ResultInputSerializer(serializers.Serializer):
    lead = serializers.PrimaryKeyRelatedField(queryset=Lead.objects.none())
    year = serializers.IntegerField(min_value=1900, max_value=2200)
    output = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, default=None)
    tax = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, default=None)
    jobs = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None:
            self.fields["lead"].queryset = Lead.objects.restrict(user, "change")  # type: ignore[attr-defined]


class ResultUpdateSerializer(serializers.Serializer):
    output = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    tax = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    jobs = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


# --- viewsets ------------------------------------------------------------------------------------------------------


@extend_schema_view(create=extend_schema(request=CaseOpenSerializer))
class CaseViewSet(
    VersionedRowMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    queryset = CommitmentCase.objects.all()
    serializer_class = CaseSerializer
    filterset_fields = ["status", "decision", "commitment"]
    ordering_fields = ["created", "decided_at"]

    def get_queryset(self):
        return super().get_queryset().select_related("commitment", "commitment__lead")

    def get_permissions(self):
        if self.action == "decide":  # checked below and by the service (permission + scope)
            self.permission_action = "view"
        return super().get_permissions()

    row_serializer = CaseSerializer

    def fresh_row(self, obj):
        return CommitmentCase.objects.select_related("commitment", "commitment__lead").get(pk=obj.pk)

    def create(self, request, *args, **kwargs):
        serializer = CaseOpenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = cases.case_open(actor=request.user, commitment=data["commitment"], shortfall=data["shortfall"])
        return self._respond(case, status.HTTP_201_CREATED)

    @extend_schema(request=CaseDecideSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """处理: 重新约定 (new_due_date, new_target_value), 追回奖补 (clawback_amount) or 免予追究, with a reason."""
        case = self.get_object()
        require(request, cases.DECIDE)
        serializer = CaseDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        decision = cases.CaseDecisionInput(
            decision=data["decision"],
            reason=data["reason"],
            new_due_date=data.get("new_due_date"),
            new_target_value=data.get("new_target_value"),
            clawback_amount=data.get("clawback_amount"),
        )
        case = cases.case_decide(actor=request.user, case=case, version=data["version"], data=decision)
        return self._respond(case)


@extend_schema_view(
    create=extend_schema(request=ResultInputSerializer),
    update=extend_schema(parameters=[IF_MATCH], request=ResultUpdateSerializer),
    partial_update=extend_schema(parameters=[IF_MATCH], request=ResultUpdateSerializer),
)
class ResultViewSet(
    VersionedRowMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    queryset = YearlyResult.objects.all()
    serializer_class = ResultSerializer
    filterset_fields = ["lead", "year"]
    ordering_fields = ["year", "created"]

    def get_queryset(self):
        return super().get_queryset().select_related("lead")

    row_serializer = ResultSerializer

    def fresh_row(self, obj):
        return YearlyResult.objects.select_related("lead").get(pk=obj.pk)

    def create(self, request, *args, **kwargs):
        serializer = ResultInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        lead, year = data.pop("lead"), data.pop("year")
        result = results.result_save(actor=request.user, lead=lead, year=year, data=data)
        return self._respond(result, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        result = self.get_object()
        version = if_match_version(request)
        serializer = ResultUpdateSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = {name: getattr(result, name) for name in ("output", "tax", "jobs", "note")}
        if not partial:
            data = {"output": None, "tax": None, "jobs": None, "note": ""}
        data.update(serializer.validated_data)
        result = results.result_save(
            actor=request.user, lead=result.lead, year=result.year, data=data, result=result, version=version
        )
        return self._respond(result)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


def register(router) -> None:
    """Register this part's viewsets on the investment API router."""
    router.register("cases", CaseViewSet, basename="case")
    router.register("results", ResultViewSet, basename="result")
