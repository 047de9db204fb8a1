"""驾驶舱 and 月度通报 pages: permission matrices, figures and links, default period, bounded queries, generation."""

import io
from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tuijin.core.models import AuditEvent
from tuijin.org.choices import Role
from tuijin.dispatch import dashboard, notice
from tuijin.progress.services import period_for_reporting
from tuijin.projects.models import AnnualPlan, Project
from tuijin.utilities.testing.matrix import Case, ViewMatrix
from tuijin.utilities.testing.world import make_user

from .test_selectors import YEAR, Portfolio, _bulk_portfolio

D = Decimal


class TestDashboardMatrix(ViewMatrix):
    url_name = "dispatch:dashboard"
    detail = False

    @pytest.fixture
    def matrix(self, world, dashboard_projects):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=dashboard_projects[0],
            out_of_scope=dashboard_projects[1],
            marker=lambda p: p.name,
        )


class TestNoticeMatrix(ViewMatrix):
    url_name = "dispatch:notice"
    detail = False

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a)  # units read the dashboard, only 项目办 notices


@pytest.fixture
def records(world, dashboard_projects):
    other_office = make_user("office2", role=Role.PROJECT_OFFICE, unit=world.office_unit)
    period = period_for_reporting()
    mine = notice.notice_store(user=world.office, year=period.year, month=period.month, fmt="xlsx")
    theirs = notice.notice_store(user=other_office, year=period.year, month=period.month, fmt="xlsx")
    return SimpleNamespace(pk=mine["id"], record=mine), SimpleNamespace(pk=theirs["id"], record=theirs)


class TestNoticeStatusMatrix(ViewMatrix):
    url_name = "dispatch:notice_status"

    @pytest.fixture
    def matrix(self, world, records):
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=records[0],
            out_of_scope=records[1],
            marker=lambda r: r.record["filename"],
        )


class TestNoticeDownloadMatrix(ViewMatrix):
    url_name = "dispatch:notice_download"

    @pytest.fixture
    def matrix(self, world, records):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=records[0], out_of_scope=records[1])

    def test_in_scope_is_200(self, client, matrix):
        client.force_login(matrix.allowed)
        response = client.get(self.url_for(matrix.in_scope))
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"PK")
        assert "attachment" in response["Content-Disposition"]


def test_dashboard_figures_and_links(client, world):
    portfolio = Portfolio(world)
    client.force_login(world.office)
    response = client.get(reverse("dispatch:dashboard"), {"year": YEAR, "month": 9})
    assert response.status_code == 200
    html = response.content.decode()
    summary = response.context["summary"]
    assert summary.project_count == 211
    assert "405.34" in html and "297.00" in html  # 亿元 tiles
    assert ">73.27%<" in html and ">-1.73<" in html and ">85.07%<" in html
    assert f'href="/projects/?fact=listed&amp;period=2026-09&amp;responsible_unit={world.unit_a.pk}"' in html
    assert 'href="/projects/?fact=planned_new&amp;period=2026-09"' in html
    assert "/projects/?fact=listed&amp;period=2026-09" in html
    fastest = summary.fastest[0]
    assert f'href="{reverse("projects:project", args=[fastest.pk])}"' in html
    assert 'id="tj-dashboard-charts"' in html and "vendor/echarts/echarts.min.js" in html
    charts = response.context["charts"]
    assert charts["trend"]["cumulative"][8] == 297.0 and charts["trend"]["amount"][9] is None
    assert charts["units"]["schedule"] == 75.0
    assert len(response.context["target_rows"]) == 1 + 4 + 2  # district, four categories present, two units
    assert portfolio.projects[0].name in html  # the ten slowest (0%, largest plan first) are linked by name


