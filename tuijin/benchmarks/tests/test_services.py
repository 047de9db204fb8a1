"""The 对标对表 services called directly: permissions, the rules each write enforces, optimistic locking, history."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tuijin.benchmarks import services
from tuijin.benchmarks.models import IndicatorValue, PeerRegion
from tuijin.core.exceptions import ConflictError
from tuijin.core.models import ObjectChange

from .conftest import indicator, self_region

pytestmark = pytest.mark.django_db
D = Decimal


def _data(region, **overrides) -> dict:
    data = {
        "region": region,
        "indicator": indicator("fai_growth"),
        "year": 2025,
        "month": 3,
        "value": D("6.5"),
        "source": "某市统计局",
        "published_on": date(2025, 4, 18),
        "note": "",
    }
    data.update(overrides)
    return data


def test_only_those_who_keep_the_data_write(world, peers):
    for user in (world.leader, world.reporter_a, world.sponsor):
        with pytest.raises(PermissionDenied):
            services.value_save(actor=user, data=_data(peers["hebi"]))
        with pytest.raises(PermissionDenied):
            services.region_save(actor=user, data={"name": "许昌"})
    tongji = _tongji(world)
    value = services.value_save(actor=tongji, data=_data(peers["hebi"]))
    assert value.pk and ObjectChange.objects.filter(changed_object_id=value.pk).exists()


def _tongji(world):
    from tuijin.org.choices import Role
    from tuijin.utilities.testing.world import make_user

    return make_user("tongji_test", role=Role.STATS_BUREAU, unit=world.office_unit)


def test_an_inactive_peer_takes_no_new_value(world, peers):
    with pytest.raises(ValidationError) as caught:
        services.value_save(actor=world.office, data=_data(peers["gone"]))
    assert "已停用" in str(caught.value)
    existing = IndicatorValue.objects.get(region=peers["gone"])  # its old value can still be corrected
    changed = services.value_save(actor=world.office, data={"value": D("98")}, value=existing, version=existing.version)
    assert changed.value == D("98")


def test_a_stale_version_is_a_conflict_and_changes_nothing(world, peers):
    value = IndicatorValue.objects.get(region=peers["hebi"], indicator__code="fai_growth")
    services.value_save(actor=world.office, data={"value": D("15.4")}, value=value, version=1)
    stale = IndicatorValue.objects.get(pk=value.pk)
    stale.version = 1
    with pytest.raises(ConflictError) as caught:
        services.value_save(actor=world.office, data={"value": D("20")}, value=stale, version=1)
    assert caught.value.current.value == D("15.40")
    assert IndicatorValue.objects.get(pk=value.pk).value == D("15.40")
    with pytest.raises(ConflictError):
        services.value_delete(actor=world.office, value=value, version=1)
    services.value_delete(actor=world.office, value=value, version=2)
    assert not IndicatorValue.objects.filter(pk=value.pk).exists()


def test_the_self_region_stays_active(world):
    own = self_region()
    renamed = services.region_save(actor=world.office, data={"name": "红旗区"}, region=own, version=own.version)
    assert renamed.name == "红旗区" and renamed.is_self
    with pytest.raises(ValidationError):
        services.region_save(actor=world.office, data={"is_active": False}, region=renamed, version=renamed.version)
    with pytest.raises(ValidationError):  # names are unique
        services.region_save(actor=world.office, data={"name": "红旗区"})
    assert PeerRegion.objects.filter(is_self=True).count() == 1


def test_indicator_rules(world, peers):
    base = {"code": "x1", "name": "测试指标", "kind": "count", "frequency": "month", "platform_source": "starts"}
    made = services.indicator_save(actor=world.office, data=base)
    assert made.platform_source == "starts"
    with pytest.raises(ValidationError) as caught:
        services.indicator_save(actor=world.office, data=dict(base, code="x2", name="测试2", frequency="quarter"))
    assert "月度指标" in str(caught.value)
    fai = indicator("fai_growth")  # 长垣 has May: not a quarter end
    with pytest.raises(ValidationError) as caught:
        services.indicator_save(
            actor=world.office, data={"frequency": "quarter", "platform_source": ""}, indicator=fai, version=fai.version
        )
    assert "非季末月份" in str(caught.value)


def test_target_rules(world):
    with pytest.raises(ValidationError) as caught:
        services.target_save(
            actor=world.office, data={"indicator": indicator("started_projects"), "year": 2025, "value": D("6.5")}
        )
    assert "整数" in str(caught.value)
    target = services.target_save(
        actor=world.office, data={"indicator": indicator("started_projects"), "year": 2025, "value": D("6")}
    )
    with pytest.raises(ValidationError):
        services.target_save(
            actor=world.office, data={"indicator": indicator("started_projects"), "year": 2025, "value": D("7")}
        )
    assert target.value == D("6")
