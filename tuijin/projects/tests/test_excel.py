"""Excel template, import (validate → apply, all-or-nothing, scoped), annotated copy, export and the import job."""

import io
import os
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl.worksheet.formula import ArrayFormula

from tuijin.core.exceptions import ApplicationError
from tuijin.core.models import ObjectChange
from tuijin.projects import excel
from tuijin.projects.choices import FundingSourceKind, Stage
from tuijin.projects.excel import (
    COLUMNS,
    ERROR_HEADER,
    annotated_copy,
    apply_import,
    build_template,
    export_projects_xlsx,
    parse_workbook,
)
from tuijin.projects.models import ImportJob, IndustryChain, Project, ProjectEvent
from tuijin.projects.services import FundingRow, ProjectInput, project_create
from tuijin.projects.tasks import import_job_create, import_job_start
from tuijin.utilities.codes import credit_code_check_char
from tuijin.utilities.excel import neutralize, unneutralize
from tuijin.utilities.testing.queries import count_queries

HEADERS = [column.header for column in COLUMNS]


def credit_code(seed: int) -> str:
    body = f"91410702MA{seed:07d}"[:17]
    return body + credit_code_check_char(body)


def row(**values) -> dict:
    """A valid row for world.unit_a, overridable by header."""
    base = {
        "项目代码": "2403-410702-04-01-12345X",
        "项目名称": "甲街道智能制造产业园",
        "项目业主": "甲企业有限公司",
        "业主统一社会信用代码": credit_code(1),
        "建设规模及内容": "新建厂房5万平方米",
        "建设地点": "甲街道工业路",
        "经度": 113.9,
        "纬度": 35.3,
        "国民经济行业": "39",
        "主导产业/产业链": "光电信息",
        "投资领域": "产业",
        "项目级别": "省重点、市重点",
        "专项名单": "两重、专项债:2025第一批",
        "建设性质": "新建",
        "投资主体": "民营",
        "责任单位": "甲街道办事处",
        "包联领导": "测试副区长",
        "属地": "甲街道办事处",
        "总投资（万元）": 10000.55,
        "资金来源": "企业自筹:8000.55;银行贷款:2000",
        "资金来源说明": "",
        "建设起始年月": "2024-03",
        "建设截止年月": "2026-12",
        "计划开工日期": "2024-03-15",
        "计划竣工日期": date(2026, 12, 31),
        "实际开工日期": date(2024, 4, 1),
        "实际竣工日期": None,
        "项目阶段": "在建",
        "暂缓/取消原因": None,
        "是否工业项目": "是",
        "用地面积（亩）": 120.5,
        "建筑面积（平方米）": 50000,
        "预计年产值（万元）": 30000,
        "预计年税收（万元）": 1500.25,
        "预计新增就业（人）": 300,
        "纳统状态": "已纳统入库",
        "纳统入库月份": "2024-05",
        "是否拿地即开工": "否",
        "土地成交日期": date(2024, 1, 10),
    }
    base.update(values)
    return base


def workbook_bytes(rows: list[dict], *, headers: list[str] | None = None, edit=None) -> bytes:
    """A workbook built from the downloaded template (so its headers are the template's), filled with `rows`."""
    workbook = openpyxl.load_workbook(io.BytesIO(build_template()))
    sheet = workbook[excel.SHEET_DATA]
    if headers is not None:
        for index in range(1, sheet.max_column + 1):
            sheet.cell(row=1, column=index, value=None)
        for index, title in enumerate(headers, start=1):
            sheet.cell(row=1, column=index, value=title)
    titles = [excel._norm_header(cell.value) for cell in sheet[1]]
    for row_index, values in enumerate(rows, start=2):
        for header, value in values.items():
            if excel._norm_header(header) in titles:
                sheet.cell(row=row_index, column=titles.index(excel._norm_header(header)) + 1, value=value)
    if edit is not None:
        edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def chain(db):
    return IndustryChain.objects.create(name="光电信息")


@pytest.fixture
def office(world, chain):
    return world.office


def three_rows() -> list[dict]:
    return [
        row(),
        row(
            **{
                "项目代码": "2403-410702-04-01-12346Y",
                "项目名称": "乙项目",
                "责任单位": "乙街道办事处",
                "属地": "乙街道办事处",
                "项目级别": "区重点",
                "专项名单": None,
                "包联领导": None,
                "总投资（万元）": "5000",
                "资金来源": "企业自筹:5000",
                "项目阶段": "前期",
                "实际开工日期": None,
                "纳统状态": "未纳统",
                "纳统入库月份": None,
            }
        ),
        row(
            **{
                "项目代码": None,
                "项目名称": "无代码项目",
                "项目业主": "丙公司",
                "业主统一社会信用代码": None,
                "总投资（万元）": 800,
                "资金来源": "企业自筹:500",
                "资金来源说明": "其余资金待落实",
                "项目阶段": None,
                "实际开工日期": None,
                "纳统状态": None,
                "纳统入库月份": None,
                "专项名单": None,
                "项目级别": None,
            }
        ),
    ]


