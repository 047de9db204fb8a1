"""Ledger pages: a permission matrix for every URL (a line or lead of another unit, enterprise or district is out of
scope), the lead page's section, the enterprise's own ledger, refused input kept on a 400, the flags list and the
office's category list."""

from datetime import timedelta
from decimal import Decimal
from typing import ClassVar

import pytest
from django.urls import reverse
from django.utils import timezone

from tuijin.investment import ledger
from tuijin.investment.choices import CommitmentSide, CommitmentState, CommitmentStatus, Confirmation
from tuijin.investment.models import Commitment, FairCompetitionCategory, Lead
from tuijin.utilities.testing.matrix import Case, PostMatrix, ViewMatrix

from .factories import advance, make_lead

TODAY = timezone.localdate()


def _signed_lead(world, actor, unit, name, enterprise=None):
    lead = make_lead(actor=actor, unit=unit, name=name)
    lead = advance(lead, "signed", actor=actor, reviewer=world.office if unit != world.foreign_unit else None)
    if enterprise is not None:
        Lead.objects.filter(pk=lead.pk).update(enterprise=enterprise)
    return Lead.objects.get(pk=lead.pk)


@pytest.fixture
def leads(world):
    a = _signed_lead(world, world.reporter_a, world.unit_a, "甲街道光电模组招商项目", world.enterprise_a)
    b = _signed_lead(world, world.reporter_b, world.unit_b, "乙街道智能装备招商项目", world.enterprise_b)
    return a, b


@pytest.fixture
def foreign_lead(world):
    return _signed_lead(world, world.foreign_office, world.foreign_unit, "邻区数字经济招商项目")


def line(actor, lead, content, *, side="government", category="land", unit=None, **fields):
    data = {"due_date": TODAY + timedelta(days=30)}
    data.update(fields)
    if side == "government":
        data["responsible_unit"] = unit or lead.tracking_unit
    return ledger.commitment_create(actor=actor, lead=lead, side=side, category=category, content=content, **data)


@pytest.fixture
def drafts(world, leads):
    a, b = leads
    return (
        line(world.reporter_a, a, "甲-交付净地80亩"),
        line(world.reporter_b, b, "乙-交付净地50亩", unit=world.office_unit),
    )


@pytest.fixture
def signed(world, leads, drafts):
    ledger.agreement_sign(actor=world.reporter_a, lead=leads[0])
    ledger.agreement_sign(actor=world.reporter_b, lead=leads[1])
    return tuple(Commitment.objects.get(pk=c.pk) for c in drafts)


def content(c):
    return c.content


def _fresh(c) -> Commitment:
    return Commitment.objects.get(pk=c.pk)


# --- lists ----------------------------------------------------------------------------------------------------------


class TestLedger(ViewMatrix):
    url_name = "investment:ledger"
    detail = False

    @pytest.fixture
    def matrix(self, world, drafts):
        return Case(
            allowed=world.reporter_a, denied=world.sysadmin, in_scope=drafts[0], out_of_scope=drafts[1], marker=content
        )


class TestLedgerEnterprise(TestLedger):
    """An enterprise sees its own leads' lines, both sides, never another enterprise's."""

    @pytest.fixture
    def matrix(self, world, signed, leads):
        line(world.reporter_a, leads[0], "甲-企业承诺新增就业300人", side="investor", category="jobs")
        return Case(
            allowed=world.ent_user_a, denied=world.norole, in_scope=signed[0], out_of_scope=signed[1], marker=content
        )

    def test_both_sides_and_confirm_forms(self, client, world, matrix):
        client.force_login(world.ent_user_a)
        text = client.get(reverse(self.url_name)).content.decode()
        assert "甲-交付净地80亩" in text and "甲-企业承诺新增就业300人" in text
        assert text.count("tj-confirm-form") == 1  # the signed line only; the draft is not confirmed yet


class TestLedgerLeader(TestLedger):
    @pytest.fixture
    def matrix(self, world, drafts, foreign_lead):
        other = line(world.foreign_office, foreign_lead, "邻区-配套道路", unit=world.foreign_unit)
        return Case(allowed=world.leader, denied=world.norole, in_scope=drafts[1], out_of_scope=other, marker=content)


