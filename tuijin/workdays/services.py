"""The one shared working-day calendar: is a date a workday in China, and working-day arithmetic.

Precedence for each date:
1. a `HolidayOverride` row entered by the 项目办 (source "override");
2. the `chinese_calendar` library, for the years it covers (source "library"), which knows the statutory
   holidays and the 调休 make-up workdays published by the State Council;
3. otherwise Saturday and Sunday are rest days and Monday–Friday workdays (source "weekend-fallback").

Every read loads the overrides it needs for the whole date range in ONE query. For many computations (a
deadline per project for thousands of projects) build one `WorkdayCalendar` with `workday_calendar(start, end)`
and call its methods: it loads the window once and answers from a prefix sum, extending itself (one more
query) only when asked about a date outside the window.

Writes (`holiday_override_set`, `holiday_override_delete`, `holiday_overrides_bulk_set`, `holiday_notice_apply`,
`holiday_year_set_complete`) take the acting user
and are recorded in the change log by `ChangeLoggedModel`; permission checks happen in the views.
"""

import datetime as dt
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

import chinese_calendar
from chinese_calendar.constants import Holiday
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.locking import bump_version

from .models import NAME_MAX_LENGTH, HolidayOverride, HolidayYear
from .notice import NoticeParse, parse_holiday_notice

__all__ = [
    "CALENDAR_TIMEZONE",
    "BulkSetResult",
    "Coverage",
    "DayInfo",
    "DayKind",
    "DaySource",
    "WorkdayCalendar",
    "add_workdays",
    "calendar_today",
    "day_info",
    "fallback_warning",
    "holiday_notice_apply",
    "holiday_override_delete",
    "holiday_override_set",
    "holiday_overrides_bulk_set",
    "holiday_year_is_complete",
    "holiday_year_set_complete",
    "is_workday",
    "library_covers",
    "uncovered_years",
    "workday_calendar",
    "workdays_between",
    "year_coverage",
]

CALENDAR_TIMEZONE = ZoneInfo("Asia/Shanghai")

DaySource = Literal["override", "library", "weekend-fallback"]
Coverage = Literal["library", "override", "partial", "fallback"]
DayKind = Literal["workday", "weekend", "holiday", "makeup"]

_ONE_DAY = dt.timedelta(days=1)
_HOLIDAY_NAMES = {holiday.value: holiday.chinese for holiday in Holiday}


def calendar_today() -> dt.date:
    """Today in Beijing time, whatever the server's time zone."""
    return timezone.localdate(timezone=CALENDAR_TIMEZONE)