def db_state() -> tuple[int, int]:
    return Project.objects.count(), ObjectChange.objects.count()


def messages_of(report) -> str:
    return "\n".join(f"{e['row']} {e['column']} {e['message']}" for e in report.errors)


# ---------------------------------------------------------------------------------------------------------------
# Template
# ---------------------------------------------------------------------------------------------------------------


def test_template_has_headers_notes_and_dropdowns(office):
    workbook = openpyxl.load_workbook(io.BytesIO(build_template(actor=office)))
    assert workbook.sheetnames == ["项目", "填写说明", "选项"]
    sheet = workbook["项目"]
    titles = [cell.value for cell in sheet[1]]
    assert titles[:3] == ["项目代码", "项目名称*", "项目业主*"]
    assert "责任单位*" in titles and "总投资（万元）" in titles and "土地成交日期" in titles
    assert [excel._norm_header(t) for t in titles] == [excel._norm_header(h) for h in HEADERS]
    assert sheet.max_row == 1  # no sample rows that would be imported
    assert workbook["选项"].sheet_state == "hidden"

    notes = workbook["填写说明"]
    text = "\n".join(str(cell.value) for row_cells in notes.iter_rows() for cell in row_cells if cell.value)
    for header in HEADERS:
        assert header in text
    assert "必填" in text and "企业自筹" in text and "在建" in text

    validations = {str(v.sqref).split(":")[0].rstrip("0123456789"): v for v in sheet.data_validations.dataValidation}
    letter = {column.key: openpyxl.utils.get_column_letter(i) for i, column in enumerate(COLUMNS, start=1)}
    for key in (
        "stage",
        "domain",
        "construction_nature",
        "investment_subject",
        "stats_status",
        "is_industrial",
        "levels",
        "chain",
        "responsible_unit",
        "locality",
        "sponsors",
        "industry",
        "special_lists",
    ):
        validation = validations[letter[key]]
        assert validation.type == "list"
        assert validation.formula1.startswith("'选项'!$")
    # the referenced ranges hold the values
    options = workbook["选项"]
    stage_range = validations[letter["stage"]].formula1.split("!")[1].replace("$", "")
    assert [c.value for row_cells in options[stage_range] for c in row_cells] == [s.label for s in Stage]
    unit_range = validations[letter["responsible_unit"]].formula1.split("!")[1].replace("$", "")
    units = [c.value for row_cells in options[unit_range] for c in row_cells]
    assert "甲街道办事处" in units and "邻区发改委" not in units  # scoped to the office's region


def test_export_template_command(tmp_path, chain):
    out = tmp_path / "template.xlsx"
    call_command("export_template", "projects", "--out", str(out))
    workbook = openpyxl.load_workbook(out)
    assert workbook["项目"]["B1"].value == "项目名称*"


# ---------------------------------------------------------------------------------------------------------------
# A valid import, and importing it again
# ---------------------------------------------------------------------------------------------------------------


def test_valid_file_imports_with_exact_values(office, world):
    report = parse_workbook(workbook_bytes(three_rows()), actor=office)
    assert report.errors == [], messages_of(report)
    assert report.total_rows == 3 and report.to_create == 3
    assert Project.objects.count() == 0  # parsing writes nothing

    created, updated = apply_import(report, actor=office)
    assert (created, updated) == (3, 0)
    project = Project.objects.get(code="2403-410702-04-01-12345X")
    assert project.total_investment == Decimal("10000.55")
    assert str(project.total_investment) == "10000.55"
    assert project.responsible_unit == world.unit_a and project.locality == world.unit_a
    assert project.industry.code == "39" and project.chain.name == "光电信息"
    assert project.stage == Stage.CONSTRUCTION and project.actual_start == date(2024, 4, 1)
    assert project.construction_start == date(2024, 3, 1) and project.planned_start == date(2024, 3, 15)
    assert project.stats_month == date(2024, 5, 1) and project.is_industrial and not project.is_fast_track
    assert project.longitude == Decimal("113.9") and project.expected_jobs == 300
    assert project.land_area_mu == Decimal("120.5") and project.expected_tax == Decimal("1500.25")
    assert sorted(project.levels.values_list("name", flat=True)) == ["市重点", "省重点"]
    assert list(project.sponsors.all()) == [world.leader_person]
    entries = {(e.special_list.name, e.batch) for e in project.special_list_entries.all()}
    assert entries == {("两重", ""), ("专项债", "2025第一批")}
    funding = sorted((f.kind, f.amount) for f in project.funding_sources.all())
    assert funding == [(FundingSourceKind.BANK_LOAN, Decimal("2000")), (FundingSourceKind.SELF, Decimal("8000.55"))]
    assert ObjectChange.objects.filter(changed_object_id=project.pk, message="Excel导入").exists()
    change = ObjectChange.objects.filter(changed_object_id=project.pk, message="Excel导入").first()
    assert change.user == office  # attributed to the importing account outside a request
    assert ProjectEvent.objects.filter(project=project, type="created", actor=office).exists()
    assert project.approval_items.count() > 0  # the services' side effects ran

    nocode = Project.objects.get(name="无代码项目")
    assert nocode.code is None and nocode.funding_note == "其余资金待落实"
    assert nocode.stage == Stage.PREPARATION  # empty stage → default on create


