"""What is only partly known, read from what people write: dates known to the month or the year ("2022年开工",
"2024年3月") and approximate amounts ("约20亿元"). The project form, the Excel import and the API all read with
these two functions, and every page writes such values back with `format_partial_date` / `format_amount`.

A month-only date is stored as the month's 1st, a year-only date as 1 January, with its precision
(`choices.DatePrecision`) beside it; an amount is stored in 万元 with a flag saying it is an estimate (约).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import DatePrecision

__all__ = [
    "Amount",
    "PartialDate",
    "format_amount",
    "format_partial_date",
    "parse_amount",
    "parse_partial_date",
]

_SEP = r"\s*[-/.年]\s*"
_SEP2 = r"\s*[-/.月]\s*"
_DAY_RE = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}}){_SEP2}(\d{{1,2}})\s*日?$")
_MONTH_RE = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}})\s*月?(?:份)?$")
_YEAR_RE = re.compile(r"^(\d{4})\s*(?:年|年度)?$")
_WORDS_AFTER = re.compile(r"(?:开工|竣工|完工|建成|投产|前后|左右|底|内|初)+$")
_APPROX_PREFIX = re.compile(r"^(?:约|大约|约计|预计|估算|估计|~|～|≈)\s*")
_APPROX_SUFFIX = re.compile(r"\s*(?:左右|上下|以上|多)$")
_UNIT = re.compile(r"\s*(亿元|亿|万元|万|元)$")
_SCALE = {"亿元": Decimal(10000), "亿": Decimal(10000), "万元": Decimal(1), "万": Decimal(1)}
YEAR_MIN, YEAR_MAX = 1950, 2100


@dataclass(frozen=True)
class PartialDate:
    value: date
    precision: str  # DatePrecision

    def __str__(self) -> str:
        return format_partial_date(self.value, self.precision)


@dataclass(frozen=True)
class Amount:
    value: Decimal  # 万元
    approx: bool

    def __str__(self) -> str:
        return format_amount(self.value, self.approx)


def _year(text: str, raw: str) -> int:
    year = int(text)
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationError(_("“%(v)s”的年份不在 %(a)d–%(b)d 之间。") % {"v": raw, "a": YEAR_MIN, "b": YEAR_MAX})
    return year


def parse_partial_date(value: object) -> PartialDate | None:
    """A date as far as it is known: "2024-03-15", "2024/3/15", "2024年3月15日" (日), "2024-03", "2024年3月" (月),
    "2024", "2024年", "2022年开工" (年). A spreadsheet date or a `date` is a whole day. Blank: None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return PartialDate(value.date(), DatePrecision.DAY)
    if isinstance(value, date):
        return PartialDate(value, DatePrecision.DAY)
    raw = str(value).strip()
    if not raw:
        return None
    text = _WORDS_AFTER.sub("", raw.replace("　", " ")).strip()
    if match := _DAY_RE.match(text):
        year = _year(match.group(1), raw)
        try:
            return PartialDate(date(year, int(match.group(2)), int(match.group(3))), DatePrecision.DAY)
        except ValueError:
            pass
    elif match := _MONTH_RE.match(text):
        year, month = _year(match.group(1), raw), int(match.group(2))
        if 1 <= month <= 12:
            return PartialDate(date(year, month, 1), DatePrecision.MONTH)
    elif match := _YEAR_RE.match(text):
        return PartialDate(date(_year(match.group(1), raw), 1, 1), DatePrecision.YEAR)
    raise ValidationError(
        _("“%(v)s”不是有效日期：可写“2024-03-15”，只知道月份写“2024-03”或“2024年3月”，只知道年份写“2024年”。")
        % {"v": raw}
    )


def format_partial_date(value: date | None, precision: str | None = DatePrecision.DAY) -> str:
    """ "2024年3月15日" / "2024年3月" / "2024年"; "" for None."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return _("%(y)d年") % {"y": value.year}
    if precision == DatePrecision.MONTH:
        return _("%(y)d年%(m)d月") % {"y": value.year, "m": value.month}
    return _("%(y)d年%(m)d月%(d)d日") % {"y": value.year, "m": value.month, "d": value.day}


def parse_amount(value: object, *, places: int = 2) -> Amount | None:
    """An amount in 万元 as people write it: 1234.5, "1,234.5", "1234.5万元", "20亿元" / "20亿" (×10000), with
    "约" / "左右" … marking an estimate. Negative, non-numeric or too precise (more than `places` decimals
    once in 万元): ValidationError. Blank: None."""
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise ValidationError(_("“%(v)s”不是金额。") % {"v": value})
    if isinstance(value, int | float | Decimal):
        number, approx = Decimal(str(value)), False
        raw = str(value)
    else:
        raw = str(value).strip()
        if not raw:
            return None
        text = raw.replace(",", "").replace("，", "").replace(" ", "").replace("　", "")
        approx = False
        if _APPROX_PREFIX.search(text):
            approx, text = True, _APPROX_PREFIX.sub("", text)
        if _APPROX_SUFFIX.search(text):
            approx, text = True, _APPROX_SUFFIX.sub("", text)
        scale = Decimal(1)
        if unit := _UNIT.search(text):
            if unit.group(1) == "元":
                raise ValidationError(_("“%(v)s”：金额请以万元或亿元为单位。") % {"v": raw})
            scale, text = _SCALE[unit.group(1)], _UNIT.sub("", text)
        try:
            number = Decimal(text) * scale
        except InvalidOperation as exc:
            raise ValidationError(
                _("“%(v)s”不是金额：请填写万元数（如 12000），或写“20亿元”，估算的写“约20亿元”。") % {"v": raw}
            ) from exc
    if not number.is_finite():
        raise ValidationError(_("“%(v)s”不是金额。") % {"v": raw})
    if number < 0:
        raise ValidationError(_("金额不能为负数（填写的是 %(v)s）。") % {"v": raw})
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise ValidationError(_("金额最多 %(p)d 位小数（万元，填写的是 %(v)s）。") % {"p": places, "v": raw})
    return Amount(number.quantize(Decimal(1).scaleb(-places)) if places else number, approx)


def format_amount(value: Decimal | None, approx: bool = False) -> str:
    """ "约 200,000.00" (万元) / "1,234.50"; "" for None."""
    if value is None:
        return ""
    text = f"{value:,.2f}"
    return _("约 %(v)s") % {"v": text} if approx else text