class TestFlagList(ViewMatrix):
    url_name = "investment:fc_flags"
    detail = False

    @pytest.fixture
    def matrix(self, world, leads):
        a = line(world.reporter_a, leads[0], "甲-按地方留成税收给予奖励", category="subsidy")
        b = line(world.reporter_b, leads[1], "乙-按地方留成税收给予奖励", category="subsidy")
        return Case(allowed=world.reporter_a, denied=world.sysadmin, in_scope=a, out_of_scope=b, marker=content)


# --- the steps ------------------------------------------------------------------------------------------------------


class TestCommitmentAdd(PostMatrix):
    url_name = "investment:commitment_add"

    def data(self, obj, matrix):
        return {
            "side": "investor",
            "category": "capex",
            "content": "完成固定资产投资5亿元",
            "due_date": (TODAY + timedelta(days=300)).isoformat(),
            "amount": "5亿元",
        }

    def effect(self, obj, matrix):
        c = Commitment.objects.get(lead=obj, content="完成固定资产投资5亿元")
        assert c.amount == Decimal("50000") and c.state == CommitmentState.DRAFT

    @pytest.fixture
    def matrix(self, world, leads):
        # a leader reads the ledger but does not add to it: 403
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=leads[0], out_of_scope=leads[1])


class TestAgreementSign(PostMatrix):
    url_name = "investment:agreement_sign"

    def effect(self, obj, matrix):
        assert obj.commitments.exists()
        assert not obj.commitments.filter(state=CommitmentState.DRAFT).exists()

    @pytest.fixture
    def matrix(self, world, leads, drafts):
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=leads[0], out_of_scope=leads[1])


ACTION_URL = "investment:commitment_action"


class _Action(PostMatrix):
    action: ClassVar[str] = ""

    def data(self, obj, matrix):
        return {"action": self.action, "version": _fresh(obj).version}

    def test_get_is_405(self, client, matrix):
        """GET (the conflict page's 载入最新版本) goes back to the line and changes nothing."""
        client.force_login(matrix.allowed)
        response = client.get(self.url_for(matrix.in_scope))
        assert response.status_code == 302
        assert not self.holds(matrix.in_scope, matrix)


class TestEdit(_Action):
    url_name = ACTION_URL
    action = "edit"

    def data(self, obj, matrix):
        obj = _fresh(obj)
        return {
            **super().data(obj, matrix),
            "side": obj.side,
            "category": obj.category,
            "content": obj.content + "（修改）",
            "due_date": obj.due_date.isoformat(),
            "responsible_unit": obj.responsible_unit_id,
        }

    def effect(self, obj, matrix):
        assert _fresh(obj).content.endswith("（修改）")

    @pytest.fixture
    def matrix(self, world, drafts):
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=drafts[0], out_of_scope=drafts[1])


class TestStatus(_Action):
    url_name = ACTION_URL
    action = "status"

    def data(self, obj, matrix):
        return {**super().data(obj, matrix), "status": "due"}

    def effect(self, obj, matrix):
        assert _fresh(obj).status == CommitmentStatus.DUE

    @pytest.fixture
    def matrix(self, world, signed):
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=signed[0], out_of_scope=signed[1])


@pytest.fixture
def flagged(world, leads, foreign_lead):
    a = line(world.reporter_a, leads[0], "甲-按地方留成税收给予奖励", category="subsidy")
    f = line(
        world.foreign_office, foreign_lead, "邻区-按地方留成税收给予奖励", category="subsidy", unit=world.foreign_unit
    )
    b = line(world.reporter_b, leads[1], "乙-按地方留成税收给予奖励", category="subsidy")
    return a, b, f


class TestJustify(_Action):
    url_name = ACTION_URL
    action = "justify"

    def data(self, obj, matrix):
        return {**super().data(obj, matrix), "reason": "符合省级招商引资政策", "basis": "豫政〔2024〕1号"}

    def effect(self, obj, matrix):
        assert _fresh(obj).fc_reason == "符合省级招商引资政策"

    @pytest.fixture
    def matrix(self, world, flagged):
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=flagged[0], out_of_scope=flagged[1])


