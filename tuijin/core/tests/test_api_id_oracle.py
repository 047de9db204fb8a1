"""Issue 19 item 11: an API filter by a foreign key told which ids exist outside the caller's scope —
`?project=<another unit's project>` gave 200 and an empty list, `?project=99999` gave 400. Both now give 200 and an
empty list (filtered by the id as a number over rows already restricted); a value that is not a number is 400."""

from datetime import date

import pytest

from tuijin.progress.tests.factories import make_report
from tuijin.projects.tests.factories import make_project


@pytest.fixture
def reports(world):
    a = make_project(unit=world.unit_a, actor=world.office, name="甲街道过滤项目")
    b = make_project(unit=world.unit_b, actor=world.office, name="乙街道过滤项目")
    return make_report(a, date(2026, 10, 1)), make_report(b, date(2026, 10, 1))


def _get(client, query):
    return client.get(f"/api/progress/reports/?{query}", HTTP_ACCEPT="application/json")


def test_out_of_scope_and_missing_ids_answer_alike(client, world, reports):
    mine, theirs = reports
    client.force_login(world.reporter_a)
    own = _get(client, f"project={mine.project_id}")
    assert own.status_code == 200 and own.json()["count"] == 1
    other, missing = _get(client, f"project={theirs.project_id}"), _get(client, "project=99999")
    assert other.status_code == missing.status_code == 200
    assert other.json()["count"] == missing.json()["count"] == 0
    assert _get(client, "project=abc").status_code == 400


def test_the_same_holds_for_leads_by_tracking_unit(client, world):
    client.force_login(world.reporter_a)
    other = client.get(f"/api/investment/leads/?tracking_unit={world.unit_b.pk}", HTTP_ACCEPT="application/json")
    missing = client.get("/api/investment/leads/?tracking_unit=99999", HTTP_ACCEPT="application/json")
    assert other.status_code == missing.status_code == 200
