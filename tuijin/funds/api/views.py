"""API of 争取上级资金 and 纳统 (/api/funds/): funding windows, applications with their workflow actions and payments,
a project's 谋划/入库 record, and the 统计口径 figures. Same services as the pages (permission, scope, validation,
optimistic lock); errors are translated by tuijin.api.exceptions."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.viewsets import GenericViewSet

from tuijin.api.viewsets import ScopedViewSetMixin, VersionedRowMixin
from tuijin.projects.models import Project

from .. import services
from ..models import FundApplication, FundingBatch, FundPayment, ProjectPrep, StatsFigure

__all__ = ["register"]


class FundBatchSerializer(serializers.ModelSerializer):
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)

    class Meta:
        model = FundingBatch
        fields = [
            "id",
            "channel",
            "channel_display",
            "name",
            "programme",
            "opens_on",
            "deadline",
            "eligibility_notes",
            "document_title",
            "document_url",
            "organiser",
            "is_active",
            "domains",
            "chains",
            "min_total_investment",
            "max_total_investment",
            "min_prep_stage",
            "min_library_status",
            "require_code",
            "require_land",
            "require_capital",
            "require_debt_system",
            "require_approvals",
            "min_revenue_coverage",
            "required_documents",
            "version",
        ]
        read_only_fields = ["version", "organiser"]


class FundPaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundPayment
        fields = ["id", "paid_on", "amount", "note"]


class FundApplicationSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    payments = FundPaymentSerializer(many=True, read_only=True)
    paid = serializers.SerializerMethodField()

    class Meta:
        model = FundApplication
        fields = [
            "id",
            "number",
            "project",
            "batch",
            "requested_amount",
            "status",
            "status_display",
            "other_funds_statement",
            "approved_amount",
            "approval_doc",
            "approval_date",
            "arrived_on",
            "start_deadline",
            "rejection_reason",
            "payments",
            "paid",
            "version",
            "created",
            "last_updated",
        ]
        read_only_fields = fields

    def get_paid(self, obj) -> str:
        return str(sum((p.amount for p in obj.payments.all()), Decimal("0")))


class FundApplicationInputSerializer(serializers.Serializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all())
    batch = serializers.PrimaryKeyRelatedField(queryset=FundingBatch.objects.all())
    requested_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    other_funds_statement = serializers.CharField(max_length=300, required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:  # only what the caller may see can be named
            self.fields["project"].queryset = Project.objects.restrict(request.user, "view")
            self.fields["batch"].queryset = FundingBatch.objects.restrict(request.user, "view")


class FundVersionNoteSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class FundReasonSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    reason = serializers.CharField(max_length=500)


class FundDecisionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    approved = serializers.BooleanField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    approval_doc = serializers.CharField(max_length=100, required=False, allow_blank=True)
    approval_date = serializers.DateField(required=False, allow_null=True)
    arrived_on = serializers.DateField(required=False, allow_null=True)
    start_deadline = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class FundPaymentInputSerializer(serializers.Serializer):
    paid_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class StatsSubmitSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)
    stats_investment = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, min_value=0)
    in_database = serializers.BooleanField(required=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ProjectPrepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectPrep
        fields = [
            "id",
            "project",
            "prep_stage",
            "library_status",
            "in_debt_system",
            "land_secured",
            "capital_in_place",
            "revenue_coverage",
            "note",
            "version",
        ]
        read_only_fields = ["id", "project", "version"]


class StatsFigureSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatsFigure
        fields = ["id", "project", "month", "stats_investment", "in_database", "note", "submitted_at", "version"]
        read_only_fields = ["id", "submitted_at", "version"]
        validators: list = []  # one figure per project and month: the service answers (and says when it is locked)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "project" in self.fields:
            self.fields["project"].queryset = Project.objects.restrict(request.user, "view")


def _valid(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema_view(create=extend_schema(request=FundBatchSerializer))
class BatchViewSet(
    VersionedRowMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    queryset = FundingBatch.objects.all()
    serializer_class = FundBatchSerializer
    row_serializer = FundBatchSerializer
    filterset_fields = ["channel", "is_active"]
    ordering_fields = ["deadline", "opens_on"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("chains").order_by("deadline", "pk")

    def create(self, request, *args, **kwargs):
        data = dict(_valid(FundBatchSerializer, request))
        batch = services.batch_save(actor=request.user, data=data)
        return self._respond(batch, status.HTTP_201_CREATED)


@extend_schema_view(create=extend_schema(request=FundApplicationInputSerializer))
class ApplicationViewSet(
    VersionedRowMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    queryset = FundApplication.objects.all()
    serializer_class = FundApplicationSerializer
    row_serializer = FundApplicationSerializer
    filterset_fields = ["status", "batch", "project"]
    ordering_fields = ["created", "approval_date"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("payments").order_by("-pk")

    def get_permissions(self):
        if self.action in ("advance", "send_back", "decide", "withdraw", "pay"):
            self.permission_action = "view"  # the service checks its own permission and the scope
        return super().get_permissions()

    def fresh_row(self, obj):
        return FundApplication.objects.prefetch_related("payments").get(pk=obj.pk)

    def create(self, request, *args, **kwargs):
        data = _valid(FundApplicationInputSerializer, request)
        application = services.application_create(actor=request.user, **data)
        return self._respond(application, status.HTTP_201_CREATED)

    @extend_schema(request=FundVersionNoteSerializer, responses=FundApplicationSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        """提交区审核 (the unit, checklist complete) or 转报 one level up (the office)."""
        application = self.get_object()
        data = _valid(FundVersionNoteSerializer, request)
        return self._respond(
            services.application_advance(
                actor=request.user, application=application, version=data["version"], note=data.get("note", "")
            )
        )

    @extend_schema(request=FundReasonSerializer, responses=FundApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, pk=None):
        """退回 an application under district review to the unit."""
        application = self.get_object()
        data = _valid(FundReasonSerializer, request)
        return self._respond(
            services.application_return(
                actor=request.user, application=application, version=data["version"], reason=data["reason"]
            )
        )

    @extend_schema(request=FundReasonSerializer, responses=FundApplicationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        application = self.get_object()
        data = _valid(FundReasonSerializer, request)
        return self._respond(
            services.application_withdraw(
                actor=request.user, application=application, version=data["version"], reason=data["reason"]
            )
        )

    @extend_schema(request=FundDecisionSerializer, responses=FundApplicationSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """下达 (amount, 文号, date …) or 未入选 (reason)."""
        application = self.get_object()
        data = dict(_valid(FundDecisionSerializer, request))
        version = data.pop("version")
        data["approval_doc"] = data.get("approval_doc") or ""
        data["reason"] = data.get("reason") or ""
        return self._respond(
            services.application_decide(actor=request.user, application=application, version=version, **data)
        )

    @extend_schema(request=FundPaymentInputSerializer, responses=FundApplicationSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        """A payment out of the granted money."""
        application = self.get_object()
        data = _valid(FundPaymentInputSerializer, request)
        services.payment_add(actor=request.user, application=application, **data)
        return self._respond(application)


class PrepViewSet(
    VersionedRowMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    """Projects' 谋划/入库 records (read); a record is written on its page (/funds/projects/<pk>/prep/)."""

    queryset = ProjectPrep.objects.all()
    serializer_class = ProjectPrepSerializer
    row_serializer = ProjectPrepSerializer
    filterset_fields = ["prep_stage", "library_status", "project"]


