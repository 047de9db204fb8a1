"""Inspection registry, quiet periods and the ticket dashboard pages: a permission matrix for every URL, the quiet
period rule and the over-limit warning, enterprise A/B isolation, and bounded dashboard queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tuijin.projects.tests.factories import make_project
from tuijin.tickets import services
from tuijin.tickets.choices import Rating, TicketCategory, TicketStatus
from tuijin.tickets.models import InspectionVisit, QuietPeriod
from tuijin.utilities.testing.matrix import Case, PostMatrix, ViewMatrix

from .factories import make_ticket
from .test_selectors import foreign_ticket


def visit(world, *, enterprise, unit, actor, purpose, days_ago=1, justification=""):
    return services.inspection_visit_register(
        actor=actor,
        enterprise=enterprise,
        visiting_unit=unit,
        visitors="张三、李四",
        visited_on=timezone.localdate() - timedelta(days=days_ago),
        purpose=purpose,
        legal_basis="《安全生产法》第六十五条",
        justification=justification,
    )[0]


@pytest.fixture
def visits(world):
    a = visit(world, enterprise=world.enterprise_a, unit=world.unit_a, actor=world.reporter_a, purpose="甲街道安全检查")
    b = visit(world, enterprise=world.enterprise_b, unit=world.unit_b, actor=world.reporter_b, purpose="乙街道消防检查")
    return a, b


@pytest.fixture
def quiet(world):
    today = timezone.localdate()
    a = services.quiet_period_set(
        actor=world.ent_user_a,
        enterprise=world.enterprise_a,
        start=today,
        end=today + timedelta(days=10),
        note="甲投产",
    )
    b = services.quiet_period_set(
        actor=world.ent_user_b,
        enterprise=world.enterprise_b,
        start=today,
        end=today + timedelta(days=10),
        note="乙检修",
    )
    return a, b


def purpose(v):
    return v.purpose


def note(q):
    return q.note


# --------------------------------------------------------------------------------------------------------------
# Permission matrices


class TestVisitList(ViewMatrix):
    url_name = "tickets:visit_list"
    detail = False

    @pytest.fixture
    def matrix(self, world, visits):
        return Case(
            allowed=world.reporter_a, denied=world.sysadmin, in_scope=visits[0], out_of_scope=visits[1], marker=purpose
        )


class TestVisitListEnterprise(TestVisitList):
    """An enterprise sees the visits it received, not another enterprise's."""

    @pytest.fixture
    def matrix(self, world, visits):
        return Case(
            allowed=world.ent_user_a, denied=world.norole, in_scope=visits[0], out_of_scope=visits[1], marker=purpose
        )


class TestVisitAdd(ViewMatrix):
    url_name = "tickets:visit_add"
    detail = False
    scoped = False
    unscoped_reason = "a create form: no visit exists yet (the enterprises it offers are tested with the form)"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.reporter_a, denied=world.ent_user_a)  # enterprises only read the registry


class TestQuietList(ViewMatrix):
    url_name = "tickets:quiet_list"
    detail = False

    @pytest.fixture
    def matrix(self, world, quiet):
        # every quiet period is public to read; the page narrows an enterprise account to its own enterprise
        return Case(
            allowed=world.ent_user_a,
            denied=world.sysadmin,
            in_scope=quiet[0],
            out_of_scope=quiet[1],
            marker=note,
            viewer=world.ent_user_b,
        )


class TestQuietDelete(PostMatrix):
    url_name = "tickets:quiet_delete"

    def effect(self, obj, matrix):
        assert not QuietPeriod.objects.filter(pk=obj.pk).exists()

    @pytest.fixture
    def matrix(self, world, quiet):
        # enterprise B's period is public (readable) but only enterprise B deletes it
        return Case(
            allowed=world.ent_user_a,
            denied=world.office,
            in_scope=quiet[0],
            out_of_scope=quiet[1],
            viewer=world.ent_user_b,
        )


class TestTicketDashboard(ViewMatrix):
    url_name = "tickets:ticket_dashboard"
    detail = False

    @pytest.fixture
    def matrix(self, world):
        project = make_project(unit=world.unit_a, actor=world.office, name="甲街道统计项目")
        inside = make_ticket(actor=world.office, project=project, title="本区升级工单", escalation_level=2)
        outside = foreign_ticket(world, title="邻区升级工单", escalation_level=2)
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=inside,
            out_of_scope=outside,
            marker=lambda t: t.title,
        )