def _as_date(value: dt.date) -> dt.date:
    """Accept a date, or a datetime (aware ones are read in Beijing time)."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            return timezone.localtime(value, CALENDAR_TIMEZONE).date()
        return value.date()
    return value


@dataclass(frozen=True)
class DayInfo:
    """What the calendar says about one date."""

    date: dt.date
    is_workday: bool
    name: str  # "春节", "春节调休上班", or "" for an ordinary day
    source: DaySource

    @property
    def is_weekend(self) -> bool:
        return self.date.weekday() >= 5

    @property
    def kind(self) -> DayKind:
        """For display: an ordinary workday, an ordinary weekend, a holiday (rest), or a make-up workday."""
        if self.is_workday:
            return "makeup" if self.is_weekend else "workday"
        if self.is_weekend and not self.name:
            return "weekend"
        return "holiday"


@lru_cache(maxsize=512)
def library_covers(year: int) -> bool:
    """Whether the installed `chinese_calendar` has the State Council's arrangement for `year`.

    The library raises NotImplementedError for any date outside the years it ships data for.
    """
    try:
        chinese_calendar.get_holiday_detail(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def _library_day(day: dt.date) -> DayInfo:
    on_holiday, english = chinese_calendar.get_holiday_detail(day)
    name = ""
    if english:
        chinese = _HOLIDAY_NAMES.get(english, english)
        name = chinese if on_holiday else _("%(name)s调休上班") % {"name": chinese}
    return DayInfo(day, not on_holiday, name, "library")


def _override_day(override: HolidayOverride) -> DayInfo:
    return DayInfo(override.date, override.is_workday, override.name, "override")


def _fallback_day(day: dt.date) -> DayInfo:
    return DayInfo(day, day.weekday() < 5, "", "weekend-fallback")


def _is_workday_without_override(day: dt.date) -> bool:
    if library_covers(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


class WorkdayCalendar:
    """Working-day answers over a window of dates whose overrides were loaded with one query.

    Dates outside the window are still answered: the window grows to include them (one more query).
    Internally `_cum[i]` is the number of workdays in `[lo, lo + i]`, so counts are a subtraction and
    `add_workdays` is a binary search. The overrides are a snapshot: build one per request or job, not a
    long-lived global.
    """

    def __init__(self, start: dt.date, end: dt.date) -> None:
        start, end = _as_date(start), _as_date(end)
        if end < start:
            start, end = end, start
        self._lo = start
        self._hi = start - _ONE_DAY  # empty until the first load
        self._overrides: dict[dt.date, HolidayOverride] = {}
        self._flags: list[bool] = []
        self._cum: list[int] = []
        self._ensure(start, end)

    @property
    def start(self) -> dt.date:
        return self._lo

    @property
    def end(self) -> dt.date:
        return self._hi

    def _ensure(self, lo: dt.date, hi: dt.date) -> None:
        """Grow the window to cover [lo, hi], loading only the missing overrides (in one query)."""
        if self._hi < self._lo:
            missing = Q(date__range=(lo, hi))
            new_lo, new_hi = lo, hi
        else:
            if lo >= self._lo and hi <= self._hi:
                return
            missing = Q(pk__in=[])
            if lo < self._lo:
                missing |= Q(date__range=(lo, self._lo - _ONE_DAY))
            if hi > self._hi:
                missing |= Q(date__range=(self._hi + _ONE_DAY, hi))
            new_lo, new_hi = min(lo, self._lo), max(hi, self._hi)
        for override in HolidayOverride.objects.filter(missing):
            self._overrides[override.date] = override
        self._lo, self._hi = new_lo, new_hi
        self._rebuild()

    def _rebuild(self) -> None:
        flags: list[bool] = []
        cum: list[int] = []
        count = 0
        day = self._lo
        while day <= self._hi:
            override = self._overrides.get(day)
            flag = override.is_workday if override is not None else _is_workday_without_override(day)
            count += flag
            flags.append(flag)
            cum.append(count)
            day += _ONE_DAY
        self._flags, self._cum = flags, cum

    def _index(self, day: dt.date) -> int:
        self._ensure(day, day)
        return (day - self._lo).days

    def day_info(self, d: dt.date) -> DayInfo:
        day = _as_date(d)
        self._ensure(day, day)
        override = self._overrides.get(day)
        if override is not None:
            return _override_day(override)
        if library_covers(day.year):
            return _library_day(day)
        return _fallback_day(day)

    def days(self, start: dt.date, end: dt.date) -> list[DayInfo]:
        """Every date from `start` to `end` inclusive."""
        start, end = _as_date(start), _as_date(end)
        self._ensure(start, end)
        result = []
        day = start
        while day <= end:
            result.append(self.day_info(day))
            day += _ONE_DAY
        return result

    def is_workday(self, d: dt.date) -> bool:
        index = self._index(_as_date(d))  # may grow the window: index first, then read the flags
        return self._flags[index]

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end`; see the module function."""
        start, end = _as_date(start), _as_date(end)
        if end < start:
            return -self.workdays_between(end, start)
        self._ensure(start, end)
        return self._cum[(end - self._lo).days] - self._cum[(start - self._lo).days]

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The date `n` working days after `start`; see the module function."""
        start = _as_date(start)
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return start
        # 5 workdays a week plus room for the longest holiday (Spring Festival, about 9 days).
        horizon = start + dt.timedelta(days=n * 7 // 5 + 21)
        while True:
            self._ensure(start, horizon)
            base = (start - self._lo).days
            target = self._cum[base] + n
            index = bisect_left(self._cum, target, lo=base + 1)
            if index < len(self._cum):
                return self._lo + dt.timedelta(days=index)
            horizon += dt.timedelta(days=max(31, (horizon - start).days))


def workday_calendar(start: dt.date, end: dt.date) -> WorkdayCalendar:
    """A calendar preloaded for [start, end] (one query); reuse it for many computations in that range."""
    return WorkdayCalendar(start, end)


def day_info(d: dt.date) -> DayInfo:
    """The status of one date: workday or not, its holiday name, and where that answer came from."""
    day = _as_date(d)
    override = HolidayOverride.objects.filter(date=day).first()
    if override is not None:
        return _override_day(override)
    if library_covers(day.year):
        return _library_day(day)
    return _fallback_day(day)


def is_workday(d: dt.date) -> bool:
    """Whether people work on `d` (a make-up Saturday is a workday, a holiday Monday is not)."""
    return day_info(d).is_workday


def workdays_between(start: dt.date, end: dt.date) -> int:
    """The number of working days after `start` up to and including `end`.

    `start` itself is not counted and `end` is: the same day → 0; Friday → next Monday → 1 (no holiday);
    a 9-day Spring Festival break contributes 0. If `end` is before `start` the result is the negative of
    `workdays_between(end, start)`. So `workdays_between(a, add_workdays(a, n)) == n`. One query.
    """
    start, end = _as_date(start), _as_date(end)
    return WorkdayCalendar(start, end).workdays_between(start, end)


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The date that is `n` working days after `start` (n ≥ 0); `n == 0` returns `start` itself.

    For n > 0 the result is always a workday: the earliest date `d` with `workdays_between(start, d) == n`.
    Usually one query (two if `n` spans an unusually long run of holidays). Negative `n` raises ValueError.
    """
    start = _as_date(start)
    if n < 0:
        raise ValueError("n must be >= 0")
    if n == 0:
        return start
    return WorkdayCalendar(start, start).add_workdays(start, n)


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def year_coverage(year: int) -> Coverage:
    """Where a year's holidays come from.

    "library" (the package covers it); "override" (the 项目办 has marked the year's whole arrangement as entered,
    `HolidayYear.complete`); "partial" (some dates entered, but not marked complete: still warn); "fallback"
    (nothing: weekends only). At most two queries.
    """
    if library_covers(year):
        return "library"
    if HolidayYear.objects.filter(year=year, complete=True).exists():
        return "override"
    if HolidayOverride.objects.filter(date__range=_year_range(year)).exists():
        return "partial"
    return "fallback"