class TestReview(_Action):
    url_name = ACTION_URL
    action = "review"

    def data(self, obj, matrix):
        return {**super().data(obj, matrix), "decision": "approve"}

    def effect(self, obj, matrix):
        assert _fresh(obj).fc_reviewer_id is not None

    @pytest.fixture
    def matrix(self, world, flagged):
        a, _b, f = flagged
        ledger.commitment_flag_justify(actor=world.reporter_a, commitment=a, version=a.version, reason="依据")
        ledger.commitment_flag_justify(actor=world.foreign_office, commitment=f, version=f.version, reason="依据")
        # a unit reporter reads the line but does not second-review: 403
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=a, out_of_scope=f)


class TestConfirm(_Action):
    url_name = ACTION_URL
    action = "confirm"

    def data(self, obj, matrix):
        return {**super().data(obj, matrix), "decision": "agree", "from": "ledger"}

    def effect(self, obj, matrix):
        assert _fresh(obj).confirmation == Confirmation.CONFIRMED

    @pytest.fixture
    def matrix(self, world, signed):
        # the tracking unit reads the line but only the enterprise confirms it: 403
        return Case(allowed=world.ent_user_a, denied=world.reporter_a, in_scope=signed[0], out_of_scope=signed[1])


# --- the office's category list -------------------------------------------------------------------------------------


@pytest.fixture
def category(db):
    return FairCompetitionCategory.objects.get(name="税收优惠")


class TestCategories(ViewMatrix):
    url_name = "investment:fc_categories"
    detail = False
    scoped = False
    unscoped_reason = "district-wide configuration (FairCompetitionCategory has no unit)"

    @pytest.fixture
    def matrix(self, world, category):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=category, marker=lambda c: c.name)


class TestCategoryAdd(ViewMatrix):
    url_name = "investment:fc_category_add"
    detail = False
    scoped = False
    unscoped_reason = "a create form of district-wide configuration"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.leader)


class TestCategoryAddSave(PostMatrix):
    url_name = "investment:fc_category_add"
    detail = False
    scoped = False
    unscoped_reason = "a create form of district-wide configuration"

    def data(self, obj, matrix):
        return {"name": "指定交易", "keywords": "指定供应商\n独家", "sort_order": "70", "is_active": "on"}

    def effect(self, obj, matrix):
        assert FairCompetitionCategory.objects.get(name="指定交易").keyword_list == ["指定供应商", "独家"]

    def test_get_is_405(self, client, matrix):
        client.force_login(matrix.allowed)
        assert client.get(self.url_for()).status_code == 200  # GET shows the form
        assert not self.holds(None, matrix)

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a)


class TestCategoryEdit(ViewMatrix):
    url_name = "investment:fc_category_edit"
    scoped = False
    unscoped_reason = "district-wide configuration (FairCompetitionCategory has no unit)"

    @pytest.fixture
    def matrix(self, world, category):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=category, marker=lambda c: c.name)


class TestCategoryEditSave(PostMatrix):
    url_name = "investment:fc_category_edit"
    scoped = False
    unscoped_reason = "district-wide configuration (FairCompetitionCategory has no unit)"

    def data(self, obj, matrix):
        return {"name": obj.name, "keywords": obj.keywords, "sort_order": "5", "version": obj.version}

    def effect(self, obj, matrix):
        row = FairCompetitionCategory.objects.get(pk=obj.pk)
        assert not row.is_active and row.sort_order == 5  # deactivated (the box unticked), never deleted

    def test_get_is_405(self, client, matrix):
        client.force_login(matrix.allowed)
        assert client.get(self.url_for(matrix.in_scope)).status_code == 200
        assert not self.holds(matrix.in_scope, matrix)

    @pytest.fixture
    def matrix(self, world, category):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=category)


# --- behaviour ------------------------------------------------------------------------------------------------------


