"""Issue 13 item 5: the 项目办 configures each ticket category's time limits (办理时限) on a page: validation,
a preview of the effect on the open tickets in scope before saving, the recomputation of open tickets, the next
ticket's deadlines, per-category escalation, history, conflicts and permissions."""

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tuijin.core.exceptions import ConflictError
from tuijin.core.history import object_history
from tuijin.org.choices import Role
from tuijin.projects.tests.factories import make_project
from tuijin.tickets import selectors, services
from tuijin.tickets.choices import TicketCategory, TicketStatus
from tuijin.tickets.models import CategorySLA, Ticket, TicketEscalation
from tuijin.utilities.testing.matrix import Case, ViewMatrix
from tuijin.utilities.testing.world import make_user
from tuijin.workdays.services import add_workdays

from .factories import advance, make_ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")
RAISED = date(2025, 3, 3)  # a Monday; March 2025 has no holidays
TODAY = date(2025, 3, 20)
LAND = TicketCategory.LAND


def at(day: date, hour: int = 10):
    return time_machine.travel(datetime.combine(day, time(hour), tzinfo=SHANGHAI), tick=False)


def edit_url(category=LAND) -> str:
    return reverse("tickets:sla_edit", args=[category])


def values(response=1, resolution=10, step=3, version=1, name="用地", order=10, active=True, **extra) -> dict:
    data = {"response_days": response, "resolution_days": resolution, "escalation_step_days": step}
    data |= {"name": name, "sort_order": order, **({"is_active": "on"} if active else {})}
    return {**data, "version": version, **extra}


def land_unchanged() -> bool:
    """The seeded 用地 row (migration 0004) as it was: nothing saved."""
    row = CategorySLA.objects.get(category=LAND)
    return (row.name, row.version, row.response_days, row.resolution_days, row.escalation_step_days) == (
        "用地",
        1,
        1,
        15,
        3,
    )


@pytest.fixture(autouse=True)
def _sla_permissions(world):
    """The 项目办 holds view/change_categorysla in org/roles.py; a no-op while it does (kept for safety)."""
    from tuijin.org.roles import role_permissions

    assert {"tickets.view_categorysla", "tickets.change_categorysla"} <= role_permissions(Role.PROJECT_OFFICE)


@pytest.fixture
def projects(world):
    a = make_project(unit=world.unit_a, actor=world.office, name="甲街道时限项目", owner_enterprise=world.enterprise_a)
    foreign = make_project(unit=world.foreign_unit, actor=world.foreign_office, name="邻区时限项目")
    return a, foreign


# --- validation -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "field", "text"),
    [
        ((0, 10, 3), "response_days", "首次响应时限至少为 1 个工作日"),
        ((1, -2, 3), "resolution_days", "办结时限至少为 1 个工作日"),
        ((1, 10, 0), "escalation_step_days", "升级间隔至少为 1 个工作日"),
        ((1, 251, 3), "resolution_days", "不能超过 250 个工作日"),
        ((12, 10, 3), "response_days", "首次响应时限（12 个工作日）不能长于办结时限（10 个工作日）"),
    ],
)
def test_limits_are_validated_in_chinese(args, field, text):
    with pytest.raises(ValidationError) as caught:
        services.sla_validate(*args)
    assert text in " ".join(caught.value.message_dict[field])


def test_a_bad_limit_shows_the_form_again_with_everything_typed(world):
    client = Client()
    client.force_login(world.office)
    response = client.post(edit_url(), values(response=12, resolution=10, step=7))
    assert response.status_code == 200
    page = response.content.decode()
    assert "不能长于办结时限" in page
    assert 'value="12"' in page and 'value="10"' in page and 'value="7"' in page  # nothing typed is lost
    response = client.post(edit_url(), values(response="两天", resolution="", step=3, confirm="1"))
    page = response.content.decode()
    assert "首次响应时限请填写整数个工作日" in page and "请填写办结时限" in page
    assert 'value="两天"' in page
    assert land_unchanged()


def test_service_refuses_bad_limits_and_users_without_the_permission(world):
    with pytest.raises(ValidationError):
        services.category_sla_set(
            actor=world.office, category=LAND, version=1, response_days=5, resolution_days=3, escalation_step_days=1
        )
    with pytest.raises(Exception, match="权限"):
        services.category_sla_set(
            actor=world.reporter_a, category=LAND, version=1, response_days=1, resolution_days=3, escalation_step_days=1
        )
    assert land_unchanged()


# --- preview ----------------------------------------------------------------------------------------------------


