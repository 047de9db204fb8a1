"""The monthly notice (月度调度通报): its data, its content, and three writers — DOCX, PDF and an XLSX annex.

`build_notice(user, year, month)` gathers everything from the selectors (scoped to `user`). `notice_sections`
turns it into content blocks (paragraphs, tables, charts) per section; the DOCX and PDF writers render the same
blocks, so the two always say the same thing. Long lists are cut at `LIST_LIMIT` rows in DOCX/PDF with a note; the
XLSX annex has every row, as real numbers, and neutralises text that a spreadsheet could read as a formula.

The DOCX layout is a template the office can replace: `tuijin/dispatch/notice_templates/notice.docx`, or the file
named by the TUIJIN_NOTICE_TEMPLATE setting. Its placeholder paragraphs ({{标题}}, {{总体情况}}, {{分类情况}},
{{开工情况}}, {{排名}}, {{红黄灯}}, {{主要问题}}, {{下一步工作}}) are replaced by the blocks; {{年度}}, {{期间}}
and {{日期}} are replaced inside any paragraph (see notice_templates/build_template.py).

Large portfolios are generated in the background: `generate_notice_task` (django-tasks) writes the file to
MEDIA_ROOT/notices/<task result id>.<ext> with a JSON record next to it (`<id>.json`: owner, period, format,
status). No model: the record file and the task result are the state (`notice_record`, `notice_store`).
"""

import base64
import io
import json
import logging
import re
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from tuijin.core.templatetags.tuijin import wan, yi
from tuijin.facts.figures import total_missing_note
from tuijin.utilities.excel import XLSX_CONTENT_TYPE, neutralize

from . import charts, selectors
from .selectors import DashboardSummary, MissingReports, Period, ProblemRow, StartLists, TargetResult, TargetStatus

__all__ = [
    "FORMATS",
    "LIST_LIMIT",
    "PLACEHOLDERS",
    "Chart",
    "Column",
    "NoticeData",
    "NoticeMeta",
    "Paragraph",
    "Table",
    "build_notice",
    "generate_notice_task",
    "notice_docx",
    "notice_file",
    "notice_filename",
    "notice_pdf",
    "notice_pdf_document",
    "notice_pdf_html",
    "notice_record",
    "notice_records_for",
    "notice_render",
    "notice_sections",
    "notice_store",
    "notice_template_path",
    "notice_xlsx",
    "tidy",
]

logger = logging.getLogger(__name__)

FORMATS: dict[str, tuple[str, str]] = {
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "pdf": ("application/pdf", ".pdf"),
    "xlsx": (XLSX_CONTENT_TYPE, ".xlsx"),
}
LIST_LIMIT = 200  # rows of one list in the DOCX/PDF body; the XLSX annex has all rows
PLACEHOLDERS = ("标题", "领导批示", "总体情况", "分类情况", "开工情况", "排名", "红黄灯", "主要问题", "下一步工作")
DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "notice_templates" / "notice.docx"
NOTICE_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


# --------------------------------------------------------------------------------------------------------------
# Data


@dataclass
class NoticeMeta:
    """What the 项目办 sets before generating (`NoticeDraft`): 期号, 文号, issuing office and date, 下一步工作要求
    and 领导批示. `issue_no` None: the next free number of the issue year."""

    issue_no: int | None = None
    doc_no: str = ""
    office: str = ""
    issue_date: date | None = None
    next_steps: str = ""
    instructions: str = ""
    template: bytes | None = None  # the region's uploaded DOCX template (None: the built-in one)


@dataclass
class StatsNotice:
    """纳统 and funds in the notice: the month's mismatches beyond tolerance (funds.stats) and the funds lights."""

    mismatches: list[Any] = field(default_factory=list)  # funds.stats.StatsRow with `beyond`
    figures: int = 0  # projects with a 统计口径 figure that month
    lights: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # project, unit, rule, colour, text
    red: int = 0  # red funds lights


@dataclass
class NoticeData:
    """Everything one notice says, computed once from the selectors for one user and period."""

    period: Period
    summary: DashboardSummary
    starts: StartLists
    missing: MissingReports
    problems: list[ProblemRow]
    generated_on: date
    meta: NoticeMeta = field(default_factory=NoticeMeta)
    stats: StatsNotice = field(default_factory=StatsNotice)

    @property
    def place(self) -> str:
        """全区 / 全县 / 全市 …: the word for the notice's region (schedule.place_word)."""
        return getattr(self.period, "place_word", "") or _("全区")

    @property
    def title(self) -> str:
        return _("关于%(year)d年%(span)s%(place)s重点项目建设情况的通报") % {
            "year": self.period.year,
            "span": self.period.span_label,
            "place": self.place,
        }

    @property
    def span(self) -> str:
        """ "2026年1—9月"."""
        return _("%(year)d年%(span)s") % {"year": self.period.year, "span": self.period.span_label}

    @property
    def issue_date(self) -> date:
        return self.meta.issue_date or self.generated_on

    @property
    def issue_label(self) -> str:
        """ "第3期" ("第  期" when no number is set yet)."""
        if self.meta.issue_no:
            return _("第%(n)d期") % {"n": self.meta.issue_no}
        return _("第　期")

    @property
    def office(self) -> str:
        return self.meta.office or _("重点项目建设办公室")


def build_notice(user, year: int, month: int, *, meta: NoticeMeta | None = None) -> NoticeData:
    """The notice of `year`-`month` as `user` may see it (their dashboard scope); `meta` defaults to the period's
    saved `NoticeDraft` of the user's region (with the region's office name and the next issue number)."""
    summary = selectors.dashboard_summary(user, int(year), int(month))
    period = summary.period  # with the region's 序时进度 schedule and wording (schedule.SchedulePeriod)
    if meta is None:
        from .notice_services import notice_meta_for

        meta = notice_meta_for(user, period.year, period.month)
    return NoticeData(
        period=period,
        summary=summary,
        starts=selectors.start_lists(user, period.year, period.month),
        missing=selectors.missing_reports(user, period.start),
        problems=_notice_problems(user, period.year, period.month),
        generated_on=timezone.localdate(),
        meta=meta,
        stats=stats_notice(user, period.start),
    )


