"""/api/tickets/: a permission matrix for every URL (list, detail, each workflow action, visits), raising through the
API, 412 on a stale version, 403 without the action's permission, 404 out of scope, what enterprise users see, and
the inspection registry (quiet period rule, over-limit warnings)."""

from datetime import timedelta
from typing import ClassVar

import pytest
from django.urls import URLResolver, include, path, reverse
from django.utils import timezone

import tuijin.api.urls
import tuijin.urls
from tuijin.projects.tests.factories import make_project
from tuijin.tickets import services
from tuijin.tickets.choices import Rating, TicketEventType, TicketStatus
from tuijin.tickets.models import InspectionVisit, Ticket
from tuijin.utilities.testing.matrix import ApiMatrix, ApiPostMatrix, Case

from .factories import advance, make_ticket
from .test_selectors import foreign_ticket

# Until tuijin/api/urls.py includes "tickets/", these tests run with a URLconf that adds it (then this is a no-op).
_INCLUDED = any(isinstance(p, URLResolver) and p.namespace == "tickets-api" for p in tuijin.api.urls.urlpatterns)
urlpatterns = list(tuijin.urls.urlpatterns)
handler500 = tuijin.urls.handler500
if not _INCLUDED:
    urlpatterns.insert(0, path("api/tickets/", include("tuijin.tickets.api.urls")))
    pytestmark = pytest.mark.urls(__name__)

JSON = {"content_type": "application/json", "HTTP_ACCEPT": "application/json"}


@pytest.fixture
def projects(world):
    a = make_project(unit=world.unit_a, actor=world.office, name="甲街道接口项目", owner_enterprise=world.enterprise_a)
    b = make_project(unit=world.unit_b, actor=world.office, name="乙街道接口项目", owner_enterprise=world.enterprise_b)
    return a, b


@pytest.fixture
def tickets(world, projects):
    a = make_ticket(actor=world.reporter_a, project=projects[0], title="甲接口工单")
    b = make_ticket(actor=world.reporter_b, project=projects[1], title="乙接口工单")
    return a, b


def number(ticket):
    return ticket.number


class TestTicketApiList(ApiMatrix):
    url_name = "tickets-api:ticket-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, tickets):
        return Case(
            allowed=world.reporter_a, denied=world.sysadmin, in_scope=tickets[0], out_of_scope=tickets[1], marker=number
        )


class TestTicketApiDetail(ApiMatrix):
    url_name = "tickets-api:ticket-detail"

    @pytest.fixture
    def matrix(self, world, tickets):
        return Case(
            allowed=world.ent_user_b, denied=world.norole, in_scope=tickets[1], out_of_scope=tickets[0], marker=number
        )


class _Action(ApiPostMatrix):
    """A workflow action: POST with the version; anonymous 401, no role 403, in scope 200 and the effect in the
    database, out of scope 404 and no effect, a stale version 409."""

    expected_status: ClassVar[str] = ""

    @pytest.fixture(autouse=True)
    def _world(self, world):
        self.world = world

    def data(self, obj, matrix) -> dict:
        return {"version": obj.version}

    def ticket(self, obj) -> Ticket:
        ticket = Ticket.objects.get(pk=obj.pk)
        assert ticket.status == self.expected_status and ticket.version > obj.version
        return ticket

    def assert_succeeded(self, response):
        super().assert_succeeded(response)
        assert response.json()["status"] == self.expected_status
        assert response["ETag"] == f'"{response.json()["version"]}"' and response.json()["version"] > 1

    def test_stale_version_is_412(self, client, matrix):
        client.force_login(matrix.allowed)
        data = dict(self.data(matrix.in_scope, matrix), version=matrix.in_scope.version + 5)
        response = client.post(self.url_for(matrix.in_scope), data, **JSON)
        assert response.status_code == 412 and response.json()["code"] == "conflict"
        assert response.json()["current"]["version"] == matrix.in_scope.version
        assert not self.holds(matrix.in_scope, matrix)


