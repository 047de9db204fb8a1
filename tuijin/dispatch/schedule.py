"""序时进度 (the time benchmark) as the district sets it, and the wording that follows the region.

`ScheduleCurve.at(month)` is the cumulative % of the annual plan due by the end of `month`: the region's
`ProgressSchedule` for the year when there is one (the nearest one up the region tree: a street uses its
district's), else month ÷ 12 (`LINEAR`, the same value as `Period.schedule`). `schedule_book(year)` loads every
schedule and style of a year in two queries, for callers that need many regions (the lights).

Wording: `place_word(region)` is 全区 / 全县 / 全市 … by the region's level and name; `span_label(month, style)` is
"1—4月" or "元—4月" (`NoticeStyle.span_style`); `schedule_phrase` is "1—4月应完成25%". See docs/figures.md.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from tuijin.core.periods import Period
from tuijin.org.choices import RegionLevel
from tuijin.org.models import Region
from tuijin.org.scoping import user_memberships

from .models import NoticeStyle, ProgressSchedule, SpanStyle

__all__ = [
    "LINEAR",
    "ScheduleBook",
    "ScheduleCurve",
    "SchedulePeriod",
    "home_region",
    "place_word",
    "schedule_book",
    "schedule_for_region",
    "schedule_phrase",
    "span_label",
    "user_period",
    "user_schedule",
]

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class ScheduleCurve:
    """Cumulative % due by the end of each month (index 0 = January); `custom` when the district set it."""

    cumulative: tuple[Decimal, ...]
    custom: bool = False

    def at(self, month: int) -> Decimal:
        return self.cumulative[int(month) - 1]

    def share(self, month: int, to_month: int) -> Decimal | None:
        """The schedule at `to_month` ÷ the schedule at `month` (for a forecast at the scheduled pace)."""
        now = self.at(month)
        return None if not now else self.at(to_month) / now


LINEAR = ScheduleCurve(tuple(Decimal(m) * HUNDRED / 12 for m in range(1, 13)))


def curve_of(row: ProgressSchedule) -> ScheduleCurve:
    return ScheduleCurve(tuple(Decimal(v) for v in row.values), custom=True)


def _nearest(by_path: dict, path: str):
    """The value of the longest path in `by_path` that `path` starts with (the region or its nearest ancestor)."""
    best, length = None, -1
    for candidate, value in by_path.items():
        if path.startswith(candidate) and len(candidate) > length:
            best, length = value, len(candidate)
    return best


@dataclass
class ScheduleBook:
    """Every schedule of one year and every notice style, by region path."""

    year: int
    curves: dict[str, ScheduleCurve] = field(default_factory=dict)
    styles: dict[str, NoticeStyle] = field(default_factory=dict)

    def curve(self, region_path: str | None) -> ScheduleCurve:
        return (_nearest(self.curves, region_path) if region_path else None) or LINEAR

    def style(self, region_path: str | None) -> NoticeStyle | None:
        return _nearest(self.styles, region_path) if region_path else None


def schedule_book(year: int) -> ScheduleBook:
    """The year's schedules and all styles (two small queries)."""
    book = ScheduleBook(int(year))
    for row in ProgressSchedule.objects.filter(year=year).select_related("region"):
        book.curves[row.region.path] = curve_of(row)
    for style in NoticeStyle.objects.select_related("region"):
        book.styles[style.region.path] = style
    return book


def schedule_for_region(region: Region | None, year: int) -> ScheduleCurve:
    """The schedule of `region` (or its nearest ancestor with one) for `year`; month ÷ 12 when none is set."""
    if region is None:
        return LINEAR
    codes = [c for c in region.path.split("/") if c]
    paths = ["/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    rows = {
        row.region.path: row
        for row in ProgressSchedule.objects.filter(year=year, region__path__in=paths).select_related("region")
    }
    for path in reversed(paths):
        if path in rows:
            return curve_of(rows[path])
    return LINEAR


