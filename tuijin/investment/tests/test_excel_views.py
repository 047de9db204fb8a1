"""Excel pages of 招商 (views_excel.py): a permission matrix for every URL (export, template, import page, 确认导入,
annotated copy; for leads and for the ledger), the list's filters on the export, the upload flow (preview, errors,
确认导入) and the refused uploads (too large, not an .xlsx)."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tuijin.investment import excel
from tuijin.investment.choices import CommitmentSide
from tuijin.investment.models import Commitment, Lead
from tuijin.projects.models import ImportJob
from tuijin.utilities.excel import workbook_bytes
from tuijin.utilities.testing.matrix import Case, PostMatrix, ViewMatrix

from .factories import advance, make_lead

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def leads(world):
    a = make_lead(actor=world.reporter_a, unit=world.unit_a, name="甲街道导出项目")
    a = advance(a, "signed", actor=world.reporter_a, reviewer=world.office)
    b = make_lead(actor=world.reporter_b, unit=world.unit_b, name="乙街道导出项目")
    b = advance(b, "signed", actor=world.reporter_b, reviewer=world.office)
    return a, b


@pytest.fixture
def foreign_lead(world):
    return make_lead(actor=world.foreign_office, unit=world.foreign_unit, name="邻区导出项目")


@pytest.fixture
def lines(world, leads):
    def line(lead, content, unit):
        return Commitment.objects.create(
            lead=lead,
            side=CommitmentSide.GOVERNMENT,
            category="land",
            content=content,
            due_date=date(2026, 9, 30),
            responsible_unit=unit,
        )

    return line(leads[0], "甲项目净地交付", world.unit_a), line(leads[1], "乙项目净地交付", world.unit_b)


def name(obj):
    return obj.name


def content(obj):
    return obj.content


def file_with_rows(template: bytes, sheet: str, rows: list[dict]) -> bytes:
    wb = load_workbook(io.BytesIO(template))
    ws = wb[sheet]
    headers = {cell.value: cell.column for cell in ws[1]}
    for index, values in enumerate(rows, start=2):
        for header, value in values.items():
            ws.cell(row=index, column=headers[header], value=value)
    return workbook_bytes(wb)


def upload(data: bytes, filename: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(filename, data, content_type=XLSX)


def lead_job(user, unit, lead_name: str, *, unit_name: str | None = None) -> ImportJob:
    """A job of `user` whose one row creates the lead `lead_name` (the file is named after it), or — with a wrong
    `unit_name` — a job with one error."""
    rows = [{"项目名称": lead_name, "投资方": "矩阵投资公司", "跟踪单位": unit_name or unit.name}]
    data = file_with_rows(excel.lead_template(actor=user), "招商项目", rows)
    job, _check = excel.import_job_create(actor=user, kind="leads", uploaded=upload(data, f"{lead_name}.xlsx"))
    return job


def ledger_job(user, lead, text: str, *, unit_name: str | None = None) -> ImportJob:
    rows = [
        {
            "招商项目ID": lead.pk,
            "承诺方": "政府承诺",
            "承诺类别": "代办服务",
            "承诺事项": text,
            "计划兑现时间": "2026-10-01",
            "责任单位": unit_name or lead.tracking_unit.name,
        }
    ]
    data = file_with_rows(excel.ledger_template(actor=user), "承诺台账", rows)
    job, _check = excel.import_job_create(actor=user, kind="commitments", uploaded=upload(data, f"{text}.xlsx"))
    return job


def _stem(job: ImportJob) -> str:
    return job.original_name.removesuffix(".xlsx")


# --- exports --------------------------------------------------------------------------------------------------------


class TestLeadExport(ViewMatrix):
    url_name = "investment:lead_export"
    detail = False

    @pytest.fixture
    def matrix(self, world, leads):
        return Case(
            allowed=world.reporter_a, denied=world.ent_user_a, in_scope=leads[0], out_of_scope=leads[1], marker=name
        )


class TestLeadExportLeader(TestLeadExport):
    """A district leader exports every lead of the district, none of the neighbouring one."""

    @pytest.fixture
    def matrix(self, world, leads, foreign_lead):
        return Case(
            allowed=world.leader, denied=world.sysadmin, in_scope=leads[1], out_of_scope=foreign_lead, marker=name
        )


class TestLedgerExport(ViewMatrix):
    url_name = "investment:ledger_export"
    detail = False

    @pytest.fixture
    def matrix(self, world, lines):
        return Case(
            allowed=world.reporter_a, denied=world.norole, in_scope=lines[0], out_of_scope=lines[1], marker=content
        )


class TestLedgerExportEnterprise(TestLedgerExport):
    """The investor's enterprise exports its own ledger, both sides, and no other lead's."""

    @pytest.fixture
    def matrix(self, world, lines):
        Lead.objects.filter(pk=lines[0].lead_id).update(enterprise=world.enterprise_a)
        return Case(
            allowed=world.ent_user_a, denied=world.norole, in_scope=lines[0], out_of_scope=lines[1], marker=content
        )


class TestLedgerExportOneLead(ViewMatrix):
    """`?lead=`: one lead's ledger; another unit's lead is 404."""

    url_name = "investment:ledger_export"

    def url_for(self, obj=None):
        return f"{reverse(self.url_name)}?lead={obj.lead_id}"

    @pytest.fixture
    def matrix(self, world, lines):
        return Case(
            allowed=world.reporter_b, denied=world.norole, in_scope=lines[1], out_of_scope=lines[0], marker=content
        )


# --- templates (their drop-downs list the units the user may choose) -------------------------------------------------


class TestLeadImportTemplate(ViewMatrix):
    url_name = "investment:lead_import_template"
    detail = False

    @pytest.fixture
    def matrix(self, world):
        return Case(
            allowed=world.reporter_a, denied=world.leader, in_scope=world.unit_a, out_of_scope=world.unit_b, marker=name
        )


class TestLedgerImportTemplate(ViewMatrix):
    """The 责任单位 drop-down: the government units of the districts of the user's leads."""

    url_name = "investment:ledger_import_template"
    detail = False

    @pytest.fixture
    def matrix(self, world, leads, foreign_lead):
        return Case(
            allowed=world.reporter_a,
            denied=world.leader,
            in_scope=world.office_unit,
            out_of_scope=world.foreign_unit,
            marker=name,
        )