def test_reimport_updates_instead_of_duplicating(office):
    data = workbook_bytes(three_rows())
    apply_import(parse_workbook(data, actor=office), actor=office)
    versions = dict(Project.objects.values_list("pk", "version"))

    again = parse_workbook(data, actor=office)
    assert again.errors == []
    assert (again.to_create, again.to_update, again.unchanged) == (0, 0, 3)
    assert apply_import(again, actor=office) == (0, 0)
    assert Project.objects.count() == 3
    assert dict(Project.objects.values_list("pk", "version")) == versions  # identical rows are not rewritten

    rows = three_rows()
    rows[0]["总投资（万元）"] = 12000
    rows[0]["资金来源"] = "企业自筹:12000"
    rows[2]["建设地点"] = "新地址"  # matched by 项目名称 + 项目业主 (no code)
    report = parse_workbook(workbook_bytes(rows), actor=office)
    assert report.errors == [], messages_of(report)
    assert (report.to_create, report.to_update, report.unchanged) == (0, 2, 1)
    assert apply_import(report, actor=office) == (0, 2)
    assert Project.objects.count() == 3
    project = Project.objects.get(code="2403-410702-04-01-12345X")
    assert project.total_investment == Decimal("12000") and project.version == versions[project.pk] + 1
    assert [(f.kind, f.amount) for f in project.funding_sources.all()] == [("self", Decimal("12000"))]
    assert Project.objects.get(name="无代码项目").address == "新地址"


def test_update_changes_stage_through_the_transition_rules(office):
    apply_import(parse_workbook(workbook_bytes(three_rows()), actor=office), actor=office)
    rows = three_rows()
    rows[0].update({"项目阶段": "竣工", "实际竣工日期": date(2025, 6, 30)})
    rows[1].update({"项目阶段": "竣工", "实际竣工日期": date(2025, 6, 30)})  # 前期 → 竣工 is not allowed
    report = parse_workbook(workbook_bytes(rows), actor=office)
    assert [(e["row"], e["column"]) for e in report.errors] == [(3, "项目阶段")]
    assert "不能从“前期”变更为“竣工”" in report.errors[0]["message"]
    apply_import(report, actor=office, only_valid=True)
    project = Project.objects.get(code="2403-410702-04-01-12345X")
    assert project.stage == Stage.COMPLETED and project.actual_finish == date(2025, 6, 30)
    assert ProjectEvent.objects.filter(project=project, type="stage_changed").exists()

    rows[0].update({"项目阶段": "暂缓", "暂缓/取消原因": None})
    report = parse_workbook(workbook_bytes(rows[:1]), actor=office)
    assert {e["column"] for e in report.errors} >= {"项目阶段"}  # 竣工 → 暂缓 not allowed either


# ---------------------------------------------------------------------------------------------------------------
# Malformed files: the database is unchanged and the error is clear
# ---------------------------------------------------------------------------------------------------------------


def assert_refused(report, office, *, row: int, column: str, text: str) -> None:
    before = db_state()
    assert any(e["row"] == row and e["column"] == column and text in e["message"] for e in report.errors), messages_of(
        report
    )
    with pytest.raises(ApplicationError) as info:
        apply_import(report, actor=office)
    assert "未导入任何数据" in info.value.message
    assert db_state() == before