def test_preview_counts_open_tickets_in_scope_that_become_or_stop_being_overdue(world, projects):
    with at(RAISED):
        t1 = make_ticket(actor=world.office, project=projects[0], title="按期工单")  # due 3-24 with 15 days
        t2 = make_ticket(actor=world.office, project=projects[0], title="第二张按期工单")
        done = make_ticket(actor=world.office, project=projects[0], title="已办结工单")
        advance(done, TicketStatus.RESOLVED, office=world.office, lead_unit=world.unit_a)
        make_ticket(actor=world.foreign_office, project=projects[1], title="邻区工单")  # out of scope
        other = make_ticket(actor=world.office, project=projects[0], category=TicketCategory.POWER)
    assert t1.resolution_due == date(2025, 3, 24) and other.category == TicketCategory.POWER

    with at(TODAY):
        shorter = selectors.sla_preview(world.office, LAND, services.SLA(LAND, 1, 10, 3))
        assert (shorter.open, shorter.moved, shorter.become_overdue, shorter.no_longer_overdue) == (2, 2, 2, 0)
        assert {t.pk for t, old, new in shorter.examples} == {t1.pk, t2.pk}
        assert all(new == date(2025, 3, 17) for _t, _old, new in shorter.examples)
        same = selectors.sla_preview(world.office, LAND, services.SLA(LAND, 1, 15, 3))
        assert (same.moved, same.become_overdue, same.no_longer_overdue) == (0, 0, 0)
        foreign = selectors.sla_preview(world.foreign_office, LAND, services.SLA(LAND, 1, 10, 3))
        assert (foreign.open, foreign.become_overdue) == (1, 1)  # the other district's office: only its own ticket

    Ticket.objects.filter(pk__in=[t1.pk, t2.pk]).update(resolution_due=date(2025, 3, 10))  # as under 5 days
    with at(TODAY):
        longer = selectors.sla_preview(world.office, LAND, services.SLA(LAND, 1, 15, 3))
    assert (longer.open, longer.become_overdue, longer.no_longer_overdue) == (2, 0, 2)


def test_the_confirm_step_shows_the_preview_and_saves_nothing(world, projects, django_assert_max_num_queries):
    with at(RAISED):
        for _ in range(6):
            make_ticket(actor=world.office, project=projects[0])
    client = Client()
    client.force_login(world.office)
    with at(TODAY), django_assert_max_num_queries(20):
        response = client.post(edit_url(), values(resolution=10))
    assert response.status_code == 200
    page = response.content.decode()
    assert "按新时限，当前 6 张未办结工单将变为超期，0 张不再超期。" in page
    assert 'name="confirm"' in page and 'name="back"' in page
    assert land_unchanged()
    assert set(Ticket.objects.values_list("resolution_due", flat=True)) == {date(2025, 3, 24)}

    response = client.post(edit_url(), values(response=2, resolution=10, step=4, back="1"))
    page = response.content.decode()
    assert 'id="tj-sla-form"' in page and 'value="2"' in page and 'value="4"' in page  # 返回修改 keeps the input


# --- saving -----------------------------------------------------------------------------------------------------


def test_saving_recomputes_open_tickets_and_drives_the_next_ticket(world, projects):
    with at(RAISED):
        open_ticket = make_ticket(actor=world.office, project=projects[0])
        done = make_ticket(actor=world.office, project=projects[0])
        done = advance(done, TicketStatus.RESOLVED, office=world.office, lead_unit=world.unit_a)
    version = open_ticket.version
    client = Client()
    client.force_login(world.office)
    with at(TODAY):
        response = client.post(edit_url(), values(response=2, resolution=7, step=2, confirm="1"), follow=True)
    assert response.status_code == 200
    assert "1 张未办结工单的时限已按新标准重算" in response.content.decode()
    sla = CategorySLA.objects.get(category=LAND)
    assert (sla.response_days, sla.resolution_days, sla.escalation_step_days, sla.version) == (2, 7, 2, 2)

    open_ticket.refresh_from_db()
    assert open_ticket.response_due == add_workdays(RAISED, 2)
    assert open_ticket.resolution_due == add_workdays(RAISED, 7) == date(2025, 3, 12)
    assert open_ticket.version == version  # not a user edit: nobody's open ticket page becomes stale
    done_due = done.resolution_due
    done.refresh_from_db()
    assert done.resolution_due == done_due == date(2025, 3, 24)  # 已办结 keeps its deadline

    with at(date(2025, 4, 1)):
        new = make_ticket(actor=world.office, project=projects[0])
    assert new.response_due == add_workdays(date(2025, 4, 1), 2)
    assert new.resolution_due == add_workdays(date(2025, 4, 1), 7)

    entries = object_history(sla)
    assert len(entries) == 1 and entries[0].user_name  # the change is in the history, with who made it
    assert 'id="tj-history"' in client.get(edit_url()).content.decode()


def test_the_category_escalation_step_drives_escalation(world, projects):
    services.category_sla_set(
        actor=world.office, category=LAND, version=1, response_days=1, resolution_days=5, escalation_step_days=1
    )
    with at(RAISED):
        t = make_ticket(actor=world.office, project=projects[0])
        t = advance(t, TicketStatus.ASSIGNED, office=world.office, lead_unit=world.unit_a)
    assert t.resolution_due == date(2025, 3, 10)
    with at(date(2025, 3, 12)):  # 2 working days overdue: level 2 with a step of 1 (level 1 with the default 3)
        services.escalate_overdue()
    assert set(TicketEscalation.objects.filter(ticket=t).values_list("level", flat=True)) == {1, 2}


