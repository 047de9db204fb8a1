"""Permission matrix of every 政产学研 page (/chains/universities/) and API route (/api/chains/universities/,
resources/, cooperations/, match/) (utilities/testing/matrix.py).

No permission: an enterprise account (no 政产学研 permission at all), or a unit reporter for what only the 项目办 and
the 招商主管部门 do (keep the register, record cooperation). Resources and cooperation records belong to the district
(no unit), so their pages are not scoped; what is scoped are the 诉求 (tickets) they show: a 技术 诉求 of 乙街道 is not
listed for 甲街道's reporter (resource page, match page, cooperation list and export, API), a 诉求 out of scope named
in ?ticket= is 404 (match page, cooperation form, API match), and the district office cannot name the neighbouring
district's 诉求."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tuijin.chains import universities
from tuijin.chains.excel_universities import HEADERS
from tuijin.chains.models import Cooperation, University, UniversityResource
from tuijin.utilities.excel import workbook_bytes
from tuijin.utilities.testing.matrix import ApiMatrix, ApiPostMatrix, Case, PostMatrix, ViewMatrix

from .test_matching import node, resource, tech_ticket

pytestmark = pytest.mark.django_db

NOT_SCOPED = "resources and cooperation records belong to the district, not to a unit (the 诉求 they show are scoped)"


def name(obj) -> str:
    return obj.name


def number(ticket) -> str:
    return ticket.number


def ticket_number(cooperation) -> str:
    return cooperation.ticket.number


@pytest.fixture
def res(world):
    return resource()


@pytest.fixture
def gap(world):
    return node("光学元件", "光学薄膜, 镀膜, 智能传感器")


@pytest.fixture
def tickets(world, res):
    """Open 技术 诉求 that the resource fits: 甲街道's and 乙街道's."""
    return (
        tech_ticket(world.reporter_a, world.enterprise_a, title="甲企业光学薄膜工艺诉求"),
        tech_ticket(world.reporter_b, world.enterprise_b, title="乙企业光学薄膜工艺诉求"),
    )


@pytest.fixture
def foreign_ticket(world, res):
    return tech_ticket(world.foreign_office, world.foreign_enterprise, title="邻区企业光学薄膜诉求")


@pytest.fixture
def cooperations(world, res, tickets):
    """A cooperation record for each 诉求 (the office sees both)."""

    def record(ticket):
        return universities.cooperation_save(
            actor=world.office,
            data={
                "resource": res,
                "kind": "visit",
                "happened_on": timezone.localdate(),
                "ticket": ticket,
                "summary": "走访",
            },
        )

    return record(tickets[0]), record(tickets[1])


# -- the register ---------------------------------------------------------------------------------------------------


class TestResourceList(ViewMatrix):
    url_name = "chains:resource_list"
    detail = False
    scoped = False
    unscoped_reason = NOT_SCOPED

    @pytest.fixture
    def matrix(self, world, res):
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=res, marker=name)


class TestResource(ViewMatrix):
    url_name = "chains:resource"
    scoped = False
    unscoped_reason = NOT_SCOPED

    @pytest.fixture
    def matrix(self, world, res):
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=res, marker=name)


class TestResourcePageListsOnlyTicketsInScope(ViewMatrix):
    """The resource page lists the open 技术 诉求 it fits: 甲街道's, not 乙街道's."""

    url_name = "chains:resource"
    detail = False

    def url_for(self, obj=None):
        return reverse(self.url_name, args=[self.resource.pk])

    @pytest.fixture
    def matrix(self, world, res, tickets):
        self.resource = res
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=tickets[0],
            out_of_scope=tickets[1],
            marker=number,
            viewer=world.reporter_b,
        )


class TestResourceAdd(ViewMatrix):
    url_name = "chains:resource_add"
    detail = False
    scoped = False
    unscoped_reason = "an empty form"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a)


class TestResourceEdit(ViewMatrix):
    url_name = "chains:resource_edit"
    scoped = False
    unscoped_reason = NOT_SCOPED

    @pytest.fixture
    def matrix(self, world, res):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=res, marker=name)


class TestResourceExport(ViewMatrix):
    url_name = "chains:resource_export"
    detail = False
    scoped = False
    unscoped_reason = NOT_SCOPED

    @pytest.fixture
    def matrix(self, world, res):
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=res, marker=name)


class TestResourceTemplate(ViewMatrix):
    url_name = "chains:resource_template"
    detail = False
    scoped = False
    unscoped_reason = "a blank template (its notes list the universities, which every reader may see)"

    def marker_for(self, case, obj):
        return "新乡医学院"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=University.objects.first())


class TestResourceImport(ViewMatrix):
    url_name = "chains:resource_import"
    detail = False
    scoped = False
    unscoped_reason = "an upload form"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a)


def _upload() -> SimpleUploadedFile:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    book.active.append(["新乡学院", "实验室", "矩阵导入实验室", "", "光学薄膜", "", "", "", "", "是"])
    return SimpleUploadedFile("resources.xlsx", workbook_bytes(book))


class TestResourceImportApply(PostMatrix):
    """确认导入: the upload (same client) keeps the preview in the session; the confirmation writes it."""

    url_name = "chains:resource_import_apply"
    detail = False
    scoped = False
    unscoped_reason = "imports into the district's register; the preview is the user's own session"

    def fetch(self, client, matrix, obj):
        checked = client.post(reverse("chains:resource_import"), {"file": _upload()})
        token = checked.context.get("token", "") if checked.status_code == 200 and checked.context else ""
        return client.post(self.url_for(obj), {"token": token or "none"})

    def effect(self, obj, matrix):
        assert UniversityResource.objects.filter(name="矩阵导入实验室").exists()

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a)


# -- cooperation records --------------------------------------------------------------------------------------------


class TestCooperationList(ViewMatrix):
    """Both records are listed, but 乙街道's 诉求 is named only to those who may see it."""

    url_name = "chains:cooperation_list"
    detail = False

    @pytest.fixture
    def matrix(self, world, cooperations):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=cooperations[0],
            out_of_scope=cooperations[1],
            marker=ticket_number,
            viewer=world.reporter_b,
        )


