"""Project API serializers: an output serializer, and an input serializer that only types the data —
the rules are applied by the same services the pages use."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tuijin.org.models import OrgUnit, Person

from ..choices import ConstructionNature, DatePrecision, FundingSourceKind, InvestmentSubject, ProjectDomain, Stage
from ..models import AnnualPlan, IndustryCategory, IndustryChain, Project, ProjectLevel, SpecialList
from ..partial import Amount, PartialDate, parse_amount, parse_partial_date
from ..services import PARTIAL_DATE_FIELDS, PROJECT_FIELDS

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


@extend_schema_field({"type": "string", "example": "2024-03"})
class PartialDateIn(serializers.Field):
    """A date as far as it is known: "2024-03-15" (日), "2024-03" / "2024年3月" (月), "2024" / "2024年" (年);
    null or "" = 未填. An explicit `<name>_precision` next to it wins over what the text says."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if data == "":
            return (True, None)
        return super().validate_empty_values(data)

    def to_internal_value(self, data) -> PartialDate | None:
        if not isinstance(data, str | int):
            raise serializers.ValidationError(_("请填写日期文本，如 2024-03-15、2024-03 或 2024年。"))
        try:
            return parse_partial_date(str(data))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def to_representation(self, value):
        return value.isoformat() if value is not None else None


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string", "example": "约20亿元"}], "nullable": True})
class AmountIn(serializers.Field):
    """An amount in 万元: a number, or text as people write it ("1,234.5", "20亿元", "约20亿元" — 约 sets
    `total_investment_approx`); null or "" = 未填."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if data == "":
            return (True, None)
        return super().validate_empty_values(data)

    def to_internal_value(self, data) -> Amount | None:
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            raise serializers.ValidationError(_("请填写金额（万元），如 12000 或“约20亿元”。"))
        try:
            return parse_amount(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def to_representation(self, value):
        return str(value) if value is not None else None


def _blank_choice(choices) -> serializers.ChoiceField:
    """投资领域 / 建设性质 / 投资主体: "" or null = 未填 (never a default)."""
    return serializers.ChoiceField(choices=choices, required=False, allow_blank=True, allow_null=True)


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
    domain = _blank_choice(ProjectDomain.choices)
    construction_nature = _blank_choice(ConstructionNature.choices)
    investment_subject = _blank_choice(InvestmentSubject.choices)
    total_investment = AmountIn()
    total_investment_approx = serializers.BooleanField(required=False)
    planned_start = PartialDateIn()
    planned_finish = PartialDateIn()
    actual_start = PartialDateIn()
    actual_finish = PartialDateIn()

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

    def validate_chain(self, chain):
        current = getattr(self.instance, "chain_id", None)
        if chain is not None and not chain.is_active and chain.pk != current:
            raise serializers.ValidationError(
                _("主导产业/产业链“%(name)s”已停用，请选择其他产业链。") % {"name": chain.name}
            )
        return chain

    def validate(self, attrs):
        """Typed values → stored ones: 未填 choices as "", an Amount as value + 约 flag, a partly known date as its
        first day + precision (an explicit `*_precision` wins)."""
        for name in ("domain", "construction_nature", "investment_subject"):
            if name in attrs and attrs[name] is None:
                attrs[name] = ""
        if "total_investment" in attrs:
            amount = attrs["total_investment"]
            attrs["total_investment"] = amount.value if amount else None
            approx = attrs.get("total_investment_approx")
            attrs["total_investment_approx"] = bool(amount) and bool(amount.approx if approx is None else approx)
        for name in PARTIAL_DATE_FIELDS:
            key = f"{name}_precision"
            if name in attrs:
                known = attrs[name]
                attrs[name] = known.value if known else None
                attrs[key] = attrs.get(key) or (known.precision if known else DatePrecision.DAY)
        return attrs


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
            "planned_start_month",
            "planned_finish_month",
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
    planned_start_month = serializers.IntegerField(min_value=1, max_value=12, required=False, allow_null=True)
    planned_finish_month = serializers.IntegerField(min_value=1, max_value=12, required=False, allow_null=True)
    progress_target = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["project"].queryset = Project.objects.restrict(getattr(request, "user", None), "change")

    def validate(self, attrs):
        start, finish = attrs.get("planned_start_month"), attrs.get("planned_finish_month")
        if start is not None and finish is not None and finish < start:
            message = _("计划竣工月份（%(f)d月）不能早于计划开工月份（%(s)d月）。") % {"f": finish, "s": start}
            raise serializers.ValidationError({"planned_finish_month": message})
        return attrs
