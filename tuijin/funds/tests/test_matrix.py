"""Permission matrix of every 争取上级资金 page (/funds/), every 纳统 page (/stats/) and every API route (/api/funds/)
(utilities/testing/matrix.py): anonymous → login / 401, no permission → 403, in scope → 200 with the object shown
(or the action done), out of scope → 404 or absent, with the control that a user who reaches the out-of-scope object
does get it.

Out of scope: for unit users the rows of 乙街道 (world.unit_b); for the district's offices and its 统计局 the rows of
the neighbouring district (world.foreign_unit, world.foreign_office). A funding batch is public within its district
(`scope_public`), so for every user the out-of-scope batch is the neighbouring district's."""

from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tuijin.funds import services
from tuijin.funds.choices import ApplicationStatus
from tuijin.funds.models import ApplicationFile, FundApplication, FundPayment, FundsSettings, StatsFigure
from tuijin.funds.stats_excel import HEADERS
from tuijin.org.choices import Role
from tuijin.utilities.excel import workbook_bytes
from tuijin.utilities.testing.matrix import ApiMatrix, ApiPostMatrix, Case, PostMatrix, ViewMatrix
from tuijin.utilities.testing.world import make_user

from .test_services import apply, bureau, coded, complete, drive, figure, last_month, pdf, today, window

pytestmark = pytest.mark.django_db

D = Decimal
MONTH = "month"  # query key of the 纳统 pages


def month_value() -> str:
    return last_month().strftime("%Y-%m")


@pytest.fixture
def foreign_reporter(world):
    return make_user("foreign_reporter", role=Role.UNIT_REPORTER, unit=world.foreign_unit)


@pytest.fixture
def tongji(world):
    return bureau(world.office_unit)


@pytest.fixture
def far_tongji(world):
    return bureau(world.foreign_unit, "far_tongji")


@pytest.fixture
def projects(world):
    """甲 and 乙 of this district, one of the neighbouring district."""
    return (
        coded(world.unit_a, "甲街道资金项目"),
        coded(world.unit_b, "乙街道资金项目"),
        coded(world.foreign_unit, "邻区资金项目"),
    )


@pytest.fixture
def batches(world):
    return window(world.office, "本区市级专项第一批"), window(world.foreign_office, "邻区市级专项第一批")


@pytest.fixture
def apps(world, projects, batches, foreign_reporter):
    """甲's and 乙's applications to the district's batch, and one of the neighbouring district (all 编制)."""
    a = apply(world.reporter_a, projects[0], batches[0])
    b = apply(world.reporter_b, projects[1], batches[0])
    foreign = apply(foreign_reporter, projects[2], batches[1])
    return a, b, foreign


def at(world, foreign_reporter, apps, status):
    """The three applications moved to `status` through the services."""
    a, b, foreign = apps
    return (
        drive(a, world.reporter_a, world.office, status),
        drive(b, world.reporter_b, world.office, status),
        drive(foreign, foreign_reporter, world.foreign_office, status),
    )


@pytest.fixture
def figures(world, projects, tongji, far_tongji):
    """Last month's 统计口径 figures (0 and 入库: each row carries the 入库后零投资 alert), not submitted."""
    return (
        figure(tongji, projects[0], "0", note="甲街道统计说明"),
        figure(tongji, projects[1], "0", note="乙街道统计说明"),
        figure(far_tongji, projects[2], "0", note="邻区统计说明"),
    )


def name(obj) -> str:
    return obj.name


def number(obj) -> str:
    return obj.number


def project_name(obj) -> str:
    return obj.project.name


def unit_name(obj) -> str:
    return obj.project.responsible_unit.name


def note(obj) -> str:
    return obj.note


# -- funding windows ------------------------------------------------------------------------------------------------


class TestBatchList(ViewMatrix):
    url_name = "funds:batch_list"
    detail = False

    @pytest.fixture
    def matrix(self, world, batches):
        # the district's batches are public within it: a unit sees the office's batch, not the neighbour's
        return Case(
            allowed=world.reporter_a, denied=world.sysadmin, in_scope=batches[0], out_of_scope=batches[1], marker=name
        )