class TestTicketApiAccept(_Action):
    url_name = "tickets-api:ticket-accept"
    expected_status = TicketStatus.PENDING

    def effect(self, obj, matrix):
        assert self.ticket(obj).responded_at is not None

    @pytest.fixture
    def matrix(self, world, tickets):
        return Case(allowed=world.office, denied=world.norole, in_scope=tickets[0], out_of_scope=foreign_ticket(world))

    def test_unit_reporter_may_not_accept(self, client, world, tickets):
        client.force_login(world.reporter_a)  # sees the ticket, lacks "tickets.dispatch_ticket": refused by the service
        response = client.post(self.url_for(tickets[0]), {"version": tickets[0].version}, **JSON)
        assert response.status_code == 403


class TestTicketApiAssign(_Action):
    url_name = "tickets-api:ticket-assign"
    expected_status = TicketStatus.ASSIGNED

    def data(self, obj, matrix):
        return {
            "version": obj.version,
            "lead_unit": self.world.unit_a.pk,
            "co_units": [self.world.unit_b.pk],
            "note": "请办理",
        }

    def effect(self, obj, matrix):
        ticket = self.ticket(obj)
        assert ticket.lead_unit == self.world.unit_a and list(ticket.co_units.all()) == [self.world.unit_b]

    @pytest.fixture
    def matrix(self, world, tickets):
        # reporter_a sees the ticket but may not dispatch
        return Case(
            allowed=world.office, denied=world.reporter_a, in_scope=tickets[0], out_of_scope=foreign_ticket(world)
        )

    def test_co_units_may_be_left_out(self, client, world, tickets):
        """Issue 19 item 5: without `co_units` the assignment went to the service as None (TypeError, 500)."""
        ticket = tickets[0]
        services.ticket_accept(actor=world.office, ticket=ticket, version=ticket.version)
        ticket.refresh_from_db()
        client.force_login(world.office)
        response = client.post(self.url_for(ticket), {"version": ticket.version, "lead_unit": world.unit_a.pk}, **JSON)
        assert response.status_code == 200, response.content
        ticket.refresh_from_db()
        assert ticket.lead_unit == world.unit_a and not ticket.co_units.exists() and ticket.status == "assigned"

    def test_unknown_lead_unit_is_400(self, client, world, tickets):
        client.force_login(world.office)
        response = client.post(
            self.url_for(tickets[0]), {"version": tickets[0].version, "lead_unit": world.foreign_unit.pk}, **JSON
        )
        assert response.status_code == 400 and "lead_unit" in response.json()


class TestTicketApiStart(_Action):
    url_name = "tickets-api:ticket-start"
    expected_status = TicketStatus.IN_PROGRESS

    def effect(self, obj, matrix):
        self.ticket(obj)

    @pytest.fixture
    def matrix(self, world, tickets):
        a = advance(tickets[0], TicketStatus.ASSIGNED, office=world.office, lead_unit=world.unit_a)
        b = advance(tickets[1], TicketStatus.ASSIGNED, office=world.office, lead_unit=world.unit_b)
        # handling also needs the lead unit (not a row scope): the control acts as unit B's reporter
        return Case(allowed=world.reporter_a, denied=world.norole, in_scope=a, out_of_scope=b, viewer=world.reporter_b)

    def test_other_unit_may_not_start(self, client, world, tickets):
        ticket = advance(tickets[0], TicketStatus.ASSIGNED, office=world.office, lead_unit=world.unit_b)
        client.force_login(world.reporter_a)  # sees it (its project) but is not the lead unit
        response = client.post(self.url_for(ticket), {"version": ticket.version}, **JSON)
        assert response.status_code == 403


