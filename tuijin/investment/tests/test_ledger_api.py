"""/api/investment/commitments/: a permission matrix for list, detail and every action (justify, review, status,
confirm, sign), create and update with If-Match (428 without, 412 stale), and the whole workflow through the API."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tuijin.investment import ledger
from tuijin.investment.choices import CommitmentState, CommitmentStatus, Confirmation
from tuijin.investment.models import Commitment, Lead
from tuijin.utilities.testing.matrix import ApiMatrix, ApiPostMatrix, Case

from .factories import advance, make_lead

JSON = {"content_type": "application/json", "HTTP_ACCEPT": "application/json"}
TODAY = timezone.localdate()


def _signed_lead(world, actor, unit, name, enterprise=None, reviewer=None):
    lead = advance(make_lead(actor=actor, unit=unit, name=name), "signed", actor=actor, reviewer=reviewer)
    if enterprise is not None:
        Lead.objects.filter(pk=lead.pk).update(enterprise=enterprise)
    return Lead.objects.get(pk=lead.pk)


@pytest.fixture
def leads(world):
    a = _signed_lead(world, world.reporter_a, world.unit_a, "甲接口招商项目", world.enterprise_a, world.office)
    b = _signed_lead(world, world.reporter_b, world.unit_b, "乙接口招商项目", world.enterprise_b, world.office)
    return a, b


@pytest.fixture
def foreign_lead(world):
    return _signed_lead(world, world.foreign_office, world.foreign_unit, "邻区接口招商项目")


def line(actor, lead, content, *, category="land", unit=None):
    return ledger.commitment_create(
        actor=actor,
        lead=lead,
        side="government",
        category=category,
        content=content,
        due_date=TODAY + timedelta(days=30),
        responsible_unit=unit or lead.tracking_unit,
    )


@pytest.fixture
def drafts(world, leads):
    return line(world.reporter_a, leads[0], "甲接口-交付净地"), line(world.reporter_b, leads[1], "乙接口-交付净地")


@pytest.fixture
def signed(world, leads, drafts):
    ledger.agreement_sign(actor=world.reporter_a, lead=leads[0])
    ledger.agreement_sign(actor=world.reporter_b, lead=leads[1])
    return tuple(Commitment.objects.get(pk=c.pk) for c in drafts)


def content(c):
    return c.content


def _fresh(c) -> Commitment:
    return Commitment.objects.get(pk=c.pk)


class TestCommitmentApiList(ApiMatrix):
    url_name = "investment-api:commitment-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, drafts):
        return Case(
            allowed=world.reporter_a, denied=world.sysadmin, in_scope=drafts[0], out_of_scope=drafts[1], marker=content
        )


class TestCommitmentApiListEnterprise(TestCommitmentApiList):
    @pytest.fixture
    def matrix(self, world, signed):
        return Case(
            allowed=world.ent_user_b, denied=world.norole, in_scope=signed[1], out_of_scope=signed[0], marker=content
        )


class TestCommitmentApiDetail(ApiMatrix):
    url_name = "investment-api:commitment-detail"

    @pytest.fixture
    def matrix(self, world, drafts, foreign_lead):
        other = line(world.foreign_office, foreign_lead, "邻区接口-配套", unit=world.foreign_unit)
        return Case(allowed=world.leader, denied=world.norole, in_scope=drafts[1], out_of_scope=other, marker=content)


class _Step(ApiPostMatrix):
    def data(self, obj, matrix):
        return {"version": _fresh(obj).version}

    def assert_succeeded(self, response):
        super().assert_succeeded(response)
        assert response["ETag"] == f'"{response.json()["version"]}"'


@pytest.fixture
def flagged(world, leads, foreign_lead):
    a = line(world.reporter_a, leads[0], "甲接口-按地方留成税收奖励", category="subsidy")
    b = line(world.reporter_b, leads[1], "乙接口-按地方留成税收奖励", category="subsidy")
    f = line(world.foreign_office, foreign_lead, "邻区接口-税收奖励", category="subsidy", unit=world.foreign_unit)
    return a, b, f


class TestCommitmentApiJustify(_Step):
    url_name = "investment-api:commitment-justify"

    def data(self, obj, matrix):
        return {**super().data(obj, matrix), "reason": "符合省政策", "basis": "豫政〔2024〕1号"}

    def effect(self, obj, matrix):
        assert _fresh(obj).fc_reason == "符合省政策"

    @pytest.fixture
    def matrix(self, world, flagged):
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=flagged[0], out_of_scope=flagged[1])


class TestCommitmentApiReview(_Step):
    url_name = "investment-api:commitment-review"

    def data(self, obj, matrix):
        return {**super().data(obj, matrix), "approve": True}

    def effect(self, obj, matrix):
        assert _fresh(obj).fc_reviewer_id is not None

    @pytest.fixture
    def matrix(self, world, flagged):
        a, _b, f = flagged
        ledger.commitment_flag_justify(actor=world.reporter_a, commitment=a, version=a.version, reason="依据")
        ledger.commitment_flag_justify(actor=world.foreign_office, commitment=f, version=f.version, reason="依据")
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=a, out_of_scope=f)


class TestCommitmentApiStatus(_Step):
    url_name = "investment-api:commitment-set-status"

    def data(self, obj, matrix):
        return {**super().data(obj, matrix), "status": "partial", "status_note": "已交付50亩"}

    def effect(self, obj, matrix):
        assert _fresh(obj).status == CommitmentStatus.PARTIAL

    @pytest.fixture
    def matrix(self, world, signed):
        return Case(allowed=world.reporter_b, denied=world.leader, in_scope=signed[1], out_of_scope=signed[0])


class TestCommitmentApiConfirm(_Step):
    url_name = "investment-api:commitment-confirm"

    def data(self, obj, matrix):
        return {**super().data(obj, matrix), "agree": False, "comment": "约定为70亩"}

    def effect(self, obj, matrix):
        assert _fresh(obj).confirmation == Confirmation.DISPUTED

    @pytest.fixture
    def matrix(self, world, signed):
        return Case(allowed=world.ent_user_a, denied=world.reporter_a, in_scope=signed[0], out_of_scope=signed[1])


class TestCommitmentApiSign(ApiPostMatrix):
    url_name = "investment-api:commitment-sign"
    detail = False

    def data(self, obj, matrix):
        return {"lead": obj.pk}

    def effect(self, obj, matrix):
        assert obj.commitments.exists()
        assert not obj.commitments.filter(state=CommitmentState.DRAFT).exists()

    @pytest.fixture
    def matrix(self, world, leads, drafts):
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=leads[0], out_of_scope=leads[1])


class TestWorkflow:
    def test_create_update_if_match_and_errors(self, client, world, leads):
        client.force_login(world.reporter_a)
        url = reverse("investment-api:commitment-list")
        body = {
            "lead": leads[0].pk,
            "side": "government",
            "category": "subsidy",
            "content": "按固定资产投资额给予奖补",
            "due_date": (TODAY + timedelta(days=90)).isoformat(),
            "amount": "800",
            "responsible_unit": world.unit_b.pk,
        }
        response = client.post(url, body, **JSON)
        assert response.status_code == 201, response.content
        data = response.json()
        assert data["state"] == "draft" and data["fc_flagged"] and "选择性财政奖补" in data["fc_flags"]
        assert response["ETag"] == '"1"'
        detail = reverse("investment-api:commitment-detail", args=[data["id"]])
        assert client.patch(detail, {"clause": "第八条"}, **JSON).status_code == 428
        assert client.patch(detail, {"clause": "第八条"}, HTTP_IF_MATCH='"9"', **JSON).status_code == 412
        response = client.patch(detail, {"clause": "第八条"}, HTTP_IF_MATCH='"1"', **JSON)
        assert response.status_code == 200 and response.json()["clause"] == "第八条"
        # a category of the other side: 400 keyed by field
        response = client.post(url, {**body, "category": "jobs"}, **JSON)
        assert response.status_code == 400 and "category" in response.json()
        # another unit's lead is not offered
        response = client.post(url, {**body, "lead": leads[1].pk}, **JSON)
        assert response.status_code == 400 and "lead" in response.json()

    def test_sign_refused_then_reviewed_and_confirmed(self, client, world, leads):
        a = line(world.reporter_a, leads[0], "按地方留成税收给予奖励", category="subsidy")
        client.force_login(world.reporter_a)
        sign = reverse("investment-api:commitment-sign")
        response = client.post(sign, {"lead": leads[0].pk}, **JSON)
        assert response.status_code == 400 and response.json()["code"] == "flag_unreviewed"
        justify = reverse("investment-api:commitment-justify", args=[a.pk])
        assert client.post(justify, {"version": a.version, "reason": "依据"}, **JSON).status_code == 200
        review = reverse("investment-api:commitment-review", args=[a.pk])
        response = client.post(review, {"version": _fresh(a).version, "approve": True}, **JSON)
        assert response.status_code == 403  # the unit reporter may not second-review
        client.force_login(world.office)
        response = client.post(review, {"version": _fresh(a).version, "approve": True}, **JSON)
        assert response.status_code == 200 and response.json()["fc_reviewer"] == world.office.pk
        client.force_login(world.reporter_a)
        response = client.post(sign, {"lead": leads[0].pk}, **JSON)
        assert response.status_code == 200 and [row["state"] for row in response.json()] == ["signed"]
        client.force_login(world.ent_user_a)
        confirm = reverse("investment-api:commitment-confirm", args=[a.pk])
        response = client.post(confirm, {"version": _fresh(a).version, "agree": False}, **JSON)
        assert response.status_code == 400 and "comment" in response.json()
        response = client.post(confirm, {"version": _fresh(a).version, "agree": True}, **JSON)
        assert response.status_code == 200 and response.json()["confirmation"] == "confirmed"

    def test_same_person_review_refused(self, client, world, leads):
        a = line(world.reporter_a, leads[0], "按地方留成税收给予奖励", category="subsidy")
        ledger.commitment_flag_justify(actor=world.office, commitment=a, version=a.version, reason="依据")
        client.force_login(world.office)
        review = reverse("investment-api:commitment-review", args=[a.pk])
        response = client.post(review, {"version": _fresh(a).version, "approve": True}, **JSON)
        assert response.status_code == 400 and response.json()["code"] == "same_person"

    def test_overdue_filter(self, client, world, leads, signed):
        Commitment.objects.filter(pk=signed[0].pk).update(due_date=TODAY - timedelta(days=1))
        client.force_login(world.office)
        rows = client.get(reverse("investment-api:commitment-list") + "?overdue=1", HTTP_ACCEPT="application/json")
        results = rows.json()["results"] if "results" in rows.json() else rows.json()
        assert [r["id"] for r in results] == [signed[0].pk] and results[0]["overdue"] is True


def test_enterprise_reads_no_supervision_through_the_api(client, world, leads, signed):
    """The page hides the 公平竞争审查 review and the 督办工单 from an enterprise account; so does the API."""
    supervision = {"fc_flags", "fc_flagged", "fc_reason", "fc_basis", "fc_requested_by", "fc_reviewer", "ticket"}
    client.force_login(world.ent_user_a)
    body = client.get("/api/investment/commitments/").json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [r["content"] for r in rows] == ["甲接口-交付净地"]
    assert not supervision & set(rows[0]) and "confirmation" in rows[0]
    detail = client.get(f"/api/investment/commitments/{signed[0].pk}/").json()
    assert not supervision & set(detail)
    client.force_login(world.office)
    assert supervision <= set(client.get(f"/api/investment/commitments/{signed[0].pk}/").json())