def stats_notice(user, month: date) -> StatsNotice:
    """The month's 纳统 mismatches and funds lights (red, yellow) over the user's dashboard scope."""
    from tuijin.funds.stats import month_rows
    from tuijin.progress.choices import LightColor
    from tuijin.progress.models import WarningLight
    from tuijin.projects.models import Project

    from .warnings import FUNDS_DIMENSIONS

    rows = month_rows(user, month, action="dashboard")
    lights = WarningLight.objects.filter(
        period=month,
        # 资金使用预警: the money's lights (the 统计口径差异 lights are the mismatch table above)
        rule__dimension__in=[d for d in FUNDS_DIMENSIONS if d != "stats_gap"],
        rule__is_active=True,
        color__in=[LightColor.RED, LightColor.YELLOW],
        project__in=Project.objects.restrict(user, "dashboard").order_by().values("pk"),
    ).select_related("project__responsible_unit", "rule")
    ordered = sorted(
        lights, key=lambda light: (light.color != LightColor.RED, light.project.name, light.rule.sort_order)
    )
    return StatsNotice(
        mismatches=[r for r in rows if r.beyond],
        figures=sum(1 for r in rows if r.figure is not None),
        lights=[
            (
                light.project.name,
                light.project.responsible_unit.name if light.project.responsible_unit else "",
                light.rule.name,
                light.get_color_display(),
                light.explanation,
            )
            for light in ordered
        ],
        red=sum(1 for light in ordered if light.color == LightColor.RED),
    )


# --------------------------------------------------------------------------------------------------------------
# Content blocks


_DOUBLED = re.compile(r"([。；，、：！？])[。；，、：！？]+")


def tidy(text: str) -> str:
    """Text without doubled punctuation: a run such as "。；" or "；。" keeps its last mark."""
    return _DOUBLED.sub(lambda m: m.group(0)[-1], text)


@dataclass
class Paragraph:
    text: str
    style: str = "body"  # body | caption (table/chart title) | note | title | instruction
    kind: str = "paragraph"

    def __post_init__(self) -> None:
        self.text = tidy(self.text)


# PDF column widths in em of the table's font, cell padding included: text columns holding a few characters (a
# category, a status) get what their heading and values need; number columns what their figures need.
NARROW_TEXT = {
    "问题类别": 5.0,
    "状态": 5.0,
    "单位": 3.0,
    "工单编号": 8.5,
    "指标": 7.0,
    "责任单位": 7.0,
    "预警事项": 7.0,
}
_TYPE_WIDTH = {"int": 3.0, "money": 6.5, "number": 6.5, "pct": 4.9, "pp": 4.5, "date": 6.5}
_LINE_EM = {False: 50.4, True: 56.7}  # 160 mm of A4 text width at 9 pt / at 8 pt (tables of 9 or more columns)


@dataclass
class Column:
    label: str
    type: str = "text"  # text | int | money (万元) | pct (%) | pp (percentage points) | date

    @property
    def fixed_em(self) -> float | None:
        """The PDF width in em of a column that needs no more (None: it shares the rest of the line)."""
        if self.type == "text":
            return NARROW_TEXT.get(self.label)
        # A heading over a number column wraps on two lines (at most 6 em wide).
        return max(_TYPE_WIDTH.get(self.type, 5.0), min(len(self.label) / 2 + 1, 6.0))


@dataclass
class Table:
    title: str
    sheet: str  # the XLSX sheet name (≤ 31 characters)
    columns: list[Column]
    rows: list[list[Any]]
    kind: str = "table"
    annex_only: bool = False  # only in the XLSX annex (the body says the same in words)
    total: list[Any] | None = None  # the 合计 row (sums of the rows above), shown after them

    @property
    def widths(self) -> list[str]:
        """Each column's share of the PDF line (%): number and short text columns as wide as they need, the text
        columns share the rest (at least 6 em each), so no heading or short value wraps one character per line."""
        fixed = [column.fixed_em for column in self.columns]
        flexible = sum(1 for width in fixed if width is None)
        line = _LINE_EM[self.small]
        rest = max(line - sum(width or 0 for width in fixed), 6.0 * flexible)
        ems = [width if width is not None else rest / flexible for width in fixed]
        whole = sum(ems)
        return [f"{100 * em / whole:.1f}%" for em in ems]

    @property
    def small(self) -> bool:
        return len(self.columns) >= 9

    def formatted_total(self) -> list[tuple[str, bool]] | None:
        if self.total is None:
            return None
        return [
            (tidy(_cell_text(value, column.type)), column.type != "text")
            for value, column in zip(self.total, self.columns, strict=True)
        ]

    def formatted(self, limit: int | None = None) -> list[list[tuple[str, bool]]]:
        """Rows as display text with a right-align flag, at most `limit` (default LIST_LIMIT) rows."""
        rows = self.rows[: LIST_LIMIT if limit is None else limit]
        return [
            [
                (tidy(_cell_text(value, column.type)), column.type != "text")
                for value, column in zip(row, self.columns, strict=True)
            ]
            for row in rows
        ]

    @property
    def truncated_note(self) -> str:
        if len(self.rows) <= LIST_LIMIT:
            return ""
        return _("（共%(n)d项，此处列出前%(limit)d项，完整清单见Excel附表“%(sheet)s”。）") % {
            "n": len(self.rows),
            "limit": LIST_LIMIT,
            "sheet": self.sheet,
        }


@dataclass
class Chart:
    title: str
    png: bytes
    width_cm: float = 15.5
    kind: str = "chart"

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


Block = Paragraph | Table | Chart