class TestTicketApiResolve(_Action):
    url_name = "tickets-api:ticket-resolve"
    expected_status = TicketStatus.RESOLVED

    def data(self, obj, matrix):
        return {"version": obj.version, "result": "已协调交地"}

    def effect(self, obj, matrix):
        ticket = self.ticket(obj)
        assert ticket.result == "已协调交地" and ticket.resolved_at is not None

    @pytest.fixture
    def matrix(self, world, tickets):
        a = advance(tickets[0], TicketStatus.IN_PROGRESS, office=world.office, lead_unit=world.unit_a)
        b = advance(tickets[1], TicketStatus.IN_PROGRESS, office=world.office, lead_unit=world.unit_b)
        return Case(
            allowed=world.reporter_a, denied=world.sysadmin, in_scope=a, out_of_scope=b, viewer=world.reporter_b
        )

    def test_result_is_required(self, client, world, tickets):
        ticket = advance(tickets[0], TicketStatus.IN_PROGRESS, office=world.office, lead_unit=world.unit_a)
        client.force_login(world.reporter_a)
        response = client.post(self.url_for(ticket), {"version": ticket.version, "result": " "}, **JSON)
        assert response.status_code == 400 and response.json()["code"] == "result_required"


class TestTicketApiClose(_Action):
    url_name = "tickets-api:ticket-close"
    expected_status = TicketStatus.CLOSED

    def effect(self, obj, matrix):
        assert self.ticket(obj).closed_at is not None

    @pytest.fixture
    def matrix(self, world, tickets):
        a = advance(tickets[0], TicketStatus.RESOLVED, office=world.office, lead_unit=world.unit_a)
        b = advance(tickets[1], TicketStatus.RESOLVED, office=world.office, lead_unit=world.unit_b)
        # the raiser closes; a leader sees the ticket but neither raised it nor may close
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=a, out_of_scope=b, viewer=world.reporter_b)


class TestTicketApiRate(_Action):
    url_name = "tickets-api:ticket-rate"
    expected_status = TicketStatus.RESOLVED

    def data(self, obj, matrix):
        return {"version": obj.version, "rating": Rating.SATISFIED, "comment": "很及时"}

    def effect(self, obj, matrix):
        ticket = self.ticket(obj)
        assert (ticket.rating, ticket.rating_comment) == (Rating.SATISFIED, "很及时")

    @pytest.fixture
    def matrix(self, world, tickets):
        a = advance(tickets[0], TicketStatus.RESOLVED, office=world.office, lead_unit=world.unit_a)
        b = advance(tickets[1], TicketStatus.RESOLVED, office=world.office, lead_unit=world.unit_b)
        return Case(allowed=world.ent_user_a, denied=world.office, in_scope=a, out_of_scope=b)

    def test_unsatisfied_reopens(self, client, world, tickets):
        ticket = advance(tickets[0], TicketStatus.RESOLVED, office=world.office, lead_unit=world.unit_a)
        client.force_login(world.ent_user_a)
        response = client.post(self.url_for(ticket), {"version": ticket.version, "rating": "unsatisfied"}, **JSON)
        assert response.status_code == 400 and response.json()["code"] == "comment_required"
        data = {"version": ticket.version, "rating": "unsatisfied", "comment": "没解决"}
        response = client.post(self.url_for(ticket), data, **JSON)
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["reopen_count"]) == (TicketStatus.IN_PROGRESS, 1)


class TestTicketApiReturn(_Action):
    url_name = "tickets-api:ticket-return"
    expected_status = TicketStatus.PENDING

    def data(self, obj, matrix):
        return {"version": obj.version, "reason": "不属于本单位职责"}

    def effect(self, obj, matrix):
        ticket = self.ticket(obj)
        assert "不属于本单位职责" in str(ticket.events.get(type=TicketEventType.RETURNED).data)

    @pytest.fixture
    def matrix(self, world, tickets):
        a = advance(tickets[0], TicketStatus.ASSIGNED, office=world.office, lead_unit=world.unit_a)
        b = advance(tickets[1], TicketStatus.ASSIGNED, office=world.office, lead_unit=world.unit_b)
        return Case(
            allowed=world.reporter_a, denied=world.auditadmin, in_scope=a, out_of_scope=b, viewer=world.reporter_b
        )

    def test_reason_is_required(self, client, world, tickets):
        ticket = advance(tickets[0], TicketStatus.ASSIGNED, office=world.office, lead_unit=world.unit_a)
        client.force_login(world.reporter_a)
        response = client.post(self.url_for(ticket), {"version": ticket.version}, **JSON)
        assert response.status_code == 400 and response.json()["code"] == "reason_required"