@pytest.mark.parametrize(
    ("values", "column", "text"),
    [
        ({"总投资（万元）": "一万"}, "总投资（万元）", "“一万”不是金额"),
        ({"总投资（万元）": 100.123}, "总投资（万元）", "最多 2 位小数"),
        ({"用地面积（亩）": -5}, "用地面积（亩）", "不能为负数"),
        ({"计划开工日期": "2024-13-45"}, "计划开工日期", "不是有效日期"),
        ({"计划开工日期": 45000}, "计划开工日期", "不是有效日期"),
        ({"建设起始年月": "去年三月"}, "建设起始年月", "不是有效年月"),
        ({"预计新增就业（人）": 3.5}, "预计新增就业（人）", "最多 0 位小数"),
        ({"是否工业项目": "也许"}, "是否工业项目", "应填写“是”或“否”"),
        ({"项目阶段": "施工中"}, "项目阶段", "“施工中”不是可选值"),
        ({"项目名称": None}, "项目名称", "必填"),
        ({"责任单位": "不存在的单位"}, "责任单位", "未找到单位“不存在的单位”"),
        ({"责任单位": "邻区发改委"}, "责任单位", "未找到单位“邻区发改委”"),  # outside the actor's region
        ({"包联领导": "测试副区长、张三"}, "包联领导", "未找到包联领导“张三”"),
        ({"项目级别": "国家重点"}, "项目级别", "未知的项目级别“国家重点”"),
        ({"专项名单": "两重:第一批"}, "专项名单", "没有期次"),
        ({"资金来源": "自有资金:100"}, "资金来源", "未知的资金来源“自有资金”"),
        ({"资金来源": "企业自筹8000"}, "资金来源", "格式不正确"),
        ({"国民经济行业": "99"}, "国民经济行业", "未找到国民经济行业“99”"),
        ({"项目代码": "ABC-123"}, "项目代码", "项目代码格式不正确"),
        ({"项目代码": "2403-410799-04-01-12345X"}, "项目代码", "区划代码 410799 与项目所在区划不符"),
        (
            {"业主统一社会信用代码": "91410702MA00000019"},
            "业主统一社会信用代码",
            "统一社会信用代码“91410702MA00000019”无效",
        ),
        ({"资金来源": "企业自筹:100"}, "资金来源说明", "与总投资 10000.55 万元不一致"),
        ({"实际开工日期": None}, "实际开工日期", "在建项目必须有实际开工日期"),
        ({"实际开工日期": date(2099, 1, 1)}, "实际开工日期", "不能晚于今天"),
        ({"纳统入库月份": None}, "纳统入库月份", "已纳统的项目须填写入库月份"),
        ({"项目阶段": "暂缓"}, "暂缓/取消原因", "须填写原因"),
        ({"经度": 200}, "经度", "136"),
    ],
)
def test_invalid_cell_is_reported_by_row_and_column(office, values, column, text):
    good = three_rows()
    bad = row(**{"项目代码": "2403-410702-04-01-99999A", "项目名称": "坏行", **values})
    report = parse_workbook(workbook_bytes([good[0], bad, good[2]]), actor=office)
    assert_refused(report, office, row=3, column=column, text=text)
    assert {e["row"] for e in report.errors} == {3}
    assert report.error_rows == 1 and report.to_create == 2


def test_every_bad_row_is_reported_at_once(office):
    rows = [
        row(**{"总投资（万元）": "x", "责任单位": "无此单位"}),
        row(**{"项目代码": "2403-410702-04-01-00001A", "包联领导": "无此人"}),
    ]
    report = parse_workbook(workbook_bytes(rows), actor=office)
    assert {(e["row"], e["column"]) for e in report.errors} == {(2, "总投资（万元）"), (2, "责任单位"), (3, "包联领导")}


def test_duplicate_codes_in_one_file_flag_every_duplicate_row(office):
    rows = [
        row(),
        row(**{"项目名称": "另一个"}),
        row(**{"项目代码": "2403-410702-04-01-00002B"}),
        row(**{"项目代码": " 2403－410702-04-01-12345x "}),
    ]  # same code after normalisation
    report = parse_workbook(workbook_bytes(rows), actor=office)
    duplicates = [e for e in report.errors if "在文件中重复出现" in e["message"]]
    assert [(e["row"], e["column"]) for e in duplicates] == [(2, "项目代码"), (3, "项目代码"), (5, "项目代码")]
    assert "第 2、3、5 行" in duplicates[0]["message"]
    assert_refused(report, office, row=2, column="项目代码", text="重复")


def test_headers_must_match_the_template(office):
    headers = [h for h in HEADERS if h != "总投资（万元）"] + ["联系人"]
    report = parse_workbook(workbook_bytes([row()], headers=headers), actor=office)
    assert report.fatal == "表头与导入模板不一致。"
    text = messages_of(report)
    assert "缺少表头：总投资（万元）" in text and "无法识别的表头：联系人" in text
    with pytest.raises(ApplicationError):
        apply_import(report, actor=office)
    # column order does not matter; "*" and half-width brackets are tolerated
    shuffled = [h.replace("（", "(").replace("）", ")") for h in reversed(HEADERS)]
    report = parse_workbook(workbook_bytes([row()], headers=shuffled), actor=office)
    assert report.errors == [], messages_of(report)


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(256):
                member.write(chunk)
    return buffer.getvalue()


