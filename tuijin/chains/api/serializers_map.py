"""Serializers of the chain map API (every name starts with "Chain": serializer names are unique in the schema)."""

from rest_framework import serializers

from ..choices import EnterpriseRole, Segment
from ..models import ChainNode, ChainProfile, NodeEnterprise, NodeStatusChange

__all__ = [
    "ChainEnterpriseInputSerializer",
    "ChainEnterpriseSerializer",
    "ChainLinkSerializer",
    "ChainNodeInputSerializer",
    "ChainNodeSerializer",
    "ChainProfileSerializer",
    "ChainRefreshSerializer",
    "ChainSerializer",
    "ChainStatusChangeSerializer",
]


class ChainProfileSerializer(serializers.ModelSerializer):
    leader_name = serializers.CharField(source="leader.name", default="", read_only=True)
    lead_unit_name = serializers.CharField(source="lead_unit.name", default="", read_only=True)

    class Meta:
        model = ChainProfile
        fields = [
            "leader",
            "leader_name",
            "lead_unit",
            "lead_unit_name",
            "task_force",
            "task_force_note",
            "fill_target",
            "summary",
            "version",
        ]
        read_only_fields = fields


class ChainCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    gap = serializers.IntegerField()
    weak = serializers.IntegerField()
    strong = serializers.IntegerField()


class ChainSerializer(serializers.Serializer):
    """A chain (projects.IndustryChain) with its 链长制, node counts by status and this year's 补链 progress."""

    id = serializers.IntegerField(source="chain.pk")
    name = serializers.CharField(source="chain.name")
    is_active = serializers.BooleanField(source="chain.is_active")
    profile = ChainProfileSerializer(allow_null=True)
    counts = ChainCountsSerializer()
    filled = serializers.IntegerField()
    fill_target = serializers.IntegerField(source="target")


class ChainNodeSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    segment_display = serializers.CharField(source="get_segment_display", read_only=True)

    class Meta:
        model = ChainNode
        fields = [
            "id",
            "chain",
            "parent",
            "segment",
            "segment_display",
            "name",
            "keywords",
            "description",
            "sort_order",
            "status",
            "status_display",
            "status_reason",
            "status_since",
            "counts",
            "version",
            "created",
            "last_updated",
        ]
        read_only_fields = fields


class ChainNodeInputSerializer(serializers.Serializer):
    """Create (chain required) or change a node; the status is never written."""

    chain = serializers.IntegerField(required=False)
    parent = serializers.IntegerField(required=False, allow_null=True)  # type: ignore[assignment]
    segment = serializers.ChoiceField(choices=Segment.choices, required=False)
    name = serializers.CharField(max_length=100, required=False)
    keywords = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    sort_order = serializers.IntegerField(required=False, min_value=0, max_value=1_000_000)


class ChainEnterpriseSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = NodeEnterprise
        fields = [
            "id",
            "node",
            "name",
            "credit_code",
            "role",
            "role_display",
            "is_local",
            "in_production",
            "location",
            "products",
            "enterprise",
            "note",
            "version",
            "created",
            "last_updated",
        ]
        read_only_fields = fields


class ChainEnterpriseInputSerializer(serializers.Serializer):
    node = serializers.IntegerField(required=False)
    name = serializers.CharField(max_length=200, required=False)
    credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=EnterpriseRole.choices, required=False)
    is_local = serializers.BooleanField(required=False)
    in_production = serializers.BooleanField(required=False)
    location = serializers.CharField(max_length=100, required=False, allow_blank=True)
    products = serializers.CharField(max_length=300, required=False, allow_blank=True)
    enterprise = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ChainLinkSerializer(serializers.Serializer):
    lead = serializers.IntegerField(required=False, min_value=1)
    project = serializers.IntegerField(required=False, min_value=1)


class ChainStatusChangeSerializer(serializers.ModelSerializer):
    from_status_display = serializers.CharField(source="get_from_status_display", read_only=True)
    to_status_display = serializers.CharField(source="get_to_status_display", read_only=True)
    trigger = serializers.SerializerMethodField()

    class Meta:
        model = NodeStatusChange
        fields = [
            "id",
            "node",
            "time",
            "from_status",
            "from_status_display",
            "to_status",
            "to_status_display",
            "reason",
            "trigger",
            "counts",
        ]
        read_only_fields = fields

    def get_trigger(self, obj) -> str:
        """The names of the records behind the change only for those who keep the maps (selectors.trigger_for)."""
        from ..selectors import trigger_for

        request = self.context.get("request")
        return trigger_for(getattr(request, "user", None), obj.trigger)


class ChainRefreshSerializer(serializers.Serializer):
    changed = serializers.IntegerField(read_only=True)
