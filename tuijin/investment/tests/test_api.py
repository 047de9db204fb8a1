"""/api/investment/leads/: a permission matrix for every URL (list, detail, submit, review, convert), create and
update through the API (If-Match: 428 without, 412 stale), and the same rules as the pages."""

from decimal import Decimal
from typing import ClassVar

import pytest
from django.urls import reverse

from tuijin.investment.choices import LeadStage, ReviewStatus
from tuijin.investment.models import Lead
from tuijin.utilities.testing.matrix import ApiMatrix, ApiPostMatrix, Case

from .factories import advance, make_lead

JSON = {"content_type": "application/json", "HTTP_ACCEPT": "application/json"}


@pytest.fixture
def leads(world):
    a = make_lead(actor=world.reporter_a, unit=world.unit_a, name="甲接口招商项目")
    b = make_lead(actor=world.reporter_b, unit=world.unit_b, name="乙接口招商项目")
    return a, b


@pytest.fixture
def foreign_lead(world):
    return make_lead(actor=world.foreign_office, unit=world.foreign_unit, name="邻区接口招商项目")


def name(lead):
    return lead.name


def _fresh(obj) -> Lead:
    return Lead.objects.get(pk=obj.pk)


class TestLeadApiList(ApiMatrix):
    url_name = "investment-api:lead-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, leads):
        return Case(
            allowed=world.reporter_a, denied=world.ent_user_a, in_scope=leads[0], out_of_scope=leads[1], marker=name
        )


class TestLeadApiDetail(ApiMatrix):
    url_name = "investment-api:lead-detail"

    @pytest.fixture
    def matrix(self, world, leads, foreign_lead):
        return Case(
            allowed=world.leader, denied=world.norole, in_scope=leads[1], out_of_scope=foreign_lead, marker=name
        )


class _Step(ApiPostMatrix):
    expected: ClassVar[dict] = {}

    def data(self, obj, matrix):
        return {"version": _fresh(obj).version}

    def assert_succeeded(self, response):
        super().assert_succeeded(response)
        assert response["ETag"] == f'"{response.json()["version"]}"'


class TestLeadApiSubmit(_Step):
    url_name = "investment-api:lead-submit"

    def data(self, obj, matrix):
        return {
            **super().data(obj, matrix),
            "to_stage": "signed",
            "signed_date": "2025-02-01",
            "contract_kind": "contract",
            "signed_total": "120000",
        }

    def effect(self, obj, matrix):
        lead = _fresh(obj)
        assert lead.stage == LeadStage.SIGNED and lead.signed_total == Decimal("120000")

    @pytest.fixture
    def matrix(self, world, leads):
        return Case(allowed=world.reporter_b, denied=world.leader, in_scope=leads[1], out_of_scope=leads[0])


class TestLeadApiReview(_Step):
    url_name = "investment-api:lead-review"

    def data(self, obj, matrix):
        return {**super().data(obj, matrix), "approve": False, "opinion": "签约金额与合同不符"}

    def effect(self, obj, matrix):
        assert _fresh(obj).review_status == ReviewStatus.RETURNED

    @pytest.fixture
    def matrix(self, world, leads, foreign_lead):
        a = advance(leads[0], "signed", actor=world.reporter_a)
        f = advance(foreign_lead, "signed", actor=world.foreign_office)
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=a, out_of_scope=f)


class TestLeadApiConvert(_Step):
    url_name = "investment-api:lead-convert"

    def effect(self, obj, matrix):
        assert _fresh(obj).project is not None

    @pytest.fixture
    def matrix(self, world, leads, foreign_lead):
        a = advance(leads[0], "signed", actor=world.reporter_a, reviewer=world.office)
        f = advance(foreign_lead, "signed", actor=world.foreign_office, reviewer=world.foreign_office)
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=a, out_of_scope=f)


def test_create_and_update_with_if_match(client, world):
    client.force_login(world.reporter_a)
    url = reverse("investment-api:lead-list")
    response = client.post(
        url,
        {
            "name": "接口登记",
            "investor": "示例集团",
            "tracking_unit": world.unit_a.pk,
            "investor_tags": ["listed"],
            "planned_investment": "80000",
        },
        **JSON,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["stage"] == "negotiating" and body["investor_tags"] == ["listed"] and response["ETag"] == '"1"'
    detail = reverse("investment-api:lead-detail", args=[body["id"]])
    assert client.patch(detail, {"tracking_person": "王五"}, **JSON).status_code == 428
    assert client.patch(detail, {"tracking_person": "王五"}, HTTP_IF_MATCH='"7"', **JSON).status_code == 412
    response = client.patch(detail, {"tracking_person": "王五"}, HTTP_IF_MATCH='"1"', **JSON)
    assert response.status_code == 200 and response.json()["tracking_person"] == "王五"
    assert response["ETag"] == '"2"'


def test_create_outside_scope_is_refused(client, world):
    client.force_login(world.reporter_a)
    response = client.post(
        reverse("investment-api:lead-list"), {"name": "x", "investor": "y", "tracking_unit": world.unit_b.pk}, **JSON
    )
    assert response.status_code == 400 and "tracking_unit" in response.json()
    assert not Lead.objects.exists()


def test_create_without_permission_is_403(client, world):
    client.force_login(world.leader)
    response = client.post(
        reverse("investment-api:lead-list"), {"name": "x", "investor": "y", "tracking_unit": world.unit_a.pk}, **JSON
    )
    assert response.status_code == 403


def test_stale_step_is_412(client, world, leads):
    lead = advance(leads[0], "signed", actor=world.reporter_a)
    client.force_login(world.office)
    response = client.post(
        reverse("investment-api:lead-review", args=[lead.pk]), {"version": lead.version - 1, "approve": True}, **JSON
    )
    assert response.status_code == 412 and _fresh(lead).review_status == ReviewStatus.PENDING


def test_convert_twice_is_400(client, world, leads):
    lead = advance(leads[0], "signed", actor=world.reporter_a, reviewer=world.office)
    client.force_login(world.office)
    url = reverse("investment-api:lead-convert", args=[lead.pk])
    assert client.post(url, {"version": lead.version}, **JSON).status_code == 200
    response = client.post(url, {"version": _fresh(lead).version}, **JSON)
    assert response.status_code == 400 and response.json()["code"] == "already_converted"
