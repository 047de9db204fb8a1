"""Lead pages: a permission matrix for every URL (a lead of another unit, or of another district, is out of scope),
the list's pipeline strip, filters and query budget, the form (Chinese errors, nothing lost, the conflict page),
the detail page's actions, the workflow endpoint and the conversion."""

import re
from decimal import Decimal
from typing import ClassVar

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tuijin.core.attention import attention_for
from tuijin.investment import services
from tuijin.investment.choices import LeadStage, ReviewStatus
from tuijin.investment.models import Lead
from tuijin.org.choices import Role
from tuijin.org.models import Membership
from tuijin.projects.models import Project
from tuijin.utilities.testing.matrix import Case, PostMatrix, ViewMatrix

from .factories import STAGE_DATA, advance, make_lead


@pytest.fixture
def leads(world):
    a = make_lead(actor=world.reporter_a, unit=world.unit_a, name="甲街道光电模组招商项目")
    b = make_lead(actor=world.reporter_b, unit=world.unit_b, name="乙街道智能装备招商项目")
    return a, b


@pytest.fixture
def foreign_lead(world):
    return make_lead(actor=world.foreign_office, unit=world.foreign_unit, name="邻区数字经济招商项目")


def name(lead):
    return lead.name


def _fresh(obj) -> Lead:
    return Lead.objects.get(pk=obj.pk)


# --- the permission matrix --------------------------------------------------------------------------------------------


class TestLeadList(ViewMatrix):
    url_name = "investment:lead_list"
    detail = False

    @pytest.fixture
    def matrix(self, world, leads):
        return Case(
            allowed=world.reporter_a, denied=world.ent_user_a, in_scope=leads[0], out_of_scope=leads[1], marker=name
        )


class TestLeadListLeader(TestLeadList):
    """A district leader reads every lead of the district, none of the neighbouring one."""

    @pytest.fixture
    def matrix(self, world, leads, foreign_lead):
        return Case(
            allowed=world.sponsor, denied=world.sysadmin, in_scope=leads[1], out_of_scope=foreign_lead, marker=name
        )


class TestLeadAdd(ViewMatrix):
    url_name = "investment:lead_add"
    detail = False
    scoped = False
    unscoped_reason = "a create form: no lead exists yet (the tracking units it offers are tested with the form)"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.reporter_a, denied=world.leader)


class TestLeadDetail(ViewMatrix):
    url_name = "investment:lead"

    @pytest.fixture
    def matrix(self, world, leads):
        return Case(
            allowed=world.reporter_b, denied=world.ent_user_b, in_scope=leads[1], out_of_scope=leads[0], marker=name
        )


class TestLeadDetailOffice(TestLeadDetail):
    @pytest.fixture
    def matrix(self, world, leads, foreign_lead):
        return Case(
            allowed=world.office, denied=world.norole, in_scope=leads[0], out_of_scope=foreign_lead, marker=name
        )


class TestLeadEdit(ViewMatrix):
    url_name = "investment:lead_edit"

    @pytest.fixture
    def matrix(self, world, leads):
        # a leader reads leads but does not edit them: 403
        return Case(
            allowed=world.reporter_a, denied=world.leader, in_scope=leads[0], out_of_scope=leads[1], marker=name
        )


class TestLeadEditSave(PostMatrix):
    """Saving the edit form: the change is stored (POST on the same URL)."""

    url_name = "investment:lead_edit"

    def data(self, obj, matrix):
        return {
            "name": obj.name,
            "investor": obj.investor,
            "tracking_unit": obj.tracking_unit_id,
            "tracking_person": "新跟踪人",
            "version": obj.version,
        }

    def effect(self, obj, matrix):
        assert _fresh(obj).tracking_person == "新跟踪人"

    def test_get_is_405(self, client, matrix):
        client.force_login(matrix.allowed)
        assert client.get(self.url_for(matrix.in_scope)).status_code == 200  # GET shows the form
        assert not self.holds(matrix.in_scope, matrix)

    @pytest.fixture
    def matrix(self, world, leads):
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=leads[0], out_of_scope=leads[1])


ACTION_URL = "investment:lead_action"