def _cell_text(value: Any, type_: str) -> str:
    if value is None or value == "":
        return "—" if type_ != "text" else ""
    if type_ == "money":
        return wan(value)
    if type_ == "number":
        number = Decimal(value)
        return f"{number:,.0f}" if number == number.to_integral_value() else wan(number)
    if type_ == "pct":
        return f"{selectors.display(Decimal(value))}%"
    if type_ == "pp":
        return selectors.signed_pp(Decimal(value))
    if type_ == "date":
        return value.strftime("%Y-%m-%d") if isinstance(value, date) else str(value)
    return str(value)


def _pct(value: Decimal | None) -> str:
    shown = selectors.display(value)
    return "—" if shown is None else f"{shown}%"


def _versus_schedule(delta: Decimal | None) -> str:
    shown = selectors.display(delta)
    if shown is None:
        return ""
    if shown > 0:
        return _("超过序时进度%(pp)s个百分点") % {"pp": shown}
    if shown < 0:
        return _("低于序时进度%(pp)s个百分点") % {"pp": -shown}
    return _("与序时进度持平")


def _with_missing(groups: Sequence[selectors.Group]) -> bool:
    """Whether a breakdown needs its 未填总投资 column: some of its projects have no 总投资."""
    return any(g.total_missing for g in groups)


def _group_columns(first: str, *, missing: bool = False) -> list[Column]:
    """A breakdown's columns; with `missing`, a last column counts the projects whose 总投资 is 未填 (the 总投资
    column sums the known totals only)."""
    columns = [
        Column(first),
        Column(_("项目数（个）"), "int"),
        Column(_("总投资（万元）"), "money"),
        Column(_("年度计划（万元）"), "money"),
        Column(_("累计完成（万元）"), "money"),
        Column(_("完成率（%）"), "pct"),
        Column(_("较序时进度（百分点）"), "pp"),
    ]
    if missing:
        columns.append(Column(_("未填总投资（个）"), "int"))
    return columns


def _group_rows(groups: Sequence[selectors.Group], *, missing: bool = False) -> list[list[Any]]:
    return [
        [g.label, g.count, g.total_investment, g.plan, g.ytd, g.rate, g.delta, *([g.total_missing] if missing else [])]
        for g in groups
    ]


def _group_total(groups: Sequence[selectors.Group], schedule: Decimal, *, missing: bool = False) -> list[Any]:
    """合计 of a breakdown: the sums of the rows, the rate of the sums and its distance from 序时进度."""
    count = sum(g.count for g in groups)
    total = sum((g.total_investment for g in groups), Decimal(0))
    plan = sum((g.plan for g in groups), Decimal(0))
    ytd = sum((g.ytd for g in groups), Decimal(0))
    rate = selectors.rate(ytd, plan)
    row = [_("合计"), count, total, plan, ytd, rate, None if rate is None else rate - schedule]
    if missing:
        row.append(sum(g.total_missing for g in groups))
    return row


def _group_table(title: str, sheet: str, first: str, groups: Sequence[selectors.Group], schedule: Decimal) -> Table:
    missing = _with_missing(groups)
    return Table(
        title,
        sheet,
        _group_columns(first, missing=missing),
        _group_rows(groups, missing=missing),
        total=_group_total(groups, schedule, missing=missing) if groups else None,
    )


def _sentence_items(texts) -> str:
    """Items joined with "；" (each item's own closing mark dropped, so no "。；")."""
    return "；".join(t.rstrip("。；，") for t in texts if t)


def _project_rate_table(title: str, sheet: str, rows: list[selectors.ProjectRate]) -> Table:
    columns = [
        Column(_("序号"), "int"),
        Column(_("项目名称")),
        Column(_("责任单位")),
        Column(_("年度计划（万元）"), "money"),
        Column(_("累计完成（万元）"), "money"),
        Column(_("完成率（%）"), "pct"),
    ]
    return Table(
        title, sheet, columns, [[i, r.name, r.unit, r.plan, r.ytd, r.rate] for i, r in enumerate(rows, start=1)]
    )


def _project_list_table(title: str, sheet: str, rows: list[selectors.ProjectRow]) -> Table:
    columns = [
        Column(_("序号"), "int"),
        Column(_("项目名称")),
        Column(_("责任单位")),
        Column(_("计划开工"), "date"),
        Column(_("计划开工季度"), "int"),
        Column(_("实际开工"), "date"),
    ]
    return Table(
        title,
        sheet,
        columns,
        [[i, r.name, r.unit, r.planned_start, r.start_quarter, r.actual_start] for i, r in enumerate(rows, start=1)],
    )


def _light_table(title: str, sheet: str, rows: list[selectors.LightProject]) -> Table:
    columns = [
        Column(_("序号"), "int"),
        Column(_("项目名称")),
        Column(_("责任单位")),
        Column(_("预警事项")),
        Column(_("说明")),
    ]
    return Table(
        title,
        sheet,
        columns,
        [
            [
                i,
                r.name,
                r.unit,
                _sentence_items(item.rule for item in r.items),
                _sentence_items(item.explanation for item in r.items),
            ]
            for i, r in enumerate(rows, start=1)
        ],
    )


def _target_table(title: str, sheet: str, target: selectors.TargetSet) -> Table:
    columns = [
        Column(_("范围")),
        Column(_("年度计划（万元）"), "money"),
        Column(_("完成投资（万元）"), "money"),
        Column(_("完成率（%）"), "pct"),
        Column(_("目标（%）"), "pct"),
        Column(_("状态")),
        Column(_("按当前进度预计（%）"), "pct"),
        Column(_("尚需月均完成（万元）"), "money"),
    ]
    with_starts = target.units and target.district.planned_starts is not None
    if with_starts:
        columns += [Column(_("一季度计划开工（个）"), "int"), Column(_("已开工（个）"), "int")]
    rows = []
    for r in [target.district, *target.units, *target.categories]:
        row = [
            r.label,
            r.plan,
            r.invested,
            r.actual_rate,
            r.target_rate,
            r.status_label,
            r.forecast_rate,
            r.needed_monthly,
        ]
        if with_starts:
            row += [r.planned_starts, r.started]
        rows.append(row)
    return Table(title, sheet, columns, rows)


