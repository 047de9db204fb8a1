"""The 驾驶舱 through the figures cache: a hit costs a few queries, every kind of write that changes the figures makes
them stale once it commits, scopes never share entries, and a page served while another request recomputes says so."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tuijin.core import figures_cache
from tuijin.core.figures_cache import figures_generation
from tuijin.dispatch import selectors, warnings
from tuijin.org.choices import Role
from tuijin.org.models import OrgUnit
from tuijin.progress import services
from tuijin.progress.models import ProgressReport, WarningRule
from tuijin.progress.services import period_for_reporting
from tuijin.projects import services as project_services
from tuijin.projects.models import AnnualPlan, Project, ProjectLevel
from tuijin.utilities.testing.world import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_cache")]
D = Decimal


def _get(client, user):
    period = period_for_reporting()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dispatch:dashboard"), {"year": period.year, "month": period.month})
    assert response.status_code == 200
    return response, len(queries)


def test_a_second_view_is_served_from_the_cache(client, world, dashboard_projects):
    first, cold = _get(client, world.office)
    second, warm = _get(client, world.office)
    assert second.context["summary"].ytd == first.context["summary"].ytd == D(20)
    assert second.context["computed_at"] == first.context["computed_at"]
    # the figures' queries are gone; what is left is the page's own (session, user, menus, the second-factor check)
    assert warm <= 6 < cold
    html = second.content.decode()
    assert 'id="tj-computed-at"' in html and "统计于" in html and "正在刷新" not in html


def test_users_of_the_same_scope_share_an_entry_other_scopes_do_not(client, world, dashboard_projects):
    _, cold = _get(client, world.office)
    colleague = make_user("office_colleague", role=Role.PROJECT_OFFICE, unit=world.office_unit)
    shared, warm = _get(client, colleague)
    assert warm <= 6 < cold and shared.context["summary"].project_count == 2
    unit_view, _ = _get(client, world.reporter_a)  # unit scope: its own project only, never the office's entry
    assert unit_view.context["summary"].project_count == 1
    assert unit_view.context["summary"].ytd == D(10)


def test_a_returned_report_shows_once_the_return_commits(
    client,
    world,
    dashboard_projects,
    django_capture_on_commit_callbacks,
):
    before, _ = _get(client, world.office)
    assert before.context["summary"].ytd == D(20)
    report = ProgressReport.objects.get(project=dashboard_projects[0])
    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(actor=world.approver_a, report=report, version=report.version, reason="数字有误")
    after, _ = _get(client, world.office)
    assert after.context["summary"].ytd == D(10)  # a draft is not counted
    assert after.context["computed_at"] > before.context["computed_at"]


def _changes_generation(django_capture_on_commit_callbacks, write) -> bool:
    before = figures_generation()
    with django_capture_on_commit_callbacks(execute=True):
        write()
    return figures_generation() != before


def test_every_source_of_the_figures_invalidates(world, dashboard_projects, django_capture_on_commit_callbacks):
    project = dashboard_projects[0]
    plan = AnnualPlan.objects.get(project=project)
    level = ProjectLevel.objects.create(code="cache_test", name="测试级别")
    period = period_for_reporting()

    def edit_plan():
        plan.planned_investment = D(200)
        plan.save()

    def rename_unit():
        OrgUnit.objects.filter(pk=world.unit_a.pk).first().save()

    def bulk_projects():
        data = project_services.ProjectInput(
            fields={"name": "批量项目", "owner_name": "x", "total_investment": D(1), "responsible_unit": world.unit_a}
        )
        project_services.projects_bulk_create(actor=world.office, inputs=[data])

    writes = {
        "annual plan": edit_plan,
        "project level (m2m)": lambda: project.levels.add(level),
        "project": lambda: Project.objects.get(pk=project.pk).save(),
        "unit": rename_unit,
        "bulk projects": bulk_projects,
        "warning lights (bulk)": lambda: warnings.evaluate_period(period),
        "warning rule": lambda: WarningRule.objects.first().save(),
        "report": lambda: ProgressReport.objects.filter(project=project).first().delete(),
    }
    unchanged = [
        name for name, write in writes.items() if not _changes_generation(django_capture_on_commit_callbacks, write)
    ]
    assert unchanged == []


def test_every_dashboard_source_has_its_receivers():
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for label in selectors.DASHBOARD_SOURCES:
        app_label, model_name, *field = label.split(".")
        model = apps.get_model(app_label, model_name)
        if field:
            assert m2m_changed.has_listeners(getattr(model, field[0]).through), label
        else:
            assert post_save.has_listeners(model) and post_delete.has_listeners(model), label


def test_unrelated_writes_keep_the_cache(world, dashboard_projects, django_capture_on_commit_callbacks):
    assert not _changes_generation(
        django_capture_on_commit_callbacks, lambda: make_user("someone_new", role=Role.UNIT_REPORTER, unit=world.unit_b)
    )


def test_a_page_served_during_recomputation_says_so(
    client,
    world,
    dashboard_projects,
    django_capture_on_commit_callbacks,
):
    first, _ = _get(client, world.office)
    with django_capture_on_commit_callbacks(execute=True):
        Project.objects.get(pk=dashboard_projects[0].pk).save()
    period = period_for_reporting()
    parts = (
        "dashboard",
        selectors.scope_fingerprint(world.office, Project, "dashboard"),
        "zh-hans",
        period.year,
        period.month,
        20,  # the page's light limit
        40,  # and unit limit
    )
    cache.add(f"{figures_cache._key(parts)}:lock", 1)  # another worker is recomputing this very entry
    served, _ = _get(client, world.office)
    assert served.context["stale"] is True
    assert served.context["computed_at"] == first.context["computed_at"]
    html = served.content.decode()
    assert "有新填报数据，正在刷新" in html and 'id="tj-refresh"' in html


def test_review_queue_count_is_cached_until_a_report_changes(
    client, world, dashboard_projects, django_capture_on_commit_callbacks
):
    period = period_for_reporting()
    url = reverse("progress:report_list")
    params = {"period": f"{period:%Y-%m}", "status": "submitted"}
    client.force_login(world.office)
    assert client.get(url, params).context["paginator"].count == 2
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url, params).context["paginator"].count == 2
    assert not any("COUNT(" in q["sql"] and "progress_progressreport" in q["sql"] for q in warm.captured_queries)
    report = ProgressReport.objects.get(project=dashboard_projects[0])
    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(actor=world.approver_a, report=report, version=report.version, reason="请补充附件")
    assert client.get(url, params).context["paginator"].count == 1
    assert client.get(url, {"period": params["period"], "status": "bogus,"}).status_code == 200