# --- the import pages ---------------------------------------------------------------------------------------------


class TestLeadImportPage(ViewMatrix):
    url_name = "investment:lead_import"
    detail = False
    scoped = False
    unscoped_reason = "an upload form and the user's own recent imports (other users' jobs: TestLeadImportApply)"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.reporter_a, denied=world.leader)


class TestLedgerImportPage(TestLeadImportPage):
    url_name = "investment:ledger_import"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.reporter_a, denied=world.ent_user_a)


class TestLeadImportApply(PostMatrix):
    """确认导入: the user's own job only (another user's is 404)."""

    url_name = "investment:lead_import_apply"

    def effect(self, obj, matrix):
        assert Lead.objects.filter(name=_stem(obj)).exists()

    @pytest.fixture
    def matrix(self, world):
        mine = lead_job(world.reporter_a, world.unit_a, "矩阵新增甲")
        theirs = lead_job(world.reporter_b, world.unit_b, "矩阵新增乙")
        return Case(
            allowed=world.reporter_a, denied=world.leader, in_scope=mine, out_of_scope=theirs, viewer=world.reporter_b
        )


class TestLedgerImportApply(PostMatrix):
    url_name = "investment:ledger_import_apply"

    def effect(self, obj, matrix):
        assert Commitment.objects.filter(content=_stem(obj), state="draft").exists()

    @pytest.fixture
    def matrix(self, world, leads):
        mine = ledger_job(world.reporter_a, leads[0], "矩阵承诺甲")
        theirs = ledger_job(world.reporter_b, leads[1], "矩阵承诺乙")
        return Case(
            allowed=world.reporter_a, denied=world.leader, in_scope=mine, out_of_scope=theirs, viewer=world.reporter_b
        )


def error_of(job: ImportJob) -> str:
    return job.errors[0]["message"]


class TestLeadImportAnnotated(ViewMatrix):
    url_name = "investment:lead_import_annotated"

    @pytest.fixture
    def matrix(self, world):
        mine = lead_job(world.reporter_a, world.unit_a, "标注甲", unit_name="没有的单位甲")
        theirs = lead_job(world.reporter_b, world.unit_b, "标注乙", unit_name="没有的单位乙")
        return Case(
            allowed=world.reporter_a,
            denied=world.leader,
            in_scope=mine,
            out_of_scope=theirs,
            marker=error_of,
            viewer=world.reporter_b,
        )


class TestLedgerImportAnnotated(ViewMatrix):
    url_name = "investment:ledger_import_annotated"

    @pytest.fixture
    def matrix(self, world, leads):
        mine = ledger_job(world.reporter_a, leads[0], "标注承诺甲", unit_name="没有的单位甲")
        theirs = ledger_job(world.reporter_b, leads[1], "标注承诺乙", unit_name="没有的单位乙")
        return Case(
            allowed=world.reporter_a,
            denied=world.leader,
            in_scope=mine,
            out_of_scope=theirs,
            marker=error_of,
            viewer=world.reporter_b,
        )


# --- behaviour ------------------------------------------------------------------------------------------------------


def _sheet_names(response, sheet: str) -> list[str]:
    wb = load_workbook(io.BytesIO(response.content))
    return [row[2] for row in wb[sheet].iter_rows(min_row=2, values_only=True)]