def holiday_year_is_complete(year: int) -> bool:
    """Whether the 项目办 has marked `year`'s whole arrangement as entered."""
    return HolidayYear.objects.filter(year=year, complete=True).exists()


def uncovered_years(start: dt.date | int, end: dt.date | int) -> list[int]:
    """The years in [start, end] (dates or years) whose holidays are not known: warn about them.

    A year is known when the library covers it or the 项目办 has marked its whole arrangement as entered; a
    few single entries do not make it known. At most one query, and none when the library covers every year.
    """
    first = start if isinstance(start, int) else _as_date(start).year
    last = end if isinstance(end, int) else _as_date(end).year
    if last < first:
        first, last = last, first
    candidates = [year for year in range(first, last + 1) if not library_covers(year)]
    if not candidates:
        return []
    complete = set(HolidayYear.objects.filter(year__in=candidates, complete=True).values_list("year", flat=True))
    return [year for year in candidates if year not in complete]


def fallback_warning(year: int) -> str:
    """The message shown wherever a year is computed with weekends only."""
    return _("%(year)s 年法定节假日尚未发布，当前按周末计算工作日。请项目办录入当年节假日安排。") % {"year": year}


# --- writes -------------------------------------------------------------------------------------------------


def _override_write(
    existing: HolidayOverride | None,
    *,
    date: dt.date,
    is_workday: bool,
    name: str,
    note: str | None,
    message: str = "",
) -> tuple[HolidayOverride, str]:
    """Create or update one row (`note=None` keeps an existing note); returns it and "created", "updated" or
    "unchanged"."""
    name = name.strip()
    note = (existing.note if existing is not None else "") if note is None else note.strip()
    if existing is None:
        override = HolidayOverride(date=date, is_workday=is_workday, name=name, note=note)
        override._changelog_message = message
        override.full_clean()
        override.save()
        return override, "created"
    if (existing.is_workday, existing.name, existing.note) == (is_workday, name, note):
        return existing, "unchanged"
    existing.is_workday, existing.name, existing.note = is_workday, name, note
    existing._changelog_message = message
    existing.full_clean()
    bump_version(existing, expected_version=existing.version, update_fields=["is_workday", "name", "note"])
    return existing, "updated"


@transaction.atomic
def holiday_override_set(*, actor, date: dt.date, is_workday: bool, name: str, note: str = "") -> HolidayOverride:
    """Set one date as a rest day (`is_workday=False`) or a make-up workday; creates or updates its row."""
    date = _as_date(date)
    existing = HolidayOverride.objects.select_for_update().filter(date=date).first()
    override, _state = _override_write(existing, date=date, is_workday=is_workday, name=name, note=note)
    return override


@transaction.atomic
def holiday_override_delete(*, actor, override: HolidayOverride) -> None:
    """Remove an office entry: the date goes back to the library (or the weekend fallback)."""
    override.delete()