def test_a_reopened_ticket_counts_from_its_return_visit(world, projects):
    with at(RAISED):
        t = make_ticket(actor=world.ent_user_a, project=projects[0])
        t = advance(t, TicketStatus.RESOLVED, office=world.office, lead_unit=world.unit_a)
    with at(date(2025, 3, 10)):
        t = services.ticket_rate(
            actor=world.ent_user_a, ticket=t, version=t.version, rating="unsatisfied", comment="没解决"
        )
    assert t.status == TicketStatus.IN_PROGRESS
    services.category_sla_set(
        actor=world.office, category=LAND, version=1, response_days=1, resolution_days=5, escalation_step_days=3
    )
    t.refresh_from_db()
    assert t.resolution_due == add_workdays(date(2025, 3, 10), 5)


# --- conflicts --------------------------------------------------------------------------------------------------


def hidden_fields(page: str) -> dict[str, str]:
    form = page[page.index('id="tj-conflict-resubmit"') :]
    form = form[: form.index("</form>")]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


@pytest.mark.parametrize("edited_before", [False, True])
def test_a_stale_save_gets_the_conflict_page_and_can_post_again(world, edited_before):
    if edited_before:
        services.category_sla_set(
            actor=world.office, category=LAND, version=1, response_days=1, resolution_days=20, escalation_step_days=3
        )
    opened = CategorySLA.objects.get(category=LAND).version
    other_office = make_user("office2", role=Role.PROJECT_OFFICE, unit=world.office_unit)
    first, second = Client(), Client()
    first.force_login(other_office)
    second.force_login(world.office)
    assert first.post(edit_url(), values(resolution=12, version=opened, confirm="1")).status_code == 302

    response = second.post(edit_url(), values(resolution=30, step=5, version=opened, confirm="1"))
    assert response.status_code == 409
    page = response.content.decode()
    assert "工单类别“用地”已被他人修改" in page
    assert "30" in page
    sla = CategorySLA.objects.get(category=LAND)
    assert sla.resolution_days == 12  # the first save stands; nothing of the second was written

    again = hidden_fields(page)
    assert again["version"] == str(sla.version) and again["resolution_days"] == "30" and again["confirm"] == "1"
    assert second.post(edit_url(), again).status_code == 302
    sla.refresh_from_db()
    assert (sla.resolution_days, sla.escalation_step_days) == (30, 5)


def test_service_conflict_on_a_stale_version(world):
    services.category_sla_set(
        actor=world.office, category=LAND, version=1, response_days=1, resolution_days=20, escalation_step_days=3
    )
    with pytest.raises(ConflictError):
        services.category_sla_set(
            actor=world.office, category=LAND, version=1, response_days=1, resolution_days=9, escalation_step_days=3
        )  # the first save made it version 2
    assert CategorySLA.objects.get(category=LAND).resolution_days == 20


# --- permissions ------------------------------------------------------------------------------------------------


class TestSLAList(ViewMatrix):
    url_name = "tickets:sla_list"
    detail = False
    scoped = False
    unscoped_reason = "district-wide configuration: one set of limits per category, owned by no unit"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a)


class TestSLAEdit(ViewMatrix):
    url_name = "tickets:sla_edit"
    scoped = False
    unscoped_reason = "district-wide configuration: one set of limits per category, owned by no unit"

    def url_for(self, obj=None) -> str:
        return edit_url()

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.leader)


def test_list_shows_every_seeded_category_and_its_limits(world):
    services.category_sla_set(
        actor=world.office, category=LAND, version=1, response_days=2, resolution_days=9, escalation_step_days=3
    )
    client = Client()
    client.force_login(world.office)
    page = client.get(reverse("tickets:sla_list")).content.decode()
    for _value, label in TicketCategory.choices:
        assert str(label) in page
    row = page[page.index('id="tj-sla-land"') :]
    row = row[: row.index("</tr>")]
    assert ">9<" in row and ">2<" in row
    assert "只能停用、不能删除" in page and "未办结工单的时限都按新标准重算" in page


@pytest.mark.parametrize("who", ["reporter_a", "leader", "ent_user_a", "sysadmin"])
def test_posting_without_the_permission_is_403_and_saves_nothing(world, who):
    client = Client()
    client.force_login(getattr(world, who))
    assert client.post(edit_url(), values(confirm="1")).status_code == 403
    assert client.post(edit_url(), values()).status_code == 403  # nor a preview
    assert land_unchanged()


def test_anonymous_post_goes_to_login_and_an_unknown_category_is_404(world):
    response = Client().post(edit_url(), values(confirm="1"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("users:login"))
    client = Client()
    client.force_login(world.office)
    assert client.get(edit_url("nosuch")).status_code == 404
    assert client.post(edit_url("nosuch"), values(confirm="1")).status_code == 404
    assert land_unchanged()
