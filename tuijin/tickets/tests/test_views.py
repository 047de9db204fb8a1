"""Ticket pages: a permission matrix for every URL, the pool's filters and badges, raising (units and the enterprise
portal), the action endpoint (conflicts, errors, 403), attachments, export, and isolation between enterprises."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tuijin.progress.models import ReportProblem
from tuijin.progress.tests.factories import make_report
from tuijin.projects.tests.factories import make_project
from tuijin.tickets.choices import TicketEventType, TicketStatus
from tuijin.tickets.models import Ticket, TicketAttachment
from tuijin.utilities.testing.matrix import Case, PostMatrix, ViewMatrix

from .factories import advance, make_ticket

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def projects(world):
    a = make_project(
        unit=world.unit_a,
        actor=world.office,
        name="甲街道工单项目",
        owner_enterprise=world.enterprise_a,
        sponsors=[world.leader_person],
    )
    b = make_project(unit=world.unit_b, actor=world.office, name="乙街道工单项目", owner_enterprise=world.enterprise_b)
    return a, b


@pytest.fixture
def tickets(world, projects):
    a = make_ticket(actor=world.reporter_a, project=projects[0], title="甲企业用地指标问题")
    b = make_ticket(actor=world.reporter_b, project=projects[1], title="乙企业电力增容问题")
    return a, b


def title(ticket):
    return ticket.title


def _attach(ticket, user, name="证明材料.pdf"):
    from tuijin.tickets.views import _attachment_add
    from tuijin.utilities.uploads import check_upload

    checked = check_upload(SimpleUploadedFile(name, PDF), {"application/pdf": (".pdf",)})
    return _attachment_add(actor=user, ticket=ticket, checked=checked, name=name)


# --- the permission matrix --------------------------------------------------------------------------------------


class TestTicketList(ViewMatrix):
    url_name = "tickets:ticket_list"
    detail = False

    @pytest.fixture
    def matrix(self, world, tickets):
        return Case(
            allowed=world.reporter_a, denied=world.sysadmin, in_scope=tickets[0], out_of_scope=tickets[1], marker=title
        )


class TestTicketListEnterprise(TestTicketList):
    @pytest.fixture
    def matrix(self, world, tickets):
        return Case(
            allowed=world.ent_user_a, denied=world.norole, in_scope=tickets[0], out_of_scope=tickets[1], marker=title
        )


class TestTicketListSponsor(TestTicketList):
    @pytest.fixture
    def matrix(self, world, tickets):
        return Case(
            allowed=world.sponsor, denied=world.auditadmin, in_scope=tickets[0], out_of_scope=tickets[1], marker=title
        )


class TestTicketAdd(ViewMatrix):
    url_name = "tickets:ticket_add"
    detail = False
    scoped = False
    unscoped_reason = "a create form: no ticket exists yet (the projects it offers are tested with the form)"

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(allowed=world.ent_user_a, denied=world.secadmin)


class TestTicketDetail(ViewMatrix):
    url_name = "tickets:ticket"

    @pytest.fixture
    def matrix(self, world, tickets):
        return Case(
            allowed=world.ent_user_a, denied=world.norole, in_scope=tickets[0], out_of_scope=tickets[1], marker=title
        )


class TestTicketDetailUnit(TestTicketDetail):
    @pytest.fixture
    def matrix(self, world, tickets):
        return Case(
            allowed=world.reporter_b, denied=world.sysadmin, in_scope=tickets[1], out_of_scope=tickets[0], marker=title
        )


class TestTicketAction(PostMatrix):
    url_name = "tickets:ticket_action"

    def test_get_is_405(self, client, matrix):
        """Not 405: GET is the conflict page's 载入最新版本 and goes to the ticket page, doing nothing."""
        client.force_login(matrix.allowed)
        response = client.get(self.url_for(matrix.in_scope))
        assert response.status_code == 302 and response["Location"] == matrix.in_scope.get_absolute_url()
        assert not self.holds(matrix.in_scope, matrix)

    def data(self, obj, matrix):
        return {"action": "progress", "version": obj.version, "note": "已现场对接"}

    def effect(self, obj, matrix):
        ticket = Ticket.objects.get(pk=obj.pk)
        assert ticket.status == TicketStatus.IN_PROGRESS
        assert "已现场对接" in str(ticket.events.get(type=TicketEventType.PROGRESS).data)

    @pytest.fixture
    def matrix(self, world, tickets):
        assigned = [
            advance(t, TicketStatus.ASSIGNED, office=world.office, lead_unit=t.project.responsible_unit)
            for t in tickets
        ]
        # the control acts as unit B's reporter: handling also needs the lead unit, which lifting the scope keeps
        return Case(
            allowed=world.reporter_a,
            denied=world.norole,
            in_scope=assigned[0],
            out_of_scope=assigned[1],
            viewer=world.reporter_b,
        )