class TestBatch(ViewMatrix):
    url_name = "funds:batch"

    @pytest.fixture
    def matrix(self, world, batches):
        return Case(
            allowed=world.reporter_a, denied=world.ent_user_a, in_scope=batches[0], out_of_scope=batches[1], marker=name
        )


class TestBatchForOffice(ViewMatrix):
    url_name = "funds:batch"

    @pytest.fixture
    def matrix(self, world, batches):
        return Case(
            allowed=world.office,
            denied=world.sysadmin,
            in_scope=batches[0],
            out_of_scope=batches[1],
            marker=name,
            viewer=world.foreign_office,
        )


class TestBatchAdd(ViewMatrix):
    url_name = "funds:batch_add"
    detail = False
    scoped = False
    unscoped_reason = "an empty form; the organiser offered is the office's own unit (test_views)"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a)


class TestBatchEdit(ViewMatrix):
    url_name = "funds:batch_edit"

    @pytest.fixture
    def matrix(self, world, batches):
        # a unit reads the batch but may not change it
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=batches[0],
            out_of_scope=batches[1],
            marker=name,
            viewer=world.foreign_office,
        )


# -- applications ---------------------------------------------------------------------------------------------------


class TestApplicationList(ViewMatrix):
    url_name = "funds:application_list"
    detail = False

    @pytest.fixture
    def matrix(self, world, apps):
        return Case(
            allowed=world.reporter_a, denied=world.sysadmin, in_scope=apps[0], out_of_scope=apps[1], marker=number
        )


class TestApplicationListForOffice(ViewMatrix):
    url_name = "funds:application_list"
    detail = False

    @pytest.fixture
    def matrix(self, world, apps):
        return Case(
            allowed=world.office, denied=world.ent_user_a, in_scope=apps[1], out_of_scope=apps[2], marker=number
        )


class TestApplicationExport(ViewMatrix):
    url_name = "funds:application_export"
    detail = False

    @pytest.fixture
    def matrix(self, world, apps):
        # a unit reads its applications but may not export
        return Case(
            allowed=world.office, denied=world.reporter_a, in_scope=apps[0], out_of_scope=apps[2], marker=number
        )


class TestApplicationAdd(ViewMatrix):
    """发起申报 for ?batch=&project=: a project out of the unit's scope is 404."""

    url_name = "funds:application_add"

    def url_for(self, obj=None):
        return reverse(self.url_name) + f"?batch={self.batch.pk}&project={obj.pk}"

    @pytest.fixture
    def matrix(self, world, projects, batches):
        self.batch = batches[0]
        # the leader in charge reads applications but does not prepare them
        return Case(
            allowed=world.reporter_a,
            denied=world.sponsor,
            in_scope=projects[0],
            out_of_scope=projects[1],
            marker=name,
            viewer=world.reporter_b,
        )


class TestApplicationAddForeignBatch(ViewMatrix):
    """…and a batch of another district is 404 too."""

    url_name = "funds:application_add"

    def url_for(self, obj=None):
        return reverse(self.url_name) + f"?batch={obj.pk}&project={self.project.pk}"

    @pytest.fixture
    def matrix(self, world, projects, batches):
        self.project = projects[0]
        return Case(
            allowed=world.office, denied=world.sponsor, in_scope=batches[0], out_of_scope=batches[1], marker=name
        )


class TestApplication(ViewMatrix):
    url_name = "funds:application"

    @pytest.fixture
    def matrix(self, world, apps):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=apps[0],
            out_of_scope=apps[1],
            marker=number,
            viewer=world.reporter_b,
        )


class TestApplicationForOffice(ViewMatrix):
    url_name = "funds:application"

    @pytest.fixture
    def matrix(self, world, apps):
        return Case(
            allowed=world.office,
            denied=world.sysadmin,
            in_scope=apps[1],
            out_of_scope=apps[2],
            marker=number,
            viewer=world.foreign_office,
        )