@dataclass
class BulkSetResult:
    """What a bulk paste did: how many rows were created, updated or already identical."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    overrides: list[HolidayOverride] = field(default_factory=list)


_REST_WORDS = {"休", "假", "休息", "放假", "节假日", "holiday", "rest", "off"}
_WORK_WORDS = {"班", "上班", "补班", "调休上班", "work", "workday"}
_SEPARATOR = re.compile(r"\s*[,，\t]\s*|\s+")
_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


@dataclass(frozen=True)
class _Line:
    number: int
    date: dt.date
    is_workday: bool
    name: str


def _parse_line(number: int, line: str, year: int) -> _Line | str:
    parts = _SEPARATOR.split(line, maxsplit=2)
    if len(parts) < 3 or not parts[2].strip():
        return _("第 %(line)s 行：格式应为“日期,休/班,名称”，如“%(year)s-10-01,休,国庆节”。") % {
            "line": number,
            "year": year,
        }
    raw_date, raw_kind, name = parts[0], parts[1], parts[2].strip()
    match = _DATE.match(raw_date)
    try:
        if match is None:
            raise ValueError(raw_date)
        day = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return _("第 %(line)s 行：日期“%(date)s”无效，请按 YYYY-MM-DD 填写。") % {"line": number, "date": raw_date}
    if day.year != year:
        return _("第 %(line)s 行：日期 %(date)s 不在 %(year)s 年内。") % {
            "line": number,
            "date": day.isoformat(),
            "year": year,
        }
    kind = raw_kind.lower()
    if kind in _REST_WORDS:
        is_workday = False
    elif kind in _WORK_WORDS:
        is_workday = True
    else:
        return _("第 %(line)s 行：类型“%(kind)s”无法识别，请填写“休”（放假）或“班”（调休上班）。") % {
            "line": number,
            "kind": raw_kind,
        }
    if len(name) > NAME_MAX_LENGTH:
        return _("第 %(line)s 行：名称过长（最多 %(max)s 个字）。") % {"line": number, "max": NAME_MAX_LENGTH}
    return _Line(number, day, is_workday, name)


def _parse_bulk(year: int, text: str) -> list[_Line]:
    errors: list[str] = []
    lines: list[_Line] = []
    seen: dict[dt.date, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parsed = _parse_line(number, line, year)
        if isinstance(parsed, str):
            errors.append(parsed)
            continue
        if parsed.date in seen:
            errors.append(
                _("第 %(line)s 行：日期 %(date)s 与第 %(first)s 行重复。")
                % {"line": number, "date": parsed.date.isoformat(), "first": seen[parsed.date]}
            )
            continue
        seen[parsed.date] = number
        lines.append(parsed)
    if not errors and not lines:
        errors.append(_("请至少填写一行节假日安排。"))
    if errors:
        raise ValidationError(errors)
    return lines


def _write_lines(lines: list[_Line], *, message: str = "") -> BulkSetResult:
    """Create or update one override per line (existing notes kept); the caller holds the transaction."""
    existing = {
        row.date: row
        for row in HolidayOverride.objects.select_for_update().filter(date__in=[line.date for line in lines])
    }
    result = BulkSetResult()
    for line in lines:
        override, state = _override_write(
            existing.get(line.date),
            date=line.date,
            is_workday=line.is_workday,
            name=line.name,
            note=None,
            message=message,
        )
        result.overrides.append(override)
        if state == "created":
            result.created += 1
        elif state == "updated":
            result.updated += 1
        else:
            result.unchanged += 1
    return result


@transaction.atomic
def holiday_overrides_bulk_set(*, actor, year: int, text: str) -> BulkSetResult:
    """Create or update the overrides pasted as text, one per line, all in `year`.

    Each line is `YYYY-MM-DD,休,春节` or `YYYY-MM-DD,班,春节调休上班` (commas, full-width commas, tabs or
    spaces separate the fields; 休/假/holiday = rest day, 班/work = make-up workday; blank lines and lines
    starting with # are skipped). Every line is validated first: if any is invalid nothing is written and a
    ValidationError lists the problems by line number, in Chinese.
    """
    return _write_lines(_parse_bulk(year, text))


@transaction.atomic
def holiday_notice_apply(*, actor, text: str, default_year: int) -> tuple[NoticeParse, BulkSetResult]:
    """Save every entry of a pasted State Council notice (`notice.parse_holiday_notice`), in one transaction.

    The text is parsed again here, so what is saved is exactly what the preview of the same text showed; lines
    the parser could not read are left out (the preview lists them). No entry at all is a ValidationError.
    Each row's change-log entry says it came from the notice. The year's "全年安排已录入" flag is not set here:
    the office sets it once it has checked the year.
    """
    parsed = parse_holiday_notice(text, default_year)
    if not parsed.entries:
        raise ValidationError(_("未能从通知中识别出任何放假或上班日期，未保存。"))
    lines = [_Line(entry.line, entry.date, entry.is_workday, entry.name) for entry in parsed.entries]
    message = _("按国务院办公厅 %(year)s 年节假日安排通知录入") % {"year": parsed.year}
    return parsed, _write_lines(lines, message=message)


@transaction.atomic
def holiday_year_set_complete(*, actor, year: int, complete: bool) -> HolidayYear:
    """Mark (or unmark) `year`'s whole arrangement as entered; the "not published" warning follows this flag."""
    row = HolidayYear.objects.select_for_update().filter(year=year).first()
    if row is None:
        row = HolidayYear(year=year, complete=complete)
        row.full_clean()
        row.save()
        return row
    if row.complete != complete:
        row.complete = complete
        bump_version(row, expected_version=row.version, update_fields=["complete"])
    return row
