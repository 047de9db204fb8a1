import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tuijin.org.choices import UnitType
from tuijin.org.models import OrgUnit
from tuijin.org.services import org_unit_set_path
from tuijin.utilities.testing.matrix import ApiMatrix, Case, ViewMatrix


class TestOrgUnitList(ViewMatrix):
    url_name = "org:orgunit_list"
    detail = False

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.reporter_a, denied=world.norole, in_scope=world.unit_a, out_of_scope=world.unit_b)


class TestOrgUnitDetail(ViewMatrix):
    url_name = "org:orgunit"

    @pytest.fixture
    def matrix(self, world):
        return Case(
            allowed=world.ent_user_a,
            denied=world.auditadmin,
            in_scope=world.enterprise_a,
            out_of_scope=world.enterprise_b,
        )


class TestPersonList(ViewMatrix):
    url_name = "org:person_list"
    detail = False

    @pytest.fixture
    def matrix(self, world):
        return Case(
            allowed=world.office,
            denied=world.ent_user_a,
            in_scope=world.leader_person,
            out_of_scope=world.foreign_leader_person,  # public rows stop at the district's border
            marker=lambda p: p.name,
        )


class TestPersonDetail(ViewMatrix):
    url_name = "org:person"

    @pytest.fixture
    def matrix(self, world):
        from tuijin.org.models import Person

        other = Person.objects.create(name="邻区某局长", unit=world.foreign_unit)
        return Case(allowed=world.leader, denied=world.norole, in_scope=world.leader_person, out_of_scope=other)


class TestOrgUnitApiList(ApiMatrix):
    url_name = "org-api:orgunit-list"
    detail = False

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.reporter_b, denied=world.norole, in_scope=world.unit_b, out_of_scope=world.unit_a)


class TestOrgUnitApiDetail(ApiMatrix):
    url_name = "org-api:orgunit-detail"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.reporter_b, denied=world.auditadmin, in_scope=world.unit_b, out_of_scope=world.unit_a)


class TestPersonApiList(ApiMatrix):
    url_name = "org-api:person-list"
    detail = False

    @pytest.fixture
    def matrix(self, world):
        return Case(
            allowed=world.office,
            denied=world.norole,
            in_scope=world.leader_person,
            out_of_scope=world.foreign_leader_person,
            marker=lambda p: p.name,
        )


class TestPersonApiDetail(ApiMatrix):
    url_name = "org-api:person-detail"

    @pytest.fixture
    def matrix(self, world):
        from tuijin.org.models import Person

        other = Person.objects.create(name="邻区某局长", unit=world.foreign_unit)
        return Case(allowed=world.office, denied=world.ent_user_a, in_scope=world.leader_person, out_of_scope=other)


def test_api_writes_are_not_allowed(client, world):
    client.force_login(world.sysadmin)
    response = client.post("/api/org/units/", {"name": "x"}, content_type="application/json")
    assert response.status_code in (403, 405)


def test_api_token_authentication(client, world):
    from tuijin.api.authentication import api_token_create

    key, _token = api_token_create(user=world.reporter_a, name="集成测试")
    response = client.get("/api/org/units/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert {row["name"] for row in response.json()["results"]} == {"甲街道办事处", "甲街道社区"}
    assert client.get("/api/org/units/", HTTP_AUTHORIZATION="Token wrong").status_code == 401


def test_filter_parameter_cannot_widen_scope(client, world):
    client.force_login(world.reporter_a)
    response = client.get("/api/org/units/", {"q": "乙街道"})
    assert response.json()["count"] == 0


def _add_units(world, count):
    for i in range(count):
        unit = OrgUnit.objects.create(
            name=f"批量单位{i}", unit_type=UnitType.OTHER, region=world.district, parent=world.gov
        )
        org_unit_set_path(unit)


@pytest.mark.parametrize("url", ["/org/units/", "/api/org/units/", "/org/people/"])
def test_list_query_count_does_not_grow_with_data(client, world, url):
    client.force_login(world.office)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _add_units(world, 40)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_detail_query_count_is_bounded(client, world):
    client.force_login(world.office)
    url = reverse("org:orgunit", args=[world.gov.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert len(ctx.captured_queries) <= 12


def test_schema_is_served(client, world):
    client.force_login(world.office)
    response = client.get("/api/schema/")
    assert response.status_code == 200 and b"/api/org/units/" in response.content
    assert client.get("/api/schema/swagger/").status_code == 200


class TestOrgUnitOptions(ViewMatrix):
    url_name = "org:orgunit_options"
    detail = False

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.reporter_a, denied=world.norole, in_scope=world.unit_a, out_of_scope=world.unit_b)


def test_unit_options_search_by_name_within_scope(client, world):
    client.force_login(world.office)
    url = reverse("org:orgunit_options")
    html = client.get(url, {"q": "乙街道", "kind": "responsible"}).content.decode()
    assert f'value="{world.unit_b.pk}"' in html and f'value="{world.unit_a.pk}"' not in html
    assert world.foreign_unit.name not in client.get(url, {"q": "邻区"}).content.decode()  # another district
    assert world.enterprise_a.name not in client.get(url, {"q": "企业"}).content.decode()  # never enterprises
    assert "没有名称含“不存在的单位”的单位" in client.get(url, {"q": "不存在的单位"}).content.decode()
    locality = client.get(url, {"kind": "locality"}).content.decode()
    assert f'value="{world.unit_a.pk}"' in locality and f'value="{world.office_unit.pk}"' not in locality
    assert '<option value="">全部</option>' in locality
    assert '<option value="">---------</option>' in client.get(url, {"blank": "none"}).content.decode()


def test_unit_options_are_bounded(client, world, monkeypatch):
    from tuijin.org import views

    monkeypatch.setattr(views, "OPTIONS_LIMIT", 2)
    client.force_login(world.office)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("org:orgunit_options")).content.decode()
    assert html.count('<option value="') - html.count('value="" disabled') == 3  # 全部 + 2 units
    assert "仅列出前 2 个" in html
    assert len(queries) <= 6
