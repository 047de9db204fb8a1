"""core.permissions: every refusal — page, API, service — is one `access_denied` row with outcome failure and the
request path, written once; out-of-scope objects answer 404 (audited); services check scope with check_scope."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse

from tuijin.core.models import AuditEvent
from tuijin.core.permissions import check_scope, deny, scoped_object_or_404
from tuijin.projects.models import Project
from tuijin.projects.services import annual_plan_save
from tuijin.projects.tests.factories import make_project


def denials():
    return AuditEvent.objects.filter(event_type="access_denied").order_by("pk")


def test_page_denial_is_a_failure_with_path_and_permission(client, world):
    """The two copies that logged a denial as a success without a path (projects `_require`, progress `_deny`)."""
    project = make_project(unit=world.unit_a)
    plan = annual_plan_save(actor=world.office, project=project, year=2026, planned_investment=Decimal("10"))
    client.force_login(world.reporter_a)
    url = reverse("projects:plan_approve", args=[plan.pk])
    assert client.post(url).status_code == 403
    event = denials().get()
    assert event.outcome == "failure" and event.user_name == "reporter_a" and len(event.request_id) == 36
    assert event.detail["path"] == url and event.detail["method"] == "POST"
    assert event.detail["permission"] == "projects.approve_annualplan" and event.detail["reason"] == "no_permission"
    assert "api" not in event.detail

    client.force_login(world.auditadmin)
    url = reverse("dispatch:my_reports")
    assert client.get(url).status_code == 403
    event = denials().last()
    assert event.outcome == "failure" and event.detail["path"] == url
    assert event.detail["permission"] == "progress.view_progressreport"


def test_api_denial_is_a_failure_with_path(client, world):
    client.force_login(world.auditadmin)
    url = reverse("projects-api:project-list")
    response = client.get(url)
    assert response.status_code == 403 and "detail" in response.json() and response.json()["request_id"]
    event = denials().get()
    assert event.outcome == "failure" and event.user_name == "auditadmin"
    assert event.detail["path"] == url and event.detail["api"] is True
    assert event.detail["permission"] == "projects.view_project"


def test_api_out_of_scope_is_404_and_audited(client, world):
    other = make_project(unit=world.unit_b)
    client.force_login(world.reporter_a)
    url = reverse("projects-api:project-detail", args=[other.pk])
    assert client.get(url).status_code == 404
    event = denials().get()
    assert event.detail["reason"] == "out_of_scope" and event.detail["path"] == url and event.outcome == "failure"
    missing = reverse("projects-api:project-detail", args=[other.pk + 1000])
    assert client.get(missing).status_code == 404
    assert denials().count() == 1  # a missing object is not a refusal


def test_page_out_of_scope_is_404_and_audited(client, world):
    other = make_project(unit=world.unit_b)
    client.force_login(world.reporter_a)
    url = reverse("projects:project_edit", args=[other.pk])
    assert client.get(url).status_code == 404
    event = denials().get()
    assert event.detail == {
        "path": url,
        "reason": "out_of_scope",
        "method": "GET",
        "permission": "projects.change_project",
    }


def test_service_refusal_on_the_api_is_recorded_once(client, world):
    """A service's PermissionDenied (the write rolled back) becomes a 403 and one `refused` row."""
    from tuijin.tickets import services as tickets
    from tuijin.tickets.tests.factories import make_ticket

    ticket = make_ticket(actor=world.reporter_a, enterprise=world.enterprise_a)
    ticket = tickets.ticket_assign(actor=world.office, ticket=ticket, version=ticket.version, lead_unit=world.unit_b)
    client.force_login(world.reporter_a)  # sees the ticket it raised, but only the lead unit may handle it
    url = reverse("tickets-api:ticket-start", args=[ticket.pk])
    response = client.post(url, {"version": ticket.version}, content_type="application/json")
    assert response.status_code == 403 and response.json()["detail"] == "只有牵头单位可以办理该工单。"
    ticket.refresh_from_db()
    assert ticket.status == "assigned"
    event = denials().get()
    assert event.detail["reason"] == "refused" and event.detail["path"] == url and event.detail["api"] is True


def test_unaudited_page_403_is_recorded_by_the_middleware(rf, world):
    from django.core.exceptions import PermissionDenied

    from tuijin.core.middleware import DenialAuditMiddleware

    url = "/progress/lights/evaluate/"
    request = rf.post(url)
    request.user = world.reporter_a
    middleware = DenialAuditMiddleware(lambda r: None)
    middleware.process_exception(request, PermissionDenied("服务拒绝"))  # a bare refusal, e.g. from a service
    event = denials().get()
    assert event.outcome == "failure" and event.detail["path"] == url and event.detail["reason"] == "refused"


def test_a_recorded_denial_is_not_recorded_twice(client, world):
    client.force_login(world.ent_user_a)  # the notice page records its own denial before raising
    assert client.get(reverse("dispatch:notice")).status_code == 403
    assert denials().count() == 1
    client.force_login(world.auditadmin)
    assert client.get(reverse("org:orgunit_list")).status_code == 403
    assert denials().count() == 2


def test_deny_from_a_user_outside_a_request(world):
    with pytest.raises(PermissionDenied, match="不行"):
        deny(world.reporter_a, action="change", obj=Project, message="不行")
    event = denials().get()
    assert event.user_name == "reporter_a" and event.detail["path"] == "" and event.outcome == "failure"
    assert event.detail["permission"] == "projects.change_project"


def test_scoped_object_or_404(world):
    mine, other = make_project(unit=world.unit_a), make_project(unit=world.unit_b)
    request = RequestFactory().get("/x/")
    request.user = world.reporter_a
    assert scoped_object_or_404(request, Project.objects.all(), mine.pk, action="change") == mine
    with pytest.raises(Http404):
        scoped_object_or_404(request, Project.objects.all(), other.pk, action="change")
    request.user = world.auditadmin
    with pytest.raises(PermissionDenied):
        scoped_object_or_404(request, Project.objects.all(), mine.pk)
    assert [e.detail["reason"] for e in denials()] == ["out_of_scope", "no_permission"]


def test_check_scope(world):
    mine, other = make_project(unit=world.unit_a), make_project(unit=world.unit_b)
    check_scope(world.reporter_a, mine, "change")
    check_scope(None, other, "change")  # the system (commands, tasks) is not scoped
    with pytest.raises(PermissionDenied):
        check_scope(world.reporter_a, other, "change")
    with pytest.raises(PermissionDenied):
        check_scope(world.leader, mine, "change")  # in scope for view, but no change permission
    assert not denials().exists()  # services record nothing: the boundary does, after the rollback