def replace_member(data: bytes, name: str, content: bytes | str | None = None, *, add: str = "") -> bytes:
    """A copy of the xlsx zip with member `name` replaced (or, with `add`, an extra member)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, content if info.filename == name and content is not None else source.read(info))
        if add:
            target.writestr(add, content or "<x/>")
    return buffer.getvalue()


def with_external_link(data: bytes) -> bytes:
    return replace_member(data, "", "<externalLink/>", add="xl/externalLinks/externalLink1.xml")


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">
<c r="A1" t="inlineStr"><is><t>&lol4;</t></is></c></row></sheetData></worksheet>"""


# the largest refused file here (the template with no rows) unpacks about 100,000 bytes, read up to three times: the
# CRC test, the cell count (`utilities.excel._check_extent`) and openpyxl
INFLATE_BUDGET = 512 * 1024


def _count_inflated_bytes(monkeypatch):
    """Count every byte unpacked from any zip member from now on (ZipExtFile._read1 serves read, read1 and peek)."""
    total = [0]
    original = zipfile.ZipExtFile._read1

    def counting(self, n):
        data = original(self, n)
        total[0] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "_read1", counting)
    return lambda: total[0]


@pytest.mark.parametrize(
    ("make", "text"),
    [
        (lambda: b"\x89PNG\r\n\x1a\n" + os.urandom(2000), "不是有效的 Excel（.xlsx）文件"),  # a renamed PNG
        (lambda: os.urandom(10 * 1024 * 1024), "不是有效的 Excel（.xlsx）文件"),  # 10 MB of garbage
        (lambda: b"PK\x03\x04" + os.urandom(5000), "不是有效的 Excel（.xlsx）文件"),  # garbage behind a zip signature
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "不支持旧版 Excel（.xls）"),
        (lambda: b"", "文件为空"),
        (zip_bomb, "压缩炸弹"),
        (lambda: with_external_link(workbook_bytes([row()])), "外部链接"),
        (lambda: replace_member(workbook_bytes([row()]), "", add="xl/vbaProject.bin"), "包含宏"),
        (lambda: replace_member(workbook_bytes([row()]), "xl/worksheets/sheet1.xml", BILLION_LAUGHS), "无法读取文件"),
        (lambda: workbook_bytes([]), "文件中没有项目数据"),
    ],
    ids=[
        "png",
        "garbage",
        "zip-garbage",
        "xls",
        "empty",
        "zip-bomb",
        "external-link",
        "macro",
        "billion-laughs",
        "no-rows",
    ],
)
def test_unsafe_or_broken_files_are_refused_with_one_clear_error(office, make, text, monkeypatch):
    data = make()
    before = db_state()
    inflated = _count_inflated_bytes(monkeypatch)
    with count_queries() as queries:
        report = parse_workbook(data, actor=office)
    # Refused before any real work: nothing looked up, and at most INFLATE_BUDGET bytes unpacked (the bomb holds
    # 256 MB). Counted rather than timed, so a slow machine cannot fail it and a fast one cannot hide a regression.
    assert queries.count == 0
    assert inflated() <= INFLATE_BUDGET, inflated()
    assert text in report.fatal
    assert report.errors == [{"row": 0, "column": "", "message": report.fatal}]
    with pytest.raises(ApplicationError):
        apply_import(report, actor=office, only_valid=True)
    assert db_state() == before


def test_zip_bomb_is_small_on_disk():
    assert len(zip_bomb()) < 300 * 1024  # 256 MB inflated


def test_formula_cells_are_refused(office):
    def add_formulas(workbook):
        sheet = workbook["项目"]
        sheet["T2"] = "=5000+5000"  # 总投资
        sheet["B3"] = ArrayFormula("B3", "=CONCAT(C2:C3)")

    rows = [row(), row(**{"项目代码": "2403-410702-04-01-00003C"})]
    report = parse_workbook(workbook_bytes(rows, edit=add_formulas), actor=office)
    assert [(e["row"], e["column"]) for e in report.errors] == [(2, "总投资（万元）"), (3, "项目名称")]
    assert "含有公式" in report.errors[0]["message"]
    assert_refused(report, office, row=2, column="总投资（万元）", text="公式")


