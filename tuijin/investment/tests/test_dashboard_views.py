"""招商驾驶舱 page and /api/investment/kpis/: permission matrices with a real out-of-scope lead (a unit user sees
only its unit's figures; the district's office not the neighbouring district's), every number on the page linking
to a lead list of exactly that many leads, the period selectors, the charts' data, and a fixed query budget."""

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tuijin.investment.choices import LeadStage, SigningKind
from tuijin.investment.kpis import FIGURES
from tuijin.utilities.testing.matrix import ApiMatrix, Case, ViewMatrix
from tuijin.utilities.testing.queries import count_queries

from .test_kpis import kw, make, sign  # noqa: F401 - kw is the constructed world (a fixture)

URL = "investment:dashboard"
LIST = reverse("investment:lead_list")


def _signed_this_year(unit, name):
    today = timezone.localdate()
    lead = make(name, unit, LeadStage.SIGNED, signed_date=today, signed_total=Decimal(40000))
    sign(lead, SigningKind.FIRST, today, 40000, 40000)
    return lead


@pytest.fixture
def signed(world):
    """One lead signed this year in each 街道, and one in the neighbouring district (the default period)."""
    return (
        _signed_this_year(world.unit_a, "甲街道签约项目"),
        _signed_this_year(world.unit_b, "乙街道签约项目"),
        _signed_this_year(world.foreign_unit, "邻区签约项目"),
    )


def unit_of(lead):
    """The lead shows on the dashboard through its tracking unit's row (各跟踪单位签约)."""
    return lead.tracking_unit.display_name


class TestDashboard(ViewMatrix):
    url_name = URL
    detail = False

    @pytest.fixture
    def matrix(self, world, signed):
        # an enterprise account has no investment.view_lead: 403
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=signed[0],
            out_of_scope=signed[1],
            marker=unit_of,
        )


class TestDashboardLeader(TestDashboard):
    """A district leader reads the district's figures, not the neighbouring district's."""

    @pytest.fixture
    def matrix(self, world, signed):
        return Case(
            allowed=world.leader, denied=world.sysadmin, in_scope=signed[1], out_of_scope=signed[2], marker=unit_of
        )


class TestKpiApi(ApiMatrix):
    url_name = "investment-api:kpis-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, signed):
        return Case(
            allowed=world.reporter_b, denied=world.norole, in_scope=signed[1], out_of_scope=signed[0], marker=unit_of
        )


class TestKpiApiOffice(TestKpiApi):
    @pytest.fixture
    def matrix(self, world, signed):
        return Case(
            allowed=world.office, denied=world.ent_user_b, in_scope=signed[0], out_of_scope=signed[2], marker=unit_of
        )


# --- the figures on the page -----------------------------------------------------------------------------------


def _get(client, user, query=""):
    client.force_login(user)
    response = client.get(f"{reverse(URL)}{query}")
    assert response.status_code == 200
    return response


def _list_count(client, query: str) -> int:
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    return response.context["paginator"].count


NUMBER_LINK = re.compile(r'<a[^>]*href="(/investment/\?[^"]*)"[^>]*>\s*(\d+)\s*</a>')


def test_every_number_links_to_exactly_its_leads(client, world, kw):  # noqa: F811
    page = _get(client, world.office, "?year=2025").content.decode()
    links = [(html.unescape(href).split("?", 1)[1], int(n)) for href, n in NUMBER_LINK.findall(page)]
    assert len(links) > 60  # tiles, funnel, four breakdowns, both ledgers
    checked = {}
    for query, number in links:
        if query not in checked:
            checked[query] = _list_count(client, query)
        assert checked[query] == number, (query, number, checked[query])
    # every lead figure on the page is among them, and the headline numbers are the hand-computed ones
    assert "kpi=signed&year=2025" in checked and checked["kpi=signed&year=2025"] == 6
    assert checked["kpi=performing&year=2025"] == 3
    assert checked["kpi=gov_overdue"] == 1


def test_figures_drill_down_through_the_list_filter(client, world, kw):  # noqa: F811
    s = _get(client, world.office, "?year=2025").context["s"]
    for key, count in s.figures.items():
        assert _list_count(client, s.queries[key]) == count, key
    for groups in (s.by_band, s.by_chain, s.by_unit, s.by_month):
        for group in groups:
            assert _list_count(client, group.count_query) == group.count, group.count_query
    for row in [*s.gov_by_status, s.gov_total, *s.investor_by_category]:
        assert _list_count(client, row.query) == row.leads, row.query
    for stage in s.funnel:
        assert _list_count(client, stage["query"]) == stage["count"]
    assert set(s.queries) == set(FIGURES)


