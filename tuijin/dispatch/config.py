"""Configuration the 项目办 changes itself: warning-rule thresholds and monthly reporting windows.

Each change is validated here (plain Chinese errors by field), can be previewed first — the month's lights are
computed in memory with the proposed values, inside a transaction that is always rolled back, so a preview writes
nothing — and is saved with optimistic locking (`bump_version`, history through the change log), after which the
month's lights are re-evaluated so they never show the old thresholds or window.

The parameters a rule's form offers are those its evaluator reads (`warnings.DEFAULT_PARAMS`, one `ParamSpec`
each): percentages of the schedule 0–100 with two decimals, month counts 1–36 (the evaluator's own bounds), and
the yellow threshold less strict than the red one.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.core.locking import bump_version
from tuijin.core.periods import add_months, month_end, month_start, ym, ymd
from tuijin.progress.choices import COUNTED_STATUSES, LightColor, WarningDimension
from tuijin.progress.models import LightOverride, ProgressReport, ReportingPeriod, WarningRule
from tuijin.progress.services import period_for_reporting, reporting_period_get
from tuijin.projects.models import Project

from . import warnings
from .warnings import DEFAULT_PARAMS, MAX_LOOKBACK_MONTHS, EvaluationResult, evaluate_period

__all__ = [
    "EXAMPLES",
    "PARAM_SPECS",
    "LightPreview",
    "ParamSpec",
    "WindowPreview",
    "rule_params",
    "rule_params_validate",
    "rule_preview",
    "rule_thresholds_text",
    "rule_update",
    "window_preview",
    "window_update",
    "window_validate",
    "windows_for_year",
]

EXAMPLES = 20  # example projects a preview lists

PERCENT, MONTHS = "percent", "months"


@dataclass(frozen=True)
class ParamSpec:
    """One threshold a rule's evaluator reads: its key in `params`, a label, its kind and a hint."""

    key: str
    label: Any
    kind: str  # PERCENT (0–100, 2 decimals) or MONTHS (1–36)
    help: Any = ""


PARAM_SPECS: dict[str, list[ParamSpec]] = {
    WarningDimension.START: [
        ParamSpec(
            "red_after_months",
            gettext_lazy("连续未按计划开工月数（红灯）"),
            MONTHS,
            gettext_lazy("计划开工月算第1个月；达到该月数为红灯，不足为黄灯。"),
        )
    ],
    WarningDimension.PROGRESS: [
        ParamSpec(
            "yellow_pp",
            gettext_lazy("落后序时进度（黄灯，百分点）"),
            PERCENT,
            gettext_lazy("落后达到该百分点为黄灯，不足为绿灯。"),
        ),
        ParamSpec(
            "red_pp",
            gettext_lazy("落后序时进度（红灯，百分点）"),
            PERCENT,
            gettext_lazy("落后超过该百分点为红灯。"),
        ),
    ],
    WarningDimension.REPORTING: [],
    WarningDimension.STALLED: [
        ParamSpec(
            "months",
            gettext_lazy("连续无投资月数（红灯）"),
            MONTHS,
            gettext_lazy("在建项目连续无投资达到该月数为红灯，1个月起为黄灯。"),
        )
    ],
    WarningDimension.STATISTICS: [
        ParamSpec(
            "yellow_after_months",
            gettext_lazy("开工后未纳统月数（黄灯）"),
            MONTHS,
            gettext_lazy("开工满该月数仍未纳统为黄灯。"),
        ),
        ParamSpec(
            "red_after_months",
            gettext_lazy("开工后未纳统月数（红灯）"),
            MONTHS,
            gettext_lazy("开工满该月数仍未纳统为红灯。"),
        ),
    ],
}
# (yellow key, red key): the yellow threshold must be less strict (smaller) than the red one.
_PAIRS: dict[str, tuple[str, str]] = {
    WarningDimension.PROGRESS: ("yellow_pp", "red_pp"),
    WarningDimension.STATISTICS: ("yellow_after_months", "red_after_months"),
}
_NO_LIGHT = ""