class TestTicketAttachment(ViewMatrix):
    url_name = "tickets:ticket_attachment"

    @pytest.fixture
    def matrix(self, world, tickets):
        a = _attach(tickets[0], world.reporter_a)
        b = _attach(tickets[1], world.reporter_b)
        return Case(
            allowed=world.ent_user_a, denied=world.sysadmin, in_scope=a, out_of_scope=b, marker=lambda _: "%PDF-1.4"
        )

    def test_in_scope_is_200(self, client, matrix):
        client.force_login(matrix.allowed)
        response = client.get(self.url_for(matrix.in_scope))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content) == PDF


class TestProblemToTicket(PostMatrix):
    url_name = "tickets:problem_to_ticket"

    def effect(self, obj, matrix):
        ticket = Ticket.objects.get(from_problem=obj)
        assert (ticket.category, ticket.source, ticket.project_id) == ("power", "report", obj.report.project_id)

    @pytest.fixture
    def matrix(self, world, projects):
        problems = []
        for project in projects:
            report = make_report(project, date(2026, 9, 1), status="submitted")
            problems.append(
                ReportProblem.objects.create(report=report, category="电力", description=f"{project.name}需增容")
            )
        # an enterprise user may raise tickets but cannot read report problems
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=problems[0], out_of_scope=problems[1])

    def test_in_scope_is_200(self, client, matrix):
        super().test_in_scope_is_200(client, matrix)
        ticket = Ticket.objects.get(from_problem=matrix.in_scope)
        again = client.post(self.url_for(matrix.in_scope))  # once only: the same ticket again
        assert again["Location"] == ticket.get_absolute_url() and Ticket.objects.count() == 1


