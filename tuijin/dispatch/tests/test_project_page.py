"""The project page's year (months from the facts, the light with its reasons, linked tickets, plan vs baseline) and
the project export's facts columns (tuijin.dispatch.project_page, plugged into projects through sections.py).
Data are in 2025 so that nothing is in the future."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.apps import apps
from django.urls import reverse

from tuijin.core.figures_cache import figures_changed
from tuijin.dispatch import project_page
from tuijin.dispatch.warnings import evaluate_period
from tuijin.facts.models import ProjectMonth
from tuijin.progress.models import ProgressReport
from tuijin.projects import sections
from tuijin.projects.models import AnnualPlan
from tuijin.projects.services import annual_plan_approve, annual_plan_save
from tuijin.projects.tests.factories import make_project
from tuijin.tickets.tests.factories import make_ticket

SEP, OCT, DEC = date(2025, 9, 1), date(2025, 10, 1), date(2025, 12, 1)
LATE = date(2026, 1, 20)  # every 2025 reporting window has closed


@pytest.fixture(autouse=True)
def registered():
    # DispatchConfig.ready() registers these; registering again is a no-op (see test_dispatch_app_registers_them).
    project_page.register()


def _report(project, period, amount, *, status="office_approved", progress=""):
    value = Decimal(amount)
    return ProgressReport.objects.create(
        project=project,
        period=period,
        status=status,
        month_investment=value,
        construction_install=value,
        physical_progress=progress,
    )


@pytest.fixture
def site(world):
    """A street's project in the 2025 list (baseline 1200, later raised to 1500), reported for September and
    October (October late: a yellow 月报 light), with a ticket."""
    project = make_project(
        unit=world.unit_a,
        actor=world.office,
        name="甲街道页面测试项目",
        stage="construction",
        actual_start=date(2025, 1, 10),
    )
    plan = annual_plan_approve(
        actor=None,
        plan=annual_plan_save(actor=None, project=project, year=2025, planned_investment=Decimal("1200")),
    )
    AnnualPlan.objects.filter(pk=plan.pk).update(planned_investment=Decimal("1500"))  # e.g. an approved change
    figures_changed(None)
    september = _report(project, SEP, "400", progress="主体结构施工至五层")
    _report(project, OCT, "200", status="submitted")
    for period in (SEP, OCT, DEC):
        evaluate_period(period, today=LATE)
    ticket = make_ticket(actor=world.office, project=project, title="施工用电接入缓慢")
    return project, september, ticket


def _page(client, user, project, **params):
    client.force_login(user)
    return client.get(reverse("projects:project", args=[project.pk]), params)


def test_project_page_shows_the_year_month_by_month_from_the_facts(client, world, site):
    project, september, _ticket = site
    response = _page(client, world.office, project, year=2025)
    assert response.status_code == 200
    year = response.context["project_year"]
    assert year.as_of == date(2025, 12, 1)
    by_month = {row.period: row for row in year.months}
    assert len(year.months) == 12
    assert by_month[SEP].month_investment == Decimal("400") and by_month[SEP].ytd == Decimal("400")
    assert by_month[OCT].month_investment == Decimal("200") and by_month[OCT].ytd == Decimal("600")
    assert by_month[SEP].report_url == september.get_absolute_url()
    assert by_month[SEP].physical_progress == "主体结构施工至五层"
    html = response.content.decode()
    assert 'id="tj-month-table"' in html and 'id="tj-project-chart"' in html
    assert september.get_absolute_url() in html and "主体结构施工至五层" in html
    chart = response.context["project_year_chart"]
    assert chart["months"][8] == "9月" and chart["amount"][8] == 400.0 and chart["ytd"][9] == 600.0
    # the figure is the facts' (the assessed plan is the approved baseline, 1200): 600 / 1200
    assert year.plan == Decimal("1200") and year.rate == Decimal("50.00")


def test_project_page_shows_the_light_in_effect_with_its_reasons(client, world, site):
    project, _september, _ticket = site
    response = _page(client, world.office, project, year=2025)
    year = response.context["project_year"]
    assert year.light_period == DEC  # the latest month the lights engine evaluated
    facts_light = ProjectMonth.objects.get(project=project, period=DEC).light
    assert year.light == facts_light and facts_light in ("red", "yellow")
    assert year.light_reasons and all(reason.color == year.light for reason in year.light_reasons)
    html = response.content.decode()
    assert 'id="tj-light-badge"' in html
    for reason in year.light_reasons:
        assert reason.explanation in html


def test_project_page_lists_linked_tickets_and_plan_against_baseline(client, world, site):
    project, _september, ticket = site
    response = _page(client, world.office, project, year=2025)
    tickets = response.context["project_tickets"]
    assert [t.pk for t in tickets.rows] == [ticket.pk] and tickets.count == 1 and tickets.open_count == 1
    html = response.content.decode()
    assert ticket.number in html and ticket.get_absolute_url() in html
    (row,) = [r for r in response.context["plan_rows"] if r.plan.year == 2025]
    assert row.change == Decimal("300") and row.change_rate == Decimal("25.00")
    assert "+300.00" in html
    year = response.context["project_year"]
    assert (year.plan_current, year.plan_baseline, year.plan_change) == (
        Decimal("1500"),
        Decimal("1200"),
        Decimal("300"),
    )


def test_project_page_respects_scope(client, world, site):
    project, _september, ticket = site
    assert _page(client, world.reporter_b, project).status_code == 404  # another street's project
    # a reader of the project without the report or ticket permissions gets the page without those sections
    enterprise_project = make_project(unit=world.unit_a, actor=world.office, owner_enterprise=world.enterprise_a)
    response = _page(client, world.ent_user_a, enterprise_project)
    assert response.status_code == 200
    assert "project_year" not in response.context


def test_project_page_tickets_are_restricted_to_the_user(world, site):
    project, _september, ticket = site
    assert project_page.project_tickets(world.office, project).count == 1
    assert project_page.project_tickets(world.norole, project).count == 0


def test_project_page_queries_do_not_grow_with_history(client, world, site, django_assert_max_num_queries):
    project, _september, _ticket = site
    client.force_login(world.office)
    url = reverse("projects:project", args=[project.pk])
    client.get(url, {"year": 2025})  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url, {"year": 2025})
    for month in range(1, 9):
        _report(project, date(2025, month, 1), "10")
    for n in range(5):
        make_ticket(actor=world.office, project=project, title=f"追加工单{n}")
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(url, {"year": 2025})
    assert len(response.context["project_tickets"].rows) == 6


def test_export_has_plan_ytd_and_light_columns_from_the_facts(client, world, site):
    project, _september, _ticket = site
    client.force_login(world.office)
    response = client.get(reverse("projects:project_export"), {"year": 2025})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["项目"]
    titles = [cell.value for cell in sheet[1]]
    plan_col = titles.index("2025年度计划（万元）") + 1
    ytd_col = titles.index("2025年初至今完成（截至12月，万元）") + 1
    light_col = titles.index("2025年12月灯色") + 1
    name_col = titles.index("项目名称*") + 1 if "项目名称*" in titles else 2
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=name_col).value == project.name)
    assert sheet.cell(row=row, column=plan_col).value == pytest.approx(1200)
    assert sheet.cell(row=row, column=plan_col).data_type == "n"
    assert sheet.cell(row=row, column=ytd_col).value == pytest.approx(600)
    light = ProjectMonth.objects.get(project=project, period=DEC).light
    assert sheet.cell(row=row, column=light_col).value == {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}[light]


def test_export_columns_neutralise_formula_text(world):
    def hostile(projects, year):
        column = sections.ExportColumn("2025年备注", default='=HYPERLINK("http://x","点我")')
        return [column]

    from tuijin.projects.excel import export_projects_xlsx
    from tuijin.projects.models import Project

    make_project(unit=world.unit_a, actor=world.office)
    sections.register_export_columns(hostile)
    try:
        content = export_projects_xlsx(Project.objects.order_by("pk"), year=2025)
    finally:
        sections._EXPORT.remove(hostile)
    sheet = openpyxl.load_workbook(io.BytesIO(content))["项目"]
    titles = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=titles.index("2025年备注") + 1)
    assert cell.value.startswith("'=HYPERLINK") and cell.data_type == "s"


def test_dispatch_app_registers_them():
    sections._PAGE.clear()
    sections._EXPORT.clear()
    apps.get_app_config("dispatch").ready()
    assert project_page.project_page_context in sections._PAGE
    assert project_page.project_export_columns in sections._EXPORT


def test_export_with_the_facts_columns_still_reimports(world, site):
    from tuijin.projects.excel import export_projects_xlsx, parse_workbook
    from tuijin.projects.models import Project

    exported = export_projects_xlsx(Project.objects.order_by("pk"), year=2025)
    titles = [cell.value for cell in openpyxl.load_workbook(io.BytesIO(exported))["项目"][1]]
    assert "2025年12月灯色" in titles
    report = parse_workbook(exported, actor=world.office)
    assert report.fatal in (None, "") and report.errors == []
    assert report.to_create == 0 and report.to_update == 0