def _plain(value: Any) -> str:
    text = f"{Decimal(str(value)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- warning rules ---------------------------------------------------------------------------------------------------


def rule_params(rule: WarningRule) -> dict[str, Any]:
    """The thresholds the evaluator uses for `rule`: its stored params over the defaults."""
    values = dict(DEFAULT_PARAMS.get(rule.dimension, {}))
    values.update({k: v for k, v in (rule.params or {}).items() if k in values})
    return values


def _number(spec: ParamSpec, raw: Any) -> Decimal | int:
    label = str(spec.label)
    if raw is None or str(raw).strip() == "":
        raise ValidationError(_("请填写%(l)s。") % {"l": label})
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(l)s须为数字。") % {"l": label}) from None
    if not value.is_finite():
        raise ValidationError(_("%(l)s须为数字。") % {"l": label})
    if spec.kind == PERCENT:
        if value < 0 or value > 100:
            raise ValidationError(_("%(l)s须在0到100之间。") % {"l": label})
        if value != value.quantize(Decimal("0.01")):
            raise ValidationError(_("%(l)s最多保留两位小数。") % {"l": label})
        return value
    if value != value.to_integral_value():
        raise ValidationError(_("%(l)s须为整数（月数）。") % {"l": label})
    if value < 1 or value > MAX_LOOKBACK_MONTHS:
        raise ValidationError(_("%(l)s须在1到%(n)d个月之间。") % {"l": label, "n": MAX_LOOKBACK_MONTHS})
    return int(value)