def test_only_valid_imports_just_the_valid_rows(office):
    rows = three_rows()
    rows[1]["责任单位"] = "无此单位"
    report = parse_workbook(workbook_bytes(rows), actor=office)
    assert report.error_rows == 1
    with pytest.raises(ApplicationError):
        apply_import(report, actor=office)
    assert Project.objects.count() == 0
    progress = []
    assert apply_import(report, actor=office, only_valid=True, progress=lambda d, t: progress.append((d, t))) == (2, 0)
    assert set(Project.objects.values_list("name", flat=True)) == {"甲街道智能制造产业园", "无代码项目"}
    assert progress[-1] == (2, 2)


# ---------------------------------------------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------------------------------------------


def test_rows_outside_the_actor_scope_are_refused_without_details(office, world):
    apply_import(parse_workbook(workbook_bytes(three_rows()), actor=office), actor=office)
    reporter = world.reporter_a
    rows = three_rows()
    rows[0]["建设地点"] = "改了地址"  # unit A: the reporter may change it
    rows[1]["建设地点"] = "改了地址"  # unit B: outside
    rows[1]["责任单位"] = "甲街道办事处"
    rows[2]["建设地点"] = "改了地址"
    report = parse_workbook(workbook_bytes(rows), actor=reporter)
    row3 = [e for e in report.errors if e["row"] == 3]
    assert row3 == [{"row": 3, "column": "项目代码", "message": "无权修改该项目。"}]
    assert report.to_update == 2

    rows = [row(**{"项目代码": "2403-410702-04-01-00004D", "项目名称": "新项目"})]
    report = parse_workbook(workbook_bytes(rows), actor=reporter)
    assert report.errors[0]["message"] == "未找到可更新的已有项目，且您无权新增项目。"

    rows = three_rows()[:1]
    rows[0]["责任单位"] = "乙街道办事处"  # the reporter cannot move a project out of their unit
    report = parse_workbook(workbook_bytes(rows), actor=reporter)
    assert report.errors[0]["column"] == "责任单位"


# ---------------------------------------------------------------------------------------------------------------
# Annotated copy
# ---------------------------------------------------------------------------------------------------------------


def test_annotated_copy_marks_bad_cells_and_explains_each_row(office):
    rows = three_rows()
    rows[1]["责任单位"] = "无此单位"
    rows[1]["总投资（万元）"] = "x"
    data = workbook_bytes(rows)
    report = parse_workbook(data, actor=office)
    for source in (report, report.errors):  # a report, or ImportJob.errors as stored
        workbook = openpyxl.load_workbook(io.BytesIO(annotated_copy(data, source)))
        sheet = workbook["项目"]
        titles = [cell.value for cell in sheet[1]]
        assert titles[-1] == ERROR_HEADER
        unit_cell = sheet.cell(row=3, column=titles.index("责任单位*") + 1)
        assert "未找到单位“无此单位”" in unit_cell.comment.text
        assert unit_cell.fill.fgColor.rgb.endswith("FFC7CE")
        explanation = sheet.cell(row=3, column=len(titles)).value
        assert "责任单位：" in explanation and "总投资（万元）：" in explanation
        assert sheet.cell(row=2, column=len(titles)).value is None
        assert sheet.cell(row=2, column=titles.index("责任单位*") + 1).comment is None
        assert "填写说明" in workbook.sheetnames  # the rest of the user's file is kept

    # the annotated copy, once fixed, imports (the 错误说明 column is ignored)
    workbook = openpyxl.load_workbook(io.BytesIO(annotated_copy(data, report)))
    sheet = workbook["项目"]
    titles = [cell.value for cell in sheet[1]]
    sheet.cell(row=3, column=titles.index("责任单位*") + 1, value="乙街道办事处")
    sheet.cell(row=3, column=titles.index("总投资（万元）") + 1, value=5000)
    buffer = io.BytesIO()
    workbook.save(buffer)
    fixed = parse_workbook(buffer.getvalue(), actor=office)
    assert fixed.errors == [], messages_of(fixed)
    again = openpyxl.load_workbook(io.BytesIO(annotated_copy(buffer.getvalue(), fixed)))["项目"]
    assert again.cell(row=3, column=titles.index("责任单位*") + 1).comment is None  # old marks cleared


# ---------------------------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------------------------


def make_project(unit, name: str, **fields) -> Project:
    values = {"name": name, "owner_name": "业主", "responsible_unit": unit, "total_investment": Decimal("1234.56")}
    values.update(fields)
    return project_create(
        actor=None, data=ProjectInput(fields=values, funding=[FundingRow("self", Decimal("1234.56"))])
    )