class TestApplicationUpload(PostMatrix):
    url_name = "funds:application_upload"

    def data(self, obj, matrix):
        return {"doc_key": "application_report", "file": pdf(f"report-{obj.pk}")}

    def effect(self, obj, matrix):
        assert ApplicationFile.objects.filter(application_id=obj.pk, doc_key="application_report").count() == 1

    @pytest.fixture
    def matrix(self, world, apps):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=apps[0],
            out_of_scope=apps[1],
            viewer=world.reporter_b,
        )


class TestApplicationFile(ViewMatrix):
    url_name = "funds:application_file"

    def marker_for(self, case, obj):
        return obj.original_name.removesuffix(".pdf")

    @pytest.fixture
    def matrix(self, world, apps):
        a = services.application_file_add(
            actor=world.reporter_a, application=apps[0], doc_key="application_report", uploaded=pdf("file-of-a")
        )
        b = services.application_file_add(
            actor=world.reporter_b, application=apps[1], doc_key="application_report", uploaded=pdf("file-of-b")
        )
        return Case(
            allowed=world.reporter_a, denied=world.ent_user_a, in_scope=a, out_of_scope=b, viewer=world.reporter_b
        )


class _Act(PostMatrix):
    action = ""

    def url_for(self, obj=None):
        return reverse(self.url_name, args=[obj.pk, self.action])

    def status(self, obj) -> str:
        row = FundApplication.objects.get(pk=obj.pk)
        return row.status


class TestActSubmit(_Act):
    url_name = "funds:application_act"
    action = "submit"

    def data(self, obj, matrix):
        return {"version": obj.version, "note": "请审核"}

    def effect(self, obj, matrix):
        assert self.status(obj) == ApplicationStatus.DISTRICT_REVIEW

    @pytest.fixture
    def matrix(self, world, apps):
        a = complete(world.reporter_a, apps[0])
        b = complete(world.reporter_b, apps[1])
        return Case(
            allowed=world.reporter_a, denied=world.ent_user_a, in_scope=a, out_of_scope=b, viewer=world.reporter_b
        )


class TestActForward(_Act):
    url_name = "funds:application_act"
    action = "forward"

    def data(self, obj, matrix):
        return {"version": obj.version}

    def effect(self, obj, matrix):
        assert self.status(obj) == ApplicationStatus.CITY

    @pytest.fixture
    def matrix(self, world, apps, foreign_reporter):
        a, _b, foreign = at(world, foreign_reporter, apps, ApplicationStatus.DISTRICT_REVIEW)
        # the unit reads its application but does not forward it
        return Case(
            allowed=world.office, denied=world.reporter_a, in_scope=a, out_of_scope=foreign, viewer=world.foreign_office
        )


class TestActReturn(_Act):
    url_name = "funds:application_act"
    action = "return"

    def data(self, obj, matrix):
        return {"version": obj.version, "reason": "请补充绩效目标"}

    def effect(self, obj, matrix):
        assert self.status(obj) == ApplicationStatus.DRAFTING
        assert FundApplication.objects.get(pk=obj.pk).events.last().note == "请补充绩效目标"

    @pytest.fixture
    def matrix(self, world, apps, foreign_reporter):
        a, _b, foreign = at(world, foreign_reporter, apps, ApplicationStatus.DISTRICT_REVIEW)
        return Case(
            allowed=world.office, denied=world.reporter_a, in_scope=a, out_of_scope=foreign, viewer=world.foreign_office
        )


