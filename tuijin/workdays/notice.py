"""Parse the State Council's yearly holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知) into calendar entries.

A pure function, no database: `parse_holiday_notice(text, default_year)` returns every rest day (休) and 调休
make-up working day (班) it found, and the lines it could not read, each with a reason in Chinese.

The notice's items look like this (full-width digits and punctuation are accepted too):

    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
    六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。

Rules: the year comes from the title ("关于2026年部分节假日安排") or the opening sentence ("现将2026年……"), else
from `default_year`. In an item, dates are read in order; the dates before "放假" are rest days and the dates
before "上班" are working days. "A至B" is a range (B may omit the month, "2月15日至23日", or the year, "12月30日至
1月1日" then ends in the next year); "共N天" must match the range. A weekday in brackets (周四, 星期四) must match
the date, which catches a wrong year. A line with any problem contributes nothing, so the preview never shows
half an item. Lines that are not items (the greeting, the closing paragraph, the signature) are skipped.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

__all__ = ["NoticeEntry", "NoticeParse", "NoticeProblem", "parse_holiday_notice"]

NAME_MAX_LENGTH = 50  # HolidayOverride.name; kept here so this module imports no model

_WEEKDAYS = "一二三四五六日"
_TITLE_YEAR = re.compile(r"关于(\d{4})年[^\n]*?节假日")
_OPENING_YEAR = re.compile(r"现将(\d{4})年")
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+|\d{1,2})[、.]")
_ITEM = re.compile(r"^(?:(?:[一二三四五六七八九十]+|\d{1,2})[、.])?\s*(?P<name>[^:0-9]{1,30}?)\s*:(?P<body>.*)$")
# [YYYY年][M月]D日[(…)]: digits before 日 are required, so 周日 / 星期日 never match.
_DATE = re.compile(r"(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日(?:\((?P<note>[^)]*)\))?")
_RANGE = re.compile(r"\s*(?:至|到|-|~|—|–)\s*")
_KEYWORD = re.compile(r"放假|上班|补班")
_TOTAL = re.compile(r"共(\d{1,2})天")
_WEEKDAY = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")


@dataclass(frozen=True)
class NoticeEntry:
    """One day of the notice: a rest day (`is_workday=False`) or a 调休 working day, from line `line`."""

    date: dt.date
    is_workday: bool
    name: str
    line: int

    @property
    def weekday_label(self) -> str:
        return _("周%(day)s") % {"day": _WEEKDAYS[self.date.weekday()]}


@dataclass(frozen=True)
class NoticeProblem:
    """A line that could not be read (or only partly): nothing from it is kept."""

    line: int
    text: str
    reason: str


@dataclass
class NoticeParse:
    year: int
    year_from_notice: bool  # True when the title or opening sentence named the year
    entries: list[NoticeEntry] = field(default_factory=list)  # sorted by date
    problems: list[NoticeProblem] = field(default_factory=list)
    skipped: int = 0  # non-empty lines that are not holiday items (greeting, closing paragraph, signature)

    @property
    def rest_days(self) -> int:
        return sum(not entry.is_workday for entry in self.entries)

    @property
    def workdays(self) -> int:
        return sum(entry.is_workday for entry in self.entries)


class _LineError(ValueError):
    """The whole line is dropped."""


class _Unassigned(_LineError):
    """A sentence names dates without 放假 or 上班 (such as "鼓励……在除夕（2月9日）休息"): only it is dropped."""


def _normalise(text: str) -> str:
    """Full-width digits and punctuation to ASCII (NFKC), without the spaces that pasting from a PDF adds."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[ \t\u3000]+", "", text)


def _notice_year(lines: list[str]) -> int | None:
    for pattern in (_TITLE_YEAR, _OPENING_YEAR):
        for line in lines:
            match = pattern.search(line)
            if match:
                return int(match[1])
    return None


def _weekday_check(day: dt.date, note: str | None, raw: str) -> None:
    if not note:
        return
    match = _WEEKDAY.search(note)
    if match is None:
        return
    stated = 6 if match[1] in "日天" else _WEEKDAYS.index(match[1])
    if stated != day.weekday():
        raise _LineError(
            _("%(raw)s 标注为周%(stated)s，但 %(date)s 是周%(actual)s，请核对年份或日期。")
            % {
                "raw": raw,
                "stated": _WEEKDAYS[stated],
                "date": f"{day.year}年{day.month}月{day.day}日",
                "actual": _WEEKDAYS[day.weekday()],
            }
        )


@dataclass
class _Cursor:
    year: int
    month: int | None = None


def _read_date(match: re.Match, cursor: _Cursor, *, after: dt.date | None = None) -> dt.date:
    """The date of a `_DATE` match; a missing month or year is carried over from the previous date."""
    raw = match.group(0).split("(")[0]
    if match["m"] is not None:
        month = int(match["m"])
    elif cursor.month is not None:
        month = cursor.month
    else:
        raise _LineError(_("“%(raw)s”缺少月份。") % {"raw": raw})
    if match["y"] is not None:
        year = int(match["y"])
    elif after is not None:
        year = after.year + 1 if (month, int(match["d"])) < (after.month, after.day) else after.year
    else:
        year = cursor.year
    try:
        day = dt.date(year, month, int(match["d"]))
    except ValueError:
        raise _LineError(_("“%(raw)s”不是有效日期。") % {"raw": raw}) from None
    _weekday_check(day, match["note"], raw)
    cursor.year, cursor.month = day.year, day.month
    return day


