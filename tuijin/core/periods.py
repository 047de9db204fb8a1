"""Months, quarters and years: the calendar arithmetic every figure uses, written once.

A reporting *period* is a month, stored as the date of its first day. `Period` carries the dates derived from it
(start, end, the year's start, the quarter, the "1—N月" label); the functions work on plain dates for code that
stores periods as dates. Nothing here knows about projects or reports.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _

__all__ = [
    "Period",
    "add_months",
    "month_end",
    "month_index",
    "month_start",
    "months_between",
    "next_month",
    "parse_month",
    "previous_month",
    "quarter_of",
    "ym",
    "ymd",
]

HUNDRED = Decimal(100)


def month_start(value: date) -> date:
    """The first day of `value`'s month (the stored form of a period)."""
    return value.replace(day=1)


def month_end(value: date) -> date:
    return value.replace(day=calendar.monthrange(value.year, value.month)[1])


def month_index(value: date) -> int:
    """Months since year 0: differences of two indexes count whole months."""
    return value.year * 12 + value.month - 1


def add_months(value: date, months: int) -> date:
    """The first day of the month `months` after (or before, when negative) `value`'s month."""
    index = month_index(value) + months
    return date(index // 12, index % 12 + 1, 1)


def previous_month(value: date) -> date:
    return add_months(value, -1)


def next_month(value: date) -> date:
    return add_months(value, 1)


def months_between(first: date, last: date) -> list[date]:
    """The first days of the months from `first`'s to `last`'s, both included (empty when last < first)."""
    return [add_months(first, i) for i in range(month_index(last) - month_index(first) + 1)]


def parse_month(text: str | None) -> date:
    """The month of "2026-10" or "2026-10-01" (its first day); ValueError with a Chinese message otherwise."""
    value = (text or "").strip()
    for fmt in ("%Y-%m", "%Y-%m-%d"):
        try:
            month = datetime.strptime(value, fmt).date().replace(day=1)  # noqa: DTZ007 - a calendar month, no time
        except ValueError:
            continue
        if 2000 <= month.year <= 2100:
            return month
    raise ValueError(_("报告期格式应为 YYYY-MM（例如 2026-10），收到：%(v)s") % {"v": value})


def quarter_of(value: date) -> int:
    return (value.month - 1) // 3 + 1


def ym(value: date) -> str:
    """2026年3月"""
    return _("%(y)d年%(m)d月") % {"y": value.year, "m": value.month}


def ymd(value: date) -> str:
    """2026年3月10日"""
    return _("%(y)d年%(m)d月%(d)d日") % {"y": value.year, "m": value.month, "d": value.day}


@dataclass(frozen=True)
class Period:
    """A reporting month and the dates derived from it."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 2000 <= self.year <= 2100:
            raise ValueError(f"invalid period {self.year}-{self.month}")

    @classmethod
    def of(cls, value: date) -> "Period":
        return cls(value.year, value.month)

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        return month_end(self.start)

    @property
    def year_start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def quarter(self) -> int:
        return quarter_of(self.start)

    @property
    def schedule(self) -> Decimal:
        """序时进度: the share of the year elapsed at the end of the month, in % (month ÷ 12; docs/figures.md)."""
        return Decimal(self.month) * HUNDRED / 12

    @property
    def span_label(self) -> str:
        """ "1—9月" / "1月"."""
        return _("1月") if self.month == 1 else _("1—%(m)d月") % {"m": self.month}

    def shifted(self, months: int) -> "Period":
        return Period.of(add_months(self.start, months))

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"