class TestTicketExport(ViewMatrix):
    url_name = "tickets:ticket_export"
    detail = False

    @pytest.fixture
    def matrix(self, world, tickets):
        # enterprise users hold no export permission (they see their tickets in the portal)
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=tickets[0],
            out_of_scope=tickets[1],
            marker=title,
        )

    def test_export_is_scoped_filtered_and_typed(self, client, world, tickets):
        from openpyxl import load_workbook

        evil = make_ticket(actor=world.reporter_a, project=tickets[0].project, title='=HYPERLINK("http://x")')
        advance(evil, TicketStatus.RESOLVED, office=world.office, lead_unit=world.unit_a)
        client.force_login(world.reporter_a)
        sheet = load_workbook(io.BytesIO(client.get(reverse(self.url_name)).content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("编号", "标题", "来源")
        titles = {r[1] for r in rows[1:]}
        assert titles == {"甲企业用地指标问题", '\'=HYPERLINK("http://x")'}  # scoped; formula neutralised
        row = next(r for r in rows[1:] if r[1] == "甲企业用地指标问题")
        assert row[4] == "待受理" and isinstance(row[6], int) and row[13].date() == tickets[0].response_due
        assert hasattr(row[10], "year")  # a real date-time cell
        filtered = load_workbook(io.BytesIO(client.get(reverse(self.url_name) + "?status=open").content)).active
        assert [r[1] for r in list(filtered.iter_rows(values_only=True))[1:]] == ["甲企业用地指标问题"]


# --- the pool ---------------------------------------------------------------------------------------------------


def test_list_filters_and_badges(client, world, projects, tickets):
    overdue = make_ticket(actor=world.reporter_a, project=projects[0], title="超期的征迁问题", category="demolition")
    Ticket.objects.filter(pk=overdue.pk).update(
        resolution_due=timezone.localdate() - timedelta(days=3),
        response_due=timezone.localdate() - timedelta(days=5),
        escalation_level=2,
    )
    closed = advance(
        make_ticket(actor=world.reporter_a, project=projects[0], title="已销号的问题"),
        TicketStatus.CLOSED,
        office=world.office,
        lead_unit=world.unit_b,
    )
    client.force_login(world.office)
    url = reverse("tickets:ticket_list")
    page = client.get(url).content.decode()
    assert "超期的征迁问题" in page and "已超期" in page and "升级L2" in page
    page = client.get(url + "?status=overdue").content.decode()
    assert "超期的征迁问题" in page and "甲企业用地指标问题" not in page
    page = client.get(url + "?status=open").content.decode()
    assert "已销号的问题" not in page and "乙企业电力增容问题" in page
    page = client.get(url + "?status=closed").content.decode()
    assert "已销号的问题" in page and "超期的征迁问题" not in page
    page = client.get(url + "?category=demolition").content.decode()
    assert "超期的征迁问题" in page and "已销号的问题" not in page
    page = client.get(url + f"?lead_unit={world.unit_b.pk}").content.decode()
    assert "已销号的问题" in page and "超期的征迁问题" not in page
    page = client.get(url + "?q=乙街道工单项目").content.decode()
    assert "乙企业电力增容问题" in page and "甲企业用地指标问题" not in page
    page = client.get(url + f"?q={closed.number}").content.decode()
    assert "已销号的问题" in page and "超期的征迁问题" not in page
    partial = client.get(url + "?status=overdue", HTTP_HX_REQUEST="true").content.decode()
    assert "超期的征迁问题" in partial and "<html" not in partial and 'id="tj-ticket-table"' in partial


def test_enterprise_list_has_no_unit_filter(client, world, tickets):
    client.force_login(world.ent_user_a)
    page = client.get(reverse("tickets:ticket_list")).content.decode()
    assert "我的诉求" in page and 'name="lead_unit"' not in page and "tj-ticket-export" not in page
    client.force_login(world.office)
    page = client.get(reverse("tickets:ticket_list")).content.decode()
    assert 'name="lead_unit"' in page and "tj-ticket-export" in page


def test_list_query_count_does_not_grow(client, world, projects):
    def add(n):
        for i in range(n):
            t = make_ticket(actor=world.reporter_a, project=projects[i % 2], title=f"批量工单{i}")
            if i % 3 == 0:
                advance(t, TicketStatus.ASSIGNED, office=world.office, lead_unit=world.unit_a)

    client.force_login(world.office)
    url = reverse("tickets:ticket_list")
    add(5)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add(35)
    assert Ticket.objects.count() == 40
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200 and response.content.decode().count("data-ticket=") == 40
    assert len(large.captured_queries) == len(small.captured_queries)


# --- raising ----------------------------------------------------------------------------------------------------


def test_unit_raises_through_the_page(client, world, projects):
    client.force_login(world.reporter_a)
    url = reverse("tickets:ticket_add")
    page = client.get(url).content.decode()
    assert "甲街道工单项目" in page and "乙街道工单项目" not in page  # only projects in scope
    assert "甲企业有限公司" in page  # enterprises of the district may be chosen
    form = {"source": "meeting", "category": "land", "title": "用地报批卡在省厅", "description": "土地组卷已上报两个月"}
    response = client.post(url, form)
    assert response.status_code == 200 and not Ticket.objects.exists()
    page = response.content.decode()
    assert "请选择项目或企业。" in page and "用地报批卡在省厅" in page and "土地组卷已上报两个月" in page  # input kept
    response = client.post(url, dict(form, title=""))
    assert "该字段是必填项" in response.content.decode()
    response = client.post(url, dict(form, project=projects[1].pk))  # out of scope
    assert response.status_code == 200 and not Ticket.objects.exists()
    response = client.post(url, dict(form, project=projects[0].pk))
    ticket = Ticket.objects.get()
    assert response["Location"] == ticket.get_absolute_url()
    assert ticket.source == "meeting" and ticket.raised_unit == world.unit_a and ticket.enterprise == world.enterprise_a


def test_enterprise_portal(client, world, projects):
    own = make_project(
        unit=world.unit_b, actor=world.office, name="甲企业二期项目", owner_enterprise=world.enterprise_a
    )
    client.force_login(world.ent_user_a)
    url = reverse("tickets:ticket_add")
    page = client.get(url).content.decode()
    assert "提出诉求" in page and 'name="enterprise"' not in page and 'name="source"' not in page
    assert "甲街道工单项目" in page and "甲企业二期项目" in page and "乙街道工单项目" not in page
    form = {"category": "power", "title": "用电增容", "description": "新生产线需增容至2000千伏安"}
    bad = client.post(url, dict(form, attachment=SimpleUploadedFile("报告.pdf", b"MZ\x90\x00binary")))
    assert bad.status_code == 200 and "不支持的文件类型" in bad.content.decode() and not Ticket.objects.exists()
    assert "新生产线需增容至2000千伏安" in bad.content.decode()
    response = client.post(url, dict(form, project=own.pk, attachment=SimpleUploadedFile("报告.pdf", PDF)))
    ticket = Ticket.objects.get()
    assert response["Location"] == ticket.get_absolute_url()
    assert ticket.enterprise == world.enterprise_a and ticket.source == "enterprise" and ticket.project == own
    attachment = ticket.attachments.get()
    assert attachment.original_name == "报告.pdf" and attachment.content_type == "application/pdf"
    # the unit responsible for the project sees it; the other enterprise does not
    client.force_login(world.reporter_b)
    assert client.get(ticket.get_absolute_url()).status_code == 200
    client.force_login(world.ent_user_b)
    assert client.get(ticket.get_absolute_url()).status_code == 404


def test_leader_raising_for_an_enterprise_is_redirected_to_the_list(client, world):
    client.force_login(world.sponsor)
    response = client.post(
        reverse("tickets:ticket_add"),
        {
            "source": "leader",
            "enterprise": world.enterprise_b.pk,
            "category": "other",
            "title": "走访发现的问题",
            "description": "企业反映融资难",
        },
    )
    ticket = Ticket.objects.get()
    assert ticket.raised_by == world.sponsor and ticket.enterprise == world.enterprise_b
    # a 包联领导 sees the tickets of sponsored projects only: the page says it was sent, without a 404
    assert response["Location"] == reverse("tickets:ticket_list")


# --- the detail page and its actions ----------------------------------------------------------------------------


def _post(client, ticket, **data):
    ticket.refresh_from_db()
    data.setdefault("version", ticket.version)
    return client.post(reverse("tickets:ticket_action", args=[ticket.pk]), data, follow=True)


def test_actions_are_shown_only_to_who_may_act(client, world, tickets):
    ticket = tickets[0]
    client.force_login(world.office)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'id="tj-accept"' in page and 'id="tj-assign"' in page and 'id="tj-start"' not in page
    client.force_login(world.reporter_a)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'id="tj-accept"' not in page and 'id="tj-assign"' not in page
    advance(ticket, TicketStatus.ASSIGNED, office=world.office, lead_unit=world.unit_a)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'id="tj-start"' in page and 'id="tj-resolve"' in page and 'id="tj-return"' in page
    assert 'id="tj-transfer"' not in page and 'id="tj-unresolvable"' not in page
    client.force_login(world.ent_user_a)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'id="tj-start"' not in page and 'id="tj-rate"' not in page
    advance(ticket, TicketStatus.RESOLVED, office=world.office, lead_unit=world.unit_a)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'id="tj-rate"' in page and 'id="tj-close"' not in page  # raised by the unit: the unit closes it
    client.force_login(world.reporter_a)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert 'id="tj-close"' in page and 'id="tj-rate"' not in page


def test_workflow_through_the_action_endpoint(client, world, tickets):
    ticket = tickets[0]
    client.force_login(world.office)
    assert "已受理" in _post(client, ticket, action="accept").content.decode()
    page = _post(client, ticket, action="assign", lead_unit=world.unit_a.pk, co_units=[world.unit_b.pk]).content
    assert "已交办至 甲街道办事处" in page.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ASSIGNED and list(ticket.co_units.all()) == [world.unit_b]
    client.force_login(world.reporter_a)
    _post(client, ticket, action="start")
    page = _post(client, ticket, action="resolve", result="").content.decode()
    assert "请填写办理结果。" in page  # the service's message
    page = _post(client, ticket, action="resolve", result="已完成用地报批").content.decode()
    assert "已办结" in page and "已完成用地报批" in page
    page = _post(client, ticket, action="close").content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and "已销号" in page
    assert [e for e in ticket.events.values_list("type", flat=True)] == [
        "raised",
        "accepted",
        "assigned",
        "started",
        "resolved",
        "closed",
    ]


def test_action_errors(client, world, tickets):
    ticket = tickets[0]
    client.force_login(world.office)
    stale = ticket.version
    _post(client, ticket, action="accept")
    page = _post(client, ticket, action="assign", lead_unit=world.unit_a.pk, version=stale).content.decode()
    assert "该工单刚被他人处理" in page
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.PENDING
    assert "请选择牵头单位" in _post(client, ticket, action="assign").content.decode()
    assert "请求无效" in _post(client, ticket, action="explode").content.decode()
    assert "请求无效" in _post(client, ticket, action="accept", version="x").content.decode()
    client.force_login(world.reporter_a)  # a unit may not dispatch: 403, nothing written
    response = client.post(
        reverse("tickets:ticket_action", args=[ticket.pk]),
        {"action": "transfer", "version": 2, "lead_unit": world.unit_a.pk, "reason": "x"},
    )
    assert response.status_code == 403 and Ticket.objects.get(pk=ticket.pk).lead_unit is None
    client.force_login(world.ent_user_b)  # another enterprise: the ticket does not exist for it
    response = client.post(reverse("tickets:ticket_action", args=[ticket.pk]), {"action": "accept", "version": 2})
    assert response.status_code == 404


def test_unsatisfied_rating_through_the_page_reopens(client, world):
    ticket = make_ticket(actor=world.ent_user_a, enterprise=world.enterprise_a, title="污水管网接入")
    advance(ticket, TicketStatus.RESOLVED, office=world.office, lead_unit=world.unit_a, handler=world.reporter_a)
    client.force_login(world.ent_user_a)
    page = _post(client, ticket, action="rate", rating="unsatisfied").content.decode()
    assert "不满意" in page and Ticket.objects.get(pk=ticket.pk).status == TicketStatus.RESOLVED
    page = _post(client, ticket, action="rate", rating="unsatisfied", comment="仍未接通").content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS and ticket.reopen_count == 1
    assert "回访" in page and "仍未接通" in page and "办理中" in page and 'id="tj-rate"' not in page


def test_attachment_upload_on_the_detail_page(client, world, tickets):
    client.force_login(world.reporter_a)
    _post(client, tickets[0], action="attach", file=SimpleUploadedFile("现场.png", PDF))
    assert not TicketAttachment.objects.exists()  # a PDF named .png
    page = _post(client, tickets[0], action="attach", file=SimpleUploadedFile("批复.pdf", PDF)).content.decode()
    attachment = TicketAttachment.objects.get()
    assert "附件已上传" in page and reverse("tickets:ticket_attachment", args=[attachment.pk]) in page


# --- isolation between enterprises -----------------------------------------------------------------------------


def test_enterprise_b_never_sees_enterprise_a(client, world, projects):
    mine = make_ticket(actor=world.ent_user_a, enterprise=world.enterprise_a, title="甲企业的机密诉求")
    attachment = _attach(mine, world.ent_user_a)
    client.force_login(world.ent_user_b)
    assert "甲企业的机密诉求" not in client.get(reverse("tickets:ticket_list")).content.decode()
    assert "甲企业的机密诉求" not in client.get(reverse("tickets:ticket_list") + "?q=甲企业").content.decode()
    assert client.get(mine.get_absolute_url()).status_code == 404
    assert client.get(reverse("tickets:ticket_attachment", args=[attachment.pk])).status_code == 404
    assert client.get(reverse("tickets:ticket_export")).status_code == 403
    assert (
        client.post(reverse("tickets:ticket_action", args=[mine.pk]), {"action": "rate", "version": 1}).status_code
        == 404
    )
    client.force_login(world.ent_user_a)
    assert "甲企业的机密诉求" in client.get(reverse("tickets:ticket_list")).content.decode()
    assert client.get(reverse("tickets:ticket_attachment", args=[attachment.pk])).status_code == 200
