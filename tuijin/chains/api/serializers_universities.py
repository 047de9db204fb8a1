"""Serializers of the 政产学研 API (/api/chains/universities/, resources/, cooperations/, match/). Names carry the
ChainUniversity / ChainResource / ChainCooperation / ChainMatch prefixes (serializer names are global in the schema)."""

from rest_framework import serializers

from tuijin.org.models import OrgUnit
from tuijin.tickets.models import Ticket

from ..models import ChainNode, Cooperation, University, UniversityResource
from ..universities import COOPERATION_FIELDS, RESOURCE_FIELDS

__all__ = [
    "ChainCooperationInputSerializer",
    "ChainCooperationSerializer",
    "ChainMatchNodeSerializer",
    "ChainMatchResourceSerializer",
    "ChainMatchTicketSerializer",
    "ChainResourceBriefSerializer",
    "ChainResourceInputSerializer",
    "ChainResourceSerializer",
    "ChainUniversitySerializer",
]


class ChainUniversitySerializer(serializers.ModelSerializer):
    class Meta:
        model = University
        fields = ["id", "name", "short_name", "sort_order"]
        read_only_fields = fields


class ChainResourceSerializer(serializers.ModelSerializer):
    university_name = serializers.CharField(source="university.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    nodes = serializers.SerializerMethodField()

    class Meta:
        model = UniversityResource
        fields = [
            "id",
            "university",
            "university_name",
            "kind",
            "kind_display",
            "name",
            "field",
            "keywords",
            "description",
            "contact_name",
            "contact_phone",
            "nodes",
            "is_active",
            "version",
            "created",
            "last_updated",
        ]
        read_only_fields = fields

    def get_nodes(self, obj) -> list[int]:
        return [n.pk for n in obj.nodes.all()]


class ChainResourceBriefSerializer(serializers.ModelSerializer):
    university_name = serializers.CharField(source="university.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = UniversityResource
        fields = ["id", "university", "university_name", "kind", "kind_display", "name", "field", "keywords"]
        read_only_fields = fields


class ChainResourceInputSerializer(serializers.ModelSerializer):
    nodes = serializers.PrimaryKeyRelatedField(queryset=ChainNode.objects.all(), many=True, required=False)

    class Meta:
        model = UniversityResource
        fields = [*RESOURCE_FIELDS, "nodes"]

    def validate(self, attrs):  # the model's checks (same university, kind and name) run in the service
        return attrs

    def run_validators(self, value):
        return None


class ChainCooperationSerializer(serializers.ModelSerializer):
    """A cooperation record; its 诉求 (`ticket`, `ticket_number`) only when the caller may see that 诉求."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    resource_name = serializers.CharField(source="resource.name", read_only=True)
    university_name = serializers.CharField(source="resource.university.name", read_only=True)
    node_name = serializers.CharField(source="node.name", read_only=True, default="")
    ticket = serializers.SerializerMethodField()
    ticket_number = serializers.SerializerMethodField()

    class Meta:
        model = Cooperation
        fields = [
            "id",
            "resource",
            "resource_name",
            "university_name",
            "kind",
            "kind_display",
            "happened_on",
            "enterprise_name",
            "enterprise",
            "node",
            "node_name",
            "ticket",
            "ticket_number",
            "summary",
            "outcome",
            "amount",
            "version",
            "created",
            "last_updated",
        ]
        read_only_fields = fields

    def _visible(self, obj) -> bool:
        return obj.ticket_id is not None and obj.ticket_id in self.context.get("visible_tickets", set())

    def get_ticket(self, obj) -> int | None:
        return obj.ticket_id if self._visible(obj) else None

    def get_ticket_number(self, obj) -> str:
        return obj.ticket.number if self._visible(obj) else ""


class ChainCooperationInputSerializer(serializers.ModelSerializer):
    resource = serializers.PrimaryKeyRelatedField(queryset=UniversityResource.objects.all())
    enterprise = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.none(), required=False, allow_null=True)
    node = serializers.PrimaryKeyRelatedField(queryset=ChainNode.objects.all(), required=False, allow_null=True)
    ticket = serializers.PrimaryKeyRelatedField(queryset=Ticket.objects.none(), required=False, allow_null=True)
    enterprise_name = serializers.CharField(max_length=200, required=False, allow_blank=True)

    class Meta:
        model = Cooperation
        fields = list(COOPERATION_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)  # absent while the schema is generated
        if user is not None:
            self.fields["ticket"].queryset = Ticket.objects.restrict(user, "view")  # type: ignore[attr-defined]
            self.fields["enterprise"].queryset = OrgUnit.objects.restrict(user, "view")  # type: ignore[attr-defined]

    def validate(self, attrs):  # the service validates (enterprise type, dates, the 诉求's scope)
        return attrs

    def run_validators(self, value):
        return None


class ChainMatchResourceSerializer(serializers.Serializer):
    resource = ChainResourceBriefSerializer()
    score = serializers.IntegerField()
    terms = serializers.ListField(child=serializers.CharField())
    explanation = serializers.CharField()


class ChainMatchNodeSerializer(serializers.Serializer):
    node = serializers.IntegerField(source="node.pk")
    node_name = serializers.CharField(source="node.name")
    chain_name = serializers.CharField(source="node.chain.name")
    status = serializers.CharField(source="node.status")
    status_display = serializers.CharField(source="node.get_status_display")
    linked = serializers.BooleanField()
    score = serializers.IntegerField()
    terms = serializers.ListField(child=serializers.CharField())
    explanation = serializers.CharField()


class ChainMatchTicketSerializer(serializers.Serializer):
    ticket = serializers.IntegerField(source="ticket.pk")
    number = serializers.CharField(source="ticket.number")
    title = serializers.CharField(source="ticket.title")
    category = serializers.CharField(source="ticket.category")
    status = serializers.CharField(source="ticket.status")
    score = serializers.IntegerField()
    terms = serializers.ListField(child=serializers.CharField())
    explanation = serializers.CharField()
