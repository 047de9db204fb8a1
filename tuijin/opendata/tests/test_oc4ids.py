"""The OC4IDS mapping and package: only public fields, exact money, the status and sector codelists, the monthly
figures as the facts layer holds them, and validation against the vendored schema."""

import json
from decimal import Decimal
from types import SimpleNamespace

import pytest

from tuijin.facts.models import ProjectMonth
from tuijin.opendata import schema, selectors, services
from tuijin.opendata.fields import KEYS
from tuijin.opendata.models import PublicationSettings
from tuijin.opendata.oc4ids import STATUS_BY_STAGE, project_sector, project_status, yuan
from tuijin.projects.choices import Stage
from tuijin.projects.models import Project

from .helpers import SECRET_PHONE, last_month, portfolio

# projectStatus is a closed codelist in OC4IDS 0.9.
PROJECT_STATUS = {"identification", "preparation", "implementation", "completion", "completed", "cancelled"}
D = Decimal


def settings_with(*keys) -> PublicationSettings:
    version = PublicationSettings.current().version
    return services.settings_save(actor=None, version=version, data={"public_fields": list(keys)})


def export(queryset=None, **kwargs) -> dict:
    return selectors.package(queryset if queryset is not None else Project.objects.all(), uri="urn:test", **kwargs)


def by_title(package: dict) -> dict[str, dict]:
    return {p["title"]: p for p in package["projects"]}


# -- pure mapping ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wan", "expected"),
    [("12345.67", 123456700), ("0.01", 100), ("0", 0), ("999999999999.99", 9999999999999900), ("3000", 30000000)],
)
def test_money_is_wan_times_ten_thousand_exactly(wan, expected):
    result = yuan(D(wan))
    assert result == expected and isinstance(result, int)


def test_money_refuses_fractions_of_a_yuan():
    with pytest.raises(ValueError):
        yuan(D("0.00001"))


def test_every_stage_maps_to_the_closed_status_codelist():
    for stage in Stage.values:
        assert project_status(stage, started=False) in PROJECT_STATUS
        assert project_status(stage, started=True) in PROJECT_STATUS
    assert set(STATUS_BY_STAGE) | {"suspended"} == set(Stage.values)


@pytest.mark.parametrize(
    ("stage", "started", "status"),
    [
        ("conceived", False, "identification"),
        ("reserve", False, "identification"),
        ("preparation", False, "preparation"),
        ("construction", True, "implementation"),
        ("completed", True, "completion"),
        ("operating", True, "completed"),
        ("cancelled", False, "cancelled"),
        ("suspended", False, "preparation"),
        ("suspended", True, "implementation"),
    ],
)
def test_status_mapping(stage, started, status):
    assert project_status(stage, started=started) == status


def _industry(code, parent=None):
    return SimpleNamespace(code=code, parent=SimpleNamespace(code=parent) if parent else None)


@pytest.mark.parametrize(
    ("code", "parent", "sector"),
    [
        ("54", "G", ["transport", "transport.road"]),
        ("56", "G", ["transport", "transport.air"]),
        ("39", "C", ["economy"]),
        ("39", None, ["economy"]),  # 大类 without its 门类: found by the code range
        ("83", "P", ["education"]),
        ("84", "Q", ["health"]),
        ("44", "D", ["energy"]),
        ("46", "D", ["waterAndWaste"]),
        ("P", None, ["education"]),
    ],
)
def test_sector_mapping(code, parent, sector):
    assert project_sector(_industry(code, parent)) == sector


def test_no_industry_no_sector():
    assert project_sector(None) == []


# -- the package from the registry --------------------------------------------------------------------------------


@pytest.fixture
def projects(world):
    return portfolio(world)