class TestLeadPanel:
    def test_both_tables_and_the_add_form(self, client, world, leads, drafts):
        line(world.reporter_a, leads[0], "甲-企业承诺新增就业300人", side="investor", category="jobs")
        client.force_login(world.reporter_a)
        text = client.get(reverse("investment:lead", args=[leads[0].pk])).content.decode()
        assert 'id="tj-ledger"' in text and "tj-ledger-government" in text and "tj-ledger-investor" in text
        assert "甲-交付净地80亩" in text and "甲-企业承诺新增就业300人" in text
        assert 'id="tj-commitment-add"' in text and 'id="tj-sign-button"' in text

    def test_leader_reads_without_forms(self, client, world, leads, drafts):
        client.force_login(world.leader)
        text = client.get(reverse("investment:lead", args=[leads[0].pk])).content.decode()
        assert "甲-交付净地80亩" in text
        assert "tj-commitment-add" not in text and "tj-sign-button" not in text and "tj-edit-form" not in text

    def test_not_signed_lead_has_no_add_form(self, client, world):
        lead = make_lead(actor=world.reporter_a, unit=world.unit_a)
        client.force_login(world.reporter_a)
        text = client.get(reverse("investment:lead", args=[lead.pk])).content.decode()
        assert "招商项目签约后登记双方承诺" in text and "tj-commitment-add" not in text

    def test_sign_preview_names_the_blocking_line(self, client, world, leads, drafts):
        line(world.reporter_a, leads[0], "甲-按地方留成税收给予奖励", category="subsidy")
        client.force_login(world.reporter_a)
        text = client.get(reverse("investment:lead", args=[leads[0].pk])).content.decode()
        assert 'id="tj-sign-blockers"' in text and "税收优惠" in text


class TestRefusedInputKept:
    def test_add_bad_input_is_400_with_input(self, client, world, leads):
        client.force_login(world.reporter_a)
        response = client.post(
            reverse("investment:commitment_add", args=[leads[0].pk]),
            {"side": "government", "category": "jobs", "content": "新增就业三百人的特别内容", "due_date": "2027-01-01"},
        )
        assert response.status_code == 400
        text = response.content.decode()
        assert "新增就业三百人的特别内容" in text and "不属于政府承诺" in text
        assert "政府承诺须选择责任单位" in text
        assert not Commitment.objects.exists()

    def test_add_unparsable_date_is_400(self, client, world, leads):
        client.force_login(world.reporter_a)
        response = client.post(
            reverse("investment:commitment_add", args=[leads[0].pk]),
            {"side": "investor", "category": "jobs", "content": "就业内容保留", "due_date": "明年"},
        )
        assert response.status_code == 400 and "就业内容保留" in response.content.decode()

    def test_sign_refused_is_400_naming_the_line(self, client, world, leads, drafts):
        line(world.reporter_a, leads[0], "甲-按地方留成税收给予奖励", category="subsidy")
        client.force_login(world.reporter_a)
        response = client.post(reverse("investment:agreement_sign", args=[leads[0].pk]))
        assert response.status_code == 400
        text = response.content.decode()
        assert 'id="tj-sign-errors"' in text and "甲-按地方留成税收给予奖励" in text
        assert not Commitment.objects.filter(state=CommitmentState.SIGNED).exists()

    def test_status_bad_input_keeps_it(self, client, world, signed):
        c = signed[0]
        client.force_login(world.reporter_a)
        response = client.post(
            reverse("investment:commitment_action", args=[c.pk]),
            {"action": "status", "version": c.version, "status": "fulfilled", "evidence": "供地批复文件"},
        )
        assert response.status_code == 400
        text = response.content.decode()
        assert "已兑现须填写兑现日期" in text and "供地批复文件" in text
        assert _fresh(c).status == CommitmentStatus.NOT_MET

    def test_dispute_without_comment_on_the_ledger(self, client, world, signed):
        c = signed[0]
        client.force_login(world.ent_user_a)
        response = client.post(
            reverse("investment:commitment_action", args=[c.pk]),
            {"action": "confirm", "version": c.version, "decision": "dispute", "comment": "", "from": "ledger"},
        )
        assert response.status_code == 400
        assert "提出异议须填写企业意见" in response.content.decode()
        assert 'id="tj-ledger-table"' in response.content.decode()  # the ledger again, not the lead page
        # the refusal is announced at the top, with a link down to the line (a phone shows one card a screen)
        text = response.content.decode()
        assert text.index('id="tj-ledger-errors"') < text.index('id="tj-ledger-table"')
        assert f'href="#commitment-{c.pk}"' in text

    def test_stale_version_shows_the_conflict_page(self, client, world, drafts):
        c = drafts[0]
        client.force_login(world.reporter_a)
        response = client.post(
            reverse("investment:commitment_action", args=[c.pk]),
            {
                "action": "edit",
                "version": c.version + 5,
                "side": c.side,
                "category": c.category,
                "content": "过期版本的修改",
                "due_date": c.due_date.isoformat(),
                "responsible_unit": c.responsible_unit_id,
            },
        )
        assert response.status_code == 409 and "过期版本的修改" in response.content.decode()
        assert _fresh(c).content == c.content

    def test_category_bad_input_kept(self, client, world):
        client.force_login(world.office)
        response = client.post(
            reverse("investment:fc_category_add"), {"name": "税收优惠", "keywords": "新关键词甲", "sort_order": "1"}
        )
        assert response.status_code == 400
        text = response.content.decode()
        assert "已有同名的类别" in text and "新关键词甲" in text


