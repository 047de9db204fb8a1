"""/api/investment/events/ and /api/investment/signings/: a permission matrix for every URL (list, detail, preview,
generate; signings list and detail), create and update with If-Match (428 without, 412 stale), and 签约甄别 through the
API (the counted amount is computed, never taken from the input)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tuijin.investment import signing
from tuijin.investment.choices import EventList, SigningKind
from tuijin.investment.models import EventListEntry, Signing, SigningEvent
from tuijin.utilities.testing.matrix import ApiMatrix, ApiPostMatrix, Case

from .test_signing import make_event, signed_lead

JSON = {"content_type": "application/json", "HTTP_ACCEPT": "application/json"}
D = Decimal


def name(obj):
    return obj.name


@pytest.fixture
def events(world):
    district = make_event(world, held_on=date(2025, 6, 1), batch_no=1, name="接口第一期")
    foreign = make_event(
        world,
        held_on=date(2025, 6, 1),
        batch_no=1,
        kind="expo",
        name="邻区接口投洽会",
        organiser=world.foreign_unit,
        actor=world.foreign_office,
    )
    return district, foreign


@pytest.fixture
def started(world):
    ours = signed_lead(world, name="接口开工项目", kind="contract", total="40000", to="started")
    theirs = signed_lead(
        world, unit=world.foreign_unit, name="邻区接口开工项目", kind="contract", total="9000", to="started"
    )
    return ours, theirs


@pytest.fixture
def signings(world):
    a = signed_lead(world, name="甲接口签约项目", kind="agreement", total="30000")
    b = signed_lead(world, unit=world.unit_b, name="乙接口签约项目", kind="contract", total="20000")
    for lead in (a, b):
        signing.ensure_first_signing(actor=None, lead=lead)  # (lead_review may already have called it)
    return Signing.objects.get(lead=a), Signing.objects.get(lead=b)


def lead_name(obj):
    return obj.lead.name


class TestEventApiList(ApiMatrix):
    url_name = "investment-api:signingevent-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, events):
        return Case(
            allowed=world.office, denied=world.ent_user_a, in_scope=events[0], out_of_scope=events[1], marker=name
        )


class TestEventApiDetail(ApiMatrix):
    url_name = "investment-api:signingevent-detail"

    @pytest.fixture
    def matrix(self, world, events):
        return Case(allowed=world.leader, denied=world.norole, in_scope=events[0], out_of_scope=events[1], marker=name)


class TestEventApiPreview(ApiMatrix):
    url_name = "investment-api:signingevent-preview"

    @pytest.fixture
    def matrix(self, world, events, started):
        return Case(
            allowed=world.office,
            denied=world.ent_user_a,
            in_scope=events[0],
            out_of_scope=events[1],
            marker=lambda event: "接口开工项目" if event == events[0] else "邻区接口开工项目",
        )


class TestEventApiGenerate(ApiPostMatrix):
    url_name = "investment-api:signingevent-generate"

    def effect(self, obj, matrix):
        assert EventListEntry.objects.filter(event=obj, list=EventList.STARTED).exists()

    @pytest.fixture
    def matrix(self, world, events, started):
        # a street reads events but generates no list: 403
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=events[0], out_of_scope=events[1])


class TestSigningApiList(ApiMatrix):
    url_name = "investment-api:signing-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, signings):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=signings[0],
            out_of_scope=signings[1],
            marker=lead_name,
        )


class TestSigningApiDetail(ApiMatrix):
    url_name = "investment-api:signing-detail"

    @pytest.fixture
    def matrix(self, world, signings):
        return Case(
            allowed=world.reporter_b,
            denied=world.sysadmin,
            in_scope=signings[1],
            out_of_scope=signings[0],
            marker=lead_name,
        )


def test_event_create_and_update_with_if_match(client, world):
    client.force_login(world.office)
    url = reverse("investment-api:signingevent-list")
    response = client.post(
        url,
        {"kind": "three_batches", "batch_no": 3, "held_on": "2025-09-01", "organiser": world.office_unit.pk},
        **JSON,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "“三个一批”第3期" and response["ETag"] == '"1"'
    again = client.post(
        url,
        {"kind": "three_batches", "batch_no": 3, "held_on": "2025-10-01", "organiser": world.office_unit.pk},
        **JSON,
    )
    assert again.status_code == 400 and "batch_no" in again.json()
    detail = reverse("investment-api:signingevent-detail", args=[body["id"]])
    assert client.patch(detail, {"note": "改"}, **JSON).status_code == 428
    assert client.patch(detail, {"note": "改"}, HTTP_IF_MATCH='"7"', **JSON).status_code == 412
    response = client.patch(detail, {"note": "改"}, HTTP_IF_MATCH='"1"', **JSON)
    assert response.status_code == 200 and response.json()["note"] == "改" and response["ETag"] == '"2"'
    client.force_login(world.reporter_a)
    assert (
        client.post(
            url, {"kind": "expo", "name": "x", "held_on": "2025-09-01", "organiser": world.unit_a.pk}, **JSON
        ).status_code
        == 403
    )
    client.force_login(world.office)
    foreign = client.post(
        url, {"kind": "expo", "name": "x", "held_on": "2025-09-01", "organiser": world.foreign_unit.pk}, **JSON
    )
    assert foreign.status_code == 400 and "organiser" in foreign.json()
    assert SigningEvent.objects.count() == 1


def test_preview_then_generate_is_idempotent(client, world, events, started):
    client.force_login(world.office)
    preview = client.get(reverse("investment-api:signingevent-preview", args=[events[0].pk]), **JSON).json()
    assert [i["lead_name"] for i in preview["started"]] == ["接口开工项目"]
    assert preview["started"][0]["amount"] == "40000.00" and preview["signed"] == [] and preview["producing"] == []
    url = reverse("investment-api:signingevent-generate", args=[events[0].pk])
    assert client.post(url, {}, **JSON).json() == {"signed": 0, "started": 1, "producing": 0}
    assert client.post(url, {}, **JSON).json() == {"signed": 0, "started": 0, "producing": 0}


def test_signing_create_computes_what_it_counts(client, world, events, signings):
    client.force_login(world.reporter_a)
    url = reverse("investment-api:signing-list")
    lead = signings[0].lead
    response = client.post(
        url,
        {
            "lead": lead.pk,
            "kind": "upgrade",
            "signed_on": "2025-06-01",
            "total": "50000",
            "event": events[0].pk,
            "counted_amount": "99999",  # read-only: ignored
            "counts_project": True,
        },
        **JSON,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["contract_kind"], body["counted_amount"], body["counts_project"]) == (
        SigningKind.UPGRADE,
        "contract",
        "20000.00",
        False,
    )
    assert body["event_name"] == "接口第一期"
    refused = client.post(
        url, {"lead": lead.pk, "kind": "increase", "signed_on": "2025-07-01", "total": "40000"}, **JSON
    )
    assert refused.status_code == 400 and "total" in refused.json()
    other = client.post(
        url, {"lead": signings[1].lead.pk, "kind": "increase", "signed_on": "2025-07-01", "total": "90000"}, **JSON
    )
    assert other.status_code == 400 and "lead" in other.json()  # another street's lead: as if it did not exist
    foreign = client.post(
        url,
        {"lead": lead.pk, "kind": "increase", "signed_on": "2025-07-01", "total": "90000", "event": events[1].pk},
        **JSON,
    )
    assert foreign.status_code == 400 and "event" in foreign.json()  # the neighbouring district's event
    client.force_login(world.leader)
    assert (
        client.post(
            url, {"lead": lead.pk, "kind": "increase", "signed_on": "2025-07-01", "total": "90000"}, **JSON
        ).status_code
        == 403
    )
    assert Signing.objects.filter(lead=lead).count() == 2
    assert Signing.objects.get(lead=lead, kind="upgrade").counted_amount == D("20000")
