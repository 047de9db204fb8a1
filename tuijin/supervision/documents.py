"""The 督办 documents: a meeting's 会议纪要 (DOCX) and the 督办通报 (DOCX, and XLSX with every row).

The Word documents are laid out by the template `docx/supervision.docx` (styles with their Chinese fonts, page
setup; see `docx/build_template.py`): the content replaces its `{{正文}}` paragraph. The 督办通报's lists are
`selectors.report_rows`, its statistics `selectors.stats_by_unit`; working days overdue are counted on the shared
calendar (tuijin.workdays). The XLSX neutralises every text cell against formula injection
(`utilities.excel.neutralize`); numbers and dates stay typed. Dates are Asia/Shanghai dates.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import MeetingKind, TaskColour, TaskStatus
from .models import Meeting, Task
from .selectors import UnitStats, colour_of, report_rows, stats_by_unit

__all__ = [
    "DOCX_CONTENT_TYPE",
    "TEMPLATE",
    "ReportData",
    "minutes_docx",
    "minutes_title",
    "report_data",
    "report_docx",
    "report_xlsx",
]

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEMPLATE = Path(__file__).resolve().parent / "docx" / "supervision.docx"
PLACEHOLDER = "{{正文}}"
NUMERALS = "一二三四五六七八九十"


def _day(value: date | None) -> str:
    if value is None:
        return ""
    return _("%(y)d年%(m)d月%(d)d日") % {"y": value.year, "m": value.month, "d": value.day}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _rate(value) -> str:
    return "—" if value is None else "%s%%" % value


# -- the Word writer -------------------------------------------------------------------------------------------


class _Word:
    """Content written in place of the template's {{正文}} paragraph, in the template's styles."""

    def __init__(self) -> None:
        from docx import Document

        self.doc = Document(str(TEMPLATE))
        anchor = next((p for p in self.doc.paragraphs if p.text.strip() == PLACEHOLDER), None)
        self.anchor = anchor if anchor is not None else self.doc.add_paragraph("")
        self.headings = 0

    def _style(self, name: str):
        try:
            return self.doc.styles[name]
        except KeyError:  # a replaced template without our styles: its Normal style
            return None

    def paragraph(self, text: str, style: str = "督办正文") -> None:
        self.anchor.insert_paragraph_before(text, style=self._style(style))

    def heading(self, text: str) -> None:
        """一、二、… numbered in the order written (a section left out leaves no gap)."""
        numeral = NUMERALS[self.headings] if self.headings < len(NUMERALS) else str(self.headings + 1)
        self.headings += 1
        self.paragraph(_("%(n)s、%(text)s") % {"n": numeral, "text": text}, "督办一级标题")

    def table(self, caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        if caption:
            self.paragraph(caption, "表题")
        table = self.doc.add_table(rows=1 + len(rows), cols=len(headers))
        if self._style("Table Grid") is not None:
            table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        cell_style = self._style("表格文字")
        for index, values in enumerate([headers, *rows]):
            for cell, value in zip(table.rows[index].cells, values, strict=True):
                paragraph = cell.paragraphs[0]
                if cell_style is not None:
                    paragraph.style = cell_style
                else:
                    paragraph.paragraph_format.first_line_indent = Pt(0)
                run = paragraph.add_run(str(value))
                if index == 0:
                    run.bold = True
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.anchor._p.addprevious(table._tbl)

    def save(self, title: str) -> bytes:
        element = self.anchor._element
        element.getparent().remove(element)
        props = self.doc.core_properties
        props.title = title
        props.author = _("推进 重点项目建设管理平台")
        props.created = props.modified = timezone.now().replace(tzinfo=None, microsecond=0)
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


# -- 会议纪要 ----------------------------------------------------------------------------------------------------


def minutes_title(meeting: Meeting) -> str:
    """ "XX会议纪要": the meeting's title with 纪要 (会议纪要 when the title does not end in 会/会议)."""
    title = meeting.title.strip()
    if title.endswith("纪要"):
        return title
    if title.endswith(("会", "会议")):
        return title + _("纪要")
    return title + _("会议纪要")


def _names(items) -> str:
    return "、".join(str(getattr(item, "display_name", None) or item.name) for item in items)


def _decisions(meeting: Meeting) -> list[Task]:
    return list(
        meeting.tasks.exclude(status=TaskStatus.CANCELLED)
        .select_related("responsible_unit", "leader")
        .prefetch_related("co_units")
        .order_by("number", "pk")
    )