class TestActDecide(_Act):
    url_name = "funds:application_act"
    action = "decide"

    def data(self, obj, matrix):
        return {
            "version": obj.version,
            "outcome": "approved",
            "amount": "60",
            "approval_doc": "豫发改投资〔2026〕88号",
            "approval_date": today().isoformat(),
        }

    def effect(self, obj, matrix):
        row = FundApplication.objects.get(pk=obj.pk)
        assert row.status == ApplicationStatus.APPROVED and row.approved_amount == D("60")

    @pytest.fixture
    def matrix(self, world, apps, foreign_reporter):
        a, _b, foreign = at(world, foreign_reporter, apps, ApplicationStatus.CITY)
        return Case(
            allowed=world.office, denied=world.reporter_a, in_scope=a, out_of_scope=foreign, viewer=world.foreign_office
        )


class TestActArrival(_Act):
    url_name = "funds:application_act"
    action = "arrival"

    def data(self, obj, matrix):
        return {"version": obj.version, "arrived_on": today().isoformat()}

    def effect(self, obj, matrix):
        assert FundApplication.objects.get(pk=obj.pk).arrived_on == today()

    @pytest.fixture
    def matrix(self, world, apps, foreign_reporter):
        a, _b, foreign = at(world, foreign_reporter, apps, ApplicationStatus.APPROVED)
        return Case(
            allowed=world.office, denied=world.reporter_a, in_scope=a, out_of_scope=foreign, viewer=world.foreign_office
        )


class TestActWithdraw(_Act):
    url_name = "funds:application_act"
    action = "withdraw"

    def data(self, obj, matrix):
        return {"version": obj.version, "reason": "改报下一批次"}

    def effect(self, obj, matrix):
        assert self.status(obj) == ApplicationStatus.WITHDRAWN

    @pytest.fixture
    def matrix(self, world, apps):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=apps[0],
            out_of_scope=apps[1],
            viewer=world.reporter_b,
        )


class TestActPay(_Act):
    url_name = "funds:application_act"
    action = "pay"

    def data(self, obj, matrix):
        return {"version": obj.version, "paid_on": today().isoformat(), "amount": "20", "note": "首笔"}

    def effect(self, obj, matrix):
        assert FundPayment.objects.filter(application_id=obj.pk, amount=D("20")).count() == 1

    @pytest.fixture
    def matrix(self, world, apps, foreign_reporter):
        a, _b, foreign = at(world, foreign_reporter, apps, ApplicationStatus.APPROVED)
        return Case(
            allowed=world.office, denied=world.reporter_a, in_scope=a, out_of_scope=foreign, viewer=world.foreign_office
        )


# -- 谋划/入库, 资金统计, settings -------------------------------------------------------------------------------------


class TestPrep(ViewMatrix):
    url_name = "funds:prep"

    @pytest.fixture
    def matrix(self, world, projects):
        # the leader in charge reads the record but does not edit it
        return Case(
            allowed=world.reporter_a,
            denied=world.sponsor,
            in_scope=projects[0],
            out_of_scope=projects[1],
            marker=name,
            viewer=world.reporter_b,
        )


class TestKpis(ViewMatrix):
    url_name = "funds:kpis"
    detail = False

    @pytest.fixture
    def matrix(self, world, apps):
        return Case(
            allowed=world.reporter_a, denied=world.sysadmin, in_scope=apps[0], out_of_scope=apps[1], marker=unit_name
        )


class TestKpisForOffice(ViewMatrix):
    url_name = "funds:kpis"
    detail = False

    @pytest.fixture
    def matrix(self, world, apps):
        return Case(
            allowed=world.office, denied=world.sysadmin, in_scope=apps[1], out_of_scope=apps[2], marker=unit_name
        )


class TestSettings(ViewMatrix):
    url_name = "funds:settings"
    detail = False
    scoped = False
    unscoped_reason = "one row of thresholds for the whole installation, not a unit's or a district's"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a)


# -- 纳统 pages ---------------------------------------------------------------------------------------------------


class _StatsPage(ViewMatrix):
    detail = False

    def url_for(self, obj=None):
        return reverse(self.url_name) + f"?month={month_value()}"