def _target_sentence(name: str, r: TargetResult, *, month_label: str) -> str:
    invested = {
        "name": name,
        "when": month_label,
        "amount": yi(r.invested),
        "rate": _pct(r.actual_rate),
        "target": f"{r.target_rate:.0f}%",
    }
    if r.status == TargetStatus.NOT_APPLICABLE:
        return _("%(name)s：无年度计划投资。") % invested
    starts = ""
    if r.planned_starts:
        starts = _("，计划一季度开工项目%(n)d个、已开工%(m)d个") % {"n": r.planned_starts, "m": r.started or 0}
    if r.status == TargetStatus.IN_PROGRESS:
        return _(
            "%(name)s（目标%(target)s）：截至目前完成投资%(amount)s亿元，占年度计划的%(rate)s%(starts)s；"
            "按当前进度预计%(when)s完成%(forecast)s，尚需每月完成%(need)s亿元。"
        ) % {**invested, "starts": starts, "forecast": _pct(r.forecast_rate), "need": yi(r.needed_monthly)}
    return _(
        "%(name)s（目标%(target)s）：%(when)s完成投资%(amount)s亿元，占年度计划的%(rate)s%(starts)s，%(status)s。"
    ) % {**invested, "starts": starts, "status": r.status_label}


def _schedule_phrase(data: NoticeData) -> str:
    """ "1—9月应完成75%" (the region's schedule and month style), or the plain percentage for a bare Period."""
    phrase = getattr(data.period, "schedule_phrase", "")
    return phrase or _pct(data.summary.schedule)


def _overview(data: NoticeData, with_charts: bool) -> list[Block]:
    s = data.summary
    blocks: list[Block] = []
    if s.rate is None:
        progress = _("尚无年度计划投资")
    else:
        versus = _versus_schedule(s.delta)
        progress = _("占年度计划的%(rate)s，%(versus)s（序时进度：%(phrase)s）") % {
            "rate": _pct(s.rate),
            "versus": versus,
            "phrase": _schedule_phrase(data),
        }
    values = {
        "span": data.span,
        "place": data.place,
        "n": s.project_count,
        "total": yi(s.total_investment),
        "plan": yi(s.plan),
        "ytd": yi(s.ytd),
        "progress": progress,
    }
    if s.total_missing:  # the sum leaves the unknown totals out, and says how many
        text = _(
            "%(span)s，%(place)s纳入年度计划的重点项目%(n)d个，总投资%(total)s亿元（%(note)s），"
            "年度计划投资%(plan)s亿元；累计完成投资%(ytd)s亿元，%(progress)s。"
        ) % {**values, "note": total_missing_note(s.total_missing, compact=True)}
    else:
        text = (
            _(
                "%(span)s，%(place)s纳入年度计划的重点项目%(n)d个，总投资%(total)s亿元，年度计划投资%(plan)s亿元；"
                "累计完成投资%(ytd)s亿元，%(progress)s。"
            )
            % values
        )
    blocks.append(Paragraph(text))
    t = s.targets
    blocks.append(Paragraph(_target_sentence(t.kaimenhong.name, t.kaimenhong.district, month_label=_("一季度末"))))
    blocks.append(Paragraph(_target_sentence(t.shuangguoban.name, t.shuangguoban.district, month_label=_("上半年"))))
    m = data.missing
    blocks.append(
        Paragraph(
            _("本期应报月报项目%(expected)d个，已报%(reported)d个，未上报%(missing)d个。")
            % {"expected": m.expected, "reported": m.reported, "missing": m.missing}
        )
    )
    if with_charts:
        points = s.trend
        tenk = Decimal(10000)
        blocks.append(
            Chart(
                _("%(year)d年月度完成投资与累计进度（亿元）") % {"year": data.period.year},
                charts.trend_chart(
                    [_("%(m)d月") % {"m": p.month} for p in points],
                    [None if p.amount is None else p.amount / tenk for p in points],
                    [None if p.cumulative is None else p.cumulative / tenk for p in points],
                    [p.plan_line / tenk for p in points],
                    title=_("%(year)d年月度完成投资与累计进度") % {"year": data.period.year},
                    legend=(_("当月完成"), _("累计完成"), _("序时进度计划")),
                    unit=_("亿元"),
                ),
            )
        )
    blocks.append(
        Table(
            _("总体情况"),
            _("总体"),
            [Column(_("指标")), Column(_("数值"), "number"), Column(_("单位"))],
            _overview_rows(data),
            annex_only=True,
        )
    )
    return blocks


def _overview_rows(data: NoticeData) -> list[list[Any]]:
    s = data.summary
    d = selectors.display
    yuan, item, percent, points = _("万元"), _("个"), "%", _("个百分点")
    missing = [[_("未填总投资项目"), Decimal(s.total_missing), item]] if s.total_missing else []
    return [
        [_("项目数"), Decimal(s.project_count), item],
        [_("总投资"), s.total_investment, yuan],
        *missing,  # not in the 总投资 above
        [_("年度计划投资"), s.plan, yuan],
        [_("累计完成投资"), s.ytd, yuan],
        [_("占年度计划"), d(s.rate), percent],
        [_("序时进度"), d(s.schedule), percent],
        [_("较序时进度"), d(s.delta), points],
        [_("计划新开工项目"), Decimal(s.starts.planned), item],
        [_("已开工项目"), Decimal(s.starts.started), item],
        [_("开工率"), d(s.starts.rate), percent],
        [_("开复工率"), d(s.resume_rate), percent],
        [_("竣工率"), d(s.completions.rate), percent],
    ]