class StatsViewSet(
    VersionedRowMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    """统计口径 figures. POST enters one (统计局); `submit` locks it (报送) or, on a locked one, corrects it with a
    reason (更正报送)."""

    queryset = StatsFigure.objects.all()
    serializer_class = StatsFigureSerializer
    row_serializer = StatsFigureSerializer
    filterset_fields = ["project", "month", "in_database"]

    def get_permissions(self):
        if self.action == "submit":
            self.permission_action = "view"
        return super().get_permissions()

    def create(self, request, *args, **kwargs):
        data = _valid(StatsFigureSerializer, request)
        figure = services.stats_save(
            actor=request.user,
            project=data["project"],
            month=data["month"],
            stats_investment=data["stats_investment"],
            in_database=data.get("in_database", False),
            note=data.get("note", ""),
            version=request.data.get("version"),
        )
        return self._respond(figure, status.HTTP_201_CREATED)

    @extend_schema(request=StatsSubmitSerializer, responses=StatsFigureSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """报送 (lock); on a submitted figure, 更正报送 with new values and a reason."""
        figure = self.get_object()
        data = _valid(StatsSubmitSerializer, request)
        values = {k: data[k] for k in ("stats_investment", "in_database", "note") if k in data}
        return self._respond(
            services.stats_submit(
                actor=request.user,
                figure=figure,
                version=data["version"],
                correction_reason=data.get("reason", ""),
                **values,
            )
        )


def register(router) -> None:
    router.register("batches", BatchViewSet, basename="batch")
    router.register("applications", ApplicationViewSet, basename="application")
    router.register("preps", PrepViewSet, basename="prep")
    router.register("stats", StatsViewSet, basename="stats")
