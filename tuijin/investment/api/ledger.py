"""/api/investment/commitments/: the promise ledger (承诺台账) through the same services as the pages (ledger.py).

- list and retrieve (ETag = the version): the lines the caller may read (`ledger.visible_commitments`: the lead's
  scope, the enterprise's own leads, and the government promises of the caller's own units); filters `side`,
  `status`, `state`, `confirmation`, `lead`, `responsible_unit`, `fc_flagged`, and `overdue=1`;
- create (a draft line of a signed lead) and PUT/PATCH of a draft (`If-Match`: 428 without, 412 stale);
- POST `…/{id}/justify/` (reason, basis), `…/{id}/review/` (approve, opinion), `…/{id}/status/` (status and the
  realised figures), `…/{id}/confirm/` (agree, comment), each with the `version` from the last read;
- POST `…/sign/` with `lead`: 保存为已签订 (every draft line of the lead; 400 `flag_unreviewed` naming the lines).

No permission 403, out of scope 404; service errors are translated by `tuijin.api.exceptions.exception_handler`.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from tuijin.api.exceptions import if_match_version
from tuijin.api.viewsets import ScopedViewSetMixin, VersionedRowMixin
from tuijin.core.permissions import require
from tuijin.org.models import OrgUnit

from .. import ledger
from ..choices import CommitmentCategory, CommitmentSide, CommitmentStatus
from ..models import Commitment, Lead

__all__ = ["CommitmentViewSet", "register"]

IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True, description='The ETag from the last GET, e.g. "3".'
)
ACTIONS = ("justify", "review", "status", "confirm", "sign")


class CommitmentSerializer(serializers.ModelSerializer):
    side_display = serializers.CharField(source="get_side_display", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    confirmation_display = serializers.CharField(source="get_confirmation_display", read_only=True)
    lead_name = serializers.CharField(source="lead.name", read_only=True)
    responsible_unit_name = serializers.CharField(source="responsible_unit.name", read_only=True, default="")
    overdue = serializers.SerializerMethodField()
    ticket_number = serializers.CharField(source="ticket.number", read_only=True, default="")

    class Meta:
        model = Commitment
        fields = [
            "id",
            "lead",
            "lead_name",
            "side",
            "side_display",
            "category",
            "category_display",
            "content",
            "clause",
            "condition",
            "due_date",
            "amount",
            "target_value",
            "target_unit",
            "responsible_unit",
            "responsible_unit_name",
            "state",
            "state_display",
            "status",
            "status_display",
            "realised_amount",
            "realised_value",
            "fulfilled_on",
            "evidence",
            "status_note",
            "confirmation",
            "confirmation_display",
            "confirmation_comment",
            "confirmed_at",
            "fc_flags",
            "fc_flagged",
            "fc_reason",
            "fc_basis",
            "fc_requested_by",
            "fc_reviewer",
            "fc_reviewed_at",
            "overdue",
            "ticket",
            "ticket_number",
            "version",
            "created",
            "last_updated",
        ]
        read_only_fields = fields

    # the district's internal supervision of a line (ledger.sees_supervision): not for an enterprise account
    SUPERVISION = (
        "fc_flags",
        "fc_flagged",
        "fc_reason",
        "fc_basis",
        "fc_requested_by",
        "fc_reviewer",
        "fc_reviewed_at",
        "ticket",
        "ticket_number",
    )

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")  # absent while the OpenAPI schema is generated
        if request is not None and not ledger.sees_supervision(request.user):
            for name in self.SUPERVISION:
                fields.pop(name, None)
        return fields

    def get_overdue(self, obj) -> bool:
        from django.utils import timezone

        return obj.is_overdue(timezone.localdate())


class CommitmentInputSerializer(serializers.Serializer):
    """Types the input only; the rules (side and category, responsible unit, signed lead) are the service's."""

    side = serializers.ChoiceField(choices=CommitmentSide.choices)
    category = serializers.ChoiceField(choices=CommitmentCategory.choices)
    content = serializers.CharField(max_length=500)
    clause = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    condition = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    due_date = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, default=None)
    target_value = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True, default=None
    )
    target_unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    responsible_unit = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.exclude(unit_type="enterprise"), required=False, allow_null=True, default=None
    )


class CommitmentCreateSerializer(CommitmentInputSerializer):
    lead = serializers.PrimaryKeyRelatedField(queryset=Lead.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # absent while the OpenAPI schema is generated
        user = getattr(request, "user", None)
        if user is not None:
            self.fields["lead"].queryset = Lead.objects.restrict(user, "view")  # type: ignore[attr-defined]


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=0)


