"""Writes of 对标对表: peer regions, indicators, their values and the district's targets. Each service checks the
actor's permission (`actor=None` is the system: demo data, commands), validates (Chinese messages, the database
constraints through `full_clean`), saves with optimistic locking (`bump_version`) and leaves its history to the
change log. The benchmark rows are the district's, not a unit's: there is no row scope to check."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.exceptions import ConflictError
from tuijin.core.locking import bump_version, changes_since

from .choices import Frequency, IndicatorKind, PlatformSource
from .figures import COUNT_SOURCES, GROWTH_SOURCES, QUARTER_ENDS
from .models import Indicator, IndicatorTarget, IndicatorValue, PeerRegion

__all__ = [
    "INDICATOR_FIELDS",
    "REGION_FIELDS",
    "TARGET_FIELDS",
    "VALUE_FIELDS",
    "check_value",
    "indicator_save",
    "region_save",
    "target_save",
    "value_delete",
    "value_save",
]

REGION_FIELDS = ("name", "group", "sort_order", "is_active")
INDICATOR_FIELDS = ("code", "name", "kind", "frequency", "higher_is_better", "platform_source", "sort_order", "note")
VALUE_FIELDS = ("region", "indicator", "year", "month", "value", "source", "published_on", "note")
TARGET_FIELDS = ("indicator", "year", "value", "source")


def _require(actor, permission: str) -> None:
    if actor is not None and not actor.has_perm(f"benchmarks.{permission}"):
        raise PermissionDenied(_("您没有执行此操作的权限。"))


def _assign(obj, data: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if name in data:
            value = data[name]
            setattr(obj, name, value.strip() if isinstance(value, str) else value)


def _save(obj, version: int | None, message: str = "") -> None:
    obj._changelog_message = message
    if obj.pk is None:
        obj.save()
    else:
        bump_version(obj, expected_version=version)


def check_value(kind: str, value: Decimal | None, field: str = "value") -> None:
    """The range a value of this kind may take (a Chinese ValidationError on `field` otherwise)."""
    if value is None:
        raise ValidationError({field: _("请填写数值。")})
    if kind == IndicatorKind.SHARE and not Decimal(0) <= value <= Decimal(100):
        raise ValidationError({field: _("占比须在 0 到 100 之间。")})
    if kind == IndicatorKind.GROWTH and not Decimal(-100) <= value <= Decimal(1000):
        raise ValidationError({field: _("增速须在 -100 到 1000 之间（单位：%）。")})
    if kind == IndicatorKind.COUNT and (value < 0 or value != value.to_integral_value()):
        raise ValidationError({field: _("个数须为不小于 0 的整数。")})
    if kind == IndicatorKind.AMOUNT and value < 0:
        raise ValidationError({field: _("金额不能为负数。")})


# -- regions -------------------------------------------------------------------------------------------------------


@transaction.atomic
def region_save(*, actor, data: dict, region: PeerRegion | None = None, version: int | None = None) -> PeerRegion:
    """Add a peer region or change one (name, group, order, active). 本区 (the one `is_self` region, created with
    the platform) can be renamed but not deactivated."""
    if region is None:
        _require(actor, "add_peerregion")
        region = PeerRegion()
    else:
        _require(actor, "change_peerregion")
    _assign(region, data, REGION_FIELDS)
    if region.is_self and not region.is_active:
        raise ValidationError({"is_active": _("本区不能停用。")})
    region.full_clean()
    _save(region, version)
    return region


# -- indicators ----------------------------------------------------------------------------------------------------


def _check_indicator(indicator: Indicator) -> None:
    source = indicator.platform_source
    if source in GROWTH_SOURCES and (indicator.kind != IndicatorKind.GROWTH or indicator.frequency != Frequency.MONTH):
        raise ValidationError({"platform_source": _("平台计算的投资增速只能用于“增速（%）”类型的月度指标。")})
    if source in COUNT_SOURCES and (indicator.kind != IndicatorKind.COUNT or indicator.frequency != Frequency.MONTH):
        raise ValidationError({"platform_source": _("平台计算的项目个数只能用于“个数”类型的月度指标。")})
    if indicator.pk is not None and indicator.frequency == Frequency.QUARTER:
        odd = IndicatorValue.objects.filter(indicator=indicator).exclude(month__in=QUARTER_ENDS).count()
        if odd:
            raise ValidationError(
                {"frequency": _("该指标已有 %(n)d 个非季末月份的数值，不能改为季度指标。") % {"n": odd}}
            )


@transaction.atomic
def indicator_save(*, actor, data: dict, indicator: Indicator | None = None, version: int | None = None) -> Indicator:
    """Add an indicator or change one. A platform source fits only its kind: investment growth a monthly growth
    indicator, project counts a monthly count indicator."""
    if indicator is None:
        _require(actor, "add_indicator")
        indicator = Indicator()
    else:
        _require(actor, "change_indicator")
    _assign(indicator, data, INDICATOR_FIELDS)
    if indicator.platform_source is None:
        indicator.platform_source = PlatformSource.NONE
    indicator.full_clean()
    _check_indicator(indicator)
    _save(indicator, version)
    return indicator


# -- values --------------------------------------------------------------------------------------------------------


def _check_period(indicator: Indicator, year: int, month: int, published_on: date | None) -> None:
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if indicator.frequency == Frequency.QUARTER and month not in QUARTER_ENDS:
        errors["month"] = _("季度指标的截至月份须为 3、6、9 或 12 月。")
    elif (year, month) > (today.year, today.month):
        errors["month"] = _("不能录入未来月份的数据。")
    if published_on is None:
        errors["published_on"] = _("请填写发布日期。")
    elif published_on > today:
        errors["published_on"] = _("发布日期不能晚于今天。")
    elif not errors and published_on < date(year, month, 1):
        errors["published_on"] = _("发布日期早于数据所属月份（%(y)d年%(m)d月），请核对。") % {"y": year, "m": month}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def value_save(
    *,
    actor,
    data: dict,
    value: IndicatorValue | None = None,
    version: int | None = None,
    message: str = "",
) -> IndicatorValue:
    """Enter a published value of a region's indicator (or correct one): the source and the publication date are
    required, a quarterly indicator takes quarter-end months only, no future months, a value in the kind's range.
    One value per region, indicator and month (the database constraint): a second one is refused."""
    if value is None:
        _require(actor, "add_indicatorvalue")
        value = IndicatorValue()
    else:
        _require(actor, "change_indicatorvalue")
    previous_region = value.region_id
    _assign(value, data, VALUE_FIELDS)
    if not (value.source or "").strip():
        raise ValidationError({"source": _("请填写来源（如：某市统计局月度数据发布）。")})
    if value.region_id is None or value.indicator_id is None:
        raise ValidationError({"region" if value.region_id is None else "indicator": _("请选择地区和指标。")})
    region, indicator = value.region, value.indicator
    if not region.is_active and not region.is_self and (value.pk is None or previous_region != region.pk):
        raise ValidationError({"region": _("对标地区“%(r)s”已停用，不能录入新数值。") % {"r": region.name}})
    value.full_clean()
    _check_period(indicator, value.year, value.month, value.published_on)
    check_value(indicator.kind, value.value)
    _save(value, version, message)
    return value


@transaction.atomic
def value_delete(*, actor, value: IndicatorValue, version: int | None) -> None:
    """Delete a value (a wrong entry) if it is still at the version the user saw; the change log keeps it."""
    _require(actor, "delete_indicatorvalue")
    current = IndicatorValue.objects.select_for_update().filter(pk=value.pk).first()
    if current is None:
        raise ConflictError(_("该数值已被删除。"), current=None)
    try:
        expected = int(version) if version is not None else None
    except (TypeError, ValueError):
        expected = None
    if expected != current.version:
        raise ConflictError(
            _("该数值已被他人修改（您看到的是第 %(mine)d 版，当前为第 %(now)d 版），未删除，请刷新后重试。")
            % {"mine": expected or 0, "now": current.version},
            current=current,
            changes=changes_since(current, expected or 0),
        )
    current.delete()


# -- targets -------------------------------------------------------------------------------------------------------


@transaction.atomic
def target_save(
    *, actor, data: dict, target: IndicatorTarget | None = None, version: int | None = None
) -> IndicatorTarget:
    """Set the district's target of an indicator for a year (one per indicator and year), or change it."""
    if target is None:
        _require(actor, "add_indicatortarget")
        target = IndicatorTarget()
    else:
        _require(actor, "change_indicatortarget")
    _assign(target, data, TARGET_FIELDS)
    if target.indicator_id is None:
        raise ValidationError({"indicator": _("请选择指标。")})
    target.full_clean()
    check_value(target.indicator.kind, target.value)
    _save(target, version)
    return target