class TestTicketApiTransfer(_Action):
    url_name = "tickets-api:ticket-transfer"
    expected_status = TicketStatus.ASSIGNED

    def data(self, obj, matrix):
        return {"version": obj.version, "lead_unit": self.world.unit_b.pk, "reason": "属地牵头更合适"}

    def effect(self, obj, matrix):
        assert self.ticket(obj).lead_unit == self.world.unit_b

    @pytest.fixture
    def matrix(self, world, tickets):
        a = advance(tickets[0], TicketStatus.ASSIGNED, office=world.office, lead_unit=world.unit_a)
        b = advance(
            foreign_ticket(world), TicketStatus.ASSIGNED, office=world.foreign_office, lead_unit=world.foreign_unit
        )
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=a, out_of_scope=b)


class TestTicketApiUnresolvable(_Action):
    url_name = "tickets-api:ticket-unresolvable"
    expected_status = TicketStatus.UNRESOLVABLE

    def data(self, obj, matrix):
        return {"version": obj.version, "explanation": "涉及上级审批权限，已当面说明"}

    def effect(self, obj, matrix):
        assert self.ticket(obj).unresolvable_reason == "涉及上级审批权限，已当面说明"

    @pytest.fixture
    def matrix(self, world, tickets):
        # the enterprise sees its ticket but may not declare it unresolvable
        return Case(
            allowed=world.office, denied=world.ent_user_a, in_scope=tickets[0], out_of_scope=foreign_ticket(world)
        )


# --------------------------------------------------------------------------------------------------------------
# Raising, reading


