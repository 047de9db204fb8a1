"""The office's side of the monthly loop (issue 12): 待我处理 items that count exactly what their link lists,
催报 (who is told, the rate limit, the log, scope), the exports of 未上报 and 红黄绿灯, 红灯待研判, import notices."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tuijin.core.choices import AuditEventType
from tuijin.core.models import AuditEvent
from tuijin.dispatch.services import report_urge
from tuijin.notifications.models import Notification
from tuijin.org.choices import Role, ScopeKind
from tuijin.progress import services
from tuijin.progress.models import LightOverride, WarningLight, WarningRule
from tuijin.projects.choices import Stage
from tuijin.projects.models import AnnualPlan, Project
from tuijin.users.recipients import users_covering
from tuijin.utilities.excel import open_xlsx
from tuijin.utilities.testing.matrix import Case, PostMatrix, ViewMatrix
from tuijin.utilities.testing.world import make_user

D = Decimal


def _project(world, unit=None, **fields) -> Project:
    period = services.period_for_reporting()
    defaults = {
        "name": "催报测试项目",
        "owner_name": "业主",
        "total_investment": D(1000),
        "responsible_unit": unit or world.unit_a,
        "stage": Stage.CONSTRUCTION,
        "actual_start": date(period.year - 1, 5, 1),
    }
    defaults.update(fields)
    project = Project.objects.create(**defaults)
    AnnualPlan.objects.create(project=project, year=period.year, planned_investment=D(120))
    return project


def _submit(world, project, period, reporter=None):
    reporter = reporter or world.reporter_a
    report = services.report_get_or_create(actor=reporter, project=project, period=period)
    data = {"month_investment": D(10), "construction_install": D(10)}
    report = services.report_save(actor=reporter, report=report, version=report.version, data=data)
    return services.report_submit(actor=reporter, report=report, version=report.version)


def _home(client, user) -> dict[str, tuple[int, str]]:
    client.force_login(user)
    return {item.title: (item.count, item.url) for item in client.get(reverse("core:home")).context["attention"]}


@pytest.mark.django_db
def test_users_covering_follows_roles_and_scope(world):
    approvers = set(users_covering(world.unit_a, "progress.unitapprove_progressreport"))
    assert approvers == {world.approver_a, world.office}  # the office holds unit approval too, district-wide
    unit_only = users_covering(world.unit_a, "progress.unitapprove_progressreport", kinds=(ScopeKind.UNIT,))
    assert set(unit_only) == {world.approver_a}
    reporters_of_child = set(users_covering(world.unit_a_child, "progress.add_progressreport"))
    assert world.reporter_a in reporters_of_child and world.reporter_b not in reporters_of_child
    office = set(users_covering(world.unit_a, "progress.officeapprove_progressreport"))
    assert world.office in office and world.foreign_office not in office


@pytest.mark.django_db
def test_review_todo_counts_what_the_queue_lists(world, client):
    period = services.period_for_reporting()
    for name in ("甲一", "甲二"):
        _submit(world, _project(world, name=name), period)
    _submit(world, _project(world, unit=world.unit_b, name="乙一"), period, reporter=world.reporter_b)
    home = _home(client, world.approver_a)
    [(count, url)] = [v for title, v in home.items() if "待我审核" in title]
    assert count == 2  # unit B's report is not theirs to review
    queue = client.get(url)
    assert queue.status_code == 200 and queue.context["paginator"].count == 2
    # the office waits for unit approval: nothing yet, then one after the unit approves one
    assert not [t for t in _home(client, world.office) if "待我审核" in t]
    report = queue.context["object_list"][0]
    services.report_unit_approve(actor=world.approver_a, report=report, version=report.version)
    [(count, url)] = [v for title, v in _home(client, world.office).items() if "待我审核" in title]
    assert count == 1 and client.get(url).context["paginator"].count == 1


@pytest.mark.django_db
def test_missing_todo_states_the_deadline_in_working_days(world, client, monkeypatch):
    period = services.period_for_reporting()
    _project(world)
    window = services.reporting_period_get(period)
    monkeypatch.setattr(timezone, "localdate", lambda *a: window.closes_on - timedelta(days=1))
    titles = [t for t in _home(client, world.reporter_a) if "未上报" in t]
    assert len(titles) == 1 and ("个工作日" in titles[0] or "今天" in titles[0] or "已于" in titles[0])
    monkeypatch.setattr(timezone, "localdate", lambda *a: window.closes_on + timedelta(days=1))
    [title] = [t for t in _home(client, world.reporter_a) if "未上报" in t]
    assert "已于" in title


@pytest.mark.django_db
def test_urge_tells_the_units_people_once_per_interval_and_is_logged(world, client):
    period = services.period_for_reporting()
    _project(world, name="甲未报项目")
    _project(world, unit=world.unit_b, name="乙未报项目")
    client.force_login(world.office)
    url = f"{reverse('dispatch:missing_urge')}?period={period:%Y-%m}"
    response = client.post(url, {"unit": world.unit_a.pk}, follow=True)
    assert response.status_code == 200
    told = Notification.objects.filter(kind="report_urge")
    assert {n.user for n in told} == {world.reporter_a, world.approver_a}
    assert all("甲未报项目" in n.body and "未上报" in n.title for n in told)
    event = AuditEvent.objects.get(event_type=AuditEventType.ADMIN_ACTION, detail__what="report_urge")
    assert event.user == world.office and event.detail["unit"] == world.unit_a.pk
    # again at once: skipped and said so; unit B (never urged) is urged by 全部催报
    response = client.post(url, follow=True)
    text = response.content.decode()
    assert "已催报过" in text and told.all().count() == 3
    assert told.filter(user=world.reporter_b).count() == 1
    page = client.get(f"{reverse('dispatch:missing_reports')}?period={period:%Y-%m}").content.decode()
    assert "最近催报" in page and "tj-urge-all" in page
    from tuijin.core.history import audit_details

    [shown] = audit_details([event])
    lines = " ".join(f"{label}：{value}" for label, value in shown.detail_lines)
    assert "事项：催报" in lines and f"单位：{world.unit_a.name}" in lines and "未上报项目数：1" in lines


@pytest.mark.django_db
def test_urge_is_the_office_s_and_stays_in_scope(world, client):
    period = services.period_for_reporting()
    _project(world)
    for user in (world.reporter_a, world.leader, world.sponsor):
        client.force_login(user)
        assert client.post(f"{reverse('dispatch:missing_urge')}?period={period:%Y-%m}").status_code == 403
    result = report_urge(actor=world.foreign_office, period=period)
    assert result.urged == [] and not Notification.objects.filter(kind="report_urge").exists()
    client.force_login(world.office)
    bad = client.post(f"{reverse('dispatch:missing_urge')}?period={period:%Y-%m}", {"unit": "x"}, follow=True)
    assert "请求无效" in bad.content.decode() and not Notification.objects.exists()


@pytest.mark.django_db
def test_missing_export_lists_the_page_s_projects(world, client):
    period = services.period_for_reporting()
    _project(world, name="=HYPERLINK(1)")
    _project(world, unit=world.unit_b, name="乙未报项目")
    client.force_login(world.office)
    response = client.get(reverse("dispatch:missing_export"), {"period": f"{period:%Y-%m}"})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    rows = list(open_xlsx(response.content).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "责任单位", "项目名称")
    names = {row[2] for row in rows[1:]}
    assert names == {"'=HYPERLINK(1)", "乙未报项目"}  # neutralised, never a formula
    client.force_login(world.foreign_office)
    rows = list(open_xlsx(client.get(reverse("dispatch:missing_export")).content).active.iter_rows(values_only=True))
    assert len(rows) == 1  # header only: nothing of the other district


def _lights(world):
    period = services.period_for_reporting()
    rule = WarningRule.objects.filter(is_active=True).order_by("sort_order").first()
    made = {}
    for name, colour in (("黄灯项目", "yellow"), ("红灯项目", "red"), ("另一红灯", "red")):
        project = _project(world, name=name)
        made[name] = WarningLight.objects.create(
            project=project, period=period, rule=rule, color=colour, explanation=f"{name}说明"
        )
    foreign = _project(world, unit=world.foreign_unit, name="邻区红灯")
    WarningLight.objects.create(project=foreign, period=period, rule=rule, color="red", explanation="x")
    return period, rule, made


@pytest.mark.django_db
def test_light_export_is_red_first_and_scoped(world, client):
    period, _rule, _made = _lights(world)
    client.force_login(world.office)
    response = client.get(reverse("dispatch:light_export"), {"period": f"{period:%Y-%m}"})
    assert response.status_code == 200
    rows = list(open_xlsx(response.content).active.iter_rows(values_only=True))
    assert rows[0][0] == "项目名称"
    assert [row[4] for row in rows[1:]] == ["红灯", "红灯", "黄灯"]
    assert "邻区红灯" not in {row[0] for row in rows}
    client.force_login(world.norole)
    assert client.get(reverse("dispatch:light_export")).status_code == 403


@pytest.mark.django_db
def test_undecided_red_lights_todo_drops_once_decided(world, client):
    period, rule, made = _lights(world)
    [(count, url)] = [v for title, v in _home(client, world.office).items() if "红灯待研判" in title]
    assert count == 2
    listed = client.get(url)
    assert listed.context["paginator"].count == 2 and 'id="tj-undecided"' in listed.content.decode()
    LightOverride.objects.create(
        project=made["红灯项目"].project,
        period=period,
        rule=rule,
        color="red",
        reason_code="other",
        reason="研判后维持红灯",
        recovery_plan="下月补报",
        actor=world.office,
    )
    [(count, url)] = [v for title, v in _home(client, world.office).items() if "红灯待研判" in title]
    assert count == 1 and client.get(url).context["paginator"].count == 1
    assert not [t for t in _home(client, world.reporter_a) if "红灯待研判" in t]


@pytest.mark.django_db
def test_import_finishing_notifies_who_started_it(world):
    from tuijin.projects.models import ImportJob
    from tuijin.projects.tasks import _finish

    job = ImportJob.objects.create(original_name="项目.xlsx", sha256="0" * 64, created_by=world.office)
    _finish(job.pk, status="done", message="导入完成：新增 3 个项目。")
    note = Notification.objects.get(user=world.office, kind="import_finished")
    assert "导入完成" in note.title and "新增 3 个项目" in note.body and str(job.pk) in note.url
    _finish(job.pk, status="done", message="again")
    assert Notification.objects.filter(kind="import_finished").count() == 1


@pytest.fixture
def missing_pair(world):
    """An unreported project of 甲街道 and one of the neighbouring district (whose unit has a reporter)."""
    make_user("foreign_reporter", role=Role.UNIT_REPORTER, unit=world.foreign_unit)
    return _project(world, name="甲街道未报项目"), _project(world, unit=world.foreign_unit, name="邻区未报项目")


class TestMissingExportMatrix(ViewMatrix):
    url_name = "dispatch:missing_export"
    detail = False

    @pytest.fixture
    def matrix(self, world, missing_pair):
        mine, foreign = missing_pair
        return Case(allowed=world.office, denied=world.ent_user_a, in_scope=mine, out_of_scope=foreign, marker=str)


class TestLightExportMatrix(ViewMatrix):
    url_name = "dispatch:light_export"
    detail = False

    @pytest.fixture
    def matrix(self, world):
        _lights(world)
        mine = Project.objects.get(name="红灯项目")
        foreign = Project.objects.get(name="邻区红灯")
        return Case(allowed=world.office, denied=world.ent_user_a, in_scope=mine, out_of_scope=foreign, marker=str)


class TestMissingUrgeMatrix(PostMatrix):
    url_name = "dispatch:missing_urge"
    detail = False

    @pytest.fixture
    def matrix(self, world, missing_pair):
        mine, foreign = missing_pair
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=mine, out_of_scope=foreign)

    def data(self, obj, matrix):
        return {"unit": obj.responsible_unit_id}

    def effect(self, obj, matrix):
        told = Notification.objects.filter(kind="report_urge", user__memberships__unit=obj.responsible_unit)
        assert told.filter(body__contains=obj.name).exists()


@pytest.mark.django_db
def test_leaders_see_their_red_projects_and_the_list_counts_the_same(world, client):
    from tuijin.facts.models import ProjectMonth

    period = services.period_for_reporting()
    sponsored = _project(world, name="包联红灯项目")
    sponsored.sponsors.add(world.leader_person)
    other = _project(world, unit=world.unit_b, name="非包联红灯项目")
    ProjectMonth.objects.filter(project__in=[sponsored, other], period=period).update(light="red")
    [(count, url)] = [v for title, v in _home(client, world.sponsor).items() if "我包联的项目" in title]
    assert count == 1 and client.get(url).context["paginator"].count == 1
    [(count, url)] = [v for title, v in _home(client, world.leader).items() if "亮红灯的项目" in title]
    assert count == 2 and client.get(url).context["paginator"].count == 2


@pytest.mark.django_db
def test_home_lists_the_most_urgent_first(world, client, monkeypatch):
    period = services.period_for_reporting()
    _project(world)
    window = services.reporting_period_get(period)
    monkeypatch.setattr(timezone, "localdate", lambda *a: window.closes_on + timedelta(days=1))  # late: red
    from tuijin.notifications.services import notify

    notify(users=[world.reporter_a], title="普通通知")  # 未读消息: info
    client.force_login(world.reporter_a)
    levels = [item.level for item in client.get(reverse("core:home")).context["attention"]]
    assert levels[0] == "danger" and levels == sorted(levels, key=["danger", "warning", "info", "success"].index)


@pytest.mark.django_db
def test_past_month_states_the_window_with_its_year(world, client):
    period = services.period_for_reporting()
    _project(world, name="应报项目")
    Project.objects.create(
        name="前期非必报项目",
        owner_name="x",
        total_investment=D(10),
        responsible_unit=world.unit_a,
        stage=Stage.PREPARATION,
    )
    client.force_login(world.reporter_a)
    now = client.get(reverse("dispatch:my_reports"), {"period": f"{period:%Y-%m}"}).content.decode()
    assert "前期非必报项目" in now and f"{period.year}年" in now
    past = date(period.year - 1, 2, 1)
    page = client.get(reverse("dispatch:my_reports"), {"period": f"{past:%Y-%m}"}).content.decode()
    assert f"{past.year}年3月1日" in page and f"{past.year}年3月5日" in page


@pytest.mark.django_db
def test_dashboard_years_reach_back_to_the_earliest_facts(world, client, real_cache):
    from tuijin.facts.models import ProjectMonth

    project = _project(world)
    this_year = timezone.localdate().year
    row = ProjectMonth.objects.filter(project=project).first()
    ProjectMonth.objects.filter(pk=row.pk).update(period=date(this_year - 9, 1, 1))
    client.force_login(world.office)
    years = client.get(reverse("dispatch:dashboard")).context["years"]
    assert years[0] >= this_year and years[-1] == this_year - 9