def home_region(user) -> Region | None:
    """The widest region of the user's memberships, lifted from a 镇街 to its county-level region: the region whose
    schedule, wording and notices the user's dashboard and notice follow."""
    regions = [m.unit.region for m in user_memberships(user)]
    if not regions:
        return None
    region = min(regions, key=lambda r: (len(r.path), r.path))
    if region.level == RegionLevel.TOWN and region.parent_id:
        return Region.objects.filter(pk=region.parent_id).first() or region
    return region


def user_schedule(user, year: int) -> ScheduleCurve:
    return schedule_for_region(home_region(user), year)


def place_word(region: Region | None) -> str:
    """全区 / 全县 / 全市 / 全旗 / 全省 / 全镇 / 全乡 / 全街道, by the region's level and name (全区 when unknown)."""
    if region is None:
        return _("全区")
    name = region.name or ""
    if region.level == RegionLevel.PROVINCE:
        return _("全省") if not name.endswith("区") else _("全区")
    if region.level == RegionLevel.CITY:
        for suffix, word in (("州", _("全州")), ("盟", _("全盟"))):
            if name.endswith(suffix):
                return word
        return _("全市")
    if region.level == RegionLevel.TOWN:
        for suffix, word in (("镇", _("全镇")), ("乡", _("全乡"))):
            if name.endswith(suffix):
                return word
        return _("全街道")
    for suffix, word in (("县", _("全县")), ("市", _("全市")), ("旗", _("全旗"))):
        if name.endswith(suffix):
            return word
    return _("全区")


def span_label(month: int, style: str | None = None) -> str:
    """ "1—4月" / "元—4月"; January alone is "1月" / "元月"."""
    yuan = style == SpanStyle.YUAN
    if int(month) == 1:
        return _("元月") if yuan else _("1月")
    return (_("元—%(m)d月") if yuan else _("1—%(m)d月")) % {"m": int(month)}


def percent_text(value: Decimal) -> str:
    """25 → "25%", 33.3333 → "33.33%", 12.50 → "12.5%"."""
    shown = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    text = f"{shown:f}"
    return f"{text}%"


def schedule_phrase(month: int, curve: ScheduleCurve, style: str | None = None) -> str:
    """ "1—4月应完成25%"."""
    return _("%(span)s应完成%(pct)s") % {"span": span_label(month, style), "pct": percent_text(curve.at(month))}


def office_name(style: NoticeStyle | None) -> str:
    return (style.office if style is not None and style.office else "") or _("重点项目建设办公室")


def region_style(region: Region | None) -> NoticeStyle | None:
    """The notice style of `region` or its nearest ancestor with one."""
    if region is None:
        return None
    codes = [c for c in region.path.split("/") if c]
    paths = ["/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    styles = {s.region.path: s for s in NoticeStyle.objects.filter(region__path__in=paths).select_related("region")}
    for path in reversed(paths):
        if path in styles:
            return styles[path]
    return None


@dataclass(frozen=True)
class SchedulePeriod(Period):
    """A `Period` whose 序时进度 is the district's schedule, and whose span and place follow its wording."""

    curve: ScheduleCurve = LINEAR
    span_style: str = ""
    place: str = ""

    @property
    def schedule(self) -> Decimal:
        return self.curve.at(self.month)

    @property
    def span_label(self) -> str:
        return span_label(self.month, self.span_style)

    @property
    def place_word(self) -> str:
        return self.place or _("全区")

    @property
    def schedule_phrase(self) -> str:
        return schedule_phrase(self.month, self.curve, self.span_style)


def user_period(user, year: int, month: int) -> SchedulePeriod:
    """The period as the user's region sees it: its schedule, its span style and its place word (≤ 4 queries)."""
    region = home_region(user)
    style = region_style(region)
    return SchedulePeriod(
        int(year),
        int(month),
        curve=schedule_for_region(region, int(year)),
        span_style=style.span_style if style is not None else "",
        place=place_word(region),
    )