class TestStatsMonth(_StatsPage):
    url_name = "stats:month"

    @pytest.fixture
    def matrix(self, world, figures):
        return Case(
            allowed=world.reporter_a,
            denied=world.sysadmin,
            in_scope=figures[0],
            out_of_scope=figures[1],
            marker=project_name,
        )


class TestStatsMonthForBureau(_StatsPage):
    url_name = "stats:month"

    @pytest.fixture
    def matrix(self, world, figures, tongji):
        return Case(
            allowed=tongji, denied=world.ent_user_a, in_scope=figures[1], out_of_scope=figures[2], marker=project_name
        )


class TestStatsAlerts(_StatsPage):
    url_name = "stats:alerts"

    @pytest.fixture
    def matrix(self, world, figures, tongji):
        return Case(
            allowed=tongji, denied=world.sysadmin, in_scope=figures[0], out_of_scope=figures[2], marker=project_name
        )


class TestStatsTemplate(_StatsPage):
    url_name = "stats:template"

    @pytest.fixture
    def matrix(self, world, figures, tongji):
        # a unit reads the figures but does not enter them
        return Case(
            allowed=tongji, denied=world.reporter_a, in_scope=figures[0], out_of_scope=figures[2], marker=project_name
        )


class TestStatsImport(ViewMatrix):
    url_name = "stats:import"
    detail = False
    scoped = False
    unscoped_reason = "the upload form; each uploaded row is checked against the bureau's scope (test_stats_excel)"

    @pytest.fixture
    def matrix(self, world, tongji):
        return Case(allowed=tongji, denied=world.reporter_a)


class TestStatsImportApply(PostMatrix):
    """确认导入 applies the preview kept in the session: the fetch uploads the file, then confirms."""

    url_name = "stats:import_apply"
    detail = False
    scoped = False
    unscoped_reason = "it writes the rows previewed in the user's session, checked against the scope at upload"

    def fetch(self, client, matrix, obj):
        book = openpyxl.Workbook()
        book.active.append(HEADERS)
        book.active.append([obj.code, obj.name, 321, "是", "导入"])
        upload = SimpleUploadedFile("s.xlsx", workbook_bytes(book))
        month = month_value()
        preview = client.post(reverse("stats:import") + f"?month={month}", {"month": month, "file": upload})
        token = preview.context.get("token", "") if preview.status_code == 200 and preview.context else ""
        return client.post(self.url_for(obj), {"token": token})

    def effect(self, obj, matrix):
        assert StatsFigure.objects.get(project_id=obj.pk, month=last_month()).stats_investment == D("321")

    @pytest.fixture
    def matrix(self, world, projects, tongji):
        return Case(allowed=tongji, denied=world.reporter_a, in_scope=projects[0])


class TestStatsSave(PostMatrix):
    url_name = "stats:save"

    def url_for(self, obj=None):
        return reverse(self.url_name) + f"?month={month_value()}"

    def data(self, obj, matrix):
        return {"project": obj.pk, "stats_investment": "123", "in_database": "on", "note": "联网直报"}

    def effect(self, obj, matrix):
        assert StatsFigure.objects.get(project_id=obj.pk, month=last_month()).stats_investment == D("123")

    @pytest.fixture
    def matrix(self, world, projects, tongji, far_tongji):
        return Case(
            allowed=tongji, denied=world.ent_user_a, in_scope=projects[0], out_of_scope=projects[2], viewer=far_tongji
        )


class TestStatsSubmit(PostMatrix):
    url_name = "stats:submit"

    def data(self, obj, matrix):
        return {"version": obj.version}

    def effect(self, obj, matrix):
        assert StatsFigure.objects.get(pk=obj.pk).submitted_at is not None

    @pytest.fixture
    def matrix(self, world, figures, tongji, far_tongji):
        return Case(
            allowed=tongji, denied=world.ent_user_a, in_scope=figures[0], out_of_scope=figures[2], viewer=far_tongji
        )