def rule_params_validate(rule: WarningRule, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The params for `rule` from `raw` (form values), typed and checked; ValidationError by field key otherwise.
    Returned values are JSON-ready (ints, or floats with at most two decimals)."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Decimal | int] = {}
    for spec in PARAM_SPECS.get(rule.dimension, []):
        try:
            values[spec.key] = _number(spec, raw.get(spec.key))
        except ValidationError as exc:
            errors[spec.key] = exc.messages
    pair = _PAIRS.get(rule.dimension)
    if pair and not errors and values[pair[0]] >= values[pair[1]]:
        errors[pair[0]] = [_("黄灯阈值须小于红灯阈值（黄灯应比红灯宽松）。")]
    if errors:
        raise ValidationError(errors)
    return {k: (int(v) if v == int(v) else float(v)) for k, v in values.items()}


def rule_thresholds_text(rule: WarningRule, params: Mapping[str, Any] | None = None) -> str:
    """The rule's thresholds in plain Chinese (`params`: proposed ones, default: the rule's own)."""
    p = rule_params(rule) if params is None else {**rule_params(rule), **params}
    if rule.dimension == WarningDimension.START:
        return _("计划开工月起连续%(r)s个月未开工为红灯，不足%(r)s个月为黄灯。") % {"r": _plain(p["red_after_months"])}
    if rule.dimension == WarningDimension.PROGRESS:
        return _("累计投资落后序时进度%(y)s个百分点及以上为黄灯，超过%(r)s个百分点为红灯。") % {
            "y": _plain(p["yellow_pp"]),
            "r": _plain(p["red_pp"]),
        }
    if rule.dimension == WarningDimension.REPORTING:
        return _("按填报期截止日：逾期提交为黄灯，截止后仍未提交为红灯（无阈值可设，截止日在填报期设置中调整）。")
    if rule.dimension == WarningDimension.STALLED:
        return _("在建项目连续1个月无投资为黄灯，连续%(r)s个月及以上为红灯。") % {"r": _plain(p["months"])}
    if rule.dimension == WarningDimension.STATISTICS:
        return _("开工满%(y)s个月未纳统为黄灯，满%(r)s个月为红灯。") % {
            "y": _plain(p["yellow_after_months"]),
            "r": _plain(p["red_after_months"]),
        }
    if rule.dimension == WarningDimension.FUNDS_IDLE:
        return _("资金到位后满（资金与纳统设置中的）月数减1个月仍未支付为黄灯，满该月数仍未支付为红灯。")
    if rule.dimension == WarningDimension.FUNDS_START:
        return _("资金下达后超过开工时限仍未开工为红灯。")
    if rule.dimension == WarningDimension.STATS_GAP:
        return _("调度数高出统计数超过容忍度为黄灯，超过2倍容忍度为红灯（容忍度在资金与纳统设置中调整）。")
    return ""


# --- previews --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LightChange:
    project_id: int
    name: str
    unit: str
    rule: str
    before: str  # a LightColor value, or "" for no light
    after: str

    @property
    def before_label(self) -> str:
        return _color_label(self.before)

    @property
    def after_label(self) -> str:
        return _color_label(self.after)


def _color_label(color: str) -> str:
    """红 / 黄 / 绿 as in "红→黄" (无灯: the rule gives the project no light)."""
    short: dict[str, str] = {LightColor.RED: _("红"), LightColor.YELLOW: _("黄"), LightColor.GREEN: _("绿")}
    return short.get(color, _("无灯")) if color else _("无灯")


@dataclass
class LightPreview:
    """What a change would do to one month's lights, over the projects the user may view."""

    period: date
    changes: list[LightChange] = field(default_factory=list)

    @property
    def projects(self) -> int:
        return len({c.project_id for c in self.changes})

    @property
    def transitions(self) -> list[tuple[str, str, int]]:
        counts = Counter((c.before, c.after) for c in self.changes)
        order = {LightColor.RED: 0, LightColor.YELLOW: 1, LightColor.GREEN: 2, _NO_LIGHT: 3}
        return [
            (_color_label(b), _color_label(a), n)
            for (b, a), n in sorted(counts.items(), key=lambda i: (order.get(i[0][0], 9), order.get(i[0][1], 9)))
        ]

    @property
    def examples(self) -> list[LightChange]:
        return self.changes[:EXAMPLES]

    def summary(self, lead: str) -> str:
        """e.g. "按新阈值，3 个项目的灯色将改变：红→黄 2 个，黄→绿 1 个。"."""
        if not self.changes:
            return _("%(lead)s，%(p)s没有项目的灯色会改变。") % {"lead": lead, "p": ym(self.period)}
        parts = "，".join(_("%(b)s→%(a)s %(n)d 个") % {"b": b, "a": a, "n": n} for b, a, n in self.transitions)
        return _("%(lead)s，%(p)s %(n)d 个项目的灯色将改变：%(parts)s。") % {
            "lead": lead,
            "p": ym(self.period),
            "n": self.projects,
            "parts": parts,
        }


def _overrides(period: date, rules: list[WarningRule], projects: QuerySet) -> dict[tuple[int, int], str]:
    rows = LightOverride.objects.filter(
        period=period, rule_id__in=[r.pk for r in rules], project_id__in=projects.order_by().values("pk")
    ).values_list("project_id", "rule_id", "color")
    return {(pid, rid): color for pid, rid, color in rows}


def _colors(ctx, rules: list[WarningRule], overrides: dict[tuple[int, int], str]) -> dict[tuple[int, int], str]:
    """(project, rule) → colour as `evaluate_period` would store it (overrides applied), computed in memory."""
    colors: dict[tuple[int, int], str] = {}
    for facts in ctx.facts:
        for rule in rules:
            evaluator = warnings._EVALUATORS.get(rule.dimension)
            if not rule.is_active or evaluator is None:
                continue
            outcome = evaluator(rule, facts, ctx)
            if outcome is not None:
                key = (facts.pk, rule.pk)
                colors[key] = overrides.get(key, str(outcome[0]))
    return colors


def _changes(
    before: dict[tuple[int, int], str],
    after: dict[tuple[int, int], str],
    facts: dict[int, Any],
    rules: Iterable[WarningRule],
) -> list[LightChange]:
    names = {r.pk: r.name for r in rules}
    keys = sorted(k for k in set(before) | set(after) if before.get(k, _NO_LIGHT) != after.get(k, _NO_LIGHT))
    unit_ids = {facts[pid].unit_id for pid, _rid in keys}
    from tuijin.org.models import OrgUnit

    units = dict(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "name")) if unit_ids else {}
    changes = [
        LightChange(
            pid,
            facts[pid].name,
            units.get(facts[pid].unit_id, ""),
            names[rid],
            before.get((pid, rid), _NO_LIGHT),
            after.get((pid, rid), _NO_LIGHT),
        )
        for pid, rid in keys
    ]
    return sorted(changes, key=lambda c: (c.unit, c.name))


