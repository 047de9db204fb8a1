"""Lead forms: they collect and type-check input (amounts as people write them: 12000, 3亿元, 约5亿元); the rules of
the pipeline live in services.py."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuijin.org.choices import ScopeKind
from tuijin.org.models import OrgUnit
from tuijin.org.roles import ROLE_SPECS
from tuijin.org.scoping import user_memberships
from tuijin.projects.forms import AmountField, DateInput
from tuijin.projects.models import IndustryCategory, IndustryChain
from tuijin.projects.partial import Amount

from .choices import ContractKind, InvestorTag, LeadStage
from .models import Lead
from .services import LEAD_FIELDS

__all__ = ["ACTIONS", "LeadActionForm", "LeadForm", "own_tracking_unit", "tracking_unit_choices"]

ADD_LEAD = "investment.add_lead"

ACTIONS = [
    ("submit", _("提交阶段")),
    ("approve", _("审核通过")),
    ("return", _("审核退回")),
    ("terminate", _("终止")),
    ("restore", _("恢复")),
]


def tracking_unit_choices(user):
    """Units that may track a lead: government units the user may see (no enterprises, no universities)."""
    return (
        OrgUnit.objects.restrict(user, "view")
        .filter(is_active=True)
        .exclude(unit_type__in=["enterprise", "university"])
        .order_by("sort_order", "name", "pk")
    )


def own_tracking_unit(user, units) -> OrgUnit | None:
    """The unit a new lead defaults to: the user's own unit when every membership that may register a lead is scoped
    to one and the same unit (a unit reporter). Region-wide roles (项目办) choose themselves: None."""
    own = set()
    for membership in user_memberships(user):
        spec = ROLE_SPECS.get(membership.role)
        if spec is None or ADD_LEAD not in spec.permissions:
            continue
        if spec.scope_for(ADD_LEAD) != ScopeKind.UNIT:
            return None
        own.add(membership.unit_id)
    if len(own) != 1:
        return None
    return units.filter(pk=own.pop()).first()


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput | forms.CheckboxSelectMultiple | forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class LeadForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    investor_tags = forms.MultipleChoiceField(
        label=_("投资方性质"), choices=InvestorTag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    planned_investment = AmountField(
        label=_("拟投资额（万元）"),
        required=False,
        help_text=_("单位万元，如 50000；也可写“5亿元”；估算的写“约5亿元”；不知道就留空（未填）"),
    )

    class Meta:
        model = Lead
        fields = [f for f in LEAD_FIELDS if f != "planned_investment_approx"]
        widgets = {"content": forms.Textarea(attrs={"rows": 3}), "shareholders": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tracking_unit"].queryset = tracking_unit_choices(user)
        self.fields["industry"].queryset = IndustryCategory.objects.filter(parent__isnull=False)
        # a deactivated chain is not offered to new choices; a lead keeps the one it has
        self.fields["chain"].queryset = IndustryChain.objects.filter(Q(is_active=True) | Q(pk=self.instance.chain_id))
        self.fields["tracking_unit"].error_messages["required"] = _("请选择跟踪单位。")
        self.fields["name"].error_messages["required"] = _("请填写项目名称。")
        self.fields["investor"].error_messages["required"] = _("请填写投资方。")
        if not self.instance.pk and not self.instance.tracking_unit_id and not self.is_bound:
            own = own_tracking_unit(user, self.fields["tracking_unit"].queryset)
            if own is not None:
                self.initial["tracking_unit"] = own.pk
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            if self.instance.planned_investment is not None:
                self.initial["planned_investment"] = Amount(
                    self.instance.planned_investment, self.instance.planned_investment_approx
                )
        self.fields["enterprise"].queryset = OrgUnit.objects.filter(
            Q(unit_type="enterprise", is_active=True) | Q(pk=self.instance.enterprise_id)
        ).order_by("name", "pk")
        self.fields["enterprise"].help_text = _(
            "投资方在本平台的企业账号所属企业；选定后该企业可查看并确认本项目的承诺台账"
        )
        for name in ("chain", "industry", "tracking_unit", "enterprise"):
            self.fields[name].empty_label = "—"  # type: ignore[attr-defined]
        self.fields["investor_tags"].widget.attrs["class"] = "form-check-input"
        _style(self)

    def clean(self):
        data = super().clean()
        if "planned_investment" in data:
            amount = data["planned_investment"]
            data["planned_investment"] = amount.value if amount else None
            data["planned_investment_approx"] = bool(amount and amount.approx)
        return data

    def _post_clean(self):
        super()._post_clean()
        if "planned_investment_approx" in self.cleaned_data:
            self.instance.planned_investment_approx = self.cleaned_data["planned_investment_approx"]

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in LEAD_FIELDS}


class LeadActionForm(forms.Form):
    """Every step of the detail page: `action` picks the service; the other fields are what that step needs."""

    action = forms.ChoiceField(choices=ACTIONS)
    version = forms.IntegerField(min_value=0)
    to_stage = forms.ChoiceField(
        label=_("提交阶段"), choices=[c for c in LeadStage.choices if c[0] != LeadStage.TERMINATED], required=False
    )
    signed_date = forms.DateField(label=_("签约时间"), required=False, widget=DateInput())
    contract_kind = forms.ChoiceField(label=_("协议/合同"), choices=[("", "—"), *ContractKind.choices], required=False)
    signed_total = AmountField(label=_("合同（协议）投资总额（万元）"), required=False)
    phase1_investment = AmountField(label=_("一期投资额（万元）"), required=False)
    registered_name = forms.CharField(label=_("在本地注册企业名称"), max_length=200, required=False)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    registered_date = forms.DateField(label=_("注册时间"), required=False, widget=DateInput())
    start_date = forms.DateField(label=_("开工时间"), required=False, widget=DateInput())
    production_date = forms.DateField(label=_("投产时间"), required=False, widget=DateInput())
    reached_date = forms.DateField(label=_("达产时间"), required=False, widget=DateInput())
    opinion = forms.CharField(label=_("审核意见"), max_length=500, required=False)
    reason = forms.CharField(label=_("终止原因"), max_length=300, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    STAGE_DATA = (
        "signed_date",
        "contract_kind",
        "signed_total",
        "phase1_investment",
        "registered_name",
        "credit_code",
        "registered_date",
        "start_date",
        "production_date",
        "reached_date",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("signed_date", "registered_date", "start_date", "production_date", "reached_date"):
            self.fields[name].error_messages["invalid"] = _("请输入正确的日期，如 2026-03-15。")
        _style(self)

    def stage_data(self) -> dict:
        """The stage fields that were filled in (amounts as 万元 values; blanks left out, so stored data stays)."""
        data = {}
        for name in self.STAGE_DATA:
            value = self.cleaned_data.get(name)
            if isinstance(value, Amount):
                value = value.value
            if isinstance(value, str):
                value = value.strip()
            if value not in (None, ""):
                data[name] = value
        return data
