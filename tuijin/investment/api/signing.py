"""API endpoints of one part of the investment app; `register(router)` is called by api/urls.py.

- `/api/investment/events/`: signing events (签约活动): scoped list/retrieve (with an ETag of the version), create
  (`investment.add_signingevent`), PUT/PATCH with `If-Match` (428 without it, 412 when stale), and two actions:
  `GET …/{id}/preview/` (what generation would add to 签约一批/开工一批/投产一批, nothing written) and
  `POST …/{id}/generate/` (write the lists; `investment.add_eventlistentry`; idempotent).
- `/api/investment/signings/`: a lead's signings: scoped list/retrieve, and create (`investment.add_signing`;
  签约甄别 computes `counted_amount` and `counts_project`, which are read-only).

The same services, scope and errors as the pages (signing.py): 403 without the permission, 404 out of scope, 400
with the field errors.
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

from .. import signing
from ..choices import ContractKind, SigningKind
from ..models import Lead, Signing, SigningEvent

__all__ = ["SigningEventViewSet", "SigningViewSet", "register"]

IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True, description='The ETag from the last GET, e.g. "3".'
)


class SigningEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    organiser_name = serializers.CharField(source="organiser.name", read_only=True)

    class Meta:
        model = SigningEvent
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "batch_no",
            "held_on",
            "organiser",
            "organiser_name",
            "note",
            "version",
            "created",
            "last_updated",
        ]
        read_only_fields = fields


class SigningEventInputSerializer(serializers.ModelSerializer):
    organiser = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.none())
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)

    class Meta:
        model = SigningEvent
        fields = signing.EVENT_FIELDS

    def __init__(self, *args, **kwargs):
        from ..forms import tracking_unit_choices

        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # absent while the OpenAPI schema is generated
        self.fields["organiser"].queryset = tracking_unit_choices(getattr(request, "user", None))  # type: ignore[attr-defined]

    def validate(self, attrs):  # the model's checks run in the service (期次 unique per kind, 三个一批 needs it)
        return attrs

    def run_validators(self, value):
        return None


class EntryPreviewSerializer(serializers.Serializer):
    lead = serializers.IntegerField(source="lead.pk")
    lead_name = serializers.CharField(source="lead.name")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    note = serializers.CharField()


class ListsSerializer(serializers.Serializer):
    signed = EntryPreviewSerializer(many=True)
    started = EntryPreviewSerializer(many=True)
    producing = EntryPreviewSerializer(many=True)


class GeneratedSerializer(serializers.Serializer):
    signed = serializers.IntegerField()
    started = serializers.IntegerField()
    producing = serializers.IntegerField()


def _events(queryset):
    return queryset.select_related("organiser", "organiser__region")


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH], request=SigningEventInputSerializer),
    partial_update=extend_schema(parameters=[IF_MATCH], request=SigningEventInputSerializer),
    create=extend_schema(request=SigningEventInputSerializer),
)
class SigningEventViewSet(
    VersionedRowMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    queryset = SigningEvent.objects.all()
    serializer_class = SigningEventSerializer
    filterset_fields = ["kind", "organiser"]
    ordering_fields = ["held_on", "batch_no", "name"]

    def get_queryset(self):
        return _events(super().get_queryset())

    def get_permissions(self):
        # preview reads; generate is checked below (add_eventlistentry) and by the service (scope of the event)
        if self.action in ("preview", "generate"):
            self.permission_action = "view"
        return super().get_permissions()

    row_serializer = SigningEventSerializer

    def fresh_row(self, obj):
        return _events(SigningEvent.objects.filter(pk=obj.pk)).get()

    def create(self, request, *args, **kwargs):
        serializer = SigningEventInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        event = signing.event_create(actor=request.user, data=dict(serializer.validated_data))
        return self._respond(event, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        event = self.get_object()
        version = if_match_version(request)
        serializer = SigningEventInputSerializer(
            event, data=request.data, partial=partial, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        event = signing.event_update(
            actor=request.user, event=event, version=version, data=dict(serializer.validated_data)
        )
        return self._respond(event)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(responses=ListsSerializer)
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        """What generation would add to each list now (the leads the caller may see); nothing is written."""
        event = self.get_object()
        items = signing.event_lists_preview(event, leads=Lead.objects.restrict(request.user, "view"))
        return Response(ListsSerializer(items).data)

    @extend_schema(request=None, responses=GeneratedSerializer)
    @action(detail=True, methods=["post"])
    def generate(self, request, pk=None):
        """生成名单: write the lists (idempotent); the answer is the number added to each."""
        require(request, "investment.add_eventlistentry")
        event = self.get_object()
        added = signing.event_lists_generate(actor=request.user, event=event)
        return Response(GeneratedSerializer(added).data)


class SigningSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    contract_kind_display = serializers.CharField(source="get_contract_kind_display", read_only=True)
    lead_name = serializers.CharField(source="lead.name", read_only=True)
    event_name = serializers.CharField(source="event.name", read_only=True, default="")

    class Meta:
        model = Signing
        fields = [
            "id",
            "lead",
            "lead_name",
            "event",
            "event_name",
            "kind",
            "kind_display",
            "signed_on",
            "contract_kind",
            "contract_kind_display",
            "investor",
            "total",
            "counted_amount",
            "counts_project",
            "note",
            "created",
        ]
        read_only_fields = fields


class SigningInputSerializer(serializers.Serializer):
    lead = serializers.PrimaryKeyRelatedField(queryset=Lead.objects.none())
    kind = serializers.ChoiceField(choices=SigningKind.choices)
    signed_on = serializers.DateField()
    contract_kind = serializers.ChoiceField(choices=ContractKind.choices, required=False, allow_blank=True, default="")
    investor = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    total = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    event = serializers.PrimaryKeyRelatedField(
        queryset=SigningEvent.objects.none(), required=False, allow_null=True, default=None
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)  # absent while the OpenAPI schema is generated
        self.fields["lead"].queryset = Lead.objects.restrict(user, "view")  # type: ignore[attr-defined]
        # any event of the lead's district may be chosen: the service checks it against the lead (events_for_lead)
        self.fields["event"].queryset = SigningEvent.objects.all()  # type: ignore[attr-defined]


@extend_schema_view(create=extend_schema(request=SigningInputSerializer))
class SigningViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, GenericViewSet
):
    queryset = Signing.objects.all()
    serializer_class = SigningSerializer
    filterset_fields = ["lead", "event", "kind", "counts_project"]
    ordering_fields = ["signed_on", "total", "counted_amount"]

    def get_queryset(self):
        return super().get_queryset().select_related("lead", "event")

    def create(self, request, *args, **kwargs):
        serializer = SigningInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        recorded = signing.signing_record(actor=request.user, **data)
        instance = Signing.objects.select_related("lead", "event").get(pk=recorded.pk)
        return Response(SigningSerializer(instance, context={"request": request}).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    """Register this part's viewsets on the investment API router."""
    router.register("events", SigningEventViewSet)
    router.register("signings", SigningViewSet)