# --------------------------------------------------------------------------------------------------------------
# Inspection registry


def _form(world, **overrides):
    data = {
        "enterprise": world.enterprise_a.pk,
        "visiting_unit": world.unit_a.pk,
        "visitors": "王五",
        "visited_on": timezone.localdate().isoformat(),
        "purpose": "环保执法检查",
        "legal_basis": "《环境保护法》第二十四条",
        "justification": "",
    }
    data.update(overrides)
    return data


def test_visit_in_quiet_period_needs_a_justification(client, world, quiet):
    client.force_login(world.reporter_a)
    response = client.post(reverse("tickets:visit_add"), _form(world))
    assert response.status_code == 200
    page = response.content.decode()
    assert "免打扰期" in page and "到访须说明理由" in page
    assert not InspectionVisit.objects.exists()
    response = client.post(reverse("tickets:visit_add"), _form(world, justification="群众举报，依法立即核查"))
    assert response.status_code == 302
    assert InspectionVisit.objects.get().justification == "群众举报，依法立即核查"


def test_over_the_monthly_limit_warns_after_saving(client, world, settings):
    settings.TUIJIN_VISIT_MONTHLY_LIMIT = 2
    client.force_login(world.reporter_a)
    for _i in range(2):
        response = client.post(reverse("tickets:visit_add"), _form(world), follow=True)
        assert "超过每月" not in response.content.decode()
    response = client.post(reverse("tickets:visit_add"), _form(world), follow=True)
    page = response.content.decode()
    assert "本月已被检查 3 次，超过每月 2 次的上限" in page
    assert 'id="tj-over-limit"' in page and "table-danger tj-over" in page
    assert InspectionVisit.objects.count() == 3


def test_count_table_counts_every_unit_but_lists_only_own_visits(client, world, settings):
    settings.TUIJIN_VISIT_MONTHLY_LIMIT = 1
    visit(
        world, enterprise=world.enterprise_a, unit=world.unit_a, actor=world.reporter_a, purpose="甲的检查", days_ago=0
    )
    visit(
        world, enterprise=world.enterprise_a, unit=world.unit_b, actor=world.reporter_b, purpose="乙的检查", days_ago=0
    )
    client.force_login(world.reporter_a)
    response = client.get(reverse("tickets:visit_list"))
    page = response.content.decode()
    assert "甲的检查" in page and "乙的检查" not in page
    assert response.context["counts"] == [
        {"enterprise_id": world.enterprise_a.pk, "enterprise__name": "甲企业有限公司", "n": 2, "over": True}
    ]


def test_visit_only_for_own_units_and_known_enterprises(client, world):
    client.force_login(world.reporter_a)
    response = client.post(reverse("tickets:visit_add"), _form(world, visiting_unit=world.unit_b.pk))
    assert response.status_code == 200 and not InspectionVisit.objects.exists()
    response = client.post(reverse("tickets:visit_add"), _form(world, enterprise=world.foreign_unit.pk))
    assert response.status_code == 200 and not InspectionVisit.objects.exists()
    response = client.post(reverse("tickets:visit_add"), _form(world, visiting_unit=world.unit_a_child.pk))
    assert response.status_code == 302  # a unit below one's own


def test_visit_list_filters(client, world, visits):
    client.force_login(world.office)
    url = reverse("tickets:visit_list")
    page = client.get(url, {"enterprise": world.enterprise_b.pk}).content.decode()
    assert "乙街道消防检查" in page and "甲街道安全检查" not in page
    last_year = (timezone.localdate() - timedelta(days=400)).strftime("%Y-%m")
    page = client.get(url, {"month": last_year}).content.decode()
    assert "乙街道消防检查" not in page and "暂无检查记录" in page
    assert client.get(url, {"month": "bad", "enterprise": "x"}).status_code == 200


# --------------------------------------------------------------------------------------------------------------
# Quiet periods


