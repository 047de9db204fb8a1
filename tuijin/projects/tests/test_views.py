"""Project pages: a permission matrix for every URL, bounded queries, edit/conflict, bulk reassign, downloads."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tuijin.org.choices import Role
from tuijin.projects import services
from tuijin.projects.models import AnnualPlan, ApprovalItem, Attachment, ImportJob, PlanChange, Project
from tuijin.utilities.testing.matrix import Case, PostMatrix, ViewMatrix
from tuijin.utilities.testing.world import make_user

from .factories import make_project

D = Decimal


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()


@pytest.fixture
def projects(world):
    a = make_project(unit=world.unit_a, actor=world.office, name="甲街道光电产业园", sponsors=[world.leader_person])
    b = make_project(unit=world.unit_b, actor=world.office, name="乙街道智能装备项目")
    return a, b


@pytest.fixture
def foreign(world):
    """A project of the neighbouring district: out of the scope of every district-wide role."""
    return make_project(unit=world.foreign_unit, actor=world.foreign_office, name="邻区新材料产业园")


def marker(p):
    return p.name


class TestProjectList(ViewMatrix):
    url_name = "projects:project_list"
    detail = False

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(
            allowed=world.reporter_a,
            denied=world.auditadmin,
            in_scope=projects[0],
            out_of_scope=projects[1],
            marker=marker,
        )


class TestProjectDetail(ViewMatrix):
    url_name = "projects:project"

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(
            allowed=world.reporter_a,
            denied=world.sysadmin,
            in_scope=projects[0],
            out_of_scope=projects[1],
            marker=marker,
        )


class TestProjectDetailSponsor(ViewMatrix):
    url_name = "projects:project"

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(
            allowed=world.sponsor, denied=world.norole, in_scope=projects[0], out_of_scope=projects[1], marker=marker
        )


class TestProjectDetailEnterprise(ViewMatrix):
    url_name = "projects:project"

    @pytest.fixture
    def matrix(self, world):
        own = make_project(unit=world.unit_a, name="甲企业自有项目", owner_enterprise=world.enterprise_a)
        other = make_project(unit=world.unit_a, name="乙企业项目", owner_enterprise=world.enterprise_b)
        return Case(allowed=world.ent_user_a, denied=world.secadmin, in_scope=own, out_of_scope=other, marker=marker)


class TestProjectEdit(ViewMatrix):
    url_name = "projects:project_edit"

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(
            allowed=world.reporter_a, denied=world.leader, in_scope=projects[0], out_of_scope=projects[1], marker=marker
        )


class TestProjectAdd(ViewMatrix):
    url_name = "projects:project_add"
    detail = False
    scoped = False
    unscoped_reason = "a create form: no project exists yet (its unit choices are tested with the form)"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a, marker=lambda _: "新增")


class TestProjectTemplate(ViewMatrix):
    url_name = "projects:project_template"
    detail = False

    @pytest.fixture
    def matrix(self, world):
        # the hidden 「选项」 sheet lists the units the importer may name: those of the office's district only
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=world.unit_a,
            out_of_scope=world.foreign_unit,
            marker=lambda unit: unit.name,
        )


class TestProjectExport(ViewMatrix):
    url_name = "projects:project_export"
    detail = False

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(
            allowed=world.reporter_a,
            denied=world.auditadmin,
            in_scope=projects[0],
            out_of_scope=projects[1],
            marker=marker,
        )


class TestProjectImport(ViewMatrix):
    """The upload page lists the user's own recent import jobs, never a colleague's."""

    url_name = "projects:project_import"
    detail = False

    @pytest.fixture
    def matrix(self, world, colleague):
        mine = ImportJob.objects.create(original_name="我的导入.xlsx", sha256="x", created_by=world.office)
        theirs = ImportJob.objects.create(original_name="同事的导入.xlsx", sha256="y", created_by=colleague)
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=mine,
            out_of_scope=theirs,
            marker=lambda job: job.original_name,
            viewer=colleague,  # jobs are read through created_by, not restrict()
        )


class TestPlanChangeList(ViewMatrix):
    url_name = "projects:plan_change_list"
    detail = False

    @pytest.fixture
    def matrix(self, world, projects):
        plans = []
        for p in projects:
            plan = services.annual_plan_save(
                actor=world.office, project=p, year=2026, planned_investment=Decimal("100")
            )
            services.annual_plan_approve(actor=world.office, plan=plan)
            plans.append(
                services.plan_change_request(
                    actor=world.office, plan=plan, new_investment=Decimal("80"), reason=f"{p.name}调整"
                )
            )
        return Case(
            allowed=world.reporter_a,
            denied=world.norole,
            in_scope=plans[0],
            out_of_scope=plans[1],
            marker=lambda c: c.reason,
        )


class TestPlanEdit(ViewMatrix):
    url_name = "projects:plan_edit"

    def url_for(self, obj=None):
        return reverse(self.url_name, args=[obj.pk, 2026])

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(
            allowed=world.reporter_a, denied=world.leader, in_scope=projects[0], out_of_scope=projects[1], marker=marker
        )


class TestPlanChangeRequest(ViewMatrix):
    url_name = "projects:plan_change_request"

    @pytest.fixture
    def matrix(self, world, projects):
        plans = []
        for p in projects:
            plan = services.annual_plan_save(
                actor=world.office, project=p, year=2026, planned_investment=Decimal("100")
            )
            plans.append(services.annual_plan_approve(actor=world.office, plan=plan))
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=plans[0],
            out_of_scope=plans[1],
            marker=lambda plan: plan.project.name,
        )


class TestApprovalItemEdit(ViewMatrix):
    url_name = "projects:approval_item_edit"

    @pytest.fixture
    def matrix(self, world, projects):
        a = ApprovalItem.objects.filter(project=projects[0]).first()
        b = ApprovalItem.objects.filter(project=projects[1]).first()
        return Case(
            allowed=world.reporter_a,
            denied=world.sponsor,
            in_scope=a,
            out_of_scope=b,
            marker=lambda item: item.item_type.name,
        )


class TestAttachmentDownload(ViewMatrix):
    url_name = "projects:attachment_download"

    @pytest.fixture
    def matrix(self, world, projects):
        files = [
            services.attachment_create(
                actor=world.office, project=p, kind="photo", uploaded=SimpleUploadedFile("site.png", PNG)
            )
            for p in projects
        ]
        return Case(
            allowed=world.reporter_a,
            denied=world.auditadmin,
            in_scope=files[0],
            out_of_scope=files[1],
            marker=lambda _: "",
        )

    def test_in_scope_is_200(self, client, matrix):
        client.force_login(matrix.allowed)
        response = client.get(self.url_for(matrix.in_scope))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PNG
        assert "attachment" in response["Content-Disposition"] and response["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def colleague(world):
    """A second 项目办 account: import jobs are private to whoever uploaded them."""
    return make_user("office_colleague", role=Role.PROJECT_OFFICE, unit=world.office_unit)


def _import_job(actor, name, **values):
    from tuijin.projects.models import IndustryChain
    from tuijin.projects.tasks import import_job_create

    from .test_excel import row, upload, workbook_bytes

    IndustryChain.objects.get_or_create(name="光电信息")
    return import_job_create(actor=actor, uploaded=upload(workbook_bytes([row(**values)]), name), only_valid=False)


class TestTransition(PostMatrix):
    url_name = "projects:project_transition"

    def data(self, obj, matrix):
        return {"version": obj.version, "to_stage": "reserve"}

    def effect(self, obj, matrix):
        assert Project.objects.get(pk=obj.pk).stage == "reserve"

    @pytest.fixture
    def matrix(self, world, projects, foreign):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=projects[0], out_of_scope=foreign)


class TestAttachmentUpload(PostMatrix):
    url_name = "projects:attachment_upload"

    def data(self, obj, matrix):
        return {"kind": "photo", "file": SimpleUploadedFile("a.png", PNG)}

    def effect(self, obj, matrix):
        assert Attachment.objects.get(project_id=obj.pk, kind="photo").file.read() == PNG

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=projects[0], out_of_scope=projects[1])


class TestPlanApprove(PostMatrix):
    url_name = "projects:plan_approve"

    def effect(self, obj, matrix):
        assert AnnualPlan.objects.get(pk=obj.pk).status == "approved"

    @pytest.fixture
    def matrix(self, world, projects, foreign):
        plans = [
            services.annual_plan_save(actor=actor, project=p, year=2026, planned_investment=Decimal("100"))
            for actor, p in ((world.office, projects[0]), (world.foreign_office, foreign))
        ]
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=plans[0], out_of_scope=plans[1])


class TestPlanChangeDecide(PostMatrix):
    url_name = "projects:plan_change_decide"

    def data(self, obj, matrix):
        return {"decision": "approve"}

    def effect(self, obj, matrix):
        change = PlanChange.objects.get(pk=obj.pk)
        assert change.status == "approved" and change.plan.planned_investment == Decimal("90")

    @pytest.fixture
    def matrix(self, world, projects, foreign):
        changes = []
        for office, requester, project in (
            (world.office, world.reporter_a, projects[0]),
            (world.foreign_office, world.foreign_office, foreign),
        ):
            plan = services.annual_plan_save(
                actor=office, project=project, year=2026, planned_investment=Decimal("100")
            )
            services.annual_plan_approve(actor=office, plan=plan)
            changes.append(
                services.plan_change_request(actor=requester, plan=plan, new_investment=Decimal("90"), reason="原因")
            )
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=changes[0], out_of_scope=changes[1])


class TestBulkReassign(PostMatrix):
    url_name = "projects:project_bulk_reassign"
    detail = False

    @pytest.fixture(autouse=True)
    def _target(self, world):
        self.target = world.unit_b

    def data(self, obj, matrix):
        return {"pk": [obj.pk], "responsible_unit": self.target.pk}

    def effect(self, obj, matrix):
        assert Project.objects.get(pk=obj.pk).responsible_unit_id == self.target.pk

    @pytest.fixture
    def matrix(self, world, projects, foreign):
        # a project outside the office's district is not a valid choice: refused with a message, nothing changes
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=projects[0], out_of_scope=foreign)


class TestImportJobPages(ViewMatrix):
    """import_job, import_job_apply and import_job_annotated: only the uploader (with import permission)."""

    url_name = "projects:import_job"

    @pytest.fixture
    def matrix(self, world, colleague):
        mine = ImportJob.objects.create(original_name="mine.xlsx", sha256="x", created_by=world.office)
        theirs = ImportJob.objects.create(original_name="theirs.xlsx", sha256="y", created_by=colleague)
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=mine,
            out_of_scope=theirs,
            marker=lambda job: job.original_name,
            viewer=colleague,
        )


class TestImportJobApply(PostMatrix):
    url_name = "projects:import_job_apply"

    def effect(self, obj, matrix):
        job = ImportJob.objects.get(pk=obj.pk)
        assert (job.status, job.created_count) == ("done", 1), job.message

    @pytest.fixture
    def matrix(self, world, colleague):
        mine = _import_job(world.office, "mine.xlsx")
        theirs = _import_job(colleague, "theirs.xlsx", 项目名称="甲街道同事导入项目")
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=mine, out_of_scope=theirs, viewer=colleague)


class TestImportJobAnnotated(ViewMatrix):
    url_name = "projects:import_job_annotated"

    @pytest.fixture
    def matrix(self, world, colleague):
        mine = _import_job(world.office, "mine.xlsx", 责任单位="无此单位甲")
        theirs = _import_job(colleague, "theirs.xlsx", 责任单位="无此单位乙")
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=mine,
            out_of_scope=theirs,
            marker=lambda job: job.errors[0]["message"],  # the annotated copy explains the row's error
            viewer=colleague,
        )


def test_edit_saves_and_shows_history(client, world, projects):
    project = projects[0]
    client.force_login(world.reporter_a)
    url = reverse("projects:project_edit", args=[project.pk])
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if not isinstance(v, list)}
    data.update(
        {
            "name": "甲街道光电产业园（二期）",
            "responsible_unit": world.unit_a.pk,
            "sponsors": [world.leader_person.pk],
            "version": project.version,
            "total_investment": "1000.00",
            "funding-TOTAL_FORMS": "0",
            "funding-INITIAL_FORMS": "0",
            "domain": "industry",
            "construction_nature": "new",
            "investment_subject": "private",
            "stats_status": "not_counted",
        }
    )
    for key in ("owner_enterprise", "industry", "chain", "locality"):
        data[key] = ""
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    page = client.get(reverse("projects:project", args=[project.pk])).content.decode()
    assert "甲街道光电产业园（二期）" in page and "变更历史" in page


def test_stale_edit_shows_conflict_page_and_saves_nothing(client, world, projects):
    project = projects[0]
    services.project_update(
        actor=world.office,
        project=Project.objects.get(pk=project.pk),
        version=1,
        data=services.ProjectInput(fields={"address": "项目办刚改的地址"}),
    )
    client.force_login(world.reporter_a)
    url = reverse("projects:project_edit", args=[project.pk])
    response = client.post(
        url,
        {
            "name": "我的修改",
            "owner_name": "业主",
            "responsible_unit": world.unit_a.pk,
            "total_investment": "1000.00",
            "version": 1,
            "domain": "industry",
            "construction_nature": "new",
            "investment_subject": "private",
            "stats_status": "not_counted",
            "funding-TOTAL_FORMS": "0",
            "funding-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "已被他人修改" in body and "项目办刚改的地址" in body and "我的修改" in body
    assert Project.objects.get(pk=project.pk).name == "甲街道光电产业园"


def test_validation_errors_are_chinese_and_keep_input(client, world):
    client.force_login(world.office)
    response = client.post(
        reverse("projects:project_add"),
        {
            "name": "新项目甲",
            "owner_name": "业主",
            "responsible_unit": world.unit_a.pk,
            "total_investment": "abc",
            "code": "1234",
            "domain": "industry",
            "construction_nature": "new",
            "investment_subject": "private",
            "stats_status": "not_counted",
            "funding-TOTAL_FORMS": "0",
            "funding-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "“abc”不是金额" in body  # 总投资 is read as people write it (partial.parse_amount)
    assert 'value="新项目甲"' in body
    assert not Project.objects.filter(name="新项目甲").exists()


def test_office_creates_project_with_service_rules(client, world):
    client.force_login(world.office)
    response = client.post(
        reverse("projects:project_add"),
        {
            "name": "新项目乙",
            "owner_name": "业主",
            "responsible_unit": world.unit_a.pk,
            "total_investment": "500",
            "code": "2403-110101-04-01-12345X",
            "domain": "industry",
            "construction_nature": "new",
            "investment_subject": "private",
            "stats_status": "not_counted",
            "funding-TOTAL_FORMS": "1",
            "funding-INITIAL_FORMS": "0",
            "funding-0-kind": "self",
            "funding-0-amount": "500",
        },
    )
    assert response.status_code == 200 and "区划代码" in response.content.decode()
    response = client.post(
        reverse("projects:project_add"),
        {
            "name": "新项目乙",
            "owner_name": "业主",
            "responsible_unit": world.unit_a.pk,
            "total_investment": "500",
            "code": "2403-410702-04-01-12345X",
            "domain": "industry",
            "construction_nature": "new",
            "investment_subject": "private",
            "stats_status": "not_counted",
            "funding-TOTAL_FORMS": "1",
            "funding-INITIAL_FORMS": "0",
            "funding-0-kind": "self",
            "funding-0-amount": "500",
        },
    )
    assert response.status_code == 302
    project = Project.objects.get(name="新项目乙")
    assert project.funding_sources.get().amount == Decimal("500")


def test_bulk_reassign_changes_unit_and_logs(client, world, projects):
    client.force_login(world.office)
    response = client.post(
        reverse("projects:project_bulk_reassign"), {"pk": [p.pk for p in projects], "responsible_unit": world.unit_b.pk}
    )
    assert response.status_code == 302
    assert set(Project.objects.values_list("responsible_unit", flat=True)) == {world.unit_b.pk}
    assert Project.objects.get(pk=projects[0].pk).events.filter(type="reassigned").exists()


def test_list_filters_sort_search_and_columns(client, world, projects):
    client.force_login(world.office)
    url = reverse("projects:project_list")
    assert "乙街道智能装备项目" not in client.get(url, {"q": "光电"}).content.decode()
    assert "甲街道光电产业园" not in client.get(url, {"responsible_unit": world.unit_b.pk}).content.decode()
    body = client.get(url, {"sponsor": world.leader_person.pk}).content.decode()
    assert "甲街道光电产业园" in body and "乙街道智能装备项目" not in body
    assert client.get(url, {"sort": "-total"}).status_code == 200
    body = client.get(url, {"cols": "code,owner"}).content.decode()
    assert "项目业主" in body and "包联领导</th>" not in body
    assert "项目业主" in client.get(url).content.decode()  # remembered in the session


def test_list_and_detail_query_counts_do_not_grow(client, world):
    from tuijin.projects.models import ProjectLevel

    level = ProjectLevel.objects.first()

    def add(n):
        for i in range(n):
            p = make_project(unit=world.unit_a, name=f"批量{i}-{n}", sponsors=[world.leader_person])
            p.levels.add(level)

    client.force_login(world.office)
    add(10)
    urls = [reverse("projects:project_list"), "/api/projects/projects/"]
    counts_small = []
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts_small.append(len(ctx.captured_queries))
    detail = Project.objects.first()
    client.get(detail.get_absolute_url())  # warm, as the list above (the content types are cached per process)
    with CaptureQueriesContext(connection) as ctx:
        client.get(detail.get_absolute_url())
    detail_small = len(ctx.captured_queries)
    add(490)
    for url, small in zip(urls, counts_small, strict=True):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        assert len(ctx.captured_queries) == small, url
    with CaptureQueriesContext(connection) as ctx:
        client.get(detail.get_absolute_url())
    assert len(ctx.captured_queries) == detail_small


def test_uploads_are_checked_by_content(client, world, projects):
    client.force_login(world.reporter_a)
    url = reverse("projects:attachment_upload", args=[projects[0].pk])
    client.post(url, {"kind": "photo", "file": SimpleUploadedFile("evil.png", b"MZ\x90\x00binary")})
    client.post(url, {"kind": "photo", "file": SimpleUploadedFile("photo.pdf", PNG)})
    assert not Attachment.objects.exists()
    client.post(url, {"kind": "photo", "file": SimpleUploadedFile("photo.png", PNG)})
    assert Attachment.objects.count() == 1


def test_upload_size_limit(client, world, projects, settings):
    settings.TUIJIN_UPLOAD_MAX_MB = 1
    client.force_login(world.reporter_a)
    big = PNG + b"\x00" * (1024 * 1024)
    response = client.post(
        reverse("projects:attachment_upload", args=[projects[0].pk]),
        {"kind": "photo", "file": SimpleUploadedFile("big.png", big)},
        follow=True,
    )
    assert "上限" in response.content.decode()
    assert not Attachment.objects.exists()


def test_plan_flow_through_pages(client, world, projects):
    project = projects[0]
    client.force_login(world.reporter_a)
    client.post(
        reverse("projects:plan_edit", args=[project.pk, 2026]),
        {"planned_investment": "1200", "progress_target": "主体封顶", "monthly_text": ""},
    )
    plan = AnnualPlan.objects.get(project=project, year=2026)
    client.force_login(world.office)
    client.post(reverse("projects:plan_approve", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == "approved" and plan.baseline_investment == Decimal("1200")
    client.force_login(world.reporter_a)
    client.post(
        reverse("projects:plan_change_request", args=[plan.pk]), {"new_investment": "900", "reason": "拆迁延误"}
    )
    change = PlanChange.objects.get()
    client.force_login(world.office)
    client.post(reverse("projects:plan_change_decide", args=[change.pk]), {"decision": "approve"})
    plan.refresh_from_db()
    assert plan.planned_investment == Decimal("900") and plan.baseline_investment == Decimal("1200")


def test_drill_down_filters_plan_year_and_several_categories(client, world):
    from tuijin.projects.services import annual_plan_save

    planned = make_project(unit=world.unit_a, name="年度计划内新开工", planned_start=date(2026, 4, 1))
    make_project(unit=world.unit_a, name="计划外项目", planned_start=date(2026, 4, 1))
    annual_plan_save(actor=world.office, project=planned, year=2026, planned_investment=Decimal("10"))
    client.force_login(world.office)
    body = client.get(
        reverse("projects:project_list"), {"plan_year": 2026, "year": 2026, "yearly_category": "new,new_completed"}
    ).content.decode()
    assert "年度计划内新开工" in body and "计划外项目" not in body


def test_large_unit_scopes_get_a_search_picker_instead_of_every_unit(client, world, projects, settings):
    client.force_login(world.office)
    plain = client.get(reverse("projects:project_list")).content.decode()
    assert f'<option value="{world.unit_b.pk}"' in plain and 'id="id_responsible_unit_search"' not in plain

    settings.TUIJIN_UNIT_PICKER_THRESHOLD = 1  # as if the scope held thousands of units
    response = client.get(reverse("projects:project_list"), {"responsible_unit": world.unit_b.pk})
    html = response.content.decode()
    assert 'id="id_responsible_unit_search"' in html and 'form="tj-picker-none"' in html
    assert f'hx-get="{reverse("org:orgunit_options")}?kind=responsible"' in html
    select = re.search(r'<select name="responsible_unit".*?</select>', html, re.S).group(0)
    assert f'<option value="{world.unit_b.pk}" selected>' in select  # the chosen unit stays shown
    assert select.count("<option") == 2  # 全部 + the chosen one: the others come from the search
    assert projects[1].name in html and projects[0].name not in html  # and the filter still applies
    assert 'id="id_locality_search"' in html
    bulk = re.search(r'<select name="responsible_unit" id="id_bulk_responsible_unit".*?</select>', html, re.S).group(0)
    assert bulk.count("<option") == 1 and 'id="id_bulk_responsible_unit_search"' in html  # bulk reassign: search too
    assert "kind=responsible&amp;blank=none" in html


def test_the_list_runs_the_same_queries_with_drop_downs_or_pickers(client, world, projects, settings):
    """One bounded query per unit field decides between a drop-down and a search picker and supplies the options, so
    a district (drop-downs) and a province (pickers) run the same number of queries; the API fetches no options."""
    client.force_login(world.office)
    url = reverse("projects:project_list") + "?stage=construction&sort=-total"
    client.get(url)
    counts = {}
    for threshold in (200, 1):
        settings.TUIJIN_UNIT_PICKER_THRESHOLD = threshold
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(url).content.decode()
        counts[threshold] = len(ctx.captured_queries)
        assert ('id="id_responsible_unit_search"' in html) is (threshold == 1)
    assert counts[200] == counts[1]
    with CaptureQueriesContext(connection) as ctx:
        client.get("/api/projects/projects/")
    assert not any('FROM "org_orgunit"' in q["sql"] and "LIMIT" in q["sql"] for q in ctx.captured_queries)


def test_list_totals_are_cached_until_a_project_write_commits(
    client, world, projects, real_cache, django_capture_on_commit_callbacks
):
    client.force_login(world.office)
    first = client.get(reverse("projects:project_list"))
    with CaptureQueriesContext(connection) as warm:
        second = client.get(reverse("projects:project_list"))
    assert first.context["paginator"].count == second.context["paginator"].count == 2
    assert not any("SUM(" in q["sql"] for q in warm.captured_queries)  # the aggregate came from the cache
    with django_capture_on_commit_callbacks(execute=True):
        make_project(unit=world.unit_b, actor=world.office, name="新增项目", total="12345")
    third = client.get(reverse("projects:project_list"))
    assert third.context["paginator"].count == 3
    assert third.context["totals"]["total"] == first.context["totals"]["total"] + Decimal("12345")


def _edit_post(client, url) -> dict:
    """The edit page's form as the browser would post it back, funding rows included."""
    response = client.get(url)
    form, formset = response.context["form"], response.context["formset"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        else:
            data[name] = "" if value is None else str(value)
    management = formset.management_form
    for name in management.fields:
        data[management[name].html_name] = str(management[name].value())
    for sub in formset.forms:
        for name in ("kind", "amount", "note"):
            value = sub[name].value()
            data[sub[name].html_name] = "" if value is None else str(value)
    return data


def test_two_editors_with_funding_rows_second_gets_the_conflict_page(client, world, projects):
    """Issue 12: A saves; B (who opened the page before) saves — B sees the conflict page with both versions, and
    nothing of A's is overwritten. Every project has funding rows, which used to make B's form silently invalid."""
    project = projects[0]
    services.project_update(
        actor=world.office,
        project=Project.objects.get(pk=project.pk),
        version=Project.objects.get(pk=project.pk).version,
        data=services.ProjectInput(
            fields={"total_investment": D("1000.00"), "funding_note": ""},
            funding=[services.FundingRow("self", D("600.00"), ""), services.FundingRow("bank_loan", D("400.00"), "")],
        ),
    )
    url = reverse("projects:project_edit", args=[project.pk])
    client.force_login(world.office)
    data_a = _edit_post(client, url)
    data_b = _edit_post(client, url)  # B opens the same page before A saves
    assert data_a["funding-INITIAL_FORMS"] == "2"
    data_a["address"] = "A填写的地址"
    response = client.post(url, data_a)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    data_b["address"] = "B填写的地址"
    response = client.post(url, data_b)
    assert response.status_code == 409
    page = response.content.decode()
    assert "B填写的地址" in page and "A填写的地址" in page
    assert Project.objects.get(pk=project.pk).address == "A填写的地址"
    assert sorted(Project.objects.get(pk=project.pk).funding_sources.values_list("amount", flat=True)) == [
        D("400.00"),
        D("600.00"),
    ]