def _categories(data: NoticeData) -> list[Block]:
    s = data.summary
    by = {g.key: g for g in s.by_category}
    parts = []
    groups = [
        (_("新开工项目"), [by.get(selectors.YearlyCategory.NEW)]),
        (_("续建项目"), [by.get(selectors.YearlyCategory.CONTINUING)]),
        (
            _("当年竣工项目"),
            [by.get(selectors.YearlyCategory.NEW_COMPLETED), by.get(selectors.YearlyCategory.CONTINUING_COMPLETED)],
        ),
        (_("前期项目"), [by.get(selectors.YearlyCategory.PREPARATION)]),
    ]
    for label, members in groups:
        present = [g for g in members if g is not None]
        if not present:
            continue
        count, plan, ytd = sum(g.count for g in present), sum(g.plan for g in present), sum(g.ytd for g in present)
        parts.append(
            _("%(label)s%(n)d个，年度计划投资%(plan)s亿元，完成%(ytd)s亿元，完成率%(rate)s")
            % {"label": label, "n": count, "plan": yi(plan), "ytd": yi(ytd), "rate": _pct(selectors.rate(ytd, plan))}
        )
    blocks: list[Block] = []
    if parts:
        blocks.append(Paragraph(_("分类别看：") + "；".join(parts) + "。"))
    blocks += [
        _group_table(_("按年度类别"), _("年度类别"), _("年度类别"), s.by_category, s.schedule),
        _group_table(_("按投资领域"), _("投资领域"), _("投资领域"), s.by_domain, s.schedule),
        Table(
            _("按项目级别（一个项目有多个级别时分别计入）"),
            _("项目级别"),
            _group_columns(_("项目级别"), missing=_with_missing(s.by_level)),
            _group_rows(s.by_level, missing=_with_missing(s.by_level)),
        ),
        _group_table(_("按主导产业（产业链）"), _("产业链"), _("产业链"), s.by_chain, s.schedule),
    ]
    return blocks


def _starts(data: NoticeData) -> list[Block]:
    s = data.summary
    st, c = s.starts, s.completions
    blocks: list[Block] = [
        Paragraph(
            _(
                "计划新开工项目%(planned)d个，已开工%(started)d个，开工率%(rate)s，其中提前开工%(early)d个；"
                "未按计划开工%(late)d个；计划外开工%(unplanned)d个（计入后开工率%(rate2)s）。"
            )
            % {
                "planned": st.planned,
                "started": st.started,
                "rate": _pct(st.rate),
                "early": st.early,
                "late": st.late,
                "unplanned": st.unplanned,
                "rate2": _pct(st.rate_with_unplanned),
            }
        ),
        Paragraph(
            _("计划当年竣工项目%(planned)d个，已竣工%(done)d个，竣工率%(rate)s；提前竣工%(early)d个。")
            % {"planned": c.planned, "done": c.completed, "rate": _pct(c.rate), "early": c.early}
        ),
        Paragraph(
            _("开复工项目%(n)d个（新开工%(new)d个、续建复工%(resumed)d个），占年度计划项目的%(rate)s。")
            % {
                "n": s.resumed,
                "new": st.started_new,
                "resumed": s.resumed - st.started_new,
                "rate": _pct(s.resume_rate),
            }
        ),
    ]
    for title, sheet, rows in (
        (_("未按计划开工项目"), _("未按计划开工"), data.starts.late),
        (_("提前开工项目"), _("提前开工"), data.starts.early),
        (_("计划外开工项目"), _("计划外开工"), data.starts.unplanned),
    ):
        if rows:
            blocks.append(_project_list_table(title, sheet, rows))
    return blocks


def _rankings(data: NoticeData, with_charts: bool) -> list[Block]:
    s = data.summary
    blocks: list[Block] = []
    ranked = [u for u in s.unit_ranking if u.rank]
    if ranked:
        head = "、".join(f"{u.label}（{_pct(u.rate)}）" for u in ranked[:3])
        text = _("按责任单位排名（年度计划投资完成率），居前的是%(head)s") % {"head": head}
        if len(ranked) > 3:
            tail = "、".join(f"{u.label}（{_pct(u.rate)}）" for u in ranked[-3:][::-1])
            text += _("；居后的是%(tail)s") % {"tail": tail}
        blocks.append(Paragraph(text + "。"))
    if with_charts and s.unit_ranking:
        rows = [(u.label, u.rate) for u in s.unit_ranking[:40]]
        blocks.append(
            Chart(
                _("各责任单位年度计划完成率"),
                charts.unit_rate_chart(
                    rows, s.schedule, title=_("各责任单位年度计划完成率"), schedule_label=_("序时进度")
                ),
            )
        )
    missing = _with_missing(s.unit_ranking)
    columns = [Column(_("名次"), "int"), *_group_columns(_("责任单位"), missing=missing)]
    unit_rows = _group_rows(s.unit_ranking, missing=missing)
    blocks.append(
        Table(
            _("责任单位排名"),
            _("单位排名"),
            columns,
            [[u.rank or None, *row] for u, row in zip(s.unit_ranking, unit_rows, strict=True)],
            total=[None, *_group_total(s.unit_ranking, s.schedule, missing=missing)] if s.unit_ranking else None,
        )
    )
    blocks.append(_project_rate_table(_("进度最快的十个项目（十快）"), _("十快"), s.fastest))
    blocks.append(_project_rate_table(_("进度最慢的十个项目（十慢）"), _("十慢"), s.slowest))
    t = s.targets
    blocks.append(_target_table(_("开门红（一季度投资≥25%且计划开工项目全部开工）"), _("开门红"), t.kaimenhong))
    blocks.append(_target_table(_("双过半（上半年投资≥50%）"), _("双过半"), t.shuangguoban))
    if data.missing.units:
        blocks.append(
            Table(
                _("未上报月报项目（按责任单位）"),
                _("未上报"),
                [Column(_("责任单位")), Column(_("未上报（个）"), "int"), Column(_("项目"))],
                [[u.unit, u.count, "、".join(name for _pk, name in u.projects)] for u in data.missing.units],
                total=[_("合计"), sum(u.count for u in data.missing.units), ""],
            )
        )
    return blocks


def _lights(data: NoticeData) -> list[Block]:
    s = data.summary
    blocks: list[Block] = [
        Paragraph(_("本期亮红灯项目%(red)d个、黄灯项目%(yellow)d个。") % {"red": len(s.red), "yellow": len(s.yellow)})
    ]
    if s.red:
        blocks.append(_light_table(_("红灯项目"), _("红灯"), s.red))
    if s.yellow:
        blocks.append(_light_table(_("黄灯项目"), _("黄灯"), s.yellow))
    return blocks