class _LeadAction(PostMatrix):
    action: ClassVar[str] = ""

    def data(self, obj, matrix):
        return {"action": self.action, "version": _fresh(obj).version}

    def test_get_is_405(self, client, matrix):
        """GET (the conflict page's 载入最新版本) goes to the lead page and changes nothing."""
        client.force_login(matrix.allowed)
        response = client.get(self.url_for(matrix.in_scope))
        assert response.status_code == 302 and response["Location"] == matrix.in_scope.get_absolute_url()
        assert not self.holds(matrix.in_scope, matrix)


class TestLeadSubmit(_LeadAction):
    url_name = ACTION_URL
    action = "submit"

    def data(self, obj, matrix):
        return {
            **super().data(obj, matrix),
            "to_stage": "signed",
            "signed_date": "2025-03-01",
            "contract_kind": "agreement",
            "signed_total": "3亿元",
        }

    def effect(self, obj, matrix):
        lead = _fresh(obj)
        assert lead.stage == LeadStage.SIGNED and lead.signed_total == Decimal("30000")
        assert lead.review_status == ReviewStatus.PENDING

    @pytest.fixture
    def matrix(self, world, leads):
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=leads[0], out_of_scope=leads[1])


class TestLeadApprove(_LeadAction):
    url_name = ACTION_URL
    action = "approve"

    def effect(self, obj, matrix):
        assert _fresh(obj).review_status == ReviewStatus.APPROVED

    @pytest.fixture
    def matrix(self, world, leads, foreign_lead):
        a = advance(leads[0], "signed", actor=world.reporter_a)
        f = advance(foreign_lead, "signed", actor=world.foreign_office)
        # a unit reporter may see the lead but not review it: 403
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=a, out_of_scope=f)


class TestLeadReturn(TestLeadApprove):
    action = "return"

    def data(self, obj, matrix):
        return {**super().data(obj, matrix), "opinion": "请补充签约文本"}

    def effect(self, obj, matrix):
        lead = _fresh(obj)
        assert lead.review_status == ReviewStatus.RETURNED and lead.review_opinion == "请补充签约文本"


class TestLeadTerminate(_LeadAction):
    url_name = ACTION_URL
    action = "terminate"

    def data(self, obj, matrix):
        return {**super().data(obj, matrix), "reason": "投资方撤回"}

    def effect(self, obj, matrix):
        lead = _fresh(obj)
        assert lead.stage == LeadStage.TERMINATED and lead.termination_reason == "投资方撤回"

    @pytest.fixture
    def matrix(self, world, leads):
        return Case(allowed=world.reporter_b, denied=world.sponsor, in_scope=leads[1], out_of_scope=leads[0])


class TestLeadRestore(_LeadAction):
    url_name = ACTION_URL
    action = "restore"

    def effect(self, obj, matrix):
        assert _fresh(obj).stage == LeadStage.NEGOTIATING

    @pytest.fixture
    def matrix(self, world, leads):
        a, b = (services.lead_terminate(actor=None, lead=x, version=x.version, reason="暂停") for x in leads)
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=a, out_of_scope=b)


class TestLeadConvert(PostMatrix):
    url_name = "investment:lead_convert"

    def data(self, obj, matrix):
        return {"version": _fresh(obj).version}

    def effect(self, obj, matrix):
        lead = _fresh(obj)
        assert lead.project is not None and lead.project.name == lead.name

    @pytest.fixture
    def matrix(self, world, leads, foreign_lead):
        a = advance(leads[0], "signed", actor=world.reporter_a, reviewer=world.office)
        f = advance(foreign_lead, "signed", actor=world.foreign_office, reviewer=world.foreign_office)
        # a unit reporter tracks the lead but does not convert it: 403
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=a, out_of_scope=f)


# --- the list --------------------------------------------------------------------------------------------------------