class TestStatsSubmitAll(PostMatrix):
    url_name = "stats:submit_all"
    detail = False

    def data(self, obj, matrix):
        return {"month": month_value()}

    def effect(self, obj, matrix):
        assert StatsFigure.objects.get(pk=obj.pk).submitted_at is not None

    @pytest.fixture
    def matrix(self, world, figures, tongji, far_tongji):
        # a unit reads the figures but does not submit them
        return Case(
            allowed=tongji, denied=world.reporter_a, in_scope=figures[0], out_of_scope=figures[2], viewer=far_tongji
        )


class TestStatsProject(ViewMatrix):
    url_name = "stats:project"

    @pytest.fixture
    def matrix(self, world, projects, figures):
        return Case(
            allowed=world.reporter_a,
            denied=world.sysadmin,
            in_scope=projects[0],
            out_of_scope=projects[1],
            marker=name,
            viewer=world.reporter_b,
        )


# -- API ------------------------------------------------------------------------------------------------------------


class TestApiBatchList(ApiMatrix):
    url_name = "funds-api:batch-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, batches):
        return Case(
            allowed=world.reporter_a, denied=world.sysadmin, in_scope=batches[0], out_of_scope=batches[1], marker=name
        )


class TestApiBatchDetail(ApiMatrix):
    url_name = "funds-api:batch-detail"

    @pytest.fixture
    def matrix(self, world, batches):
        return Case(
            allowed=world.reporter_a, denied=world.norole, in_scope=batches[0], out_of_scope=batches[1], marker=name
        )


class TestApiApplicationList(ApiMatrix):
    url_name = "funds-api:application-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, apps):
        return Case(
            allowed=world.reporter_a, denied=world.sysadmin, in_scope=apps[0], out_of_scope=apps[1], marker=number
        )


class TestApiApplicationDetail(ApiMatrix):
    url_name = "funds-api:application-detail"

    @pytest.fixture
    def matrix(self, world, apps):
        return Case(allowed=world.office, denied=world.norole, in_scope=apps[0], out_of_scope=apps[2], marker=number)


class _ApiAct(ApiPostMatrix):
    def status(self, obj) -> str:
        return FundApplication.objects.get(pk=obj.pk).status

    def assert_succeeded(self, response):
        super().assert_succeeded(response)
        assert response["ETag"] == f'"{response.json()["version"]}"'


class TestApiAdvance(_ApiAct):
    url_name = "funds-api:application-advance"

    def data(self, obj, matrix):
        return {"version": obj.version, "note": "接口提交"}

    def effect(self, obj, matrix):
        assert self.status(obj) == ApplicationStatus.DISTRICT_REVIEW

    @pytest.fixture
    def matrix(self, world, apps):
        a = complete(world.reporter_a, apps[0])
        b = complete(world.reporter_b, apps[1])
        return Case(allowed=world.reporter_a, denied=world.norole, in_scope=a, out_of_scope=b, viewer=world.reporter_b)


class TestApiSendBack(_ApiAct):
    url_name = "funds-api:application-send-back"

    def data(self, obj, matrix):
        return {"version": obj.version, "reason": "接口退回"}

    def effect(self, obj, matrix):
        assert self.status(obj) == ApplicationStatus.DRAFTING

    @pytest.fixture
    def matrix(self, world, apps, foreign_reporter):
        a, _b, foreign = at(world, foreign_reporter, apps, ApplicationStatus.DISTRICT_REVIEW)
        # the unit reads its application (no 404) but may not return it: the service's 403
        return Case(
            allowed=world.office, denied=world.reporter_a, in_scope=a, out_of_scope=foreign, viewer=world.foreign_office
        )


class TestApiWithdraw(_ApiAct):
    url_name = "funds-api:application-withdraw"

    def data(self, obj, matrix):
        return {"version": obj.version, "reason": "接口撤回"}

    def effect(self, obj, matrix):
        assert self.status(obj) == ApplicationStatus.WITHDRAWN

    @pytest.fixture
    def matrix(self, world, apps):
        return Case(
            allowed=world.reporter_a,
            denied=world.norole,
            in_scope=apps[0],
            out_of_scope=apps[1],
            viewer=world.reporter_b,
        )