class TestLedgerFilters:
    def test_filters_and_counts(self, client, world, leads, signed):
        a = signed[0]
        late = line(
            world.reporter_a, leads[0], "甲-超期的配套承诺", category="utilities", due_date=TODAY - timedelta(days=3)
        )
        ledger.agreement_sign(actor=world.reporter_a, lead=leads[0])
        ledger.commitment_confirm(
            actor=world.ent_user_a, commitment=a, version=a.version, agree=False, comment="面积不对"
        )
        client.force_login(world.office)
        url = reverse("investment:ledger")
        text = client.get(url + "?overdue=1").content.decode()
        assert late.content in text and a.content not in text
        text = client.get(url + "?confirmation=disputed").content.decode()
        assert a.content in text and late.content not in text
        text = client.get(url + f"?lead={leads[1].pk}").content.decode()
        assert "乙-交付净地50亩" in text and a.content not in text
        text = client.get(url + f"?unit={world.office_unit.pk}").content.decode()
        assert "乙-交付净地50亩" in text and a.content not in text
        response = client.get(url)
        assert response.context["counts"]["overdue_government"] == 1
        assert response.context["counts"]["confirmation_disputed"] == 1

    def test_responsible_unit_sees_its_promises(self, client, world, leads, signed):
        # the office unit (发改委) is responsible for 乙's promise; a unit reporter there reads it in the ledger
        from tuijin.org.choices import Role
        from tuijin.utilities.testing.world import make_user

        user = make_user("dept_reporter", role=Role.UNIT_REPORTER, unit=world.office_unit)
        client.force_login(user)
        text = client.get(reverse("investment:ledger") + "?mine=responsible").content.decode()
        assert "乙-交付净地50亩" in text and "甲-交付净地80亩" not in text

    def test_htmx_partial(self, client, world, drafts):
        client.force_login(world.reporter_a)
        response = client.get(reverse("investment:ledger"), HTTP_HX_REQUEST="true")
        text = response.content.decode()
        assert 'id="tj-ledger-table"' in text and "<html" not in text


def test_side_categories_offered_in_groups(client, world, leads):
    client.force_login(world.reporter_a)
    text = client.get(reverse("investment:lead", args=[leads[0].pk])).content.decode()
    assert '<optgroup label="政府承诺">' in text and '<optgroup label="企业承诺">' in text


class TestOverdueTile(ViewMatrix):
    url_name = "investment:overdue_tile"
    detail = False

    @pytest.fixture
    def matrix(self, world, leads):
        late = {"category": "utilities", "due_date": TODAY - timedelta(days=3)}
        a = line(world.reporter_a, leads[0], "甲-超期的配套承诺", **late)
        b = line(world.reporter_b, leads[1], "乙-超期的配套承诺", unit=world.office_unit, **late)
        ledger.agreement_sign(actor=world.reporter_a, lead=leads[0])
        ledger.agreement_sign(actor=world.reporter_b, lead=leads[1])
        return Case(allowed=world.reporter_a, denied=world.sysadmin, in_scope=a, out_of_scope=b, marker=content)