def _parse_sentence(body: str, cursor: _Cursor) -> list[tuple[dt.date, bool]]:
    """(date, is_workday) for every date of one sentence of an item, in order of appearance."""
    pending: list[dt.date] = []  # dates not yet followed by 放假 / 上班
    pending_raw: list[str] = []
    result: list[tuple[dt.date, bool]] = []
    position = 0
    while position < len(body):
        date_match = _DATE.search(body, position)
        keyword_match = _KEYWORD.search(body, position)
        if keyword_match and (date_match is None or keyword_match.start() < date_match.start()):
            if not pending:
                position = keyword_match.end()
                continue
            is_workday = keyword_match.group(0) != "放假"
            result.extend((day, is_workday) for day in pending)
            if not is_workday:
                total = _TOTAL.search(body, keyword_match.end())
                next_date = _DATE.search(body, keyword_match.end())
                if total and (next_date is None or total.start() < next_date.start()):
                    if int(total[1]) != len(pending):
                        raise _LineError(
                            _("写明“共%(total)s天”，但 %(first)s 至 %(last)s 是 %(count)s 天。")
                            % {
                                "total": total[1],
                                "first": pending_raw[0],
                                "last": pending_raw[-1],
                                "count": len(pending),
                            }
                        )
            pending, pending_raw = [], []
            position = keyword_match.end()
            continue
        if date_match is None:
            break
        start = _read_date(date_match, cursor)
        position = date_match.end()
        range_match = _RANGE.match(body, position)
        if range_match:
            end_match = _DATE.match(body, range_match.end())
            if end_match is None:
                raise _LineError(_("“%(raw)s至”之后缺少结束日期。") % {"raw": date_match.group(0).split("(")[0]})
            end = _read_date(end_match, cursor, after=start)
            if end < start or (end - start).days > 31:
                raise _LineError(_("日期范围“%(raw)s”无效。") % {"raw": body[date_match.start() : end_match.end()]})
            position = end_match.end()
            day = start
            while day <= end:
                pending.append(day)
                day += dt.timedelta(days=1)
            pending_raw += [date_match.group(0).split("(")[0], end_match.group(0).split("(")[0]]
        else:
            pending.append(start)
            pending_raw.append(date_match.group(0).split("(")[0])
    if pending:
        error = _Unassigned if not result else _LineError
        raise error(_("未写明 %(dates)s 是放假还是上班。") % {"dates": "、".join(dict.fromkeys(pending_raw))})
    return result


def parse_holiday_notice(text: str, default_year: int) -> NoticeParse:
    """Read a pasted State Council holiday notice; see the module docstring for the rules."""
    raw_lines = text.splitlines()
    lines = [_normalise(line) for line in raw_lines]
    notice_year = _notice_year(lines)
    parse = NoticeParse(year=notice_year or default_year, year_from_notice=notice_year is not None)
    seen: dict[dt.date, int] = {}
    for number, (raw, line) in enumerate(zip(raw_lines, lines, strict=True), start=1):
        if not line:
            continue
        if _TITLE_YEAR.search(line) or line.startswith("国务院办公厅关于"):
            continue
        has_ordinal = bool(_ORDINAL.match(line))
        has_dates = bool(_DATE.search(line)) and bool(_KEYWORD.search(line)) and "月" in line
        item = _ITEM.match(line)
        if not has_ordinal and not (item and has_dates):
            if has_dates and not _OPENING_YEAR.search(line):
                parse.problems.append(
                    NoticeProblem(number, raw.strip(), _("未找到节日名称，请按“春节：2月15日至23日放假”的格式书写。"))
                )
            else:
                parse.skipped += 1
            continue
        skipped: list[NoticeProblem] = []
        try:
            if item is None:
                raise _LineError(_("未找到节日名称和冒号，请按“一、元旦：1月1日放假”的格式书写。"))
            name = item["name"].strip()
            if len(name) > NAME_MAX_LENGTH - len("调休上班"):
                raise _LineError(_("节日名称过长。"))
            cursor = _Cursor(parse.year)
            days: list[tuple[dt.date, bool]] = []
            for sentence in re.split(r"[。;]", item["body"]):
                try:
                    days += _parse_sentence(sentence, cursor)
                except _Unassigned as exc:
                    skipped.append(NoticeProblem(number, raw.strip(), _("此句未录入：") + str(exc)))
            if not days:
                raise _LineError(_("未找到任何放假或上班日期。"))
            in_line: set[dt.date] = set()
            for day, _is_workday in days:
                if day in seen or day in in_line:
                    raise _LineError(
                        _("%(date)s 重复出现（第 %(first)s 行）。")
                        % {"date": f"{day.month}月{day.day}日", "first": seen.get(day, number)}
                    )
                in_line.add(day)
        except _LineError as exc:
            parse.problems.append(NoticeProblem(number, raw.strip(), str(exc)))
            continue
        parse.problems += skipped
        for day, is_workday in days:
            seen[day] = number
            label = _("%(name)s调休上班") % {"name": name} if is_workday else name
            parse.entries.append(NoticeEntry(day, is_workday, label, number))
    parse.entries.sort(key=lambda entry: entry.date)
    return parse