class TestCooperationExport(ViewMatrix):
    url_name = "chains:cooperation_export"
    detail = False

    @pytest.fixture
    def matrix(self, world, cooperations):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=cooperations[0],
            out_of_scope=cooperations[1],
            marker=ticket_number,
            viewer=world.reporter_b,
        )


class TestCooperationAdd(ViewMatrix):
    """?ticket= prefills the form; the neighbouring district's 诉求 is 404 for this district's office."""

    url_name = "chains:cooperation_add"

    def url_for(self, obj=None):
        return reverse(self.url_name) + f"?ticket={obj.pk}"

    @pytest.fixture
    def matrix(self, world, tickets, foreign_ticket):
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=tickets[1],
            out_of_scope=foreign_ticket,
            marker=number,
            viewer=world.foreign_office,
        )


class TestCooperationEdit(ViewMatrix):
    url_name = "chains:cooperation_edit"
    scoped = False
    unscoped_reason = NOT_SCOPED

    def marker_for(self, case, obj):
        return obj.summary

    @pytest.fixture
    def matrix(self, world, cooperations):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=cooperations[0])


# -- matching -------------------------------------------------------------------------------------------------------


class TestMatchByTicket(ViewMatrix):
    url_name = "chains:match"

    def url_for(self, obj=None):
        return reverse(self.url_name) + f"?ticket={obj.pk}"

    @pytest.fixture
    def matrix(self, world, tickets):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=tickets[0],
            out_of_scope=tickets[1],
            marker=number,
            viewer=world.reporter_b,
        )


class TestMatchByNode(ViewMatrix):
    url_name = "chains:match"
    scoped = False
    unscoped_reason = "chain nodes belong to the district"

    def url_for(self, obj=None):
        return reverse(self.url_name) + f"?node={obj.pk}"

    @pytest.fixture
    def matrix(self, world, res, gap):
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=gap, marker=name)


class TestMatchPending(ViewMatrix):
    """Without a parameter: the 诉求 waiting for a cooperation, of the caller's scope only."""

    url_name = "chains:match"
    detail = False

    @pytest.fixture
    def matrix(self, world, tickets):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=tickets[0],
            out_of_scope=tickets[1],
            marker=number,
            viewer=world.reporter_b,
        )


# -- API ------------------------------------------------------------------------------------------------------------


class TestUniversityListApi(ApiMatrix):
    url_name = "chains-api:university-list"
    detail = False
    scoped = False
    unscoped_reason = "the district's universities"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=University.objects.first(), marker=name)


class TestUniversityDetailApi(ApiMatrix):
    url_name = "chains-api:university-detail"
    scoped = False
    unscoped_reason = "the district's universities"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=University.objects.first(), marker=name)


class TestResourceListApi(ApiMatrix):
    url_name = "chains-api:resource-list"
    detail = False
    scoped = False
    unscoped_reason = NOT_SCOPED

    @pytest.fixture
    def matrix(self, world, res):
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=res, marker=name)


class TestResourceDetailApi(ApiMatrix):
    url_name = "chains-api:resource-detail"
    scoped = False
    unscoped_reason = NOT_SCOPED

    @pytest.fixture
    def matrix(self, world, res):
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=res, marker=name)


class TestCooperationListApi(ApiMatrix):
    url_name = "chains-api:cooperation-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, cooperations):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=cooperations[0],
            out_of_scope=cooperations[1],
            marker=ticket_number,
            viewer=world.reporter_b,
        )


class TestCooperationDetailApi(ApiMatrix):
    url_name = "chains-api:cooperation-detail"
    scoped = False
    unscoped_reason = NOT_SCOPED + "; its 诉求 is hidden as in the list (test_universities_api)"

    def marker_for(self, case, obj):
        return obj.enterprise_name

    @pytest.fixture
    def matrix(self, world, cooperations):
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=cooperations[0])


class TestCooperationCreateApi(ApiPostMatrix):
    """POST a record for a 诉求: the district office cannot name the neighbouring district's 诉求."""

    url_name = "chains-api:cooperation-list"
    detail = False
    success_status = 201

    def data(self, obj, matrix):
        return {
            "resource": self.resource.pk,
            "kind": "visit",
            "happened_on": timezone.localdate().isoformat(),
            "ticket": obj.pk,
            "summary": "接口登记的走访",
        }

    def effect(self, obj, matrix):
        assert Cooperation.objects.filter(ticket_id=obj.pk, summary="接口登记的走访").exists()

    @pytest.fixture
    def matrix(self, world, res, tickets, foreign_ticket):
        self.resource = res
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=tickets[1],
            out_of_scope=foreign_ticket,
            viewer=world.foreign_office,
        )


class TestMatchApi(ApiMatrix):
    url_name = "chains-api:match"

    def url_for(self, obj=None):
        return reverse(self.url_name) + f"?ticket={obj.pk}"

    @pytest.fixture
    def matrix(self, world, tickets):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=tickets[0],
            out_of_scope=tickets[1],
            marker=number,
            viewer=world.reporter_b,
        )
