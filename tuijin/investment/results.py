"""达产跟踪 (YearlyResult), the 低效用地 thresholds (InvestmentSettings) and the lead's attachments (LeadAttachment).

达产跟踪: a lead at 投产 or 达产 records, for each calendar year from the year of its 投产时间 to three years after it,
its 产值 and 税收 (万元) and 就业人数. The three years after the production year are the ones followed up (the
to-do asks for them); the production year itself may be recorded too, as the first, partial year. A year later than
the current one is refused. Promised values come from the lead's signed investor commitments (`PROMISE_CATEGORIES`);
亩均 figures are divided by the lead's 项目用地 (`land_mu`): no land (or 0), no figure (未填用地). A year is 低效用地
when its 亩均税收 is below `InvestmentSettings.low_tax_per_mu` or its 亩均产值 below `low_output_per_mu`.

Attachments are checked exactly like a project's (`utilities.uploads.store_checked_upload` with
`projects.constants.ATTACHMENT_TYPES`: sniffed content, extension, size, zip and image bombs), stored under a name
made of their hash, and downloaded only through a scoped view.

Writes are services (one transaction, `bump_version` for edits, a `LeadEvent` for the timeline, the actor's
permission and scope checked with `restrict()`). The lead-page sections (达产跟踪 order 50, 附件 order 60) and the
tracking unit's to-do are registered here (this module is imported by `InvestmentConfig.ready()`).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, DecimalField, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.attention import AttentionItem, register_attention
from tuijin.core.exceptions import ApplicationError
from tuijin.core.locking import bump_version
from tuijin.core.permissions import check_scope

from .choices import (
    PIPELINE,
    PRODUCING_OR_LATER,
    CommitmentCategory,
    CommitmentSide,
    CommitmentState,
    LeadEventType,
    LeadStage,
)
from .models import Commitment, InvestmentSettings, Lead, LeadAttachment, YearlyResult
from .panels import register_panel

__all__ = [
    "FOLLOW_YEARS",
    "PROMISE_CATEGORIES",
    "ResultRow",
    "attachment_create",
    "attachment_delete",
    "attachment_stages",
    "low_condition",
    "per_mu",
    "produced_leads",
    "promised",
    "result_rows",
    "result_save",
    "result_years",
    "settings_preview",
    "settings_update",
    "to_fill_condition",
    "with_latest_result",
]

FOLLOW_YEARS = 3  # the years after the production year that are followed up
PROMISE_CATEGORIES = {
    "output": CommitmentCategory.OUTPUT,  # 产值 (万元)
    "jobs": CommitmentCategory.JOBS,  # 就业人数
    "tax_per_mu": CommitmentCategory.TAX_PER_MU,  # 亩均税收 (万元/亩)
}
CENT = Decimal("0.01")


def _today() -> date:
    return timezone.localdate()


def _check(actor, obj, action: str) -> None:
    check_scope(actor, obj, action, message=_("该招商项目不在您的管理范围内（例如跟踪单位不属于本单位）。"))


def _event(lead: Lead, actor, data: dict[str, Any], type: str) -> None:
    from .services import lead_event_create

    lead_event_create(lead=lead, actor=actor, type=type, data=data)


# --- 达产跟踪: reads -----------------------------------------------------------------------------------


def per_mu(value: Decimal | None, land_mu: Decimal | None) -> Decimal | None:
    """value / land (万元/亩, two decimals, half up); None when either is missing or the land is 0."""
    if value is None or land_mu is None or land_mu <= 0:
        return None
    return (Decimal(value) / Decimal(land_mu)).quantize(CENT, rounding=ROUND_HALF_UP)


def is_low(tax_per_mu: Decimal | None, output_per_mu: Decimal | None, settings: InvestmentSettings) -> bool:
    """低效用地: 亩均税收 below its line or 亩均产值 below its line (a figure that cannot be computed never warns)."""
    return (tax_per_mu is not None and tax_per_mu < settings.low_tax_per_mu) or (
        output_per_mu is not None and output_per_mu < settings.low_output_per_mu
    )


def result_years(lead: Lead, today: date | None = None) -> list[int]:
    """The years that may be recorded for `lead`: production year … production year + 3, not after this year."""
    if lead.production_date is None or lead.stage not in PRODUCING_OR_LATER:
        return []
    today = today or _today()
    first = lead.production_date.year
    return [y for y in range(first, first + FOLLOW_YEARS + 1) if y <= today.year]


def promised(lead: Lead) -> dict[str, Decimal | None]:
    """The promised 产值, 就业人数 and 亩均税收: the target of the lead's signed investor commitment of that category
    (the one due last, when there are several)."""
    values: dict[str, Decimal | None] = dict.fromkeys(PROMISE_CATEGORIES)
    rows = (
        Commitment.objects.filter(
            lead=lead,
            side=CommitmentSide.INVESTOR,
            state=CommitmentState.SIGNED,
            category__in=list(PROMISE_CATEGORIES.values()),
            target_value__isnull=False,
        )
        .order_by("due_date", "pk")
        .values_list("category", "target_value")
    )
    by_category = {str(c): v for c, v in rows}  # the last (latest due) wins
    for key, category in PROMISE_CATEGORIES.items():
        values[key] = by_category.get(str(category))
    return values


@dataclass
class ResultRow:
    year: int
    result: YearlyResult | None
    output_per_mu: Decimal | None = None
    tax_per_mu: Decimal | None = None
    low: bool = False
    followed: bool = True  # one of the three years after the production year (else the production year itself)
    due: bool = False  # a completed year of the follow-up without data
    future: bool = False  # a year that has not begun: nothing to record yet
    extra: dict = field(default_factory=dict)


def result_rows(lead: Lead, results: list[YearlyResult] | None = None, today: date | None = None) -> list[ResultRow]:
    """One row per year of the follow-up (the production year and the three after it), with its result if any."""
    if lead.production_date is None:
        return []
    today = today or _today()
    settings = InvestmentSettings.current()
    by_year = {r.year: r for r in (results if results is not None else lead.yearly_results.all())}
    first = lead.production_date.year
    rows = []
    for year in range(first, first + FOLLOW_YEARS + 1):
        result = by_year.get(year)
        row = ResultRow(year=year, result=result, followed=year > first)
        if result is not None:
            row.output_per_mu = per_mu(result.output, lead.land_mu)
            row.tax_per_mu = per_mu(result.tax, lead.land_mu)
            row.low = is_low(row.tax_per_mu, row.output_per_mu, settings)
        else:
            row.due = row.followed and year < today.year
            row.future = year > today.year
        rows.append(row)
    return rows


def produced_leads(queryset: QuerySet) -> QuerySet:
    return queryset.filter(stage__in=PRODUCING_OR_LATER, production_date__isnull=False)


def with_latest_result(queryset: QuerySet) -> QuerySet:
    """`latest_year`, `latest_output`, `latest_tax`, `latest_jobs`: the lead's most recent recorded year."""
    latest = YearlyResult.objects.filter(lead=OuterRef("pk")).order_by("-year")
    money: DecimalField = DecimalField(max_digits=14, decimal_places=2)
    return queryset.annotate(
        latest_year=Subquery(latest.values("year")[:1], output_field=IntegerField()),
        latest_output=Subquery(latest.values("output")[:1], output_field=money),
        latest_tax=Subquery(latest.values("tax")[:1], output_field=money),
        latest_jobs=Subquery(latest.values("jobs")[:1], output_field=IntegerField()),
    )