def test_dashboard_default_period_is_last_complete_month(client, world):
    client.force_login(world.office)
    # 2026-01-01 02:00 in Shanghai is still 2025-12-31 in UTC: the default follows Asia/Shanghai.
    with time_machine.travel(datetime(2026, 1, 1, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        response = client.get(reverse("dispatch:dashboard"))
        assert (response.context["year"], response.context["month"]) == (2025, 12)
        response = client.get(reverse("dispatch:dashboard"), {"year": "2026", "month": "13"})
        assert (response.context["year"], response.context["month"]) == (2025, 12)


def test_sponsor_reads_the_region_wide_dashboard(client, world, dashboard_projects):
    client.force_login(world.sponsor)
    response = client.get(reverse("dispatch:dashboard"))
    assert response.status_code == 200
    assert response.context["summary"].project_count == 2
    assert "生成月度通报" not in response.content.decode()


def _page_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("dispatch:dashboard"), {"year": YEAR, "month": 3})
    assert response.status_code == 200
    return len(captured)


def test_dashboard_page_queries_do_not_grow(client, world):
    _bulk_portfolio(world, 20)
    small = _page_queries(client, world.office)
    _bulk_portfolio(world, 180, start=20)
    assert _page_queries(client, world.office) == small


def test_notice_generated_at_once_then_downloaded(client, world, dashboard_projects):
    client.force_login(world.office)
    period = period_for_reporting()
    response = client.post(reverse("dispatch:notice"), {"year": period.year, "month": period.month, "format": "docx"})
    assert response.status_code == 302
    status = client.get(response["Location"])
    assert status.status_code == 200 and 'id="tj-notice-download"' in status.content.decode()
    notice_id = status.context["record"]["id"]
    download = client.get(reverse("dispatch:notice_download", args=[notice_id]))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    from docx import Document

    document = Document(io.BytesIO(b"".join(download.streaming_content)))
    assert any("2个" in p.text for p in document.paragraphs)
    assert AuditEvent.objects.filter(event_type="export", detail__what="notice").exists()
    page = client.get(reverse("dispatch:notice"))
    assert notice_id in page.content.decode()  # listed under 最近生成


def test_large_portfolio_goes_to_the_background(client, world, dashboard_projects, settings):
    settings.TUIJIN_NOTICE_ASYNC_THRESHOLD = 1
    client.force_login(world.office)
    period = period_for_reporting()
    response = client.post(
        reverse("dispatch:notice"), {"year": period.year, "month": period.month, "format": "pdf"}, follow=True
    )
    html = response.content.decode()
    assert "后台生成" in html
    record = response.context["record"]
    assert record["status"] == "done" and record["format"] == "pdf"  # the test backend runs tasks immediately
    download = client.get(reverse("dispatch:notice_download", args=[record["id"]]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_status_polls_while_running_and_serves_an_htmx_partial(client, world):
    notice._write_record(
        "running0001",
        {
            "id": "running0001",
            "user_id": world.office.pk,
            "year": 2026,
            "month": 9,
            "format": "docx",
            "status": "running",
            "filename": "x.docx",
            "created": timezone.now().isoformat(),
        },
    )
    client.force_login(world.office)
    url = reverse("dispatch:notice_status", args=["running0001"])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in page and "<html" in page
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="tj-notice-status"' in partial and "<html" not in partial
    assert client.get(reverse("dispatch:notice_download", args=["running0001"])).status_code == 404
    assert client.get(reverse("dispatch:notice_status", args=["..%2F..%2Fsecret"])).status_code == 404
    with time_machine.travel(timezone.now() + timedelta(hours=3)):  # a killed worker: stop polling, say failed
        client.force_login(world.office)
        page = client.get(url).content.decode()
    assert "every 2s" not in page and "生成失败" in page


def test_queued_task_without_record_is_shown_to_its_owner_only(client, world, monkeypatch):
    from django_tasks.base import TaskResultStatus

    task = notice.generate_notice_task
    fake = SimpleNamespace(task=task, args=[world.office.pk, 2026, 9, "pdf"], status=TaskResultStatus.READY)
    monkeypatch.setattr(task.get_backend(), "get_result", lambda _id: fake, raising=False)
    client.force_login(world.office)
    response = client.get(reverse("dispatch:notice_status", args=["queued000001"]))
    assert response.status_code == 200 and response.context["record"]["status"] == "queued"
    assert response.context["polling"]
    other = make_user("office3", role=Role.PROJECT_OFFICE, unit=world.office_unit)
    client.force_login(other)
    assert client.get(reverse("dispatch:notice_status", args=["queued000001"])).status_code == 404


def test_invalid_notice_form_is_shown_again(client, world):
    client.force_login(world.office)
    response = client.post(reverse("dispatch:notice"), {"year": "1999", "month": "5", "format": "docx"})
    assert response.status_code == 200 and response.context["form"].errors


def test_chart_data_is_rounded(world, dashboard_projects):
    period = period_for_reporting()
    from tuijin.dispatch import selectors

    summary = selectors.dashboard_summary(world.office, period.year, period.month)
    data = dashboard.dashboard_charts(summary)
    assert data["units"]["rates"] == [10.0, 10.0]
    assert all(isinstance(c["value"], float) for c in data["category"])


def test_large_scopes_show_the_best_and_worst_units_with_a_gap(client, world, dashboard_projects, monkeypatch):
    period = period_for_reporting()
    third = Project.objects.create(
        name="区发改委测试项目", owner_name="x", total_investment=D(10), responsible_unit=world.office_unit
    )
    AnnualPlan.objects.create(project=third, year=period.year, planned_investment=D(100))
    monkeypatch.setattr(dashboard, "UNIT_LIMIT", 2)
    client.force_login(world.office)
    response = client.get(reverse("dispatch:dashboard"), {"year": period.year, "month": period.month})
    html = response.content.decode()
    ranking = response.context["unit_ranking"]
    assert [type(r).__name__ for r in ranking] == ["RankedUnit", "Gap", "RankedUnit"] and ranking[1].hidden == 1
    assert len(response.context["summary"].unit_ranking) == 3  # the figures keep every unit; only the page trims
    assert html.count("中间 1 个单位从略") == 2  # ranking table and targets table
    assert len(response.context["charts"]["units"]["names"]) == 2