def test_dashboard_loads_the_overdue_tile(client, world, leads):
    late = line(
        world.reporter_a, leads[0], "甲-超期的配套承诺", category="utilities", due_date=TODAY - timedelta(days=3)
    )
    line(world.reporter_a, leads[0], "甲-未超期的承诺", category="service")
    ledger.agreement_sign(actor=world.reporter_a, lead=leads[0])
    client.force_login(world.office)
    text = client.get(reverse("dispatch:dashboard")).content.decode()
    assert 'id="tj-overdue-commitments"' in text and reverse("investment:overdue_tile") in text
    response = client.get(reverse("investment:overdue_tile"), HTTP_HX_REQUEST="true")
    assert response.context["count"] == 1 and late.content in response.content.decode()
    assert "甲-未超期的承诺" not in response.content.decode()
    assert reverse("investment:ledger") + "?overdue=1&amp;side=government" in response.content.decode()
    assert late.side == CommitmentSide.GOVERNMENT


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_pages_queries_do_not_grow_with_lines(client, world, leads):
    def add(n, start):
        for i in range(start, start + n):
            line(world.reporter_a, leads[0], f"甲-承诺{i}", category="subsidy" if i % 2 else "land")
            line(world.reporter_a, leads[0], f"甲-企业承诺{i}", side="investor", category="jobs")

    add(1, 0)
    client.force_login(world.office)
    urls = [
        reverse("investment:lead", args=[leads[0].pk]),
        reverse("investment:ledger"),
        reverse("investment:fc_flags"),
    ]
    small = [_queries(client, url) for url in urls]
    add(6, 1)
    assert [_queries(client, url) for url in urls] == small


# --- the enterprise never sees the district's internal supervision ---------------------------------------------------


@pytest.fixture
def supervised(world, leads):
    """On the enterprise's lead: a 奖补 line flagged by 公平竞争审查, justified and second-reviewed, and an overdue
    government promise turned into a 督办工单; both signed."""
    flagged = line(world.reporter_a, leads[0], "甲-按地方留成税收给予奖励", category="subsidy")
    flagged = ledger.commitment_flag_justify(
        actor=world.reporter_a, commitment=flagged, version=flagged.version, reason="甲-内部保留理由", basis="甲-文号"
    )
    ledger.commitment_flag_review(actor=world.office, commitment=flagged, version=flagged.version, approve=True)
    late = line(
        world.reporter_a, leads[0], "甲-超期的配套承诺", category="utilities", due_date=TODAY - timedelta(days=3)
    )
    ledger.agreement_sign(actor=world.reporter_a, lead=leads[0])
    ledger.check_overdue()
    late = _fresh(late)
    assert late.ticket_id and _fresh(flagged).fc_reviewer_id
    return _fresh(flagged), late


class TestEnterpriseSeesNoSupervision:
    def test_ledger_has_no_flags_reasons_or_tickets(self, client, world, supervised):
        flagged, late = supervised
        client.force_login(world.ent_user_a)
        text = client.get(reverse("investment:ledger")).content.decode()
        assert flagged.content in text and late.content in text  # its own lines, both still listed
        assert "tj-confirm-form" in text  # and it confirms them here
        for internal in (
            "公平竞争审查",
            "甲-内部保留理由",
            "甲-文号",
            "已复核同意",
            "tj-fc-flag",
            "督办工单",
            "已升级",
        ):
            assert internal not in text, internal
        assert reverse("investment:fc_flags") not in text and late.ticket.number not in text

    def test_flag_filter_is_ignored(self, client, world, supervised):
        client.force_login(world.ent_user_a)
        everything = client.get(reverse("investment:ledger")).context["page_obj"].paginator.count
        for state in ("any", "pending_reason", "pending_review", "approved"):
            response = client.get(reverse("investment:ledger"), {"flagged": state})
            assert response.context["page_obj"].paginator.count == everything  # cannot probe which lines are flagged

    def test_flag_list_is_403(self, client, world, supervised):
        client.force_login(world.ent_user_a)
        assert client.get(reverse("investment:fc_flags")).status_code == 403

    def test_overdue_tile_without_tickets(self, client, world, supervised):
        late = supervised[1]
        client.force_login(world.ent_user_a)
        text = client.get(reverse("investment:overdue_tile"), HTTP_HX_REQUEST="true").content.decode()
        assert late.content in text and late.ticket.number not in text and "督办工单" not in text

    def test_staff_still_see_everything(self, client, world, supervised):
        flagged, late = supervised
        client.force_login(world.reporter_a)
        text = client.get(reverse("investment:ledger")).content.decode()
        assert "甲-内部保留理由" in text and late.ticket.number in text and reverse("investment:fc_flags") in text
        response = client.get(reverse("investment:ledger"), {"flagged": "approved"})
        assert [r["c"].pk for r in response.context["rows"]] == [flagged.pk]
        assert client.get(reverse("investment:fc_flags")).status_code == 200
        tile = client.get(reverse("investment:overdue_tile"), HTTP_HX_REQUEST="true").content.decode()
        assert late.ticket.number in tile
