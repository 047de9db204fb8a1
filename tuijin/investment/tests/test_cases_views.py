"""Pages and API of 违约/调整, 达产跟踪 and the 低效用地 settings: a permission matrix for every URL and endpoint (each
with a real out-of-scope object of another unit or district), bad input shown again with what was typed, the
conflict page, the settings preview, the lead-page sections, and the API's create/update rules."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tuijin.investment import cases
from tuijin.investment.choices import CaseStatus
from tuijin.investment.models import CommitmentCase, InvestmentSettings, YearlyResult
from tuijin.utilities.testing.matrix import ApiMatrix, ApiPostMatrix, Case, PostMatrix, ViewMatrix

from .factories import make_lead
from .test_cases import make_commitment
from .test_results import THIS_YEAR, produced, save

D = Decimal
JSON = {"content_type": "application/json", "HTTP_ACCEPT": "application/json"}


@pytest.fixture
def leads(world):
    a = make_lead(actor=world.reporter_a, unit=world.unit_a, name="甲履约项目")
    b = make_lead(actor=world.reporter_b, unit=world.unit_b, name="乙履约项目")
    f = make_lead(actor=world.foreign_office, unit=world.foreign_unit, name="邻区履约项目")
    return a, b, f


@pytest.fixture
def commitments(leads):
    return tuple(make_commitment(lead, content=f"{lead.name}产值承诺") for lead in leads)


@pytest.fixture
def open_cases(world, commitments):
    actors = (world.reporter_a, world.reporter_b, world.foreign_office)
    return tuple(
        cases.case_open(actor=actor, commitment=c, shortfall=f"{c.lead.name}差距：产值仅完成四成")
        for actor, c in zip(actors, commitments, strict=True)
    )


def shortfall(case):
    return case.shortfall


def content(commitment):
    return commitment.content


def name(obj):
    return obj.name


# --- 违约/调整 pages -----------------------------------------------------------------------------------


class TestCaseList(ViewMatrix):
    url_name = "investment:case_list"
    detail = False

    @pytest.fixture
    def matrix(self, world, open_cases):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=open_cases[0],
            out_of_scope=open_cases[1],
            marker=shortfall,
        )


class TestCaseListLeader(TestCaseList):
    @pytest.fixture
    def matrix(self, world, open_cases):
        return Case(
            allowed=world.leader,
            denied=world.sysadmin,
            in_scope=open_cases[1],
            out_of_scope=open_cases[2],
            marker=shortfall,
        )


class TestCaseDetail(ViewMatrix):
    url_name = "investment:case"

    @pytest.fixture
    def matrix(self, world, open_cases):
        return Case(
            allowed=world.office,
            denied=world.norole,
            in_scope=open_cases[0],
            out_of_scope=open_cases[2],
            marker=shortfall,
        )


class TestCaseDetailUnit(TestCaseDetail):
    @pytest.fixture
    def matrix(self, world, open_cases):
        return Case(
            allowed=world.reporter_b,
            denied=world.ent_user_b,
            in_scope=open_cases[1],
            out_of_scope=open_cases[0],
            marker=shortfall,
        )


class TestCaseDecide(PostMatrix):
    url_name = "investment:case_decide"

    def data(self, obj, matrix):
        return {"version": CommitmentCase.objects.get(pk=obj.pk).version, "decision": "excuse", "reason": "政策调整"}

    def effect(self, obj, matrix):
        case = CommitmentCase.objects.get(pk=obj.pk)
        assert case.status == CaseStatus.CLOSED and case.reason == "政策调整"

    @pytest.fixture
    def matrix(self, world, open_cases):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=open_cases[0], out_of_scope=open_cases[2])


class TestCaseOpenForm(ViewMatrix):
    url_name = "investment:case_open"

    @pytest.fixture
    def matrix(self, world, commitments):
        return Case(
            allowed=world.reporter_a,
            denied=world.leader,
            in_scope=commitments[0],
            out_of_scope=commitments[1],
            marker=content,
        )


class TestCaseOpenSave(PostMatrix):
    url_name = "investment:case_open"

    def data(self, obj, matrix):
        return {"shortfall": "承诺产值1亿元，实际4000万元"}

    def effect(self, obj, matrix):
        assert CommitmentCase.objects.filter(commitment=obj, status=CaseStatus.OPEN).exists()

    def test_get_is_405(self, client, matrix):
        client.force_login(matrix.allowed)
        assert client.get(self.url_for(matrix.in_scope)).status_code == 200  # GET shows the form
        assert not self.holds(matrix.in_scope, matrix)

    @pytest.fixture
    def matrix(self, world, commitments):
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=commitments[0], out_of_scope=commitments[1])


def test_decide_with_bad_input_keeps_it(client, world, open_cases):
    case = open_cases[0]
    client.force_login(world.office)
    url = reverse("investment:case_decide", args=[case.pk])
    response = client.post(url, {"version": case.version, "decision": "renegotiate", "reason": "企业申请延期两年"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "重新约定须填写新的兑现时间" in page and "企业申请延期两年" in page
    assert re.search(r'value="renegotiate"[^>]*checked', page)  # the chosen decision stays chosen
    response = client.post(
        url, {"version": case.version, "decision": "claw_back", "reason": "追回", "clawback_amount": "50"}
    )
    assert response.status_code == 400 and "没有已兑现" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_decide_renegotiate_through_the_page(client, world, open_cases):
    case = open_cases[0]
    new_due = timezone.localdate() + timedelta(days=200)
    client.force_login(world.office)
    response = client.post(
        reverse("investment:case_decide", args=[case.pk]),
        {"version": case.version, "decision": "renegotiate", "reason": "延期", "new_due_date": new_due.isoformat()},
    )
    assert response.status_code == 302
    case.commitment.refresh_from_db()
    assert case.commitment.due_date == new_due and case.commitment.status == "not_met"


def test_decide_stale_shows_the_conflict_page(client, world, open_cases):
    case = open_cases[0]
    client.force_login(world.office)
    url = reverse("investment:case_decide", args=[case.pk])
    response = client.post(url, {"version": case.version + 3, "decision": "excuse", "reason": "理由"})
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_open_with_bad_input_keeps_it(client, world, commitments):
    client.force_login(world.reporter_a)
    url = reverse("investment:case_open", args=[commitments[0].pk])
    response = client.post(url, {"shortfall": ""})
    assert response.status_code == 400 and "请填写差距说明" in response.content.decode()
    cases.case_open(actor=world.reporter_a, commitment=commitments[0], shortfall="已开启")
    response = client.post(url, {"shortfall": "第二次开启的说明"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "已有待处理的违约/调整事项" in page and "第二次开启的说明" in page
    assert CommitmentCase.objects.filter(commitment=commitments[0]).count() == 1


def test_lead_page_panel(client, world, leads, commitments):
    client.force_login(world.reporter_a)
    page = client.get(leads[0].get_absolute_url()).content.decode()
    assert 'id="tj-cases"' in page and reverse("investment:case_open", args=[commitments[0].pk]) in page
    client.force_login(world.leader)  # reads, does not open
    page = client.get(leads[0].get_absolute_url()).content.decode()
    assert reverse("investment:case_open", args=[commitments[0].pk]) not in page
    case = cases.case_open(actor=world.reporter_a, commitment=commitments[0], shortfall="面板显示的差距")
    page = client.get(leads[0].get_absolute_url()).content.decode()
    assert "面板显示的差距" in page and reverse("investment:case", args=[case.pk]) in page


def test_case_list_filters_and_eligible_section(client, world, open_cases, leads):
    cases.case_decide(
        actor=world.office,
        case=open_cases[1],
        version=open_cases[1].version,
        data=cases.CaseDecisionInput(decision="excuse", reason="理由"),
    )
    extra = make_commitment(leads[0], content="甲就业承诺未兑现", category="jobs")
    client.force_login(world.office)
    page = client.get(reverse("investment:case_list"), {"status": "open"}).content.decode()
    assert "甲履约项目差距" in page and "乙履约项目差距" not in page
    page = client.get(reverse("investment:case_list"), {"decision": "excuse"}).content.decode()
    assert "乙履约项目差距" in page and "甲履约项目差距" not in page
    page = client.get(reverse("investment:case_list"), {"unit": world.unit_b.pk}).content.decode()
    assert "乙履约项目差距" in page and "甲履约项目差距" not in page
    client.force_login(world.reporter_a)
    page = client.get(reverse("investment:case_list")).content.decode()
    assert 'id="tj-eligible"' in page and extra.content in page


# --- 达产跟踪 pages ------------------------------------------------------------------------------------


@pytest.fixture
def produced_leads(world):
    a = produced(world, name="甲投产项目", land=D("40"))
    b = produced(world, name="乙投产项目", unit=world.unit_b, actor=world.reporter_b, land=D("20"))
    f = produced(world, name="邻区投产项目", unit=world.foreign_unit, actor=world.foreign_office)
    return a, b, f


@pytest.fixture
def yearly(world, produced_leads):
    a, b, f = produced_leads
    return (
        save(world, a, THIS_YEAR - 2, output=D("16000"), tax=D("800"), jobs=100),
        save(world, b, THIS_YEAR - 2, actor=world.reporter_b, output=D("1000"), tax=D("10")),
        save(world, f, THIS_YEAR - 2, actor=world.foreign_office, output=D("1"), tax=D("1")),
    )


class TestResultList(ViewMatrix):
    url_name = "investment:results"
    detail = False

    @pytest.fixture
    def matrix(self, world, produced_leads):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=produced_leads[0],
            out_of_scope=produced_leads[1],
            marker=name,
        )


class TestResultListOffice(TestResultList):
    @pytest.fixture
    def matrix(self, world, produced_leads):
        return Case(
            allowed=world.office,
            denied=world.norole,
            in_scope=produced_leads[1],
            out_of_scope=produced_leads[2],
            marker=name,
        )


def test_result_list_per_mu_and_warning_filter(client, world, yearly):
    client.force_login(world.office)
    page = client.get(reverse("investment:results")).content.decode()
    # 甲: 16000 / 40 = 400 (亩均产值), 800 / 40 = 20 (亩均税收); 乙: 1000 / 20 = 50, 10 / 20 = 0.5 → 低效用地
    assert "400.00" in page and "20.00" in page and "50.00" in page and "0.50" in page
    page = client.get(reverse("investment:results"), {"warning": "low"}).content.decode()
    assert "乙投产项目" in page and "甲投产项目" not in page
    page = client.get(reverse("investment:results"), {"warning": "ok"}).content.decode()
    assert "甲投产项目" in page and "乙投产项目" not in page


class TestResultAddForm(ViewMatrix):
    url_name = "investment:result_add"

    @pytest.fixture
    def matrix(self, world, produced_leads):
        return Case(
            allowed=world.reporter_a,
            denied=world.leader,
            in_scope=produced_leads[0],
            out_of_scope=produced_leads[1],
            marker=name,
        )


class TestResultAddSave(PostMatrix):
    url_name = "investment:result_add"

    def data(self, obj, matrix):
        return {"year": THIS_YEAR - 1, "output": "2000", "tax": "30", "jobs": "12"}

    def effect(self, obj, matrix):
        assert YearlyResult.objects.get(lead=obj, year=THIS_YEAR - 1).output == D("2000")

    def test_get_is_405(self, client, matrix):
        client.force_login(matrix.allowed)
        assert client.get(self.url_for(matrix.in_scope)).status_code == 200
        assert not self.holds(matrix.in_scope, matrix)

    @pytest.fixture
    def matrix(self, world, produced_leads):
        return Case(
            allowed=world.reporter_b, denied=world.leader, in_scope=produced_leads[1], out_of_scope=produced_leads[0]
        )


class TestResultEditForm(ViewMatrix):
    url_name = "investment:result_edit"

    @pytest.fixture
    def matrix(self, world, yearly):
        return Case(
            allowed=world.office,
            denied=world.leader,
            in_scope=yearly[0],
            out_of_scope=yearly[2],
            marker=lambda r: r.lead.name,
        )


class TestResultEditSave(PostMatrix):
    url_name = "investment:result_edit"

    def data(self, obj, matrix):
        return {"version": YearlyResult.objects.get(pk=obj.pk).version, "output": "7777", "tax": "1", "jobs": ""}

    def effect(self, obj, matrix):
        assert YearlyResult.objects.get(pk=obj.pk).output == D("7777")

    def test_get_is_405(self, client, matrix):
        client.force_login(matrix.allowed)
        assert client.get(self.url_for(matrix.in_scope)).status_code == 200
        assert not self.holds(matrix.in_scope, matrix)

    @pytest.fixture
    def matrix(self, world, yearly):
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=yearly[0], out_of_scope=yearly[1])


def test_result_add_with_bad_input_keeps_it(client, world, produced_leads):
    client.force_login(world.reporter_a)
    url = reverse("investment:result_add", args=[produced_leads[0].pk])
    response = client.post(url, {"year": THIS_YEAR - 1, "output": "-5", "tax": "abc", "jobs": "8", "note": "补报"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="-5"' in page and 'value="abc"' in page and 'value="8"' in page and "补报" in page
    assert "请输入数字" in page
    response = client.post(url, {"year": THIS_YEAR - 1, "note": "只有说明"})
    assert response.status_code == 400 and "请至少填写" in response.content.decode()
    assert not YearlyResult.objects.exists()


def test_result_edit_stale_shows_the_conflict_page(client, world, yearly):
    client.force_login(world.reporter_a)
    url = reverse("investment:result_edit", args=[yearly[0].pk])
    response = client.post(url, {"version": yearly[0].version + 1, "output": "1"})
    assert response.status_code == 409
    yearly[0].refresh_from_db()
    assert yearly[0].output == D("16000")


def test_lead_page_results_panel(client, world, produced_leads, yearly):
    client.force_login(world.reporter_b)
    page = client.get(produced_leads[1].get_absolute_url()).content.decode()
    assert 'id="tj-results"' in page and "低效用地" in page and "0.50" in page
    assert reverse("investment:result_add", args=[produced_leads[1].pk]) in page
    client.force_login(world.leader)
    page = client.get(produced_leads[1].get_absolute_url()).content.decode()
    assert 'id="tj-results"' in page and reverse("investment:result_add", args=[produced_leads[1].pk]) not in page


def test_lead_page_without_land(client, world):
    lead = produced(world, name="无用地投产项目")
    save(world, lead, THIS_YEAR - 2, output=D("100"), tax=D("1"))
    client.force_login(world.reporter_a)
    page = client.get(lead.get_absolute_url()).content.decode()
    assert 'id="tj-no-land"' in page and "未填用地" in page


# --- settings --------------------------------------------------------------------------------------


class TestSettings(ViewMatrix):
    url_name = "investment:settings"
    detail = False
    scoped = False
    unscoped_reason = "one district-wide configuration row (InvestmentSettings has no unit); the preview counts scoped"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a)


def test_settings_preview_then_save(client, world, yearly):
    client.force_login(world.office)
    url = reverse("investment:settings")
    current = InvestmentSettings.current()
    data = {"version": current.version, "low_tax_per_mu": "0.1", "low_output_per_mu": "60"}
    response = client.post(url, {**data, "action": "preview"})
    assert response.status_code == 200
    assert "1 个项目将显示低效用地预警" in response.content.decode()  # 乙: 50 /亩 < 60; 甲: 400, 20
    current.refresh_from_db()
    assert current.low_output_per_mu == D("300")  # the preview wrote nothing
    response = client.post(url, {**data, "action": "save"})
    assert response.status_code == 302
    current.refresh_from_db()
    assert current.low_output_per_mu == D("60") and current.low_tax_per_mu == D("0.1")
    response = client.post(url, {**data, "action": "save"})  # the old version again
    assert response.status_code == 409


def test_settings_bad_input_keeps_it(client, world):
    client.force_login(world.office)
    current = InvestmentSettings.current()
    response = client.post(
        reverse("investment:settings"),
        {"version": current.version, "low_tax_per_mu": "-3", "low_output_per_mu": "很多", "action": "save"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="-3"' in page and 'value="很多"' in page and "请输入数字" in page
    current.refresh_from_db()
    assert current.low_tax_per_mu == D("15")


# --- API -------------------------------------------------------------------------------------------


class TestCaseApiList(ApiMatrix):
    url_name = "investment-api:case-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, open_cases):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=open_cases[0],
            out_of_scope=open_cases[1],
            marker=shortfall,
        )


class TestCaseApiDetail(ApiMatrix):
    url_name = "investment-api:case-detail"

    @pytest.fixture
    def matrix(self, world, open_cases):
        return Case(
            allowed=world.leader,
            denied=world.norole,
            in_scope=open_cases[1],
            out_of_scope=open_cases[2],
            marker=shortfall,
        )


class TestCaseApiDecide(ApiPostMatrix):
    url_name = "investment-api:case-decide"

    def data(self, obj, matrix):
        return {"version": CommitmentCase.objects.get(pk=obj.pk).version, "decision": "excuse", "reason": "不可抗力"}

    def effect(self, obj, matrix):
        assert CommitmentCase.objects.get(pk=obj.pk).status == CaseStatus.CLOSED

    def assert_succeeded(self, response):
        super().assert_succeeded(response)
        assert response["ETag"] == f'"{response.json()["version"]}"'

    @pytest.fixture
    def matrix(self, world, open_cases):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=open_cases[0], out_of_scope=open_cases[2])


def test_api_case_create_and_refusals(client, world, commitments, leads):
    client.force_login(world.reporter_a)
    url = reverse("investment-api:case-list")
    response = client.post(url, {"commitment": commitments[0].pk, "shortfall": "接口开启"}, **JSON)
    assert response.status_code == 201 and response.json()["status"] == "open"
    response = client.post(url, {"commitment": commitments[0].pk, "shortfall": "再次"}, **JSON)
    assert response.status_code == 400 and response.json()["code"] == "case_open"
    response = client.post(url, {"commitment": commitments[1].pk, "shortfall": "乙"}, **JSON)  # out of scope
    assert response.status_code == 400 and "commitment" in response.json()
    fulfilled = make_commitment(leads[0], status="fulfilled", content="已兑现")
    response = client.post(url, {"commitment": fulfilled.pk, "shortfall": "x"}, **JSON)
    assert response.status_code == 400 and response.json()["code"] == "not_eligible"
    client.force_login(world.leader)
    assert client.post(url, {"commitment": commitments[0].pk, "shortfall": "x"}, **JSON).status_code == 403


def test_api_decide_refusals(client, world, open_cases):
    client.force_login(world.office)
    url = reverse("investment-api:case-decide", args=[open_cases[0].pk])
    response = client.post(url, {"version": open_cases[0].version, "decision": "renegotiate", "reason": "x"}, **JSON)
    assert response.status_code == 400 and "new_due_date" in response.json()
    response = client.post(url, {"version": 99, "decision": "excuse", "reason": "x"}, **JSON)
    assert response.status_code == 412


class TestResultApiList(ApiMatrix):
    url_name = "investment-api:result-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, yearly):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=yearly[0],
            out_of_scope=yearly[1],
            marker=lambda r: r.lead.name,
        )


class TestResultApiDetail(ApiMatrix):
    url_name = "investment-api:result-detail"

    @pytest.fixture
    def matrix(self, world, yearly):
        return Case(
            allowed=world.sponsor,
            denied=world.norole,
            in_scope=yearly[1],
            out_of_scope=yearly[2],
            marker=lambda r: r.lead.name,
        )

    def test_per_mu_in_the_answer(self, client, matrix):
        client.force_login(matrix.allowed)
        data = client.get(self.url_for(matrix.in_scope), HTTP_ACCEPT="application/json").json()
        assert data["output_per_mu"] == "50.00" and data["tax_per_mu"] == "0.50"  # 1000 / 20, 10 / 20


def test_api_result_create_and_update(client, world, produced_leads, yearly):
    client.force_login(world.reporter_a)
    url = reverse("investment-api:result-list")
    lead = produced_leads[0]
    response = client.post(url, {"lead": lead.pk, "year": THIS_YEAR - 1, "output": "3000", "jobs": 20}, **JSON)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["output_per_mu"] == "75.00"  # 3000 / 40
    response = client.post(url, {"lead": lead.pk, "year": THIS_YEAR - 1, "output": "1"}, **JSON)
    assert response.status_code == 400 and "year" in response.json()
    response = client.post(url, {"lead": produced_leads[1].pk, "year": THIS_YEAR - 1, "output": "1"}, **JSON)
    assert response.status_code == 400 and "lead" in response.json()  # out of scope
    detail = reverse("investment-api:result-detail", args=[created["id"]])
    assert client.patch(detail, {"tax": "40"}, **JSON).status_code == 428
    response = client.patch(detail, {"tax": "40"}, HTTP_IF_MATCH='"99"', **JSON)
    assert response.status_code == 412
    response = client.patch(detail, {"tax": "40"}, HTTP_IF_MATCH=f'"{created["version"]}"', **JSON)
    assert response.status_code == 200 and response.json()["tax"] == "40.00"
    assert response.json()["output"] == "3000.00"  # PATCH keeps what it does not name
    assert response["ETag"] == f'"{created["version"] + 1}"'
    client.force_login(world.leader)
    assert client.patch(detail, {"tax": "1"}, HTTP_IF_MATCH='"1"', **JSON).status_code == 403