def test_list_pipeline_strip_counts_the_scope(client, world, leads, foreign_lead):
    advance(leads[0], "signed", actor=world.reporter_a)
    client.force_login(world.office)
    response = client.get(reverse("investment:lead_list"))
    pipeline = {s["stage"]: s["count"] for s in response.context["pipeline"]}
    assert pipeline["negotiating"] == 1 and pipeline["signed"] == 1 and pipeline["terminated"] == 0
    assert "邻区数字经济招商项目" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("band=lt3", {"小"}),
        ("band=3to10", {"中"}),
        ("band=ge20", {"大"}),
        ("band=unknown", {"未填"}),
        ("stage=signed", {"中"}),
        ("tag=global500", {"大"}),
        ("q=小项目投资方", {"小"}),
        ("review=pending", {"中"}),
    ],
)
def test_list_filters(client, world, query, shown):
    make_lead(
        actor=world.office, unit=world.unit_a, name="小", planned_investment=Decimal("29999"), investor="小项目投资方"
    )
    mid = make_lead(actor=world.office, unit=world.unit_a, name="中", planned_investment=Decimal("500000"))
    advance(mid, "signed", actor=world.office)  # signed total 50000 (5亿) decides the band
    make_lead(
        actor=world.office,
        unit=world.unit_a,
        name="大",
        planned_investment=Decimal("200000"),
        investor_tags=["global500"],
    )
    make_lead(actor=world.office, unit=world.unit_a, name="未填", planned_investment=None)
    client.force_login(world.office)
    response = client.get(f"{reverse('investment:lead_list')}?{query}")
    assert {lead.name for lead in response.context["object_list"]} == shown


def test_list_query_count_does_not_grow_with_the_rows(client, world):
    def count_for(n):
        for _i in range(n):
            make_lead(actor=world.office, unit=world.unit_a)
        client.force_login(world.office)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("investment:lead_list")).status_code == 200
        return len(ctx.captured_queries)

    few = count_for(3)
    many = count_for(30)
    assert many == few and many <= 20


# --- the form --------------------------------------------------------------------------------------------------------


def test_add_creates_the_lead(client, world):
    client.force_login(world.reporter_a)
    response = client.post(
        reverse("investment:lead_add"),
        {
            "name": "新招商项目",
            "investor": "示例集团",
            "tracking_unit": world.unit_a.pk,
            "planned_investment": "约5亿元",
            "investor_tags": ["listed", "private"],
        },
    )
    lead = Lead.objects.get(name="新招商项目")
    assert response.status_code == 302 and response["Location"] == lead.get_absolute_url()
    assert lead.planned_investment == Decimal("50000") and lead.planned_investment_approx
    assert lead.investor_tags == ["listed", "private"]


def test_add_with_errors_keeps_the_input(client, world):
    client.force_login(world.reporter_a)
    response = client.post(
        reverse("investment:lead_add"),
        {"name": "", "investor": "保留的投资方", "tracking_unit": world.unit_a.pk, "planned_investment": "-5"},
    )
    assert response.status_code == 200 and not Lead.objects.exists()
    page = response.content.decode()
    assert "请填写项目名称。" in page and "保留的投资方" in page and "未保存" in page


def test_add_offers_only_units_in_scope(client, world):
    client.force_login(world.reporter_a)
    response = client.post(
        reverse("investment:lead_add"), {"name": "x", "investor": "y", "tracking_unit": world.unit_b.pk}
    )
    assert response.status_code == 200 and not Lead.objects.exists()
    assert "tracking_unit" in response.context["form"].errors


def _selected_unit(page: str) -> list[str]:
    select = re.search(r'<select name="tracking_unit".*?</select>', page, re.S)
    assert select is not None
    return re.findall(r'<option value="(\d*)" selected>', select.group(0))


def test_add_preselects_the_unit_of_a_unit_reporter(client, world):
    client.force_login(world.reporter_a)
    response = client.get(reverse("investment:lead_add"))
    assert response.status_code == 200
    assert _selected_unit(response.content.decode()) == [str(world.unit_a.pk)]


def test_add_leaves_the_unit_empty_for_the_project_office(client, world):
    client.force_login(world.office)
    page = client.get(reverse("investment:lead_add")).content.decode()
    assert _selected_unit(page) == [""]


def test_add_leaves_the_unit_empty_for_a_reporter_of_two_units(client, world):
    Membership.objects.create(user=world.reporter_a, unit=world.unit_b, role=Role.UNIT_REPORTER)
    client.force_login(world.reporter_a)
    page = client.get(reverse("investment:lead_add")).content.decode()
    assert _selected_unit(page) == [""]