def _scope(user) -> QuerySet:
    return Project.objects.restrict(user, "view")


def rule_preview(
    *, user, rule: WarningRule, params: Mapping[str, Any], is_active: bool, period: date, today: date | None = None
) -> LightPreview:
    """The lights of `rule` in `period` for the projects `user` may view, now and with `params` / `is_active`
    (validated ones). Writes nothing."""
    period = month_start(period)
    proposed = WarningRule(pk=rule.pk, code=rule.code, name=rule.name, dimension=rule.dimension)
    proposed.params, proposed.is_active = dict(params), is_active
    with transaction.atomic():  # the window may be created on demand while loading: never kept
        projects = _scope(user)
        ctx = warnings._load(period, projects, today=today)
        overrides = _overrides(period, [rule], projects)
        before, after = _colors(ctx, [rule], overrides), _colors(ctx, [proposed], overrides)
        transaction.set_rollback(True)
    facts = {f.pk: f for f in ctx.facts}
    return LightPreview(period=period, changes=_changes(before, after, facts, [rule]))


def _require(actor, permission: str, message: str) -> None:
    if actor is None or not actor.has_perm(permission):
        raise PermissionDenied(message)


@transaction.atomic
def rule_update(
    *,
    actor,
    rule: WarningRule,
    params: Mapping[str, Any],
    is_active: bool,
    expected_version: int | None,
    period: date | None = None,
    today: date | None = None,
) -> EvaluationResult:
    """Save `rule`'s thresholds and on/off switch (needs progress.change_warningrule; a change saved meanwhile is a
    ConflictError), then re-evaluate the lights of `period` (default: the month being reported now)."""
    _require(actor, "progress.change_warningrule", _("您没有修改预警规则的权限。"))
    clean = rule_params_validate(rule, params)
    rule.params = {**(rule.params or {}), **clean}
    rule.is_active = bool(is_active)
    rule._changelog_message = _("修改预警规则阈值：%(t)s%(s)s") % {
        "t": rule_thresholds_text(rule),
        "s": "" if rule.is_active else _("（已停用）"),
    }
    bump_version(
        rule,
        expected_version=expected_version,
        update_fields=["params", "is_active"],
        message=_("该预警规则已被他人修改（您修改的是第 %(mine)d 版，当前为第 %(now)d 版），您的修改未保存。"),
    )
    return evaluate_period(period or period_for_reporting(today), today=today)


# --- reporting windows -----------------------------------------------------------------------------------------------


def windows_for_year(year: int) -> list[ReportingPeriod]:
    """The twelve windows of `year`, January first; missing ones are created with the defaults."""
    found = {w.period: w for w in ReportingPeriod.objects.filter(period__year=year)}
    months = [date(year, m, 1) for m in range(1, 13)]
    return [found.get(p) or reporting_period_get(p) for p in months]


def window_bounds(period: date) -> tuple[date, date]:
    """The earliest opening and latest closing day allowed for `period`'s window."""
    period = month_start(period)
    return period, month_end(add_months(period, 2))


