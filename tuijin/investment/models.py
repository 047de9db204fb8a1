"""Investment leads (招商项目/线索): the pipeline 在谈 → 签约 → 注册 → 开工 → 投产 → 达产 (or 终止), each stage's data
under review, and a timeline. A signed lead becomes a key project (services.lead_to_project) and stays linked to it.

The invariants are database constraints: a stage carries the data it needs (签约 its date, 注册 the enterprise name,
开工/投产/达产 their dates), 终止 a reason and the stage it left, 退回 an opinion, amounts are not negative and the
一期 amount is within the signed total.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import BaseModel, ChangeLoggedModel

from .choices import (
    PRODUCING_OR_LATER,
    REGISTERED_OR_LATER,
    SIGNED_OR_LATER,
    STARTED_OR_LATER,
    ContractKind,
    LeadEventType,
    LeadStage,
    ReviewStatus,
)

__all__ = ["Lead", "LeadEvent"]

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
LEAD_SCOPE = {"unit": "tracking_unit", "region": "tracking_unit"}


def _non_negative(field: str, label) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0}),
        name=f"investment_lead_{field}_gte_0",
        violation_error_message=_("%(f)s不能为负数") % {"f": label},
    )


class Lead(ChangeLoggedModel):
    """A lead from the first talks to 达产. Amounts in 万元; None = 未填."""

    # --- 在谈 ---
    name = models.CharField(_("项目名称"), max_length=200)
    investor = models.CharField(_("投资方"), max_length=200)
    investor_tags = models.JSONField(_("投资方性质"), default=list, blank=True)  # InvestorTag values
    industry = models.ForeignKey(
        "projects.IndustryCategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("国民经济行业"),
    )
    chain = models.ForeignKey(
        "projects.IndustryChain",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("所属产业链"),
    )
    content = models.TextField(_("项目建设内容"), blank=True)
    planned_investment = models.DecimalField(
        _("拟投资额（万元）"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    planned_investment_approx = models.BooleanField(_("拟投资额为约数"), default=False)
    planned_site = models.CharField(_("拟选址"), max_length=200, blank=True)
    land_need_mu = models.DecimalField(
        _("用地需求（亩）"), max_digits=12, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    tracking_unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="tracked_leads", verbose_name=_("跟踪单位")
    )
    tracking_person = models.CharField(_("跟踪人"), max_length=50, blank=True)
    contact_name = models.CharField(_("客商联系人"), max_length=50, blank=True)
    contact_position = models.CharField(_("联系人职务"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    recommender = models.CharField(_("项目引荐单位"), max_length=200, blank=True)
    # --- stage and review ---
    stage = models.CharField(
        _("阶段"), max_length=20, choices=LeadStage.choices, default=LeadStage.NEGOTIATING, db_index=True
    )
    review_status = models.CharField(
        _("审核状态"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.NONE, db_index=True
    )
    review_opinion = models.CharField(_("审核意见"), max_length=500, blank=True)
    terminated_from = models.CharField(
        _("终止前阶段"), max_length=20, choices=LeadStage.choices, blank=True, editable=False
    )
    termination_reason = models.CharField(_("终止原因"), max_length=300, blank=True)
    # --- 签约 ---
    signed_date = models.DateField(_("签约时间"), null=True, blank=True)
    contract_kind = models.CharField(_("协议/合同"), max_length=20, choices=ContractKind.choices, blank=True)
    signed_total = models.DecimalField(
        _("合同（协议）投资总额（万元）"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    phase1_investment = models.DecimalField(
        _("一期投资额（万元）"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    # --- 注册 ---
    registered_name = models.CharField(_("在本地注册企业名称"), max_length=200, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    registered_date = models.DateField(_("注册时间"), null=True, blank=True)
    # --- 开工 / 投产 / 达产 ---
    start_date = models.DateField(_("开工时间"), null=True, blank=True)
    production_date = models.DateField(_("投产时间"), null=True, blank=True)
    reached_date = models.DateField(_("达产时间"), null=True, blank=True)
    # --- the key project it became ---
    project = models.OneToOneField(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead",
        editable=False,
        verbose_name=_("转化的重点项目"),
    )
    is_demo = models.BooleanField(_("示例数据"), default=False, editable=False)

    scope_fields = LEAD_SCOPE

    class Meta:
        verbose_name = _("招商项目")
        verbose_name_plural = _("招商项目")
        ordering = ["-created", "-pk"]
        permissions = [
            ("review_lead", _("审核招商项目")),
            ("convert_lead", _("招商项目转为重点项目")),
        ]
        constraints = [
            _non_negative("planned_investment", _("拟投资额")),
            _non_negative("land_need_mu", _("用地需求")),
            _non_negative("signed_total", _("合同（协议）投资总额")),
            _non_negative("phase1_investment", _("一期投资额")),
            models.CheckConstraint(
                condition=Q(phase1_investment__isnull=True)
                | Q(signed_total__isnull=True)
                | Q(phase1_investment__lte=F("signed_total")),
                name="investment_lead_phase1_within_total",
                violation_error_message=_("一期投资额不能大于合同（协议）投资总额"),
            ),
            models.CheckConstraint(
                condition=~Q(stage=LeadStage.TERMINATED) | (~Q(termination_reason="") & ~Q(terminated_from="")),
                name="investment_lead_terminated_needs_reason",
                violation_error_message=_("终止的招商项目须填写终止原因"),
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=SIGNED_OR_LATER) | Q(signed_date__isnull=False),
                name="investment_lead_signed_needs_date",
                violation_error_message=_("签约及以后阶段须有签约时间"),
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=REGISTERED_OR_LATER) | ~Q(registered_name=""),
                name="investment_lead_registered_needs_name",
                violation_error_message=_("注册及以后阶段须有注册企业名称"),
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=STARTED_OR_LATER) | Q(start_date__isnull=False),
                name="investment_lead_started_needs_date",
                violation_error_message=_("开工及以后阶段须有开工时间"),
            ),
            models.CheckConstraint(
                condition=~Q(stage__in=PRODUCING_OR_LATER) | Q(production_date__isnull=False),
                name="investment_lead_producing_needs_date",
                violation_error_message=_("投产及以后阶段须有投产时间"),
            ),
            models.CheckConstraint(
                condition=~Q(stage=LeadStage.REACHED) | Q(reached_date__isnull=False),
                name="investment_lead_reached_needs_date",
                violation_error_message=_("达产阶段须有达产时间"),
            ),
            models.CheckConstraint(
                condition=~Q(review_status=ReviewStatus.RETURNED) | ~Q(review_opinion=""),
                name="investment_lead_returned_needs_opinion",
                violation_error_message=_("退回须填写审核意见"),
            ),
        ]
        indexes = [models.Index(fields=["tracking_unit", "stage"], name="investment_lead_unit_stage_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("investment:lead", args=[self.pk])

    @property
    def amount(self) -> Decimal | None:
        """The amount that sizes the lead: the signed total once signed, else the planned amount (万元)."""
        return self.signed_total if self.signed_total is not None else self.planned_investment

    @property
    def investor_tag_labels(self) -> list[str]:
        from .choices import InvestorTag

        labels = dict(InvestorTag.choices)
        return [str(labels.get(tag, tag)) for tag in self.investor_tags or []]


class LeadEvent(BaseModel):
    """The lead's timeline: each stage submission, review, termination, conversion, with its actor and details."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("事件"), max_length=20, choices=LeadEventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    scope_fields = {k: f"lead__{v}" for k, v in LEAD_SCOPE.items()}

    class Meta:
        verbose_name = _("招商项目事件")
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.lead} {self.get_type_display()}"
