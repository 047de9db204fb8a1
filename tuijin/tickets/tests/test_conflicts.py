"""Issue 12 item 3: two people act on the same ticket; the stale one gets the conflict page (409) with what the other
did and what they typed, never a silent loss, and can post it again when the step still applies."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tuijin.org.choices import Role
from tuijin.projects.tests.factories import make_project
from tuijin.tickets.choices import TicketEventType, TicketStatus
from tuijin.tickets.models import Ticket
from tuijin.utilities.testing.world import make_user

from .factories import advance, make_ticket


def action_url(ticket) -> str:
    return reverse("tickets:ticket_action", args=[ticket.pk])


def hidden_fields(page: str) -> list[tuple[str, str]]:
    form = page[page.index('id="tj-conflict-resubmit"') :]
    form = form[: form.index("</form>")]
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)


@pytest.fixture
def ticket(world):
    project = make_project(unit=world.unit_a, actor=world.office, name="冲突测试项目")
    return make_ticket(actor=world.office, project=project, title="两人同时处理的工单")


def test_two_dispatchers_assign_the_same_ticket(world, ticket):
    second_office = make_user("office2", role=Role.PROJECT_OFFICE, unit=world.office_unit)
    first, second = Client(), Client()
    first.force_login(world.office)
    second.force_login(second_office)
    opened = ticket.version  # both opened the page at this version

    response = first.post(action_url(ticket), {"action": "assign", "version": opened, "lead_unit": world.unit_a.pk})
    assert response.status_code == 302

    response = second.post(
        action_url(ticket),
        {"action": "assign", "version": opened, "lead_unit": world.unit_b.pk, "note": "请乙街道牵头，月底前反馈"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "该工单已被他人处理" in page
    changes = page[page.index('id="tj-conflict-changes"') : page.index('id="tj-conflict-rows"')]
    assert "甲街道办事处" in changes and "office" in changes  # what the other dispatcher did, and who
    rows = page[page.index('id="tj-conflict-rows"') :]
    assert "乙街道办事处" in rows and "请乙街道牵头，月底前反馈" in rows and "交办" in rows  # the typed input, kept
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.lead_unit == world.unit_a  # nothing of the stale step was written

    fields = hidden_fields(page)
    assert ("version", str(stored.version)) in fields and ("note", "请乙街道牵头，月底前反馈") in fields
    assert second.post(action_url(ticket), dict(fields)).status_code == 302  # 按最新状态重新提交
    stored.refresh_from_db()
    assert stored.lead_unit == world.unit_b
    assert stored.events.filter(type=TicketEventType.ASSIGNED).last().data["note"] == "请乙街道牵头，月底前反馈"


def test_a_stale_resolve_keeps_the_typed_result_when_the_ticket_moved_on(world, ticket):
    advance(ticket, TicketStatus.IN_PROGRESS, office=world.office, lead_unit=world.unit_a, handler=world.reporter_a)
    ticket.refresh_from_db()
    handler, office = Client(), Client()
    handler.force_login(world.reporter_a)
    office.force_login(world.office)
    opened = ticket.version

    transfer = {
        "action": "transfer",
        "version": opened,
        "lead_unit": world.unit_b.pk,
        "reason": "属地调整",
    }
    assert office.post(action_url(ticket), transfer).status_code == 302

    typed = "已协调自然资源分局完成交地，企业已确认。"
    response = handler.post(action_url(ticket), {"action": "resolve", "version": opened, "result": typed})
    assert response.status_code == 409
    page = response.content.decode()
    assert typed in page and "乙街道办事处" in page  # the typed result, and the transfer that made it stale
    assert 'id="tj-conflict-resubmit"' not in page  # no longer unit A's ticket: nothing to post again
    assert ticket.get_absolute_url() in page
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.status == TicketStatus.ASSIGNED and stored.result == "" and stored.lead_unit == world.unit_b


def test_loading_the_latest_version_goes_to_the_ticket(client, world, ticket):
    client.force_login(world.office)
    response = client.get(action_url(ticket))
    assert response.status_code == 302 and response["Location"] == ticket.get_absolute_url()
    client.force_login(world.ent_user_b)  # out of scope: 404 for GET as for POST
    assert client.get(action_url(ticket)).status_code == 404