def test_all_fields_public(projects, settings):
    settings_with(*KEYS)
    package = export()
    road = by_title(package)["甲街道快速路改造工程"]
    code = projects["road"].code
    assert road["id"] == f"{settings.TUIJIN_OC4IDS_PREFIX}-{code}"
    assert len(code) == 24
    assert road["description"] == "改造道路 5.2 公里，新建桥梁 2 座"
    assert road["status"] == "implementation"
    assert road["budget"] == {"amount": {"amount": 123456700, "currency": "CNY"}}
    assert road["sector"] == ["transport", "transport.road"]
    assert road["period"]["startDate"].startswith(f"{projects['road'].planned_start:%Y-%m-%d}T00:00:00")
    assert road["period"]["endDate"].startswith(f"{projects['road'].planned_finish:%Y-%m-%d}T23:59:59")
    [location] = road["locations"]
    assert location["geometry"] == {"type": "Point", "coordinates": [113.926512, 35.303004]}
    assert location["address"]["streetAddress"] == "甲街道人民路与建设路交叉口"
    assert location["address"]["region"] == "甲街道"  # no 属地: the responsible unit's region
    roles = {p["name"]: p["roles"] for p in road["parties"]}
    assert roles == {"甲街道办事处": ["publicAuthority"], "甲城投建设有限公司": ["projectOwner"]}
    owner = next(p for p in road["parties"] if p["name"] == "甲城投建设有限公司")
    assert owner["identifier"] == {"scheme": "CN-SAMR", "id": "91410702MA0000009J", "legalName": "甲城投建设有限公司"}
    school = by_title(package)["乙街道第二小学"]
    assert school["status"] == "preparation" and school["sector"] == ["education"]
    assert "metrics" not in school  # nothing reported


def test_a_unit_that_is_also_the_owner_is_one_party(world, projects):
    Project.objects.filter(pk=projects["road"].pk).update(
        owner_name="甲街道办事处", owner_credit_code="11410702MB0000001X"
    )
    type(world.unit_a).objects.filter(pk=world.unit_a.pk).update(credit_code="11410702MB0000001X")
    settings_with("responsible_unit", "owner")
    road = by_title(export())["甲街道快速路改造工程"]
    assert [(p["name"], p["roles"]) for p in road["parties"]] == [("甲街道办事处", ["publicAuthority", "projectOwner"])]


def test_projects_without_a_code_are_not_exported(projects):
    titles = set(by_title(export()))
    assert "甲街道未赋码项目" not in titles
    assert {"甲街道快速路改造工程", "乙街道第二小学"} <= titles
    assert selectors.uncoded_count(Project.objects.all()) == 1


def test_unticked_fields_do_not_appear(projects):
    settings_with("status")
    text = json.dumps(export(), ensure_ascii=False)
    road = by_title(export())["甲街道快速路改造工程"]
    assert set(road) == {"id", "title", "updated", "status"}
    for hidden in (
        "改造道路",
        "甲街道人民路",
        "113.926512",
        "123456700",
        "甲城投",
        "91410702MA0000009J",
        "甲街道办事处",
    ):
        assert hidden not in text, hidden
    assert "metrics" not in text and "budget" not in text and "parties" not in text


def test_scale_and_content_only_when_ticked(projects):
    settings_with("status", "budget")
    assert "改造道路 5.2 公里" not in json.dumps(export(), ensure_ascii=False)
    settings_with("status", "budget", "description")
    assert "改造道路 5.2 公里" in json.dumps(export(), ensure_ascii=False)


def test_never_published_whatever_is_ticked(projects):
    """Contact people and their telephones, 包联领导, remarks and funding notes have no public field at all."""
    settings_with(*KEYS)
    text = json.dumps(export(), ensure_ascii=False)
    for secret in (SECRET_PHONE, "包联副区长", "内部备注", "内部资金说明", "telephone", "contactPoint"):
        assert secret not in text, secret


