"""/api/benchmarks/: writes through the services (validation in Chinese, If-Match), filters, and the comparison
endpoint returning the hand-computed figures of test_figures.py."""

import pytest
from django.urls import reverse

from tuijin.benchmarks.models import IndicatorTarget, IndicatorValue, PeerRegion
from tuijin.core.models import ObjectChange

from .conftest import indicator

pytestmark = pytest.mark.django_db
JSON = {"content_type": "application/json", "HTTP_ACCEPT": "application/json"}


def _value_body(region, **overrides) -> dict:
    body = {
        "region": region.pk,
        "indicator": indicator("fai_growth").pk,
        "year": 2025,
        "month": 4,
        "value": "9.5",
        "source": "长垣市统计局",
        "published_on": "2025-05-18",
    }
    body.update(overrides)
    return body


def test_values_create_update_delete(client, world, peers):
    client.force_login(world.office)
    url = reverse("benchmarks-api:value-list")
    created = client.post(url, _value_body(peers["changyuan"]), **JSON)
    assert created.status_code == 201, created.content
    pk, etag = created.json()["id"], created["ETag"]
    assert created.json()["value"] == "9.50"
    detail = reverse("benchmarks-api:value-detail", args=[pk])
    assert client.patch(detail, {"value": "9.6"}, **JSON).status_code == 428
    assert client.patch(detail, {"value": "9.6"}, HTTP_IF_MATCH='"7"', **JSON).status_code == 412
    changed = client.patch(detail, {"value": "9.6"}, HTTP_IF_MATCH=etag, **JSON)
    assert changed.status_code == 200 and changed.json()["value"] == "9.60" and changed["ETag"] == '"2"'
    assert ObjectChange.objects.filter(changed_object_id=pk, action="update").exists()
    assert client.delete(detail, HTTP_IF_MATCH='"1"', **JSON).status_code == 412
    assert client.delete(detail, HTTP_IF_MATCH='"2"', **JSON).status_code == 204
    assert not IndicatorValue.objects.filter(pk=pk).exists()


def test_value_errors_are_chinese(client, world, peers):
    client.force_login(world.office)
    url = reverse("benchmarks-api:value-list")
    missing = client.post(url, _value_body(peers["changyuan"], source=""), **JSON)
    assert missing.status_code == 400
    quarter = client.post(
        url, _value_body(peers["changyuan"], indicator=indicator("secondary_share").pk, month=5, value="40"), **JSON
    )
    assert quarter.status_code == 400 and "季度指标" in quarter.json()["month"][0]
    twice = client.post(url, _value_body(peers["hebi"], month=6), **JSON)
    assert twice.status_code == 400 and "该地区该指标该期已有数值" in str(twice.json())
    share = client.post(
        url, _value_body(peers["changyuan"], indicator=indicator("secondary_share").pk, month=3, value="140"), **JSON
    )
    assert share.status_code == 400 and "占比须在 0 到 100 之间" in share.json()["value"][0]


def test_a_reader_cannot_write(client, world, peers):
    client.force_login(world.leader)
    assert client.get(reverse("benchmarks-api:value-list"), HTTP_ACCEPT="application/json").status_code == 200
    response = client.post(reverse("benchmarks-api:value-list"), _value_body(peers["changyuan"]), **JSON)
    assert response.status_code == 403
    assert not IndicatorValue.objects.filter(region=peers["changyuan"], month=4).exists()


def test_value_filters(client, world, peers):
    client.force_login(world.leader)
    url = reverse("benchmarks-api:value-list")
    rows = client.get(url, {"region": peers["hebi"].pk, "indicator": indicator("fai_growth").pk}).json()["results"]
    assert [r["value"] for r in rows] == ["15.30"]
    assert client.get(url, {"year": 2024}).json()["count"] == 0
    assert client.get(url, {"region": "x"}).status_code == 400


def test_regions_indicators_targets(client, world, peers):
    client.force_login(world.office)
    region = client.post(reverse("benchmarks-api:region-list"), {"name": "许昌", "group": "省辖市"}, **JSON)
    assert region.status_code == 201 and PeerRegion.objects.filter(name="许昌").exists()
    own = PeerRegion.objects.get(is_self=True)
    off = client.patch(
        reverse("benchmarks-api:region-detail", args=[own.pk]), {"is_active": False}, HTTP_IF_MATCH='"1"', **JSON
    )
    assert off.status_code == 400 and "本区不能停用" in off.json()["is_active"][0]
    ind = client.post(
        reverse("benchmarks-api:indicator-list"),
        {"code": "tax_growth", "name": "税收增速", "kind": "growth", "frequency": "month"},
        **JSON,
    )
    assert ind.status_code == 201 and ind.json()["platform_source"] == ""
    target = client.post(
        reverse("benchmarks-api:target-list"), {"indicator": ind.json()["id"], "year": 2025, "value": "6"}, **JSON
    )
    assert target.status_code == 201
    again = client.post(
        reverse("benchmarks-api:target-list"), {"indicator": ind.json()["id"], "year": 2025, "value": "7"}, **JSON
    )
    assert again.status_code == 400 and "该指标该年已有目标" in str(again.json())
    assert IndicatorTarget.objects.get(indicator_id=ind.json()["id"]).value == 6


def test_the_comparison_endpoint(client, world, tiny, peers, targets):
    client.force_login(world.reporter_a)
    fai = indicator("fai_growth")
    data = client.get(reverse("benchmarks-api:comparison-detail", args=[fai.pk]), {"year": 2025, "month": 6}).json()
    assert data["self"]["value"] == "12.6" and data["self"]["basis"] == "platform"
    assert data["target_gap"] == "12.40"
    gaps = {p["region"]["name"]: p for p in data["peers"]}
    assert gaps["鹤壁"]["gap"] == "2.70" and gaps["鹤壁"]["amount"] == "324.00" and gaps["长垣"]["month"] == 5
    assert data["pace"]["required"] == "2749.00" and data["pace"]["current"] == "2251.00"
    closing = data["closing"]
    assert [p["name"] for p in closing["projects"]] == ["甲产业项目", "续建配套项目"]
    assert closing["hidden"] == 1 and closing["covered"] == "11.45"
    everything = client.get(reverse("benchmarks-api:comparison-list"), {"year": 2025, "month": 6}).json()
    codes = [r["indicator"]["code"] for r in everything["results"]]
    assert codes[0] == "fai_growth" and "secondary_share" in codes and "closing" not in everything["results"][0]
    assert client.get(reverse("benchmarks-api:comparison-list"), {"month": 13}).status_code == 400