class JustifySerializer(VersionSerializer):
    reason = serializers.CharField(max_length=500, allow_blank=True)
    basis = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ReviewSerializer(VersionSerializer):
    approve = serializers.BooleanField()
    opinion = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class StatusSerializer(VersionSerializer):
    status = serializers.ChoiceField(choices=CommitmentStatus.choices)
    realised_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )
    realised_value = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True, default=None
    )
    fulfilled_on = serializers.DateField(required=False, allow_null=True, default=None)
    evidence = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    status_note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ConfirmSerializer(VersionSerializer):
    agree = serializers.BooleanField()
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class SignSerializer(serializers.Serializer):
    lead = serializers.PrimaryKeyRelatedField(queryset=Lead.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None:
            self.fields["lead"].queryset = Lead.objects.restrict(user, "view")  # type: ignore[attr-defined]


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH], request=CommitmentInputSerializer),
    partial_update=extend_schema(parameters=[IF_MATCH], request=CommitmentInputSerializer),
    create=extend_schema(request=CommitmentCreateSerializer),
)
class CommitmentViewSet(
    VersionedRowMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    queryset = Commitment.objects.all()
    serializer_class = CommitmentSerializer
    filterset_fields = ["side", "status", "state", "confirmation", "lead", "responsible_unit", "fc_flagged"]
    ordering_fields = ["due_date", "created", "lead"]

    def get_permissions(self):
        # the workflow actions are checked by the services (permission + scope); the viewset needs "view" for them
        if self.action in ACTIONS:
            self.permission_action = "view"
        return super().get_permissions()

    def get_queryset(self):
        if self.request.method in ("GET", "HEAD", "OPTIONS") or self.action in ACTIONS:
            queryset = ledger.visible_commitments(self.request.user)
        else:
            queryset = super().get_queryset()
        if self.request.query_params.get("overdue") == "1":
            queryset = queryset.filter(ledger.overdue_condition())
        return queryset.select_related("lead", "responsible_unit", "ticket").order_by("lead", "side", "due_date", "pk")

    row_serializer = CommitmentSerializer

    def fresh_row(self, obj):
        return Commitment.objects.select_related("lead", "responsible_unit", "ticket").get(pk=obj.pk)

    def create(self, request, *args, **kwargs):
        serializer = CommitmentCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        commitment = ledger.commitment_create(actor=request.user, **data)
        return self._respond(commitment, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        commitment = self.get_object()
        version = if_match_version(request)
        serializer = CommitmentInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        fields = {k: v for k, v in serializer.validated_data.items() if not partial or k in request.data}
        commitment = ledger.commitment_update(actor=request.user, commitment=commitment, version=version, **fields)
        return self._respond(commitment)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def _step(self, request, permission: str, serializer_class, service):
        """One workflow step on a line: the permission (audited 403), the body checked by `serializer_class` (its
        fields are the service's keyword arguments, with `version`), then `service`; the line as answer."""
        commitment = self.get_object()
        require(request, permission)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        commitment = service(actor=request.user, commitment=commitment, version=version, **data)
        return self._respond(commitment)

    @extend_schema(request=JustifySerializer, responses=CommitmentSerializer)
    @action(detail=True, methods=["post"])
    def justify(self, request, pk=None):
        """公平竞争审查: the reason (and legal basis) for keeping a flagged draft line."""
        return self._step(request, "investment.change_commitment", JustifySerializer, ledger.commitment_flag_justify)

    @extend_schema(request=ReviewSerializer, responses=CommitmentSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """The second review of a justified flag: `approve` true, or false with an `opinion`."""
        return self._step(request, "investment.review_commitment", ReviewSerializer, ledger.commitment_flag_review)

    @extend_schema(request=StatusSerializer, responses=CommitmentSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        """兑现情况 of a signed line (the enterprise is asked to confirm again when the status changes)."""
        return self._step(request, "investment.change_commitment", StatusSerializer, ledger.commitment_set_status)

    @extend_schema(request=ConfirmSerializer, responses=CommitmentSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The enterprise confirms (`agree` true) or disputes (false, with a `comment`) a signed line."""
        return self._step(request, "investment.confirm_commitment", ConfirmSerializer, ledger.commitment_confirm)

    @extend_schema(request=SignSerializer, responses=CommitmentSerializer(many=True))
    @action(detail=False, methods=["post"])
    def sign(self, request):
        """保存为已签订: every draft line of `lead`, after the 公平竞争审查 pre-check."""
        require(request, "investment.change_commitment")
        serializer = SignSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        signed = ledger.agreement_sign(actor=request.user, lead=serializer.validated_data["lead"])
        rows = Commitment.objects.filter(pk__in=[c.pk for c in signed]).select_related(
            "lead", "responsible_unit", "ticket"
        )
        return Response(CommitmentSerializer(rows, many=True, context={"request": request}).data)


def register(router) -> None:
    """Register this part's viewsets on the investment API router."""
    router.register("commitments", CommitmentViewSet)