def test_stale_edit_shows_the_conflict_page(client, world, leads):
    lead = leads[0]
    services.lead_update(actor=world.office, lead=lead, version=lead.version, data={"tracking_person": "他人"})
    client.force_login(world.reporter_a)
    response = client.post(
        reverse("investment:lead_edit", args=[lead.pk]),
        {
            "name": lead.name,
            "investor": lead.investor,
            "tracking_unit": world.unit_a.pk,
            "tracking_person": "我的",
            "version": 1,
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "我的" in page and "他人" in page
    assert _fresh(lead).tracking_person == "他人"


# --- the detail page and the workflow ------------------------------------------------------------------------------


def test_detail_shows_the_actions_of_whoever_may_act(client, world, leads):
    lead = advance(leads[0], "signed", actor=world.reporter_a)
    client.force_login(world.office)
    page = client.get(lead.get_absolute_url()).content.decode()
    assert 'id="tj-approve"' in page and 'id="tj-convert"' not in page and "审核中" in page
    client.force_login(world.reporter_a)
    page = client.get(lead.get_absolute_url()).content.decode()
    assert 'id="tj-approve"' not in page and 'id="tj-submit-stage"' not in page and 'id="tj-pending-note"' in page
    client.force_login(world.leader)
    page = client.get(lead.get_absolute_url()).content.decode()
    assert 'id="tj-terminate"' not in page and 'id="tj-lead-edit"' not in page


def test_submit_without_data_says_what_is_missing(client, world, leads):
    client.force_login(world.reporter_a)
    lead = leads[0]
    response = client.post(
        reverse("investment:lead_action", args=[lead.pk]),
        {"action": "submit", "version": lead.version, "to_stage": "signed"},
    )
    assert response.status_code == 400
    assert "进入“签约”阶段须填写签约时间" in response.content.decode()
    assert _fresh(lead).stage == LeadStage.NEGOTIATING


def _unchanged(lead, before_events: int) -> None:
    fresh = _fresh(lead)
    assert fresh.version == lead.version and fresh.stage == lead.stage and fresh.review_status == lead.review_status
    assert fresh.signed_total is None and fresh.registered_name == ""
    assert fresh.events.count() == before_events


def test_bad_stage_submit_is_shown_again_with_everything_typed(client, world, leads):
    client.force_login(world.reporter_a)
    lead = leads[0]
    events = lead.events.count()
    response = client.post(
        reverse("investment:lead_action", args=[lead.pk]),
        {
            "action": "submit",
            "version": lead.version,
            "to_stage": "registered",
            "signed_date": "2025-03-01",
            "contract_kind": "contract",
            "signed_total": "很多",
            "phase1_investment": "8000",
            "registered_name": "保留的本地企业有限公司",
            "registered_date": "2025-04-02",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "“很多”不是金额" in page and 'id="tj-action-errors"' in page and "您填写的内容已保留" in page
    assert 'value="很多"' in page and 'value="8000"' in page and 'value="保留的本地企业有限公司"' in page
    assert 'value="2025-03-01"' in page and 'value="2025-04-02"' in page
    assert '<option value="registered" selected>' in page and '<option value="signed" selected>' not in page
    assert '<option value="contract" selected>' in page
    assert 'id="tj-signed-total" class="form-control form-control-sm mb-1 is-invalid"' in page
    # the stage form script (a static file under the CSP) shows only the fields up to the chosen stage
    assert 'data-stage-fields="registered"' in page and "tuijin/lead_stage" in page
    _unchanged(lead, events)


def test_stage_refused_by_the_service_keeps_everything_typed(client, world, leads):
    client.force_login(world.reporter_a)
    lead = leads[0]
    events = lead.events.count()
    response = client.post(
        reverse("investment:lead_action", args=[lead.pk]),
        {
            "action": "submit",
            "version": lead.version,
            "to_stage": "registered",
            "signed_date": "2025-03-01",
            "contract_kind": "contract",
            "signed_total": "3亿元",
            "credit_code": "保留的代码",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "进入“注册”阶段须填写在本地注册企业名称" in page
    assert 'value="3亿元"' in page and 'value="保留的代码"' in page and '<option value="registered" selected>' in page
    _unchanged(lead, events)


def test_terminate_without_reason_is_shown_again(client, world, leads):
    client.force_login(world.reporter_a)
    lead = leads[0]
    events = lead.events.count()
    url = reverse("investment:lead_action", args=[lead.pk])
    response = client.post(url, {"action": "terminate", "version": lead.version, "reason": " "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "终止须填写原因。" in page and '<details class="mb-2" open>' in page
    _unchanged(lead, events)


def test_return_without_opinion_is_shown_again(client, world, leads):
    lead = advance(leads[0], "signed", actor=world.reporter_a)
    events = lead.events.count()
    client.force_login(world.office)
    response = client.post(
        reverse("investment:lead_action", args=[lead.pk]), {"action": "return", "version": lead.version, "opinion": ""}
    )
    assert response.status_code == 400
    assert "退回须填写审核意见" in response.content.decode()
    fresh = _fresh(lead)
    assert fresh.review_status == ReviewStatus.PENDING and fresh.version == lead.version
    assert fresh.events.count() == events


def test_bad_input_on_a_stale_version_keeps_the_version_seen(client, world, leads):
    """Fixing the input later must still meet the conflict page, not overwrite the other person's change."""
    lead = leads[0]
    services.lead_update(actor=world.office, lead=lead, version=lead.version, data={"tracking_person": "他人"})
    client.force_login(world.reporter_a)
    response = client.post(
        reverse("investment:lead_action", args=[lead.pk]),
        {"action": "submit", "version": 1, "to_stage": "signed", "signed_total": "很多"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert '<input type="hidden" name="version" value="1">' in page
    submit_form = page.split('id="tj-submit-form"')[1].split("</form>")[0]
    assert f'name="version" value="{_fresh(lead).version}"' not in submit_form


def test_stage_heading_does_not_read_as_the_current_stage(client, world, leads):
    lead = advance(leads[0], "signed", actor=world.reporter_a, reviewer=world.office)
    client.force_login(world.reporter_a)
    page = client.get(lead.get_absolute_url()).content.decode()
    assert "项目信息（在谈阶段登记）" in page and "项目信息（在谈）" not in page


def test_stale_action_shows_the_conflict_page(client, world, leads):
    lead = advance(leads[0], "signed", actor=world.reporter_a)
    client.force_login(world.office)
    response = client.post(
        reverse("investment:lead_action", args=[lead.pk]),
        {"action": "return", "version": lead.version - 1, "opinion": "我的意见"},
    )
    assert response.status_code == 409 and "我的意见" in response.content.decode()
    assert _fresh(lead).review_status == ReviewStatus.PENDING


def test_convert_twice_is_refused_with_a_message(client, world, leads):
    lead = advance(leads[0], "signed", actor=world.reporter_a, reviewer=world.office)
    client.force_login(world.office)
    response = client.post(reverse("investment:lead_convert", args=[lead.pk]), {"version": lead.version})
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    response = client.post(
        reverse("investment:lead_convert", args=[lead.pk]), {"version": _fresh(lead).version}, follow=True
    )
    assert "不能重复转化" in response.content.decode() and Project.objects.count() == 1
    page = client.get(lead.get_absolute_url()).content.decode()
    assert 'id="tj-lead-project"' in page and project.name in page


# --- 待我处理 ---------------------------------------------------------------------------------------------------------


def test_attention_for_reviewers_and_returned_units(world, leads):
    advance(leads[0], "signed", actor=world.reporter_a)
    items = {i.title: i for i in attention_for(world.office)}
    assert items["待审核的招商项目"].count == 1
    assert items["待审核的招商项目"].url.endswith("?review=pending")
    assert "待审核的招商项目" not in {i.title for i in attention_for(world.reporter_a)}
    lead = _fresh(leads[0])
    services.lead_review(actor=world.office, lead=lead, version=lead.version, approve=False, opinion="补材料")
    assert {i.title: i.count for i in attention_for(world.reporter_a)}["被退回的招商项目"] == 1
    assert "被退回的招商项目" not in {i.title for i in attention_for(world.reporter_b)}
    assert "待审核的招商项目" not in {i.title for i in attention_for(world.office)}


def test_stage_data_defaults_are_valid():
    assert set(STAGE_DATA) == {f for fields in services.STAGE_FIELDS.values() for f in fields}


def test_detail_query_count_does_not_grow_with_the_timeline(client, world, leads):
    lead = leads[0]
    client.force_login(world.office)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(lead.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    client.get(lead.get_absolute_url())
    few = count()
    for i in range(10):
        fresh = _fresh(lead)
        services.lead_update(actor=world.office, lead=fresh, version=fresh.version, data={"tracking_person": f"人{i}"})
    assert count() == few