def _notice_problems(user, year: int, month: int) -> list:
    """The coordination tickets (open, or raised in the month) followed by report problems not yet ticketed."""
    from tuijin.tickets.selectors import notice_problems

    return [*notice_problems(user, year, month), *selectors.report_problems(user, year, month)]


def _problems(data: NoticeData) -> list[Block]:
    if not data.problems:
        return [Paragraph(_("本期无在办协调事项，月报未反映问题。"))]
    counts = Counter(p.category for p in data.problems)
    detail = "、".join(_("%(c)s%(n)d个") % {"c": c, "n": n} for c, n in counts.most_common())
    tickets = sum(1 for p in data.problems if getattr(p, "number", ""))
    overdue = sum(1 for p in data.problems if getattr(p, "overdue", False))
    columns = [
        Column(_("序号"), "int"),
        Column(_("问题类别")),
        Column(_("项目名称")),
        Column(_("责任单位")),
        Column(_("问题描述")),
        Column(_("需协调事项")),
        Column(_("工单编号")),
        Column(_("办结时限"), "date"),
        Column(_("状态")),
    ]
    return [
        Paragraph(
            _(
                "截至本期在办及本月新增协调事项%(t)d个（其中超期%(o)d个），月报新反映未交办问题%(r)d个；按类别：%(detail)s。"
            )
            % {"t": tickets, "o": overdue, "r": len(data.problems) - tickets, "detail": detail}
        ),
        Table(
            _("主要问题及协调事项"),
            _("主要问题"),
            columns,
            [
                [
                    i,
                    p.category,
                    p.project,
                    p.unit,
                    p.description,
                    p.help_requested,
                    getattr(p, "number", ""),
                    getattr(p, "resolution_due", None),
                    (getattr(p, "status", "") or _("待交办")) + (_("（超期）") if getattr(p, "overdue", False) else ""),
                ]
                for i, p in enumerate(data.problems, start=1)
            ],
        ),
    ]


def _stats(data: NoticeData) -> list[Block]:
    """纳统 (调度口径 vs 统计口径) and the funds lights, after the problems; nothing when the month has neither."""
    st = data.stats
    blocks: list[Block] = []
    if st.figures or st.mismatches:
        blocks.append(
            Paragraph(
                _("纳统情况：本月统计局录入统计口径数据的项目%(f)d个，调度数与统计数差异超过容忍度的项目%(n)d个。")
                % {"f": st.figures, "n": len(st.mismatches)}
            )
        )
    if st.mismatches:
        blocks.append(
            Table(
                _("调度口径与统计口径差异"),
                _("纳统差异"),
                [
                    Column(_("序号"), "int"),
                    Column(_("项目名称")),
                    Column(_("责任单位")),
                    Column(_("调度数（万元）"), "money"),
                    Column(_("统计数（万元）"), "money"),
                    Column(_("差异（万元）"), "money"),
                    Column(_("入库")),
                ],
                [
                    [i, r.name, r.unit_name, r.dispatch, r.stats, r.gap, _("已入库") if r.in_database else _("未入库")]
                    for i, r in enumerate(st.mismatches, start=1)
                ],
            )
        )
    if st.lights:
        blocks.append(
            Paragraph(_("资金使用预警：亮灯%(n)d项（其中红灯%(r)d项）。") % {"n": len(st.lights), "r": st.red})
        )
        blocks.append(
            Table(
                _("资金使用预警"),
                _("资金预警"),
                [
                    Column(_("序号"), "int"),
                    Column(_("项目名称")),
                    Column(_("责任单位")),
                    Column(_("预警事项")),
                    Column(_("颜色")),
                    Column(_("说明")),
                ],
                [[i, *light] for i, light in enumerate(st.lights, start=1)],
            )
        )
    return blocks


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace("\r", "").split("\n") if line.strip()]


def _next_steps(data: NoticeData) -> list[Block]:
    lines = _lines(data.meta.next_steps)
    if not lines:
        return [Paragraph(_("（预览稿：下一步工作要求尚未填写，发布前请在通报页面填写。）"), "note")]
    return [Paragraph(line) for line in lines]


def _instructions(data: NoticeData) -> list[Block]:
    lines = _lines(data.meta.instructions)
    if not lines:
        return []
    return [Paragraph(_("领导批示："), "instruction"), *[Paragraph(line, "instruction") for line in lines]]


def notice_sections(data: NoticeData, *, with_charts: bool = True) -> dict[str, list[Block]]:
    """The content of each placeholder section, in document order."""
    return {
        "标题": [Paragraph(data.title, "title")],
        "领导批示": _instructions(data),
        "总体情况": _overview(data, with_charts),
        "分类情况": _categories(data),
        "开工情况": _starts(data),
        "排名": _rankings(data, with_charts),
        "红黄灯": _lights(data),
        "主要问题": [*_problems(data), *_stats(data)],
        "下一步工作": _next_steps(data),
    }


SECTION_HEADINGS = {
    "总体情况": "一、总体情况",
    "分类情况": "二、分类推进情况",
    "开工情况": "三、开工竣工情况",
    "排名": "四、排名情况",
    "红黄灯": "五、预警亮灯情况",
    "主要问题": "六、存在的主要问题",
    "下一步工作": "七、下一步工作",
}


def _inline_values(data: NoticeData) -> dict[str, str]:
    day = data.issue_date
    return {
        "{{年度}}": str(data.period.year),
        "{{期间}}": data.span,
        "{{日期}}": _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day},
        "{{标题}}": data.title,
        "{{期号}}": data.issue_label,
        "{{文号}}": data.meta.doc_no,
        "{{发文单位}}": data.office,
    }


# --------------------------------------------------------------------------------------------------------------
# DOCX


