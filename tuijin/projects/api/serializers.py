"""Project API serializers: an output serializer, and an input serializer that only types the data —
the rules are applied by the same services the pages use."""

from typing import Any

from rest_framework import serializers

from tuijin.org.models import OrgUnit, Person

from ..choices import FundingSourceKind, Stage
from ..models import AnnualPlan, IndustryCategory, IndustryChain, Project, ProjectLevel, SpecialList
from ..services import PROJECT_FIELDS

__all__ = ["AnnualPlanInputSerializer", "AnnualPlanSerializer", "ProjectInputSerializer", "ProjectSerializer"]


class FundingOut(serializers.Serializer):
    kind = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    note = serializers.CharField()


class ProjectSerializer(serializers.ModelSerializer):
    responsible_unit_name = serializers.CharField(source="responsible_unit.name", read_only=True)
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    levels: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    sponsors: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    industry: Any = serializers.SlugRelatedField(slug_field="code", read_only=True)
    funding = FundingOut(source="funding_sources", many=True, read_only=True)
    special_lists = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "version",
            *[f for f in PROJECT_FIELDS if f not in ("is_demo",)],
            "code_is_legacy",
            "responsible_unit_name",
            "stage",
            "stage_display",
            "stage_reason",
            "levels",
            "sponsors",
            "special_lists",
            "funding",
            "ndl_days_to_permit",
            "ndl_days_to_start",
            "created",
            "last_updated",
        ]
        read_only_fields = fields

    def get_special_lists(self, obj) -> list[dict]:
        return [{"code": e.special_list.code, "batch": e.batch} for e in obj.special_list_entries.all()]


class FundingIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FundingSourceKind.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class SpecialListIn(serializers.Serializer):
    code = serializers.SlugRelatedField(slug_field="code", queryset=SpecialList.objects.all())
    batch = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")


class ProjectInputSerializer(serializers.ModelSerializer):
    responsible_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.none())
    locality = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.none(), required=False, allow_null=True)
    owner_enterprise = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.none(), required=False, allow_null=True
    )
    industry = serializers.SlugRelatedField(
        slug_field="code", queryset=IndustryCategory.objects.all(), required=False, allow_null=True
    )
    chain = serializers.PrimaryKeyRelatedField(queryset=IndustryChain.objects.all(), required=False, allow_null=True)
    levels = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=ProjectLevel.objects.all(), required=False
    )
    sponsors = serializers.PrimaryKeyRelatedField(many=True, queryset=Person.objects.none(), required=False)
    funding = FundingIn(many=True, required=False)
    special_lists = SpecialListIn(many=True, required=False)
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    stage_reason = serializers.CharField(required=False, allow_blank=True, max_length=200)

    class Meta:
        model = Project
        fields = [
            *[f for f in PROJECT_FIELDS if f != "is_demo"],
            "levels",
            "sponsors",
            "funding",
            "special_lists",
            "stage",
            "stage_reason",
        ]
        extra_kwargs: dict[str, Any] = {"code": {"validators": []}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # absent while the OpenAPI schema is generated
        user = getattr(request, "user", None)
        units = OrgUnit.objects.restrict(user, "view")
        self.fields["responsible_unit"].queryset = units
        self.fields["locality"].queryset = units
        self.fields["owner_enterprise"].queryset = units
        self.fields["sponsors"].child_relation.queryset = Person.objects.restrict(user, "view")


class AnnualPlanSerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    project_code = serializers.CharField(source="project.code", read_only=True)
    responsible_unit_name = serializers.CharField(source="project.responsible_unit.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = AnnualPlan
        fields = [
            "id",
            "version",
            "project",
            "project_code",
            "project_name",
            "responsible_unit_name",
            "year",
            "planned_investment",
            "monthly_plan",
            "planned_start_quarter",
            "progress_target",
            "status",
            "status_display",
            "baseline_investment",
            "baseline_monthly_plan",
            "baseline_approved_at",
            "last_updated",
        ]
        read_only_fields = fields


class AnnualPlanInputSerializer(serializers.Serializer):
    """Types the input only; the rules (monthly sum, draft only, scope) are the service's, as on the pages."""

    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.none())
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    planned_investment = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    monthly_plan = serializers.ListField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0),
        min_length=12,
        max_length=12,
        required=False,
        allow_null=True,
    )
    planned_start_quarter = serializers.IntegerField(min_value=1, max_value=4, required=False, allow_null=True)
    progress_target = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["project"].queryset = Project.objects.restrict(getattr(request, "user", None), "change")