def test_neutralize_round_trip():
    for text in ("=1+1", "+cmd", "-x", "@SUM(1)", "\t=1", "\r=1", "＝1", "－2"):
        assert neutralize(text) == "'" + text and unneutralize(neutralize(text)) == text
    for text in ("项目", "1-2", "'quoted", ""):
        assert neutralize(text) == text and unneutralize(text) == text


def test_export_neutralises_formulas_and_keeps_numbers(world):
    for name in ("=1+1", "+cmd", "-x", "@SUM(A1:A2)"):
        make_project(world.unit_a, name, address='=HYPERLINK("http://x","点我")')
    content = export_projects_xlsx(Project.objects.order_by("pk"), year=2025)
    sheet = openpyxl.load_workbook(io.BytesIO(content))["项目"]
    titles = [cell.value for cell in sheet[1]]
    assert titles[: len(COLUMNS)] == [column.title for column in COLUMNS]
    assert titles[-2:] == ["2025年度分类", "2025年计划投资（万元）"]
    names = [sheet.cell(row=r, column=2) for r in range(2, 6)]
    assert [cell.value for cell in names] == ["'=1+1", "'+cmd", "'-x", "'@SUM(A1:A2)"]
    assert all(cell.data_type == "s" for cell in names)
    assert sheet.cell(row=2, column=titles.index("建设地点") + 1).value.startswith("'=HYPERLINK")
    money = sheet.cell(row=2, column=titles.index("总投资（万元）") + 1)
    assert money.data_type == "n" and money.value == pytest.approx(1234.56) and money.number_format == "#,##0.00"
    assert sheet.cell(row=2, column=titles.index("资金来源") + 1).value == "企业自筹:1234.56"


def test_export_round_trips_through_import(office, world):
    data = workbook_bytes(three_rows())
    apply_import(parse_workbook(data, actor=office), actor=office)
    make_project(world.unit_a, "=危险名称")
    exported = export_projects_xlsx(Project.objects.order_by("pk"), year=2025)
    sheet = openpyxl.load_workbook(io.BytesIO(exported))["项目"]
    titles = [cell.value for cell in sheet[1]]
    project_row = next(
        r
        for r in range(2, 6)
        if sheet.cell(row=r, column=3).value == "甲企业有限公司"
        and sheet.cell(row=r, column=1).value == "2403-410702-04-01-12345X"
    )
    start = sheet.cell(row=project_row, column=titles.index("实际开工日期") + 1)
    assert start.is_date and start.value.date() == date(2024, 4, 1)
    report = parse_workbook(exported, actor=office)
    assert report.errors == [], messages_of(report)
    assert (report.to_create, report.to_update, report.unchanged) == (0, 0, 4)  # export → import is the identity
    assert Project.objects.get(name="=危险名称")  # the quote is removed again on import


def test_export_of_a_reporter_contains_only_their_units_projects(world, tmp_path):
    make_project(world.unit_a, "甲项目")
    make_project(world.unit_a_child, "甲社区项目")
    make_project(world.unit_b, "乙项目")
    content = export_projects_xlsx(Project.objects.restrict(world.reporter_a, "export"))
    sheet = openpyxl.load_workbook(io.BytesIO(content))["项目"]
    assert {sheet.cell(row=r, column=2).value for r in range(2, sheet.max_row + 1)} == {"甲项目", "甲社区项目"}

    out = tmp_path / "export.xlsx"
    call_command("export_projects", "--out", str(out), "--user", "reporter_b")
    sheet = openpyxl.load_workbook(out)["项目"]
    assert [sheet.cell(row=r, column=2).value for r in range(2, sheet.max_row + 1)] == ["乙项目"]
    call_command("export_projects", "--out", str(out))
    assert openpyxl.load_workbook(out)["项目"].max_row == 4


def test_export_runs_a_constant_number_of_queries(world, django_assert_max_num_queries):
    for i in range(30):
        make_project(world.unit_a, f"项目{i}")
    with django_assert_max_num_queries(8):
        export_projects_xlsx(Project.objects.all(), year=2025)


# ---------------------------------------------------------------------------------------------------------------
# Background job and command
# ---------------------------------------------------------------------------------------------------------------