def notice_template_path() -> Path:
    configured = getattr(settings, "TUIJIN_NOTICE_TEMPLATE", "") or ""
    return Path(configured) if configured else DEFAULT_TEMPLATE


def _style(doc, name: str):
    try:
        return doc.styles[name]
    except KeyError:
        return None


def _docx_table(doc, table: Table):
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    cell_style = _style(doc, "表格文字")
    rows = table.formatted()
    result = doc.add_table(rows=1 + len(rows), cols=len(table.columns))
    if _style(doc, "Table Grid") is not None:
        result.style = doc.styles["Table Grid"]
    result.alignment = WD_TABLE_ALIGNMENT.CENTER

    def fill(cell, text: str, *, right: bool = False, bold: bool = False) -> None:
        paragraph = cell.paragraphs[0]
        if cell_style is not None:
            paragraph.style = cell_style
        else:
            paragraph.paragraph_format.first_line_indent = Pt(0)
        run = paragraph.add_run(text)
        if cell_style is None:
            run.font.size = Pt(10.5)
        run.bold = bold or None
        if right:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif bold:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    all_rows = result.rows
    for cell, column in zip(all_rows[0].cells, table.columns, strict=True):
        fill(cell, column.label, bold=True)
    for row, values in zip(all_rows[1:], rows, strict=True):
        for cell, (text, right) in zip(row.cells, values, strict=True):
            fill(cell, text, right=right)
    total = table.formatted_total()
    if total is not None:
        cells = result.add_row().cells
        for cell, (text, right) in zip(cells, total, strict=True):
            fill(cell, text, right=right, bold=True)
            if right:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return result


def _replace_placeholder(doc, placeholder, blocks: list[Block]) -> None:
    from docx.shared import Cm

    caption, note = _style(doc, "表题"), _style(doc, "表注")
    for block in blocks:
        if isinstance(block, Paragraph):
            style = {"caption": caption, "note": note}.get(block.style) or placeholder.style
            placeholder.insert_paragraph_before(block.text, style=style)
        elif isinstance(block, Table) and not block.annex_only:
            placeholder.insert_paragraph_before(block.title, style=caption or placeholder.style)
            table = _docx_table(doc, block)
            placeholder._p.addprevious(table._tbl)
            if block.truncated_note:
                placeholder.insert_paragraph_before(block.truncated_note, style=note or placeholder.style)
            elif note is not None:
                placeholder.insert_paragraph_before("", style=note)
        elif isinstance(block, Chart):
            picture = placeholder.insert_paragraph_before("", style=caption or placeholder.style)
            picture.add_run().add_picture(io.BytesIO(block.png), width=Cm(block.width_cm))
    element = placeholder._element
    element.getparent().remove(element)


def _replace_inline(paragraph, values: dict[str, str]) -> None:
    text = paragraph.text
    if "{{" not in text:
        return
    replaced = text
    for key, value in values.items():
        replaced = replaced.replace(key, value)
    if replaced == text:
        return
    runs = paragraph.runs
    if runs:
        runs[0].text = replaced
        for run in runs[1:]:
            run.text = ""


def _paragraphs_everywhere(doc):
    yield from doc.paragraphs
    for section in doc.sections:
        for part in (section.header, section.footer):
            yield from part.paragraphs
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def notice_docx(data: NoticeData, *, sections: dict[str, list[Block]] | None = None) -> bytes:
    """The notice as a Word document laid out by the (replaceable) template."""
    from docx import Document

    sections = sections if sections is not None else notice_sections(data)
    template = data.meta.template
    doc = Document(io.BytesIO(template) if template is not None else str(notice_template_path()))
    found = {}
    for paragraph in doc.paragraphs:
        match = re.fullmatch(r"\s*\{\{\s*(\S+?)\s*\}\}\s*", paragraph.text)
        if match and match.group(1) in sections:
            found[match.group(1)] = paragraph
    missing = [name for name in sections if name not in found and sections[name]]
    if missing:
        source = "uploaded" if template is not None else notice_template_path()
        logger.warning("notice template %s lacks placeholders: %s", source, ", ".join(missing))
    values = _inline_values(data)
    for paragraph in list(_paragraphs_everywhere(doc)):
        _replace_inline(paragraph, values)
    for name, paragraph in found.items():
        if name == "标题":
            paragraph.runs[0].text = data.title if paragraph.runs else ""
            for run in paragraph.runs[1:]:
                run.text = ""
            continue
        _replace_placeholder(doc, paragraph, sections[name])
    props = doc.core_properties
    props.title = data.title
    props.author = _("推进 重点项目建设管理平台")
    props.created = props.modified = timezone.now().replace(tzinfo=None, microsecond=0)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------------------------
# PDF


def notice_pdf_document(data: NoticeData, *, sections: dict[str, list[Block]] | None = None):
    """The notice laid out by WeasyPrint (A4, Noto CJK fonts): a `weasyprint.Document` (pages, text boxes)."""
    from weasyprint import HTML

    html = notice_pdf_html(data, sections=sections)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render()


def notice_pdf_html(data: NoticeData, *, sections: dict[str, list[Block]] | None = None) -> str:
    """The HTML WeasyPrint lays out as the PDF (progress/notice_pdf.html)."""
    sections = sections if sections is not None else notice_sections(data)
    parts = [(SECTION_HEADINGS[name], blocks) for name, blocks in sections.items() if name in SECTION_HEADINGS]
    return render_to_string(
        "progress/notice_pdf.html",
        {
            "data": data,
            "title": data.title,
            "dateline": _inline_values(data)["{{日期}}"],
            "issue": data.issue_label,
            "doc_no": data.meta.doc_no,
            "office": data.office,
            "instructions": sections.get("领导批示", []),
            "sections": parts,
            "limit": LIST_LIMIT,
        },
    )


def notice_pdf(data: NoticeData, *, sections: dict[str, list[Block]] | None = None) -> bytes:
    """The notice as PDF (same content as the DOCX)."""
    return notice_pdf_document(data, sections=sections).write_pdf()


# --------------------------------------------------------------------------------------------------------------
# XLSX annex


