"""Lead API serializers: the output, and an input serializer that only types the data — the rules are applied by
the same services the pages use."""

from rest_framework import serializers

from tuijin.org.models import OrgUnit
from tuijin.projects.models import IndustryCategory, IndustryChain

from ..choices import ContractKind, InvestorTag, LeadStage
from ..forms import tracking_unit_choices
from ..models import Lead
from ..services import LEAD_FIELDS

__all__ = ["LeadInputSerializer", "LeadReviewSerializer", "LeadSerializer", "LeadStageSerializer", "LeadStepSerializer"]


class LeadSerializer(serializers.ModelSerializer):
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
    review_status_display = serializers.CharField(source="get_review_status_display", read_only=True)
    contract_kind_display = serializers.CharField(source="get_contract_kind_display", read_only=True)
    tracking_unit_name = serializers.CharField(source="tracking_unit.name", read_only=True)
    chain_name = serializers.CharField(source="chain.name", read_only=True, default="")
    industry: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            *LEAD_FIELDS,
            "tracking_unit_name",
            "chain_name",
            "stage",
            "stage_display",
            "review_status",
            "review_status_display",
            "review_opinion",
            "terminated_from",
            "termination_reason",
            "signed_date",
            "contract_kind",
            "contract_kind_display",
            "signed_total",
            "phase1_investment",
            "registered_name",
            "credit_code",
            "registered_date",
            "start_date",
            "production_date",
            "reached_date",
            "project",
            "version",
            "created",
            "last_updated",
        ]
        read_only_fields = fields


class LeadInputSerializer(serializers.ModelSerializer):
    tracking_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.none())
    industry = serializers.SlugRelatedField(
        slug_field="code",
        queryset=IndustryCategory.objects.filter(parent__isnull=False),
        required=False,
        allow_null=True,
    )
    chain = serializers.PrimaryKeyRelatedField(queryset=IndustryChain.objects.all(), required=False, allow_null=True)
    investor_tags = serializers.MultipleChoiceField(choices=InvestorTag.choices, required=False)
    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.filter(unit_type="enterprise", is_active=True), required=False, allow_null=True
    )

    class Meta:
        model = Lead
        fields = LEAD_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # absent while the OpenAPI schema is generated
        self.fields["tracking_unit"].queryset = tracking_unit_choices(getattr(request, "user", None))  # type: ignore[attr-defined]

    def validate_investor_tags(self, value):
        return [tag for tag in InvestorTag.values if tag in value]

    def validate(self, attrs):
        # the model's checks run in the service (full_clean and the constraints), with the same messages as the page
        return attrs

    def run_validators(self, value):  # no ModelSerializer unique-together validators: the service decides
        return None


class LeadStepSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=0)


class LeadStageSerializer(LeadStepSerializer):
    to_stage = serializers.ChoiceField(choices=[c for c in LeadStage.choices if c[0] != LeadStage.TERMINATED])
    signed_date = serializers.DateField(required=False, allow_null=True)
    contract_kind = serializers.ChoiceField(choices=ContractKind.choices, required=False, allow_blank=True)
    signed_total = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    phase1_investment = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    registered_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True)
    registered_date = serializers.DateField(required=False, allow_null=True)
    start_date = serializers.DateField(required=False, allow_null=True)
    production_date = serializers.DateField(required=False, allow_null=True)
    reached_date = serializers.DateField(required=False, allow_null=True)


class LeadReviewSerializer(LeadStepSerializer):
    approve = serializers.BooleanField()
    opinion = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