def window_validate(period: date, opens_on: date | None, closes_on: date | None) -> None:
    """ValidationError by field: both days given, the window opens no earlier than the period's first day and no
    later than the end of the next month, closes on or after it opens and by the end of the month after next."""
    period = month_start(period)
    first, last = window_bounds(period)
    latest_open = month_end(add_months(period, 1))
    errors: dict[str, list[str]] = {}
    if opens_on is None:
        errors["opens_on"] = [_("请填写填报开始日期。")]
    elif not first <= opens_on <= latest_open:
        errors["opens_on"] = [
            _("填报开始日期须在%(a)s至%(b)s之间（报告期当月或次月）。") % {"a": ymd(first), "b": ymd(latest_open)}
        ]
    if closes_on is None:
        errors["closes_on"] = [_("请填写填报截止日期。")]
    elif closes_on > last or closes_on < first:
        errors["closes_on"] = [_("填报截止日期须在%(a)s至%(b)s之间。") % {"a": ymd(first), "b": ymd(last)}]
    elif opens_on is not None and closes_on < opens_on:
        errors["closes_on"] = [_("填报截止日期不能早于开始日期。")]
    if errors:
        raise ValidationError(errors)


@dataclass
class WindowPreview:
    """A window change's effect: submitted reports whose timeliness flips, and the month's lights."""

    period: date
    to_late: int = 0
    to_on_time: int = 0
    lights: LightPreview | None = None

    def summary(self) -> str:
        if not (self.to_late or self.to_on_time):
            return _("按新填报期，%(p)s没有已提交的月报改变按时/逾期状态。") % {"p": ym(self.period)}
        return _("按新填报期，%(p)s %(l)d 份已提交的月报将由按时变为逾期，%(o)d 份将由逾期变为按时。") % {
            "p": ym(self.period),
            "l": self.to_late,
            "o": self.to_on_time,
        }


def window_preview(
    *, user, window: ReportingPeriod, opens_on: date, closes_on: date, today: date | None = None
) -> WindowPreview:
    """What moving `window` to (opens_on, closes_on) would change, over the projects `user` may view. Writes
    nothing."""
    period = window.period
    preview = WindowPreview(period=period)
    submitted = (
        ProgressReport.objects.filter(
            period=period,
            status__in=COUNTED_STATUSES,
            submitted_at__isnull=False,
            project__in=_scope(user).order_by().values("pk"),
        )
        .order_by()
        .values_list("submitted_at", flat=True)
    )
    for moment in submitted:
        day = timezone.localdate(moment)
        late_now, late_then = day > window.closes_on, day > closes_on
        preview.to_late += int(late_then and not late_now)
        preview.to_on_time += int(late_now and not late_then)
    proposed = ReportingPeriod(pk=window.pk, period=period, opens_on=opens_on, closes_on=closes_on)
    rules = [r for r in WarningRule.objects.filter(is_active=True) if r.dimension == WarningDimension.REPORTING]
    with transaction.atomic():
        projects = _scope(user)
        ctx = warnings._load(period, projects, today=today)
        overrides = _overrides(period, rules, projects)
        ctx.window = window
        before = _colors(ctx, rules, overrides)
        ctx.window = proposed
        after = _colors(ctx, rules, overrides)
        transaction.set_rollback(True)
    facts = {f.pk: f for f in ctx.facts}
    preview.lights = LightPreview(period=period, changes=_changes(before, after, facts, rules))
    return preview


@transaction.atomic
def window_update(
    *,
    actor,
    window: ReportingPeriod,
    opens_on: date | None,
    closes_on: date | None,
    expected_version: int | None,
    today: date | None = None,
) -> EvaluationResult:
    """Save a month's reporting window (needs progress.change_reportingperiod; a change saved meanwhile is a
    ConflictError), then re-evaluate that month's lights."""
    _require(actor, "progress.change_reportingperiod", _("您没有修改填报期的权限。"))
    window_validate(window.period, opens_on, closes_on)
    assert opens_on is not None and closes_on is not None  # noqa: S101 - validated above
    window.opens_on, window.closes_on = opens_on, closes_on
    window._changelog_message = _("修改%(p)s填报期：%(a)s至%(b)s") % {
        "p": ym(window.period),
        "a": ymd(opens_on),
        "b": ymd(closes_on),
    }
    bump_version(
        window,
        expected_version=expected_version,
        update_fields=["opens_on", "closes_on"],
        message=_("该月填报期已被他人修改（您修改的是第 %(mine)d 版，当前为第 %(now)d 版），您的修改未保存。"),
    )
    return evaluate_period(window.period, today=today)