_NUMBER_FORMATS = {"int": "0", "money": "#,##0.00", "pct": "0.00", "pp": "+0.00;-0.00;0.00", "date": "yyyy-mm-dd"}


def _number_format(type_: str, value: Any) -> str:
    if type_ == "number":
        integral = isinstance(value, int | Decimal) and value == int(value)
        return "#,##0" if integral else "#,##0.00"
    return _NUMBER_FORMATS.get(type_, "General")


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _xlsx_value(value: Any, type_: str) -> Any:
    if value is None:
        return None
    if type_ in ("pct", "pp"):
        return selectors.display(Decimal(value))
    if type_ in ("money", "number"):
        return Decimal(value)
    if type_ == "int":
        return int(value)
    if type_ == "date":
        return value
    return neutralize(str(value))


def notice_xlsx(data: NoticeData, *, sections: dict[str, list[Block]] | None = None) -> bytes:
    """The annex: one sheet per table, every row, numbers as numbers, text neutralised against formulas."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sections = sections if sections is not None else notice_sections(data, with_charts=False)
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for blocks in sections.values():
        for block in blocks:
            if not isinstance(block, Table):
                continue
            name = _SHEET_BAD.sub("", block.sheet)[:31] or "Sheet"
            base, n = name, 2
            while name in used:
                suffix = f"({n})"
                name, n = base[: 31 - len(suffix)] + suffix, n + 1
            used.add(name)
            sheet = workbook.create_sheet(name)
            sheet.append([neutralize(block.title)])
            sheet["A1"].font = Font(bold=True, size=12)
            sheet.append([neutralize(c.label) for c in block.columns])
            for cell in sheet[2]:
                cell.font = bold
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            for row in block.rows:
                sheet.append([_xlsx_value(v, c.type) for v, c in zip(row, block.columns, strict=True)])
            if block.total is not None:
                sheet.append([_xlsx_value(v, c.type) for v, c in zip(block.total, block.columns, strict=True)])
                for cell in sheet[sheet.max_row]:
                    cell.font = bold
            for index, column in enumerate(block.columns, start=1):
                letter = get_column_letter(index)
                sheet.column_dimensions[letter].width = 36 if column.type == "text" else 16
                if column.type == "text" or not block.rows:
                    continue
                for (cell,) in sheet.iter_rows(min_row=3, min_col=index, max_col=index):
                    cell.number_format = _number_format(column.type, cell.value)
            sheet.freeze_panes = "A3"
    workbook.properties.title = data.title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


WRITERS: dict[str, Callable[..., bytes]] = {"docx": notice_docx, "pdf": notice_pdf, "xlsx": notice_xlsx}


def notice_render(data: NoticeData, fmt: str) -> bytes:
    """`data` in format `fmt` (docx | pdf | xlsx)."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown notice format {fmt!r}")
    return WRITERS[fmt](data)


def notice_filename(period: Period, fmt: str) -> str:
    """The download name: 月度调度通报-2026年09月.docx (the XLSX is the annex: 附表)."""
    stem = _("月度调度通报附表") if fmt == "xlsx" else _("月度调度通报")
    return f"{stem}-{period.year}年{period.month:02d}月{FORMATS[fmt][1]}"


# --------------------------------------------------------------------------------------------------------------
# Stored notices: MEDIA_ROOT/notices/<id>.<ext> + <id>.json (no model)


def _notice_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "notices"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _record_path(notice_id: str) -> Path:
    if not NOTICE_ID.match(notice_id):
        raise ValueError("bad notice id")
    return _notice_dir() / f"{notice_id}.json"


def _write_record(notice_id: str, record: dict[str, Any]) -> None:
    path = _record_path(notice_id)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    temporary.replace(path)


def notice_record(notice_id: str) -> dict[str, Any] | None:
    """The stored record of a notice (owner, period, format, status, file), or None."""
    try:
        path = _record_path(notice_id)
    except ValueError:
        return None
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def notice_file(record: dict[str, Any]) -> Path | None:
    """The generated file of a finished record, if it is still there."""
    if record.get("status") != "done":
        return None
    path = _notice_dir() / f"{record['id']}{FORMATS[record['format']][1]}"
    return path if path.exists() else None


def notice_records_for(user, *, limit: int = 10) -> list[dict[str, Any]]:
    """The user's most recent notices (newest first), from the record files."""
    paths = sorted(_notice_dir().glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)[:200]
    records = []
    for path in paths:
        record = notice_record(path.stem)
        if record and record.get("user_id") == user.pk:
            records.append(record)
            if len(records) >= limit:
                break
    return records


def notice_store(*, user, year: int, month: int, fmt: str, notice_id: str | None = None) -> dict[str, Any]:
    """Generate the notice now and store it with its record; the record (status "done" or "failed")."""
    notice_id = notice_id or uuid.uuid4().hex
    period = Period(int(year), int(month))
    record: dict[str, Any] = {
        "id": notice_id,
        "user_id": user.pk,
        "year": period.year,
        "month": period.month,
        "format": fmt,
        "status": "running",
        "filename": notice_filename(period, fmt),
        "created": timezone.now().isoformat(),
    }
    _write_record(notice_id, record)
    try:
        content = notice_render(build_notice(user, period.year, period.month), fmt)
        (_notice_dir() / f"{notice_id}{FORMATS[fmt][1]}").write_bytes(content)
    except Exception:
        logger.exception("notice %s failed", notice_id)
        record.update(status="failed", finished=timezone.now().isoformat())
        _write_record(notice_id, record)
        raise
    record.update(status="done", size=len(content), finished=timezone.now().isoformat())
    _write_record(notice_id, record)
    return record


@task(takes_context=True)
def generate_notice_task(context, user_id: int, year: int, month: int, fmt: str) -> dict[str, Any]:
    """Background generation; the file and record are named after the task result id."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=user_id)
    record = notice_store(user=user, year=year, month=month, fmt=fmt, notice_id=str(context.task_result.id))
    return {"id": record["id"], "status": record["status"]}