def test_the_page_shows_the_hand_computed_tiles(client, world, kw):  # noqa: F811
    page = _get(client, world.office, "?year=2025").content.decode()
    assert re.search(r'id="tj-kpi-signed">6<', page)
    assert re.search(r'id="tj-kpi-amount">26\.50<', page)  # 265000 万元
    assert re.search(r'id="tj-kpi-start-rate">33\.33%<', page)
    assert re.search(r'id="tj-kpi-performance-rate">50\.00%<', page)
    assert re.search(r'id="tj-kpi-funds-rate">24\.49%<', page)
    assert "另有 1 个项目未填到位资金" in page
    assert re.search(r'id="tj-kpi-gov-rate">33\.33%<', page)
    assert "邻区" not in page


def test_a_unit_user_gets_its_units_figures_and_lists(client, world, kw):  # noqa: F811
    s = _get(client, world.reporter_a, "?year=2025").context["s"]
    assert (s.signed_count, s.signed_amount) == (4, Decimal("155000"))
    assert _list_count(client, s.queries["signed"]) == 4


def test_month_range_selectors(client, world, kw):  # noqa: F811
    response = _get(client, world.office, "?year=2025&from=1&to=6")
    s = response.context["s"]
    assert s.period.label == "2025年1—6月" and s.signed_count == 3
    assert s.queries["signed"] == "kpi=signed&year=2025&months=1-6"
    assert _list_count(client, s.queries["signed"]) == 3
    page = response.content.decode()
    assert '<option value="6" selected>' in page


def test_change_of_investor_in_one_period_says_how_many_leads(client, world):
    lead = make("换投资方", world.unit_a, LeadStage.SIGNED, signed_date=date(2025, 1, 5), signed_total=Decimal(4))
    sign(lead, SigningKind.FIRST, date(2025, 1, 5), 3, 3)
    sign(lead, SigningKind.NEW_INVESTOR, date(2025, 3, 5), 4, 4)
    page = _get(client, world.office, "?year=2025").content.decode()
    assert re.search(r'id="tj-kpi-signed">2<', page)
    assert "涉及 1 个招商项目" in page


def test_charts_are_fed_as_data_without_inline_script(client, world, kw):  # noqa: F811
    response = _get(client, world.office, "?year=2025")
    charts = response.context["charts"]
    assert len(charts["months"]) == 12 and charts["months"][1]["value"] == 1  # February: L1
    assert all(point["url"].startswith(LIST + "?") for point in charts["chains"])
    page = response.content.decode()
    assert 'id="tj-kpi-charts" type="application/json"' in page
    assert "tuijin/investment_dashboard" in page and "vendor/echarts/echarts" in page
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert page.count("table-responsive") >= 6  # every table scrolls on a phone


def test_api_returns_the_same_figures(client, world, kw):  # noqa: F811
    client.force_login(world.office)
    data = client.get(reverse("investment-api:kpis-list"), {"year": 2025}, HTTP_ACCEPT="application/json").json()
    assert data["signed_count"] == 6 and data["signed_amount"] == "265000.00"
    assert data["start_rate"] == "33.33" and data["performance_rate"] == "50.00"
    assert data["funds"] == {"total": "245000.00", "arrived": "60000.00", "rate": "24.49", "missing": 1}
    assert data["government"]["overdue"] == 1 and data["government"]["rate"] == "33.33"
    assert [g["count"] for g in data["by_band"]] == [1, 4, 0, 0, 1]
    data = client.get(reverse("investment-api:kpis-list"), {"year": 2025, "months": "1-6"}).json()
    assert data["signed_count"] == 3 and data["period"]["label"] == "2025年1—6月"


def test_query_count_does_not_grow_with_the_leads(client, world):
    def count_for(n):
        for i in range(n):
            lead = make(f"预算{i}", world.unit_a, LeadStage.SIGNED, signed_date=date(2025, 3, 1), signed_total=None)
            sign(lead, SigningKind.FIRST, date(2025, 3, 1), 100, 100)
        client.force_login(world.office)
        with count_queries() as counted:
            assert client.get(reverse(URL), {"year": 2025}).status_code == 200
        return counted.count

    few = count_for(2)
    many = count_for(25)
    assert many == few and many <= 15


def test_the_list_keeps_the_drill_down_when_filtered_further(client, world, kw):  # noqa: F811
    client.force_login(world.office)
    response = client.get(f"{LIST}?kpi=signed&year=2025&months=1-6")
    assert response.context["paginator"].count == 3  # L1, L2, L4
    page = response.content.decode()
    assert '<input type="hidden" name="months" value="1-6">' in page  # kept when another filter changes
    assert re.search(r'<option value="signed" selected>', page)
    narrowed = client.get(f"{LIST}?kpi=signed&year=2025&months=1-6&tracking_unit={world.unit_b.pk}")
    assert {lead.name for lead in narrowed.context["object_list"]} == {"L4"}
