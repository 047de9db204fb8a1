"""tuijin.api.exceptions: one translation of service errors for every viewset, every error as JSON."""

from datetime import date

from django.test import RequestFactory
from django.urls import reverse

from tuijin.core.views import server_error
from tuijin.projects.tests.factories import make_project

JSON = {"content_type": "application/json"}


def test_django_validation_error_is_400_keyed_by_field(client, world):
    """A model check constraint (finish before start) comes back under its field, not as a non-field error."""
    project = make_project(unit=world.unit_a)
    client.force_login(world.office)
    response = client.patch(
        reverse("projects-api:project-detail", args=[project.pk]),
        {"actual_start": "2024-05-01", "actual_finish": "2024-04-01"},
        HTTP_IF_MATCH=f'"{project.version}"',
        **JSON,
    )
    assert response.status_code == 400
    body = response.json()
    assert body["actual_finish"] == ["实际竣工日期不能早于实际开工日期"] and body["request_id"]


def test_application_error_is_400_with_detail_and_code(client, world):
    from tuijin.tickets.tests.factories import make_ticket

    ticket = make_ticket(actor=world.reporter_a, enterprise=world.enterprise_a)
    client.force_login(world.office)
    response = client.post(
        reverse("tickets-api:ticket-transfer", args=[ticket.pk]),
        {"version": ticket.version, "lead_unit": world.unit_b.pk, "reason": " "},
        **JSON,
    )
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "code", "request_id"} and response.json()["code"] == "reason_required"


def test_stale_if_match_is_412_with_the_current_object(client, world):
    project = make_project(unit=world.unit_a)
    client.force_login(world.office)
    url = reverse("projects-api:project-detail", args=[project.pk])
    assert client.patch(url, {"address": "a"}, HTTP_IF_MATCH='"1"', **JSON).status_code == 200
    for stale in ('"1"', "1", 'W/"1"', '"abc"'):
        response = client.patch(url, {"address": "b"}, HTTP_IF_MATCH=stale, **JSON)
        assert response.status_code == 412, stale
        body = response.json()
        assert body["code"] == "conflict" and body["current_version"] == 2 and response["ETag"] == '"2"'
        assert body["current"]["version"] == 2 and body["current"]["address"] == "a"
    assert client.patch(url, {"address": "b"}, **JSON).status_code == 428


def test_stale_version_is_412_on_every_api(client, world):
    """Projects (If-Match), reports (If-Match and the workflow body) and tickets (the workflow body)."""
    from tuijin.progress.tests.factories import make_report
    from tuijin.tickets.tests.factories import make_ticket

    project = make_project(unit=world.unit_a)
    report = make_report(project, period=date(2026, 10, 1))
    ticket = make_ticket(actor=world.reporter_a, enterprise=world.enterprise_a)
    client.force_login(world.reporter_a)
    report_url = reverse("progress-api:progressreport-detail", args=[report.pk])
    assert client.patch(report_url, {"funds_arrived": "1"}, HTTP_IF_MATCH='"9"', **JSON).status_code == 412
    assert client.patch(report_url, {"funds_arrived": "1"}, **JSON).status_code == 428
    submit = reverse("progress-api:progressreport-submit", args=[report.pk])
    assert client.post(submit, {"version": 9}, **JSON).status_code == 412
    client.force_login(world.office)
    accept = reverse("tickets-api:ticket-accept", args=[ticket.pk])
    assert client.post(accept, {"version": 9}, **JSON).status_code == 412


def test_unknown_api_url_is_json_404(client, world):
    client.force_login(world.office)
    response = client.get("/api/no-such-thing/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["detail"] and "request_id" in response.json()
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and "text/html" in page["Content-Type"]


def test_server_error_is_json_under_api():
    request = RequestFactory().get("/api/projects/projects/")
    response = server_error(request)
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    page = server_error(RequestFactory().get("/projects/"))
    assert page.status_code == 500 and "text/html" in page["Content-Type"]
