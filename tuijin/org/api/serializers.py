from rest_framework import serializers

from ..models import OrgUnit, Person, Region

__all__ = ["OrgUnitSerializer", "PersonSerializer", "RegionBriefSerializer"]


class RegionBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "level"]


class OrgUnitSerializer(serializers.ModelSerializer):
    region = RegionBriefSerializer(read_only=True)
    unit_type_display = serializers.CharField(source="get_unit_type_display", read_only=True)

    class Meta:
        model = OrgUnit
        fields = [
            "id",
            "name",
            "short_name",
            "unit_type",
            "unit_type_display",
            "region",
            "parent",
            "credit_code",
            "is_active",
            "version",
            "last_updated",
        ]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    positions = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "name", "unit", "unit_name", "is_county_leader", "positions"]
        read_only_fields = fields

    def get_positions(self, obj) -> list[str]:
        return [p.title for p in obj.positions.all()]