def upload(data: bytes, name: str = "projects.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_import_job_runs_to_done_with_counts(office):
    job = import_job_create(actor=office, uploaded=upload(workbook_bytes(three_rows())), only_valid=False)
    assert (job.status, job.total_rows, job.error_rows, job.errors) == ("validated", 3, 0, [])
    assert job.file.name.endswith(".xlsx") and "projects" not in job.file.name  # stored under a random name
    import_job_start(job)  # ImmediateBackend in tests
    job.refresh_from_db()
    assert job.status == "done", job.message
    assert (job.created_count, job.updated_count, job.processed_rows) == (3, 0, 3)
    assert job.finished is not None and "新增 3 个项目" in job.message
    assert Project.objects.count() == 3
    with pytest.raises(ApplicationError):
        import_job_start(job)  # a job runs once


def test_import_job_with_errors_and_only_valid(office):
    rows = three_rows()
    rows[0]["责任单位"] = "无此单位"
    job = import_job_create(actor=office, uploaded=upload(workbook_bytes(rows)), only_valid=True)
    assert job.error_rows == 1 and job.errors[0]["column"] == "责任单位"
    import_job_start(job)
    job.refresh_from_db()
    assert job.status == "done" and job.created_count == 2 and "跳过有错误的 1 行" in job.message
    assert job.processed_rows == job.total_rows == 3 and job.progress_percent == 100


def test_failing_import_job_ends_failed_and_writes_nothing(office, monkeypatch):
    job = import_job_create(actor=office, uploaded=upload(workbook_bytes(three_rows())), only_valid=False)
    real_create = excel.services.projects_bulk_create

    def flaky_create(**kwargs):
        real_create(**kwargs)  # the rows are written …
        raise RuntimeError("disk full")  # … then the disk fills up

    monkeypatch.setattr(excel.services, "projects_bulk_create", flaky_create)
    before = db_state()
    import_job_start(job)
    job.refresh_from_db()
    assert job.status == "failed" and job.finished is not None
    assert "系统错误" in job.message and "disk full" not in job.message
    assert db_state() == before  # the first project was rolled back too


def test_import_job_refuses_bad_uploads(office):
    with pytest.raises(Exception) as info:
        import_job_create(actor=office, uploaded=upload(b"\x89PNG\r\n\x1a\n" + b"0" * 100), only_valid=False)
    assert "不支持的文件类型" in str(info.value)
    with pytest.raises(Exception) as info:
        import_job_create(actor=office, uploaded=upload(workbook_bytes([row()]), "projects.xls"), only_valid=False)
    assert "扩展名" in str(info.value)
    with pytest.raises(Exception) as info:
        import_job_create(actor=office, uploaded=upload(with_external_link(workbook_bytes([row()]))), only_valid=False)
    assert "外部链接" in str(info.value)
    assert ImportJob.objects.count() == 0


def test_import_command(office, tmp_path, capsys):
    bad_rows = three_rows()
    bad_rows[2]["包联领导"] = "无此人"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook_bytes(bad_rows))
    before = db_state()
    with pytest.raises(CommandError) as info:
        call_command("import_projects", str(bad), "--user", "office")
    assert "未导入任何数据" in str(info.value)
    assert "第 4 行［包联领导］：未找到包联领导“无此人”" in capsys.readouterr().err
    assert db_state() == before

    call_command("import_projects", str(bad), "--user", "office", "--only-valid")
    assert "新增 2 个" in capsys.readouterr().out
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook_bytes(three_rows()))
    call_command("import_projects", str(good), "--user", "office")
    assert "新增 1 个，更新 0 个，与现有数据一致 2 个" in capsys.readouterr().out
    with pytest.raises(CommandError, match="没有导入项目的权限"):
        call_command("import_projects", str(good), "--user", "reporter_a")


def test_in_memory_constraint_checks_agree_with_the_database(world):
    existing = make_project(world.unit_a, "已有", code="2403-410702-04-01-77777A")
    checks = excel._InMemoryChecks({existing.code: (existing.pk, existing.version)})
    cases = [
        {},
        {"stage": Stage.CONSTRUCTION},
        {"stage": Stage.CONSTRUCTION, "actual_start": date(2024, 1, 1)},
        {"stage": Stage.COMPLETED, "actual_start": date(2024, 1, 1)},
        {"stage": Stage.OPERATING, "actual_finish": date(2024, 1, 1)},
        {"actual_start": date(2024, 5, 1), "actual_finish": date(2024, 4, 1)},
        {"actual_start": date(2024, 5, 1), "actual_finish": date(2024, 5, 1)},
        {"total_investment": Decimal("-1")},
        {"code": existing.code},
        {"code": "2403-410702-04-01-77778B"},
    ]
    for values in cases:
        fields = {"name": "x", "owner_name": "y", "responsible_unit": world.unit_a, "total_investment": Decimal("1")}
        project = Project(**{**fields, **values})
        try:
            project.validate_constraints()
            expected: list[str] = []
        except excel.ValidationError as exc:
            expected = sorted(exc.messages)
        try:
            checks.validate_constraints(project)
            got: list[str] = []
        except excel.ValidationError as exc:
            got = sorted(exc.messages)
        assert got == expected, values
    existing_copy = excel._clone(existing)  # an update keeps its own code
    checks.validate_constraints(existing_copy)