def test_raise_through_the_api(client, world, projects):
    url = reverse("tickets-api:ticket-list")
    client.force_login(world.reporter_a)
    data = {"category": "land", "title": "用地报批慢", "description": "组卷报批进度慢", "project": projects[0].pk}
    response = client.post(url, data, **JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (
        body["number"].startswith("GD") and body["status"] == "pending" and body["raised_unit_name"] == "甲街道办事处"
    )
    assert response["ETag"] == f'"{body["version"]}"'
    response = client.post(url, dict(data, project=projects[1].pk), **JSON)
    assert response.status_code == 400  # not a project the reporter may see
    client.force_login(world.sysadmin)
    assert client.post(url, data, **JSON).status_code == 403


def test_enterprise_raises_for_itself_and_sees_no_internal_fields(client, world, projects):
    client.force_login(world.ent_user_a)
    url = reverse("tickets-api:ticket-list")
    data = {"category": "power", "title": "增容", "description": "变压器增容", "enterprise": world.enterprise_b.pk}
    response = client.post(url, data, **JSON)
    assert response.status_code == 201
    body = response.json()
    assert body["enterprise"] == world.enterprise_a.pk and body["source"] == "enterprise"  # forced to its own
    assert "escalation_level" not in body and "from_problem" not in body
    assert "raised_by" not in body
    client.force_login(world.office)
    detail = client.get(reverse("tickets-api:ticket-detail", args=[body["id"]]), HTTP_ACCEPT="application/json")
    assert detail.json()["escalation_level"] == 0 and "from_problem" in detail.json()
    assert detail["ETag"] == f'"{body["version"]}"'


def test_enterprises_are_isolated(client, world, projects):
    mine = make_ticket(actor=world.ent_user_a, title="甲企业诉求")
    theirs = make_ticket(actor=world.ent_user_b, title="乙企业诉求")
    client.force_login(world.ent_user_a)
    listing = client.get(reverse("tickets-api:ticket-list"), HTTP_ACCEPT="application/json").json()
    assert [row["number"] for row in listing["results"]] == [mine.number]
    detail = reverse("tickets-api:ticket-detail", args=[theirs.pk])
    assert client.get(detail, HTTP_ACCEPT="application/json").status_code == 404
    theirs = advance(theirs, TicketStatus.RESOLVED, office=world.office, lead_unit=world.unit_b)
    rate = reverse("tickets-api:ticket-rate", args=[theirs.pk])
    assert client.post(rate, {"version": theirs.version, "rating": "satisfied"}, **JSON).status_code == 404


def test_list_queries_do_not_grow(client, world, projects, django_assert_max_num_queries):
    for i in range(3):
        make_ticket(actor=world.reporter_a, project=projects[0], title=f"列表{i}")
    client.force_login(world.office)
    url = reverse("tickets-api:ticket-list")
    with django_assert_max_num_queries(12) as small:
        client.get(url, HTTP_ACCEPT="application/json")
    for i in range(30):
        make_ticket(actor=world.reporter_a, project=projects[0], title=f"更多{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(url, HTTP_ACCEPT="application/json").json()["results"]) == 33


# --------------------------------------------------------------------------------------------------------------
# Inspection visits


@pytest.fixture
def visits(world):
    def one(enterprise, unit, actor, purpose):
        return services.inspection_visit_register(
            actor=actor,
            enterprise=enterprise,
            visiting_unit=unit,
            visitors="张三",
            visited_on=timezone.localdate(),
            purpose=purpose,
            legal_basis="依法",
        )[0]

    return (
        one(world.enterprise_a, world.unit_a, world.reporter_a, "甲接口检查"),
        one(world.enterprise_b, world.unit_b, world.reporter_b, "乙接口检查"),
    )


class TestVisitApiList(ApiMatrix):
    url_name = "tickets-api:inspectionvisit-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, visits):
        return Case(
            allowed=world.ent_user_a,
            denied=world.sysadmin,
            in_scope=visits[0],
            out_of_scope=visits[1],
            marker=lambda v: v.purpose,
        )


def _visit(world, **overrides):
    data = {
        "enterprise": world.enterprise_a.pk,
        "visiting_unit": world.unit_a.pk,
        "visitors": "王五",
        "visited_on": timezone.localdate().isoformat(),
        "purpose": "消防检查",
        "legal_basis": "《消防法》第五十三条",
    }
    data.update(overrides)
    return data


def test_register_visits_through_the_api(client, world, settings):
    settings.TUIJIN_VISIT_MONTHLY_LIMIT = 1
    url = reverse("tickets-api:inspectionvisit-list")
    today = timezone.localdate()
    services.quiet_period_set(actor=world.ent_user_a, enterprise=world.enterprise_a, start=today, end=today)
    client.force_login(world.reporter_a)
    response = client.post(url, _visit(world), **JSON)
    assert response.status_code == 400 and "justification" in response.json()
    response = client.post(url, _visit(world, justification="依法核查举报"), **JSON)
    assert response.status_code == 201 and response.json()["warnings"] == []
    assert response.json()["visit"]["visiting_unit_name"] == "甲街道办事处"
    tomorrow = (today + timedelta(days=1)).isoformat() if today.day < 28 else (today - timedelta(days=1)).isoformat()
    response = client.post(url, _visit(world, visited_on=tomorrow), **JSON)
    assert response.status_code == 201 and "超过每月 1 次的上限" in response.json()["warnings"][0]
    assert client.post(url, _visit(world, visiting_unit=world.unit_b.pk), **JSON).status_code == 400
    client.force_login(world.ent_user_a)
    assert client.post(url, _visit(world, visited_on=tomorrow), **JSON).status_code == 403
    assert InspectionVisit.objects.count() == 2