class TestApiDecide(_ApiAct):
    url_name = "funds-api:application-decide"

    def data(self, obj, matrix):
        return {"version": obj.version, "approved": False, "reason": "接口登记未入选"}

    def effect(self, obj, matrix):
        assert self.status(obj) == ApplicationStatus.REJECTED

    @pytest.fixture
    def matrix(self, world, apps, foreign_reporter):
        a, _b, foreign = at(world, foreign_reporter, apps, ApplicationStatus.NATIONAL)
        return Case(
            allowed=world.office, denied=world.reporter_a, in_scope=a, out_of_scope=foreign, viewer=world.foreign_office
        )


class TestApiPay(_ApiAct):
    url_name = "funds-api:application-pay"

    def data(self, obj, matrix):
        return {"paid_on": today().isoformat(), "amount": "15.50"}

    def effect(self, obj, matrix):
        assert FundPayment.objects.filter(application_id=obj.pk, amount=D("15.50")).count() == 1

    @pytest.fixture
    def matrix(self, world, apps, foreign_reporter):
        a, _b, foreign = at(world, foreign_reporter, apps, ApplicationStatus.APPROVED)
        return Case(
            allowed=world.office, denied=world.reporter_a, in_scope=a, out_of_scope=foreign, viewer=world.foreign_office
        )


@pytest.fixture
def preps(world, projects):
    a = services.prep_save(actor=world.reporter_a, project=projects[0], version=None, data={"note": "甲街道谋划说明"})
    b = services.prep_save(actor=world.reporter_b, project=projects[1], version=None, data={"note": "乙街道谋划说明"})
    return a, b


class TestApiPrepList(ApiMatrix):
    url_name = "funds-api:prep-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, preps):
        return Case(
            allowed=world.reporter_a, denied=world.sysadmin, in_scope=preps[0], out_of_scope=preps[1], marker=note
        )


class TestApiPrepDetail(ApiMatrix):
    url_name = "funds-api:prep-detail"

    @pytest.fixture
    def matrix(self, world, preps):
        return Case(
            allowed=world.reporter_a,
            denied=world.norole,
            in_scope=preps[0],
            out_of_scope=preps[1],
            marker=note,
            viewer=world.reporter_b,
        )


class TestApiStatsList(ApiMatrix):
    url_name = "funds-api:stats-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, figures):
        return Case(
            allowed=world.reporter_a, denied=world.sysadmin, in_scope=figures[0], out_of_scope=figures[1], marker=note
        )


class TestApiStatsDetail(ApiMatrix):
    url_name = "funds-api:stats-detail"

    @pytest.fixture
    def matrix(self, world, figures, tongji, far_tongji):
        return Case(
            allowed=tongji,
            denied=world.norole,
            in_scope=figures[0],
            out_of_scope=figures[2],
            marker=note,
            viewer=far_tongji,
        )


class TestApiStatsSubmit(ApiPostMatrix):
    url_name = "funds-api:stats-submit"

    def data(self, obj, matrix):
        return {"version": obj.version}

    def effect(self, obj, matrix):
        assert StatsFigure.objects.get(pk=obj.pk).submitted_at is not None

    @pytest.fixture
    def matrix(self, world, figures, tongji, far_tongji):
        # a unit reads the figure (no 404) but may not submit it: the service's 403
        return Case(
            allowed=tongji, denied=world.reporter_a, in_scope=figures[0], out_of_scope=figures[2], viewer=far_tongji
        )


def test_the_settings_row_is_global(client, world):
    """The ground for TestSettings' scoped = False: the neighbouring district's office edits the same row."""
    services.settings_save(actor=world.office, version=None, data={"remind_days": 5})
    client.force_login(world.foreign_office)
    response = client.get(reverse("funds:settings"))
    assert response.status_code == 200
    assert response.context["settings_row"].pk == FundsSettings.current().pk