def test_monthly_figures_are_the_facts_rows(projects):
    settings_with("month_investment", "cumulative_investment")
    road = by_title(export())["甲街道快速路改造工程"]
    [metric] = road["metrics"]
    assert metric["id"] == "financialProgress"
    observed = {o["id"]: o["value"]["amount"] for o in metric["observations"]}
    rows = ProjectMonth.objects.filter(project=projects["road"], reported=True).order_by("period")
    assert rows.count() == 2
    expected = {}
    for row in rows:
        expected[f"{row.period:%Y-%m}-month"] = yuan(row.month_investment)
        expected[f"{row.period:%Y-%m}-cumulative"] = yuan(row.cumulative)
    assert observed == expected
    month = f"{last_month():%Y-%m}"
    assert observed[f"{month}-month"] == 8002500
    assert observed[f"{month}-cumulative"] == 20007500  # 1200.50 + 800.25 万元
    settings_with("cumulative_investment")
    road = by_title(export())["甲街道快速路改造工程"]
    assert {o["id"].rsplit("-", 1)[1] for o in road["metrics"][0]["observations"]} == {"cumulative"}


def test_the_office_exports_its_own_district_only(world, projects):
    settings_with(*KEYS)
    titles = set(by_title(export(Project.objects.restrict(world.office, "view"))))
    assert "邻区产业园项目" not in titles and "甲街道快速路改造工程" in titles


def test_package_header(projects, settings):
    services.settings_save(
        actor=None,
        version=None,
        data={
            "publisher_name": "测试区发展和改革委员会",
            "publisher_uri": "https://fgw.example.gov.cn/",
            "license": "",
        },
    )
    package = export()
    assert package["version"] == "0.9"
    assert package["publisher"] == {"name": "测试区发展和改革委员会", "uri": "https://fgw.example.gov.cn/"}
    assert package["uri"] == "urn:test"
    assert "T" in package["publishedDate"] and package["publishedDate"].endswith("+08:00")
    assert len({p["id"] for p in package["projects"]}) == len(package["projects"])


# -- schema ---------------------------------------------------------------------------------------------------


@pytest.mark.skipif(not schema.schema_available(), reason="OC4IDS schema not vendored yet (opendata/schema/README.md)")
def test_package_validates_against_vendored_schema(projects):
    settings_with(*KEYS)
    package = export()
    assert package["projects"]
    assert schema.package_errors(package) == []
    settings_with()
    assert schema.package_errors(export()) == []


def test_the_validator_resolves_the_project_schema_offline(tmp_path, monkeypatch):
    """The package schema names the project schema by URL; it is read from the folder, never fetched."""
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError("the validator must not reach the network")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    url = "https://standard.example.org/infrastructure/schema/0__9__5/project-schema.json"
    package_schema = {
        "id": "https://standard.example.org/infrastructure/schema/0__9__5/project-package-schema.json",
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "required": ["projects", "publishedDate"],
        "properties": {
            "publishedDate": {"type": "string", "format": "date-time"},
            "projects": {"type": "array", "minItems": 1, "items": {"$ref": url}},
        },
    }
    project_schema = {
        "id": url,
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "string"}, "status": {"enum": ["implementation"]}},
    }
    (tmp_path / "project-package-schema.json").write_text(json.dumps(package_schema))
    (tmp_path / "project-schema.json").write_text(json.dumps(project_schema))
    good = {"publishedDate": "2026-12-07T10:00:00+08:00", "projects": [{"id": "x", "status": "implementation"}]}
    assert schema.package_errors(good, tmp_path) == []
    bad = {"publishedDate": "2026-12-07", "projects": [{"status": "在建"}]}
    errors = schema.package_errors(bad, tmp_path)
    assert any(e.startswith("projects/0") and "'id' is a required property" in e for e in errors)
    assert any(e.startswith("projects/0/status") for e in errors)
    assert any(e.startswith("publishedDate") for e in errors)


def test_missing_schema_is_reported(tmp_path):
    with pytest.raises(schema.SchemaMissing):
        schema.package_errors({}, tmp_path)