def low_condition(settings: InvestmentSettings) -> Q:
    """On `with_latest_result`: the latest year is 低效用地 (x / 亩 < line, written as x < line × 亩 with 亩 > 0)."""
    land = Q(land_mu__isnull=False, land_mu__gt=0)
    tax = Q(latest_tax__isnull=False, latest_tax__lt=F("land_mu") * settings.low_tax_per_mu)
    output = Q(latest_output__isnull=False, latest_output__lt=F("land_mu") * settings.low_output_per_mu)
    return land & (tax | output)


def to_fill_condition(today: date | None = None) -> Q:
    """Produced leads whose last completed year is one of the three followed-up years and has no result."""
    today = today or _today()
    last = today.year - 1
    has = YearlyResult.objects.filter(lead=OuterRef("pk"), year=last)
    return (
        Q(stage__in=PRODUCING_OR_LATER)
        & Q(production_date__year__gte=last - FOLLOW_YEARS, production_date__year__lte=last - 1)
        & ~Q(pk__in=has.values("lead"))
    )


# --- 达产跟踪: writes ----------------------------------------------------------------------------------

RESULT_FIELDS = ("output", "tax", "jobs", "note")


def _clean_result(lead: Lead, year: int | None, data: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    years = result_years(lead)
    if lead.stage not in PRODUCING_OR_LATER or lead.production_date is None:
        raise ApplicationError(_("投产或达产阶段的招商项目才能填报达产跟踪数据。"), code="not_producing")
    if year not in years:
        first = lead.production_date.year
        errors["year"] = [
            _("年度须在投产当年（%(a)d年）至投产后第3年（%(b)d年）之间，且不晚于今年。")
            % {"a": first, "b": first + FOLLOW_YEARS}
        ]
    labels = {"output": _("产值"), "tax": _("税收"), "jobs": _("就业人数")}
    for name, label in labels.items():
        value = data.get(name)
        if value is not None and value < 0:
            errors[name] = [_("%(f)s不能为负数。") % {"f": label}]
    if all(data.get(name) is None for name in labels):
        errors.setdefault("__all__", []).append(_("请至少填写产值、税收、就业人数中的一项。"))
    return errors


def result_save(
    *, actor, lead: Lead, year: int, data: dict[str, Any], result: YearlyResult | None = None, version=None
) -> YearlyResult:
    """Record a year (result None) or correct one (with the version the user edited). Refused: nothing written."""
    try:
        return _result_save(actor=actor, lead=lead, year=year, data=data, result=result, version=version)
    except Exception:
        if result is not None and result.pk:
            result.refresh_from_db()
        raise


@transaction.atomic
def _result_save(*, actor, lead, year, data, result, version) -> YearlyResult:
    lead = Lead.objects.get(pk=lead.pk)
    creating = result is None
    _check(actor, lead, "view")
    if not creating and result.lead_id != lead.pk:
        raise ApplicationError(_("该数据不属于此招商项目。"), code="wrong_lead")
    year = year if creating else result.year
    errors = _clean_result(lead, year, data)
    if creating and "year" not in errors and YearlyResult.objects.filter(lead=lead, year=year).exists():
        errors["year"] = [_("%(y)d年的数据已填报，请修改已有数据。") % {"y": year}]
    if errors:
        raise ValidationError(errors)
    if creating:
        result = YearlyResult(lead=lead, year=year)
    changed = [
        name for name in RESULT_FIELDS if getattr(result, name) != data.get(name, "" if name == "note" else None)
    ]
    for name in RESULT_FIELDS:
        value = data.get(name)
        setattr(result, name, (value or "").strip()[:300] if name == "note" else value)
    if creating:
        try:
            with transaction.atomic():
                result.save()
        except IntegrityError as exc:
            raise ValidationError({"year": [_("%(y)d年的数据已填报，请修改已有数据。") % {"y": year}]}) from exc
        _check(actor, result, "add")
    else:
        _check(actor, result, "change")
        bump_version(result, expected_version=version)
    text = _("%(y)d年：产值 %(o)s 万元，税收 %(t)s 万元，就业 %(j)s 人") % {
        "y": year,
        "o": _shown(result.output),
        "t": _shown(result.tax),
        "j": _shown(result.jobs),
    }
    _event(
        lead,
        actor,
        {"action": "created" if creating else "updated", "year": year, "fields": changed, "text": text},
        LeadEventType.RESULT,
    )
    return result


def _shown(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        text = f"{value:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


# --- 低效用地 thresholds -------------------------------------------------------------------------------


def _validate_thresholds(low_tax, low_output) -> None:
    errors: dict[str, list[str]] = {}
    for name, value, label in (
        ("low_tax_per_mu", low_tax, _("亩均税收预警线")),
        ("low_output_per_mu", low_output, _("亩均产值预警线")),
    ):
        if value is None:
            errors[name] = [_("请填写%(f)s。") % {"f": label}]
        elif value < 0:
            errors[name] = [_("%(f)s不能为负数。") % {"f": label}]
    if errors:
        raise ValidationError(errors)


def settings_preview(user, low_tax: Decimal, low_output: Decimal) -> int:
    """How many produced leads in `user`'s scope would show the 低效用地 warning with these lines (nothing written)."""
    _validate_thresholds(low_tax, low_output)
    proposed = InvestmentSettings(low_tax_per_mu=low_tax, low_output_per_mu=low_output)
    leads = with_latest_result(produced_leads(Lead.objects.restrict(user, "view")))
    return leads.filter(low_condition(proposed)).count()


@transaction.atomic
def settings_update(*, actor, settings: InvestmentSettings, version, low_tax: Decimal, low_output: Decimal):
    """Save the two lines (office only; optimistic locking)."""
    if actor is not None and not actor.has_perm("investment.change_investmentsettings"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("您没有修改招商设置的权限。"))
    _validate_thresholds(low_tax, low_output)
    settings.low_tax_per_mu, settings.low_output_per_mu = low_tax, low_output
    if settings.pk is None:  # no row yet (the migration seeds one)
        settings.save()
        return settings
    bump_version(settings, expected_version=version)
    return settings


# --- attachments -----------------------------------------------------------------------------------


def attachment_stages(lead: Lead) -> list[str]:
    """The stages a file may be filed under: every stage the lead has reached (terminated: up to where it left)."""
    stage = lead.terminated_from if lead.stage == LeadStage.TERMINATED else lead.stage
    if stage not in LeadStage.values or stage == LeadStage.TERMINATED:
        stage = LeadStage.NEGOTIATING
    return [str(s) for s in PIPELINE[: PIPELINE.index(LeadStage(stage)) + 1]]


@transaction.atomic
def attachment_create(*, actor, lead: Lead, uploaded, stage: str) -> LeadAttachment:
    """Store a checked upload (the projects' checks and types) filed under one of the lead's stages."""
    from tuijin.projects.constants import ATTACHMENT_TYPES
    from tuijin.utilities.uploads import store_checked_upload

    _check(actor, lead, "view")
    if stage not in attachment_stages(lead):
        raise ValidationError({"stage": [_("请选择该招商项目已到达的阶段。")]})
    attachment = LeadAttachment(lead=lead, stage=stage, uploaded_by=actor)
    checked = store_checked_upload(attachment, uploaded, ATTACHMENT_TYPES)
    name = attachment.original_name
    _check(actor, attachment, "add")
    stage_label = dict(LeadStage.choices)[stage]
    _event(
        lead,
        actor,
        {"action": "uploaded", "name": name, "stage": stage, "size": checked.size, "text": f"{stage_label}：{name}"},
        LeadEventType.ATTACHMENT,
    )
    return attachment


@transaction.atomic
def attachment_delete(*, actor, attachment: LeadAttachment) -> None:
    _check(actor, attachment, "delete")
    lead, name = attachment.lead, attachment.original_name
    stored = attachment.file.name
    same_file = LeadAttachment.objects.filter(file=stored).exclude(pk=attachment.pk).exists()
    attachment.delete()
    if stored and not same_file:
        storage = attachment.file.storage
        transaction.on_commit(lambda: storage.delete(stored))
    _event(
        lead,
        actor,
        {"action": "deleted", "name": name, "text": _("删除附件：%(n)s") % {"n": name}},
        LeadEventType.ATTACHMENT,
    )


# --- the lead page's sections and the home page's to-do --------------------------------------------


@register_panel
def results_panel(user, lead: Lead) -> dict | None:
    if not user.has_perm("investment.view_yearlyresult") or lead.production_date is None:
        return None
    if lead.stage not in PRODUCING_OR_LATER:
        return None
    rows = result_rows(lead)
    can_add = user.has_perm("investment.add_yearlyresult") and _in(user, lead, "change")
    recorded = {row.year for row in rows if row.result is not None}
    return {
        "template": "investment/panels/results.html",
        "order": 50,
        "rows": rows,
        "promised": promised(lead),
        "settings": InvestmentSettings.current(),
        "can_add": can_add,
        "can_change": user.has_perm("investment.change_yearlyresult") and can_add,
        "open_years": [y for y in result_years(lead) if y not in recorded],
        "no_land": lead.land_mu is None or lead.land_mu <= 0,
    }


def _in(user, lead: Lead, action: str) -> bool:
    return Lead.objects.restrict(user, action).filter(pk=lead.pk).exists()


@register_panel
def attachments_panel(user, lead: Lead) -> dict | None:
    if not user.has_perm("investment.view_leadattachment"):
        return None
    can_upload = user.has_perm("investment.add_leadattachment") and _in(user, lead, "change")
    attachments = list(LeadAttachment.objects.restrict(user, "view").filter(lead=lead).select_related("uploaded_by"))
    if not attachments and not can_upload:
        return None
    stages = attachment_stages(lead)
    return {
        "template": "investment/panels/attachments.html",
        "order": 60,
        "attachments": attachments,
        "can_upload": can_upload,
        "can_delete": user.has_perm("investment.delete_leadattachment"),
        "stages": [(s, dict(LeadStage.choices)[s]) for s in stages],
        "current_stage": stages[-1],
    }


@register_attention
def results_attention(user) -> list[AttentionItem]:
    """The tracking unit (a lead editor without review): produced leads whose last completed year is missing."""
    if not user.has_perm("investment.add_yearlyresult") or user.has_perm("investment.review_lead"):
        return []
    n = Lead.objects.restrict(user, "change").filter(to_fill_condition()).aggregate(n=Count("pk"))["n"]
    if not n:
        return []
    return [AttentionItem(_("待填报的达产跟踪数据"), n, f"{reverse('investment:results')}?missing=1", "warning")]