def test_enterprise_declares_and_deletes_its_quiet_period(client, world):
    client.force_login(world.ent_user_a)
    today = timezone.localdate()
    url = reverse("tickets:quiet_list")
    response = client.post(url, {"enterprise": world.enterprise_b.pk, "start": today, "end": today, "note": "冒名"})
    assert response.status_code == 200 and not QuietPeriod.objects.exists()  # only its own enterprise
    response = client.post(url, {"enterprise": world.enterprise_a.pk, "start": today, "end": today - timedelta(1)})
    assert response.status_code == 200 and "结束日期不能早于开始日期" in response.content.decode()
    response = client.post(url, {"enterprise": world.enterprise_a.pk, "start": today, "end": today, "note": "年检"})
    assert response.status_code == 302
    period = QuietPeriod.objects.get()
    assert (period.enterprise, period.note) == (world.enterprise_a, "年检")
    assert client.post(reverse("tickets:quiet_delete", args=[period.pk])).status_code == 302
    assert not QuietPeriod.objects.exists()


def test_only_enterprises_declare_quiet_periods(client, world):
    client.force_login(world.office)
    today = timezone.localdate()
    url = reverse("tickets:quiet_list")
    assert client.get(url).status_code == 200 and 'id="tj-quiet-form"' not in client.get(url).content.decode()
    response = client.post(url, {"enterprise": world.enterprise_a.pk, "start": today, "end": today})
    assert response.status_code == 403


def test_enterprises_are_isolated(client, world, quiet, visits):
    client.force_login(world.ent_user_b)
    page = client.get(reverse("tickets:quiet_list")).content.decode()
    assert "乙检修" in page and "甲投产" not in page
    assert client.post(reverse("tickets:quiet_delete", args=[quiet[0].pk])).status_code == 404
    assert QuietPeriod.objects.filter(pk=quiet[0].pk).exists()
    page = client.get(reverse("tickets:visit_list")).content.decode()
    assert "乙街道消防检查" in page and "甲街道安全检查" not in page and "甲企业有限公司" not in page
    client.force_login(world.reporter_a)  # units that visit enterprises see every quiet period
    page = client.get(reverse("tickets:quiet_list")).content.decode()
    assert "乙检修" in page and "甲投产" in page
    assert client.get(reverse("tickets:visit_add")).content.decode().count("检修") == 1


def test_quiet_delete_is_post_only(client, world, quiet):
    client.force_login(world.ent_user_a)
    assert client.get(reverse("tickets:quiet_delete", args=[quiet[0].pk])).status_code == 405


# --------------------------------------------------------------------------------------------------------------
# Dashboard


def _portfolio(world, n: int, start: int = 0) -> None:
    project = make_project(unit=world.unit_a, actor=world.office)
    now = timezone.now()
    statuses = [TicketStatus.PENDING, TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED, TicketStatus.CLOSED]
    for i in range(start, start + n):
        raised = now - timedelta(days=i % 20, hours=3)
        done = statuses[i % 4] in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
        make_ticket(
            actor=world.office,
            project=project,
            category=TicketCategory.values[i % 6],
            status=statuses[i % 4],
            lead_unit=world.unit_a if i % 2 else world.unit_b,
            raised_at=raised,
            responded_at=raised + timedelta(hours=i % 5 + 1),
            resolved_at=raised + timedelta(days=i % 3 + 1) if done else None,
            rating=Rating.SATISFIED if done and i % 3 else "",
            escalation_level=i % 3 if not done else 0,
        )


def _dashboard_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("tickets:ticket_dashboard"))
    assert response.status_code == 200
    return len(captured)


def test_dashboard_page_queries_do_not_grow(client, world):
    _portfolio(world, 5)
    small = _dashboard_queries(client, world.office)
    _portfolio(world, 35, start=5)
    assert _dashboard_queries(client, world.office) == small


def test_dashboard_shows_the_figures(client, world):
    _portfolio(world, 8)
    client.force_login(world.office)
    today = timezone.localdate()
    response = client.get(reverse("tickets:ticket_dashboard"), {"year": today.year, "month": today.month})
    stats = response.context["stats"]
    assert stats.open == 4 and stats.escalated_list
    page = response.content.decode()
    for marker in ("tj-kpi-open", "tj-satisfaction", "tj-blockers", "tj-escalated", "tj-by-unit", "tj-by-category"):
        assert marker in page
    assert "工作日" in page and "小时" in page
    assert client.get(reverse("tickets:ticket_dashboard"), {"year": "x", "month": 13}).status_code == 200