def minutes_docx(meeting: Meeting) -> bytes:
    """The meeting's 会议纪要: title, the meeting's particulars, 议程, 交流发言, the minutes, for a visit where it
    went and what it learned, and the 会议议定事项 (its tasks, not those withdrawn) as a table."""
    word = _Word()
    title = minutes_title(meeting)
    word.paragraph(title, "督办标题")
    is_visit = meeting.kind == MeetingKind.STUDY_VISIT
    particulars = [
        (_("时间"), _day(meeting.held_on)),
        (_("地点"), meeting.place),
        (_("主持"), meeting.chair.name if meeting.chair is not None else ""),
        (_("出席领导"), _names(meeting.leaders.all())),
        (_("参会单位"), _names(meeting.units.all())),
    ]
    if is_visit or meeting.places or meeting.enterprises_visited:
        particulars += [(_("考察地点"), meeting.places), (_("考察企业"), meeting.enterprises_visited)]
    for label, value in particulars:
        if value:
            word.paragraph(_("%(label)s：%(value)s") % {"label": label, "value": value}, "督办信息")
    sections = [
        (_("会议议程"), _lines(meeting.agenda)),
        (_("交流发言"), _lines(meeting.speakers)),
        (_("会议内容"), _lines(meeting.minutes)),
    ]
    if is_visit or meeting.lessons:
        sections.append((_("学习体会"), _lines(meeting.lessons)))
    for heading, lines in sections:
        if not lines:
            continue
        word.heading(heading)
        for line in lines:
            word.paragraph(line)
    word.heading(_("会议议定事项"))
    tasks = _decisions(meeting)
    if not tasks:
        word.paragraph(_("本次会议无议定事项。"))
    else:
        headers = [_("序号"), _("编号"), _("事项"), _("责任单位"), _("配合单位"), _("分管领导"), _("办结时限")]
        rows = [
            [
                str(index),
                task.number,
                task.title,
                task.responsible_unit.name,
                _names(task.co_units.all()),
                task.leader.name if task.leader is not None else "",
                _day(task.deadline),
            ]
            for index, task in enumerate(tasks, start=1)
        ]
        word.table("", headers, rows)
    return word.save(title)


# -- 督办通报 ----------------------------------------------------------------------------------------------------


@dataclass
class ReportData:
    """What the 督办通报 says, computed once for both of its formats."""

    start: date
    end: date
    today: date
    overdue: list[Task]
    overdue_days: dict[int, int]  # task pk → working days past its deadline on `today`
    finished: list[Task]
    units: list[UnitStats]
    total: UnitStats

    def on_time(self, task: Task) -> bool:
        """按期: the unit asked for closure by the deadline (the colour 按期办结, selectors.colour_of)."""
        return colour_of(task, self.today) == TaskColour.DONE

    @property
    def title(self) -> str:
        return _("督办通报")

    @property
    def subtitle(self) -> str:
        return _("（%(start)s—%(end)s）") % {"start": _day(self.start), "end": _day(self.end)}


