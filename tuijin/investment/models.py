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

from tuijin.core.models import BaseModel, ChangeLoggedModel, StoredFileFields

from .choices import (
    PRODUCING_OR_LATER,
    REGISTERED_OR_LATER,
    SIGNED_OR_LATER,
    STARTED_OR_LATER,
    CaseDecision,
    CaseStatus,
    CommitmentCategory,
    CommitmentSide,
    CommitmentState,
    CommitmentStatus,
    Confirmation,
    ContractKind,
    EventList,
    LeadEventType,
    LeadStage,
    ReviewStatus,
    SigningEventKind,
    SigningKind,
)

__all__ = [
    "Commitment",
    "CommitmentCase",
    "EventListEntry",
    "FairCompetitionCategory",
    "InvestmentSettings",
    "Lead",
    "LeadAttachment",
    "LeadEvent",
    "Signing",
    "SigningEvent",
    "YearlyResult",
]

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]
LEAD_SCOPE = {"unit": "tracking_unit", "region": "tracking_unit", "enterprise": "enterprise"}


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
    # --- registration details, site, funds and output (G3 zc_*, kg_*, tc_*) ---
    reg_capital = models.DecimalField(_("注册资本（万元）"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    legal_person = models.CharField(_("法定代表人"), max_length=50, blank=True)
    shareholders = models.TextField(_("股东及出资"), blank=True)
    site = models.CharField(_("建设地点"), max_length=200, blank=True)
    land_mu = models.DecimalField(
        _("项目用地（亩）"), max_digits=12, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    arrived_funds = models.DecimalField(
        _("累计实际到位资金（万元）"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    capacity = models.DecimalField(_("已形成产能（万元）"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    monthly_sales = models.DecimalField(
        _("月度销售收入（万元）"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    # the investor's enterprise account (企业用户): it sees this lead's promise ledger and confirms it
    enterprise = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="investment_leads",
        verbose_name=_("企业账号"),
    )
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
            _non_negative("reg_capital", _("注册资本")),
            _non_negative("land_mu", _("项目用地")),
            _non_negative("arrived_funds", _("累计实际到位资金")),
            _non_negative("capacity", _("已形成产能")),
            _non_negative("monthly_sales", _("月度销售收入")),
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


CHILD_SCOPE = {k: f"lead__{v}" for k, v in LEAD_SCOPE.items()}


def _gte_0(model: str, field: str, label) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0}),
        name=f"investment_{model}_{field}_gte_0",
        violation_error_message=_("%(f)s不能为负数") % {"f": label},
    )


def lead_attachment_path(instance, filename: str) -> str:
    now = timezone.now()
    return f"investment/{now:%Y/%m}/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class LeadAttachment(StoredFileFields, BaseModel):
    """A file of a lead's stage (合同/营业执照/现场照片), checked like a project's and downloaded through a view."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="attachments")
    stage = models.CharField(_("阶段"), max_length=20, choices=LeadStage.choices)
    file = models.FileField(_("文件"), upload_to=lead_attachment_path, max_length=255)
    created = models.DateTimeField(default=timezone.now)

    scope_fields = CHILD_SCOPE

    class Meta:
        verbose_name = _("招商项目附件")
        verbose_name_plural = _("招商项目附件")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.original_name


class SigningEvent(ChangeLoggedModel):
    """A signing event (三个一批 第N期, 投洽会, 专场签约).

    Its lists (签约一批/开工一批/投产一批) are EventListEntry rows."""

    name = models.CharField(_("活动名称"), max_length=200)
    kind = models.CharField(_("活动类型"), max_length=20, choices=SigningEventKind.choices)
    batch_no = models.PositiveSmallIntegerField(_("期次"), null=True, blank=True)
    held_on = models.DateField(_("举办日期"))
    organiser = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="signing_events", verbose_name=_("组织单位")
    )
    note = models.CharField(_("备注"), max_length=500, blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False, editable=False)

    scope_fields = {"unit": "organiser", "region": "organiser"}
    # the district's events are read by every 招商 user of the district: a street records its signing at them
    scope_public = Q(pk__isnull=False)

    class Meta:
        verbose_name = _("签约活动")
        verbose_name_plural = _("签约活动")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "batch_no"],
                condition=Q(batch_no__isnull=False),
                name="investment_event_kind_batch_unique",
                violation_error_message=_("该类活动的这一期次已存在"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Signing(ChangeLoggedModel):
    """One signing of a lead (签约甄别): the first one counts the project and its total; an upgrade or a capital
    increase counts only the increment; a change of investor counts as a new signing."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="signings")
    event = models.ForeignKey(
        SigningEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signings",
        verbose_name=_("签约活动"),
    )
    kind = models.CharField(_("签约类型"), max_length=20, choices=SigningKind.choices)
    signed_on = models.DateField(_("签约时间"))
    contract_kind = models.CharField(_("协议/合同"), max_length=20, choices=ContractKind.choices)
    investor = models.CharField(_("投资方"), max_length=200)
    total = models.DecimalField(_("协议（合同）投资总额（万元）"), validators=NON_NEGATIVE, **MONEY)
    counted_amount = models.DecimalField(_("计入签约额（万元）"), validators=NON_NEGATIVE, **MONEY)
    counts_project = models.BooleanField(_("计入签约项目数"), default=False)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    scope_fields = CHILD_SCOPE

    class Meta:
        verbose_name = _("签约记录")
        verbose_name_plural = _("签约记录")
        ordering = ["signed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead"],
                condition=Q(kind=SigningKind.FIRST),
                name="investment_signing_one_first",
                violation_error_message=_("该招商项目已有首次签约"),
            ),
            _gte_0("signing", "total", _("协议（合同）投资总额")),
            _gte_0("signing", "counted_amount", _("计入签约额")),
            models.CheckConstraint(
                condition=Q(counted_amount__lte=F("total")),
                name="investment_signing_counted_within_total",
                violation_error_message=_("计入签约额不能大于协议（合同）投资总额"),
            ),
            models.CheckConstraint(
                condition=Q(counts_project=False) | Q(kind__in=[SigningKind.FIRST, SigningKind.NEW_INVESTOR]),
                name="investment_signing_counts_project_only_new",
                violation_error_message=_("只有首次签约和更换投资方计入签约项目数"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead} {self.get_kind_display()} {self.signed_on}"


class EventListEntry(BaseModel):
    """A lead on one of an event's lists. A lead is on at most one 开工一批 and one 投产一批 list; the 投产 list is
    drawn from earlier 开工 lists (services check it)."""

    event = models.ForeignKey(SigningEvent, on_delete=models.CASCADE, related_name="entries")
    list = models.CharField(_("名单"), max_length=20, choices=EventList.choices)
    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="event_entries")
    amount = models.DecimalField(_("投资额（万元）"), null=True, blank=True, **MONEY)
    created = models.DateTimeField(default=timezone.now)

    scope_fields = CHILD_SCOPE

    class Meta:
        verbose_name = _("签约活动名单")
        verbose_name_plural = _("签约活动名单")
        ordering = ["event", "list", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "list", "lead"],
                name="investment_entry_unique",
                violation_error_message=_("该项目已在此名单中"),
            ),
            models.UniqueConstraint(
                fields=["list", "lead"],
                condition=Q(list__in=[EventList.STARTED, EventList.PRODUCING]),
                name="investment_entry_once_per_stage_list",
                violation_error_message=_("该项目已列入过同类名单"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.get_list_display()} {self.lead}"


class FairCompetitionCategory(ChangeLoggedModel):
    """A category of commitment that 公平竞争审查 forbids without a legal basis (data the office edits)."""

    name = models.CharField(_("类别名称"), max_length=100, unique=True)
    keywords = models.TextField(_("关键词"), help_text=_("每行一个；承诺内容或条款含其一即提示"))
    commitment_categories = models.JSONField(_("对应承诺类别"), default=list, blank=True)
    basis = models.CharField(_("审查依据"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    scope_fields = None  # district-wide configuration

    class Meta:
        verbose_name = _("公平竞争审查类别")
        verbose_name_plural = _("公平竞争审查类别")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.replace("，", "\n").replace(",", "\n").splitlines() if k.strip()]


class Commitment(ChangeLoggedModel):
    """One line of the two-way promise ledger (承诺台账): a government or an investor commitment of an agreement."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="commitments")
    side = models.CharField(_("承诺方"), max_length=20, choices=CommitmentSide.choices)
    category = models.CharField(_("承诺类别"), max_length=20, choices=CommitmentCategory.choices)
    content = models.CharField(_("承诺事项"), max_length=500)
    clause = models.CharField(_("承诺依据（合同条款）"), max_length=200, blank=True)
    condition = models.CharField(_("兑现条件"), max_length=500, blank=True)
    due_date = models.DateField(_("计划兑现时间"))
    amount = models.DecimalField(_("承诺金额（万元）"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    target_value = models.DecimalField(_("承诺指标值"), max_digits=16, decimal_places=2, null=True, blank=True)
    target_unit = models.CharField(_("指标单位"), max_length=20, blank=True)
    responsible_unit = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="investment_commitments",
        verbose_name=_("责任单位"),
    )
    state = models.CharField(
        _("签订状态"), max_length=20, choices=CommitmentState.choices, default=CommitmentState.DRAFT
    )
    status = models.CharField(
        _("兑现状态"), max_length=20, choices=CommitmentStatus.choices, default=CommitmentStatus.NOT_MET, db_index=True
    )
    realised_amount = models.DecimalField(
        _("兑现金额（万元）"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    realised_value = models.DecimalField(_("实际完成值"), max_digits=16, decimal_places=2, null=True, blank=True)
    fulfilled_on = models.DateField(_("兑现日期"), null=True, blank=True)
    evidence = models.CharField(_("兑现佐证"), max_length=500, blank=True)
    status_note = models.CharField(_("情况说明"), max_length=500, blank=True)
    # the enterprise's confirmation
    confirmation = models.CharField(
        _("企业确认"), max_length=20, choices=Confirmation.choices, default=Confirmation.PENDING
    )
    confirmation_comment = models.CharField(_("企业意见"), max_length=500, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # 公平竞争审查 pre-check: the categories matched, the reason and legal basis given, and the second reviewer
    fc_flags = models.JSONField(_("公平竞争审查提示"), default=list, blank=True)
    fc_flagged = models.BooleanField(_("触发公平竞争审查"), default=False, db_index=True)
    fc_reason = models.CharField(_("保留理由"), max_length=500, blank=True)
    fc_basis = models.CharField(_("法律依据（文号）"), max_length=300, blank=True)
    fc_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fc_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("复核人"),
    )
    fc_reviewed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    # an overdue government commitment is followed up as a 协调工单 (escalated by the ticket machinery)
    ticket = models.OneToOneField(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitment",
        editable=False,
        verbose_name=_("督办工单"),
    )
    is_demo = models.BooleanField(_("示例数据"), default=False, editable=False)

    scope_fields = CHILD_SCOPE

    class Meta:
        verbose_name = _("承诺事项")
        verbose_name_plural = _("承诺台账")
        ordering = ["lead", "side", "due_date", "pk"]
        permissions = [
            ("confirm_commitment", _("企业确认承诺台账")),
            ("review_commitment", _("公平竞争审查复核")),
        ]
        constraints = [
            _gte_0("commitment", "amount", _("承诺金额")),
            _gte_0("commitment", "realised_amount", _("兑现金额")),
            models.CheckConstraint(
                condition=~Q(side=CommitmentSide.GOVERNMENT) | Q(responsible_unit__isnull=False),
                name="investment_commitment_government_has_unit",
                violation_error_message=_("政府承诺须有责任单位"),
            ),
            models.CheckConstraint(
                condition=~Q(status=CommitmentStatus.FULFILLED) | Q(fulfilled_on__isnull=False),
                name="investment_commitment_fulfilled_has_date",
                violation_error_message=_("已兑现须填写兑现日期"),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[CommitmentStatus.PARTIAL, CommitmentStatus.UNABLE]) | ~Q(status_note=""),
                name="investment_commitment_partial_unable_has_note",
                violation_error_message=_("部分兑现或无法兑现须填写情况说明"),
            ),
            models.CheckConstraint(
                condition=~Q(confirmation=Confirmation.DISPUTED) | ~Q(confirmation_comment=""),
                name="investment_commitment_dispute_has_comment",
                violation_error_message=_("有异议须填写企业意见"),
            ),
            models.CheckConstraint(
                condition=~(Q(state=CommitmentState.SIGNED) & Q(fc_flagged=True))
                | (~Q(fc_reason="") & Q(fc_reviewer__isnull=False)),
                name="investment_commitment_flag_reviewed",
                violation_error_message=_("触发公平竞争审查的承诺须填写理由并经第二人复核后才能签订"),
            ),
            models.CheckConstraint(
                condition=Q(fc_reviewer__isnull=True)
                | Q(fc_requested_by__isnull=True)
                | ~Q(fc_reviewer=F("fc_requested_by")),
                name="investment_commitment_second_reviewer",
                violation_error_message=_("复核人不能是提出保留的本人"),
            ),
        ]
        indexes = [models.Index(fields=["side", "status", "due_date"], name="investment_commit_due_idx")]

    def __str__(self) -> str:
        return self.content

    def get_absolute_url(self) -> str:
        return reverse("investment:lead", args=[self.lead_id]) + f"#commitment-{self.pk}"

    def changelog_parent(self):
        return self.lead

    def is_overdue(self, today) -> bool:
        from .choices import OUTSTANDING

        return self.state == CommitmentState.SIGNED and self.status in OUTSTANDING and self.due_date < today


class CommitmentCase(ChangeLoggedModel):
    """违约/调整: an investor's shortfall on a commitment, decided by renegotiating (a new due date and target),
    clawing back (an amount) or excusing it, always with a reason."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="cases")
    status = models.CharField(_("处理状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    shortfall = models.CharField(_("差距说明"), max_length=500)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("处理方式"), max_length=20, choices=CaseDecision.choices, blank=True)
    reason = models.CharField(_("处理理由"), max_length=500, blank=True)
    new_due_date = models.DateField(_("新的兑现时间"), null=True, blank=True)
    new_target_value = models.DecimalField(_("新的指标值"), max_digits=16, decimal_places=2, null=True, blank=True)
    clawback_amount = models.DecimalField(
        _("追回金额（万元）"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    scope_fields = {k: f"commitment__lead__{v}" for k, v in LEAD_SCOPE.items()}

    class Meta:
        verbose_name = _("违约/调整事项")
        verbose_name_plural = _("违约/调整事项")
        ordering = ["-created", "-pk"]
        permissions = [("decide_commitmentcase", _("处理违约/调整事项"))]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment"],
                condition=Q(status=CaseStatus.OPEN),
                name="investment_case_one_open",
                violation_error_message=_("该承诺已有待处理的违约/调整事项"),
            ),
            _gte_0("commitmentcase", "clawback_amount", _("追回金额")),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.CLOSED) | (~Q(decision="") & ~Q(reason="")),
                name="investment_case_closed_has_decision",
                violation_error_message=_("处理违约/调整事项须选择处理方式并填写理由"),
            ),
            models.CheckConstraint(
                condition=~Q(decision=CaseDecision.RENEGOTIATE) | Q(new_due_date__isnull=False),
                name="investment_case_renegotiate_has_date",
                violation_error_message=_("重新约定须填写新的兑现时间"),
            ),
            models.CheckConstraint(
                condition=~Q(decision=CaseDecision.CLAW_BACK) | Q(clawback_amount__isnull=False),
                name="investment_case_clawback_has_amount",
                violation_error_message=_("追回奖补须填写追回金额"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment} {self.get_status_display()}"

    def changelog_parent(self):
        return self.commitment.lead


class YearlyResult(ChangeLoggedModel):
    """达产跟踪: a produced lead's output, tax and jobs in one calendar year (the three years after 投产)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="yearly_results")
    year = models.PositiveSmallIntegerField(_("年度"))
    output = models.DecimalField(_("产值（万元）"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    tax = models.DecimalField(_("税收（万元）"), null=True, blank=True, validators=NON_NEGATIVE, **MONEY)
    jobs = models.PositiveIntegerField(_("就业人数"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    scope_fields = CHILD_SCOPE

    class Meta:
        verbose_name = _("达产跟踪")
        verbose_name_plural = _("达产跟踪")
        ordering = ["lead", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead", "year"], name="investment_result_unique", violation_error_message=_("该年度已填报")
            ),
            _gte_0("yearlyresult", "output", _("产值")),
            _gte_0("yearlyresult", "tax", _("税收")),
        ]

    def __str__(self) -> str:
        return f"{self.lead} {self.year}"

    def changelog_parent(self):
        return self.lead


class InvestmentSettings(ChangeLoggedModel):
    """The office's thresholds for 招商 (one row): the 低效用地 warning below these 亩均 figures."""

    low_tax_per_mu = models.DecimalField(
        _("亩均税收预警线（万元/亩）"), max_digits=10, decimal_places=2, default=Decimal("15"), validators=NON_NEGATIVE
    )
    low_output_per_mu = models.DecimalField(
        _("亩均产值预警线（万元/亩）"), max_digits=10, decimal_places=2, default=Decimal("300"), validators=NON_NEGATIVE
    )

    scope_fields = None

    class Meta:
        verbose_name = _("招商设置")
        verbose_name_plural = _("招商设置")

    def __str__(self) -> str:
        return str(_("招商设置"))

    @classmethod
    def current(cls) -> "InvestmentSettings":
        return cls.objects.order_by("pk").first() or cls(pk=None)