def test_export_applies_the_list_filters(client, world, leads):
    extra = make_lead(actor=world.office, unit=world.unit_a, name="甲街道在谈项目")
    client.force_login(world.office)
    response = client.get(reverse("investment:lead_export"), {"stage": "signed"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert sorted(_sheet_names(response, "招商项目")) == sorted([leads[0].name, leads[1].name])
    response = client.get(reverse("investment:lead_export"), {"q": "在谈"})
    assert _sheet_names(response, "招商项目") == [extra.name]


def test_ledger_export_hides_the_fair_competition_column_from_the_enterprise(client, world, lines):
    """公平竞争审查 is internal supervision: the staff's export has the column, the enterprise's does not."""
    Lead.objects.filter(pk=lines[0].lead_id).update(enterprise=world.enterprise_a)

    def headers(user):
        client.force_login(user)
        response = client.get(reverse("investment:ledger_export"))
        assert response.status_code == 200
        return [cell.value for cell in load_workbook(io.BytesIO(response.content)).active[1]]

    assert "公平竞争审查提示" in headers(world.reporter_a)
    enterprise = headers(world.ent_user_a)
    assert "公平竞争审查提示" not in enterprise and "承诺事项" in enterprise and "企业确认" in enterprise


def test_upload_preview_then_confirm(client, world):
    client.force_login(world.reporter_a)
    data = file_with_rows(
        excel.lead_template(actor=world.reporter_a),
        "招商项目",
        [
            {
                "项目名称": "网页导入项目",
                "投资方": "网页投资公司",
                "跟踪单位": "甲街道办事处",
                "拟投资额（万元）": "约3亿元",
            }
        ],
    )
    response = client.post(reverse("investment:lead_import"), {"file": upload(data, "web.xlsx")})
    assert response.status_code == 200
    page = response.content.decode()
    assert "校验通过" in page and "网页导入项目" in page and "30,000.00" in page and 'id="tj-import-apply"' in page
    assert not Lead.objects.filter(name="网页导入项目").exists()  # nothing written before 确认导入
    job = ImportJob.objects.get(created_by=world.reporter_a, kind="leads")
    response = client.post(reverse("investment:lead_import_apply", args=[job.pk]), follow=True)
    lead = Lead.objects.get(name="网页导入项目")
    assert lead.planned_investment == Decimal("30000") and lead.planned_investment_approx
    assert "招商项目导入完成" in response.content.decode()


def test_upload_with_errors_lists_them_and_links_the_annotated_copy(client, world):
    client.force_login(world.reporter_a)
    data = file_with_rows(
        excel.lead_template(actor=world.reporter_a),
        "招商项目",
        [{"项目名称": "越权项目", "投资方": "某公司", "跟踪单位": "乙街道办事处"}],
    )
    response = client.post(reverse("investment:lead_import"), {"file": upload(data, "bad.xlsx")})
    page = response.content.decode()
    assert "校验未通过" in page and 'id="tj-import-annotated"' in page and 'id="tj-import-apply"' not in page
    job = ImportJob.objects.get(created_by=world.reporter_a, kind="leads")
    response = client.post(reverse("investment:lead_import_apply", args=[job.pk]), follow=True)
    assert not Lead.objects.filter(name="越权项目").exists()
    assert "未导入任何数据" in response.content.decode()


def test_oversize_upload_is_refused(client, world, settings):
    settings.TUIJIN_UPLOAD_MAX_MB = 1
    client.force_login(world.reporter_a)
    big = b"PK\x03\x04" + b"0" * (1024 * 1024 + 10)
    response = client.post(reverse("investment:lead_import"), {"file": upload(big, "big.xlsx")})
    assert response.status_code == 400 and "文件超过 1 MB 的上限" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"%PDF-1.4 not a workbook", "leads.xlsx", "不支持的文件类型"),
        (b"name,investor\n", "leads.xlsx", "不支持的文件类型"),
    ],
)
def test_wrong_type_upload_is_refused(client, world, data, filename, message):
    client.force_login(world.reporter_a)
    response = client.post(reverse("investment:ledger_import"), {"file": upload(data, filename)})
    assert response.status_code == 400 and message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_xlsx_named_otherwise_is_refused(client, world):
    client.force_login(world.reporter_a)
    data = excel.lead_template(actor=world.reporter_a)
    response = client.post(reverse("investment:lead_import"), {"file": upload(data, "leads.pdf")})
    assert response.status_code == 400 and "扩展名" in response.content.decode()


def test_ledger_upload_preview_shows_the_fair_competition_flags(client, world, leads):
    client.force_login(world.reporter_a)
    data = file_with_rows(
        excel.ledger_template(actor=world.reporter_a),
        "承诺台账",
        [
            {
                "招商项目名称": leads[0].name,
                "承诺方": "政府承诺",
                "承诺类别": "税费优惠",
                "承诺事项": "按企业纳税额给予返还奖励",
                "计划兑现时间": "2026-12-31",
                "责任单位": "甲街道办事处",
            }
        ],
    )
    response = client.post(reverse("investment:ledger_import"), {"file": upload(data, "ledger.xlsx")})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="tj-import-flagged"' in page
    from tuijin.investment.ledger import fc_flags

    flags = fc_flags(category="tax_fee", content="按企业纳税额给予返还奖励")
    assert flags and all(flag in page for flag in flags)
    assert not Commitment.objects.filter(content="按企业纳税额给予返还奖励").exists()