def report_data(tasks: QuerySet, start: date, end: date, today: date | None = None) -> ReportData:
    """The 督办通报 of `tasks` (already scoped): overdue on `today`, finished between `start` and `end`, and the
    statistics by unit. Four queries, whatever the number of tasks."""
    from tuijin.workdays.services import workday_calendar

    today = today or timezone.localdate()
    rows = report_rows(tasks, start, end, today)
    overdue = rows["overdue"]
    days: dict[int, int] = {}
    if overdue:
        calendar = workday_calendar(min(task.deadline for task in overdue), today)
        days = {task.pk: calendar.workdays_between(task.deadline, today) for task in overdue}
    units = stats_by_unit(tasks, today)
    total = UnitStats(key=None, name=_("合计"))
    for row in units:
        for name in ("assigned", "done", "done_on_time", "open", "overdue"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return ReportData(start, end, today, overdue, days, rows["finished"], units, total)


def _level(task: Task) -> str:
    return _("第%(n)d级") % {"n": task.escalation_level} if task.escalation_level else "—"


def _summary(data: ReportData) -> list[str]:
    total = data.total
    on_time = sum(1 for task in data.finished if data.on_time(task))
    first = _(
        "截至%(today)s，共交办督办事项%(assigned)d项（不含已撤销），已办结%(done)d项，办结率%(rate)s，其中按期办结"
        "%(on_time)d项；正在办理%(open)d项，其中超期未办结%(overdue)d项。本期（%(start)s至%(end)s）办结%(finished)d项，"
        "其中按期%(p_on_time)d项、逾期%(p_late)d项。"
    ) % {
        "today": _day(data.today),
        "assigned": total.assigned,
        "done": total.done,
        "rate": _rate(total.completion_rate),
        "on_time": total.done_on_time,
        "open": total.open,
        "overdue": total.overdue,
        "start": _day(data.start),
        "end": _day(data.end),
        "finished": len(data.finished),
        "p_on_time": on_time,
        "p_late": len(data.finished) - on_time,
    }
    parts = [
        _("%(unit)s交办%(assigned)d项、办结%(done)d项（办结率%(rate)s）")
        % {"unit": u.name, "assigned": u.assigned, "done": u.done, "rate": _rate(u.completion_rate)}
        + (_("，超期%(n)d项") % {"n": u.overdue} if u.overdue else "")
        for u in data.units
    ]
    second = _("分单位看：%(parts)s。") % {"parts": "；".join(parts)} if parts else ""
    return [first, second] if second else [first]


def _unit_rows(data: ReportData) -> list[list[Any]]:
    return [
        [u.name, u.assigned, u.done, u.done_on_time, u.open, u.overdue, u.completion_rate]
        for u in [*data.units, data.total]
    ]


def _unit_headers() -> list[str]:
    return [_("责任单位"), _("交办"), _("已办结"), _("按期办结"), _("正在办理"), _("超期"), _("办结率（%）")]


def _overdue_headers() -> list[str]:
    return [_("编号"), _("事项"), _("责任单位"), _("分管领导"), _("办结时限"), _("超期工作日"), _("升级层级")]


def _finished_headers() -> list[str]:
    return [_("编号"), _("事项"), _("责任单位"), _("办结日期"), _("按期/逾期")]


def _leader(task: Task) -> str:
    return task.leader.name if task.leader is not None else ""


def _punctuality(data: ReportData, task: Task) -> str:
    return _("按期") if data.on_time(task) else _("逾期")


def report_docx(tasks: QuerySet, start: date, end: date, today: date | None = None) -> bytes:
    """The 督办通报 as a Word document: the summary, the statistics by unit, the overdue and the finished lists."""
    data = report_data(tasks, start, end, today)
    word = _Word()
    word.paragraph(data.title, "督办标题")
    word.paragraph(data.subtitle, "督办副标题")
    word.heading(_("总体情况"))
    for text in _summary(data):
        word.paragraph(text)
    if data.units:
        rows = [["—" if v is None else str(v) for v in row] for row in _unit_rows(data)]
        word.table(_("督办事项办理情况（按责任单位）"), _unit_headers(), rows)
    word.heading(_("超期未办结事项（%(n)d项）") % {"n": len(data.overdue)})
    if data.overdue:
        word.table(
            "",
            _overdue_headers(),
            [
                [
                    t.number,
                    t.title,
                    t.responsible_unit.name,
                    _leader(t),
                    _day(t.deadline),
                    str(data.overdue_days[t.pk]),
                    _level(t),
                ]
                for t in data.overdue
            ],
        )
    else:
        word.paragraph(_("无。"))
    word.heading(_("本期已办结事项（%(n)d项）") % {"n": len(data.finished)})
    if data.finished:
        word.table(
            "",
            _finished_headers(),
            [
                [t.number, t.title, t.responsible_unit.name, _day(t.finished_on), _punctuality(data, t)]
                for t in data.finished
            ],
        )
    else:
        word.paragraph(_("无。"))
    return word.save(data.title)


# -- XLSX ------------------------------------------------------------------------------------------------------


def _sheet(book, title: str, headers: list[str], rows: list[list[Any]], widths: list[int]) -> None:
    """One sheet in the style of the platform's exports (utilities.excel.table_xlsx): a bold, frozen header row,
    text neutralised, numbers and dates typed, None blank."""
    from decimal import Decimal

    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from tuijin.utilities.excel import neutralize

    sheet = book.create_sheet(title)
    sheet.append([neutralize(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([v if v is None or isinstance(v, int | Decimal | date) else neutralize(str(v)) for v in row])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for index, header in enumerate(headers, start=1):
        if any(isinstance(row[index - 1], date) for row in rows):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "yyyy-mm-dd"
        elif header == _("办结率（%）"):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "0.0"


def report_xlsx(tasks: QuerySet, start: date, end: date, today: date | None = None) -> bytes:
    """The 督办通报's rows: sheets 超期事项, 已办结事项 and 按单位统计 (with its 合计)."""
    from openpyxl import Workbook

    from tuijin.utilities.excel import workbook_bytes

    data = report_data(tasks, start, end, today)
    book = Workbook()
    book.remove(book.active)
    overdue = [
        [
            t.number,
            t.title,
            t.responsible_unit.name,
            _leader(t) or None,
            t.deadline,
            data.overdue_days[t.pk],
            t.escalation_level or None,
        ]
        for t in data.overdue
    ]
    _sheet(book, _("超期事项"), _overdue_headers(), overdue, [14, 40, 20, 12, 12, 10, 10])
    _sheet(
        book,
        _("已办结事项"),
        _finished_headers(),
        [[t.number, t.title, t.responsible_unit.name, t.finished_on, _punctuality(data, t)] for t in data.finished],
        [14, 40, 20, 12, 10],
    )
    _sheet(book, _("按单位统计"), _unit_headers(), _unit_rows(data), [24, 8, 8, 10, 10, 8, 12])
    book.properties.title = "%s%s" % (data.title, data.subtitle)
    return workbook_bytes(book)
