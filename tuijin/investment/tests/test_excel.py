"""Excel of 招商 (excel.py): the lead export (content, 万元, dates, formula injection neutralised), the template, the
round trip export → import that changes nothing, the import's checks (every kind of bad cell with its Chinese message
in the annotated copy, nothing written on any error, the scope), updates at a version, and the ledger's export and
import (DRAFT lines with their 公平竞争审查 flags)."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tuijin.core.exceptions import ApplicationError
from tuijin.investment import excel
from tuijin.investment.choices import CommitmentSide, CommitmentState
from tuijin.investment.models import Commitment, Lead
from tuijin.projects.models import ImportJob, IndustryCategory, IndustryChain
from tuijin.utilities.excel import workbook_bytes

from .factories import advance, make_lead


def book(content: bytes):
    return load_workbook(io.BytesIO(content))


def rows_of(content: bytes, sheet: str) -> list[dict]:
    ws = book(content)[sheet]
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=False)) for row in values[1:]]


def edit(content: bytes, sheet: str, changes: dict[tuple[int, str], object], append: list[dict] | None = None) -> bytes:
    """The workbook with cells changed ((row, header) → value) and rows appended ({header: value})."""
    wb = book(content)
    ws = wb[sheet]
    headers = {cell.value: cell.column for cell in ws[1]}
    for (row, header), value in changes.items():
        ws.cell(row=row, column=headers[header], value=value)
    for values in append or []:
        row = ws.max_row + 1
        for header, value in values.items():
            ws.cell(row=row, column=headers[header], value=value)
    return workbook_bytes(wb)


def upload(content: bytes, name="leads.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def chains(db):
    return (
        IndustryChain.objects.create(name="光电信息", sort_order=1),
        IndustryChain.objects.create(name="智能制造", sort_order=2),
        IndustryChain.objects.create(name="旧产业链", sort_order=3, is_active=False),
    )


@pytest.fixture
def industry(db):
    parent = IndustryCategory.objects.filter(parent__isnull=True).first() or IndustryCategory.objects.create(
        code="C", name="制造业"
    )
    found = IndustryCategory.objects.filter(parent__isnull=False).first()
    return found or IndustryCategory.objects.create(code="39", name="计算机、通信和其他电子设备制造业", parent=parent)


@pytest.fixture
def leads(world, chains, industry):
    a = make_lead(
        actor=world.reporter_a,
        unit=world.unit_a,
        name="甲街道光电模组项目",
        investor='=HYPERLINK("http://x")',
        investor_tags=["listed", "global500"],
        chain=chains[0],
        industry=industry,
        planned_investment=Decimal("50000"),
        planned_investment_approx=True,
        land_need_mu=Decimal("80.5"),
        contact_phone="+8613800000000",
        tracking_person="张三",
    )
    a = advance(a, "signed", actor=world.reporter_a, reviewer=world.office)
    b = make_lead(actor=world.reporter_b, unit=world.unit_b, name="乙街道智能装备项目", chain=chains[1])
    return a, b


def _export(queryset=None) -> bytes:
    return excel.export_leads_xlsx(queryset if queryset is not None else Lead.objects.all())


def _count_writes():
    return Lead.objects.count(), sorted(Lead.objects.values_list("pk", "version"))


# --- export ---------------------------------------------------------------------------------------------------------


def test_export_has_every_column_typed_and_neutralised(leads, industry):
    content = _export()
    rows = {row["项目名称"]: row for row in rows_of(content, "招商项目")}
    a = rows["甲街道光电模组项目"]
    assert a["招商项目ID"] == leads[0].pk and a["版本"] == Lead.objects.get(pk=leads[0].pk).version
    assert a["投资方性质"] == "世界500强、上市公司"  # the list's order
    assert a["所属产业链"] == "光电信息" and a["国民经济行业"] == f"{industry.code} {industry.name}"
    assert a["拟投资额（万元）"] == "约50000.00"  # an estimate keeps its 约
    assert a["用地需求（亩）"] == 80.5 and a["跟踪单位"] == "甲街道办事处"
    assert a["阶段"] == "签约" and a["审核状态"] == "通过"
    assert a["合同（协议）投资总额（万元）"] == 50000 and a["签约时间"].date() == date(2025, 3, 1)
    # formula injection: text starting with = or + is written with a leading quote, as text
    assert a["投资方"] == '\'=HYPERLINK("http://x")' and a["联系电话"] == "'+8613800000000"
    ws = book(content)["招商项目"]
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)
    assert rows["乙街道智能装备项目"]["拟投资额（万元）"] == 30000  # exact: a number


def test_template_has_notes_and_drop_downs(world, chains):
    content = excel.lead_template(actor=world.reporter_a)
    wb = book(content)
    assert wb.sheetnames[:2] == ["招商项目", "填写说明"] and wb["选项"].sheet_state == "hidden"
    headers = [c.value for c in wb["招商项目"][1]]
    assert headers[:4] == ["招商项目ID", "版本", "项目名称", "投资方"] and "阶段" not in headers
    ranges = {str(dv.sqref).split(":")[0][:-1]: dv.formula1 for dv in wb["招商项目"].data_validations.dataValidation}
    letter = {c.value: c.column_letter for c in wb["招商项目"][1]}
    assert letter["所属产业链"] in ranges and letter["跟踪单位"] in ranges
    options = [c for col in wb["选项"].iter_cols(values_only=True) for c in col if c]
    assert "光电信息" in options and "旧产业链" not in options and "甲街道办事处" in options
    notes = "\n".join(str(c) for row in wb["填写说明"].iter_rows(values_only=True) for c in row if c)
    assert "约5亿元" in notes and "跟踪单位" in notes


# --- the round trip and updates ---------------------------------------------------------------------------------------


def test_round_trip_changes_nothing(world, leads):
    before = _count_writes()
    content = _export(Lead.objects.filter(tracking_unit=world.unit_a))
    check = excel.parse_leads(content, actor=world.reporter_a)
    assert not check.errors and check.unchanged == 1 and check.to_create == check.to_update == 0
    assert not check.can_apply
    assert _count_writes() == before


def test_import_creates_and_updates_in_one_go(world, leads, chains):
    content = _export(Lead.objects.filter(tracking_unit=world.unit_a))
    content = edit(
        content,
        "招商项目",
        {(2, "跟踪人"): "李四", (2, "拟投资额（万元）"): "约6亿元", (2, "阶段"): "达产"},  # 阶段 is reference only
        append=[
            {
                "项目名称": "新登记的光电项目",
                "投资方": "新投资集团",
                "投资方性质": "民营、专精特新",
                "所属产业链": "光电信息",
                "拟投资额（万元）": "5亿元",
                "跟踪单位": "甲街道办事处",
                "注册资本（万元）": 1000,
                "建设地点": "中德光电产业园",
                "企业账号": "甲企业有限公司",
            }
        ],
    )
    check = excel.parse_leads(content, actor=world.reporter_a)
    assert not check.errors, check.errors
    assert check.to_create == 1 and check.to_update == 1
    assert check.total("create") == Decimal("50000") and check.total("update") == Decimal("60000")
    assert [(t.key, t.count, t.amount) for t in check.totals] == [
        ("新增", 1, Decimal("50000")),
        ("更新", 1, Decimal("60000")),
    ]
    update = next(r for r in check.rows if r.action == "update")
    assert set(update.changes) == {"跟踪人", "拟投资额（万元）"}
    job, _check = excel.import_job_create(actor=world.reporter_a, kind="leads", uploaded=upload(content))
    excel.import_apply(actor=world.reporter_a, job=job)
    a = Lead.objects.get(pk=leads[0].pk)
    assert a.tracking_person == "李四" and a.planned_investment == Decimal("60000") and a.planned_investment_approx
    assert a.stage == "signed"  # stage data is not imported
    assert a.events.filter(type="updated").exists()
    new = Lead.objects.get(name="新登记的光电项目")
    assert new.investor_tags == ["private", "specialised"] and new.planned_investment == Decimal("50000")
    assert new.chain == chains[0] and new.tracking_unit == world.unit_a and new.stage == "negotiating"
    assert new.reg_capital == Decimal("1000") and new.site == "中德光电产业园" and new.enterprise == world.enterprise_a
    job.refresh_from_db()
    assert job.status == "done" and job.created_count == 1 and job.updated_count == 1
    with pytest.raises(ApplicationError):
        excel.import_apply(actor=world.reporter_a, job=job)  # not twice


def test_a_lead_changed_between_check_and_confirm_writes_nothing(world, leads):
    content = _export(Lead.objects.filter(tracking_unit=world.unit_a))
    content = edit(
        content,
        "招商项目",
        {(2, "跟踪人"): "王五"},
        append=[{"项目名称": "另一个", "投资方": "某公司", "跟踪单位": "甲街道办事处"}],
    )
    job, check = excel.import_job_create(actor=world.reporter_a, kind="leads", uploaded=upload(content))
    assert check.can_apply
    lead = Lead.objects.get(pk=leads[0].pk)
    from tuijin.investment import services

    services.lead_update(actor=world.office, lead=lead, version=lead.version, data={"recommender": "区商务局"})
    count = Lead.objects.count()
    with pytest.raises(ApplicationError, match="重新校验"):
        excel.import_apply(actor=world.reporter_a, job=job)
    assert Lead.objects.count() == count and Lead.objects.get(pk=lead.pk).tracking_person == "张三"
    job.refresh_from_db()
    assert job.status == "validated" and any("版本" == e["column"] for e in job.errors)


# --- bad cells --------------------------------------------------------------------------------------------------------


def _comments(content: bytes, sheet: str) -> dict[tuple[int, str], tuple[str, str]]:
    """(row, header) → (comment text, fill colour) of every commented cell."""
    ws = book(content)[sheet]
    headers = {cell.column: cell.value for cell in ws[1]}
    return {
        (cell.row, headers[cell.column]): (cell.comment.text, cell.fill.fgColor.rgb)
        for row in ws.iter_rows(min_row=2)
        for cell in row
        if cell.comment is not None
    }


BAD_ROWS = [
    # (header → value of the row, the column marked, a fragment of its Chinese message)
    ({"跟踪单位": "不存在的单位"}, "跟踪单位", "未找到单位“不存在的单位”"),
    ({"所属产业链": "不存在的链"}, "所属产业链", "未找到产业链“不存在的链”"),
    ({"所属产业链": "旧产业链"}, "所属产业链", "已停用"),  # the service's own rule
    ({"拟投资额（万元）": "五个亿"}, "拟投资额（万元）", "不是金额"),
    ({"拟投资额（万元）": "-5"}, "拟投资额（万元）", "不能为负数"),
    ({"投资方性质": "独角兽"}, "投资方性质", "投资方性质“独角兽”不是可选值"),
    ({"项目名称": None}, "项目名称", "请填写项目名称"),
    ({"投资方": None}, "投资方", "请填写投资方"),
    ({"用地需求（亩）": "很多"}, "用地需求（亩）", "不是数字"),
    ({"国民经济行业": "9999"}, "国民经济行业", "未找到国民经济行业"),
    ({"跟踪单位": "乙街道办事处"}, "跟踪单位", "范围"),  # another unit: out of the reporter's scope
    ({"招商项目ID": 999999, "版本": 1}, "招商项目ID", "不存在或不在您的管理范围内"),
    ({"项目名称": "=1+1"}, "项目名称", "不能使用公式"),
    ({"企业账号": "无此企业"}, "企业账号", "未找到企业“无此企业”"),
    ({"企业账号": "甲街道办事处"}, "企业账号", "未找到企业"),
    ({"注册资本（万元）": -1}, "注册资本（万元）", "不能为负数"),
]


@pytest.mark.parametrize(("values", "column", "message"), BAD_ROWS, ids=[r[1] + str(i) for i, r in enumerate(BAD_ROWS)])
def test_each_bad_cell_is_marked_with_its_message_and_nothing_is_written(
    world, chains, industry, values, column, message
):
    good = {"项目名称": "好项目", "投资方": "好公司", "跟踪单位": "甲街道办事处", "拟投资额（万元）": "1亿元"}
    bad = {"项目名称": "坏项目", "投资方": "坏公司", "跟踪单位": "甲街道办事处", **values}
    content = edit(excel.lead_template(actor=world.reporter_a), "招商项目", {}, append=[good, bad])
    before = _count_writes()
    job, check = excel.import_job_create(actor=world.reporter_a, kind="leads", uploaded=upload(content))
    assert check.errors and not check.can_apply
    assert [(e["row"], e["column"]) for e in check.errors] == [(3, column)], check.errors
    assert message in check.errors[0]["message"]
    with pytest.raises(ApplicationError):
        excel.import_apply(actor=world.reporter_a, job=job)
    assert _count_writes() == before  # the good row was not written either
    annotated = excel.annotated_copy(excel.job_data(job), job.errors, kind="leads")
    marks = _comments(annotated, "招商项目")
    assert list(marks) == [(3, column)]
    text, fill = marks[(3, column)]
    assert message in text and fill.endswith("FFC7CE")
    rows = rows_of(annotated, "招商项目")
    assert message in rows[1]["错误说明"] and rows[0]["错误说明"] is None


def test_stale_version_is_an_error(world, leads):
    content = _export(Lead.objects.filter(tracking_unit=world.unit_a))
    content = edit(content, "招商项目", {(2, "版本"): 1, (2, "跟踪人"): "赵六"})
    check = excel.parse_leads(content, actor=world.reporter_a)
    assert [e["column"] for e in check.errors] == ["版本"]
    assert "在导出后已被修改" in check.errors[0]["message"]


def test_update_of_another_units_lead_is_a_row_error(world, leads):
    content = _export(Lead.objects.filter(pk=leads[1].pk))
    content = edit(content, "招商项目", {(2, "跟踪人"): "越权"})
    check = excel.parse_leads(content, actor=world.reporter_a)
    # the lead is not among those the reporter may change, nor its unit among those it may choose
    assert {e["column"] for e in check.errors} == {"招商项目ID", "跟踪单位"} and not check.rows
    assert "不存在或不在您的管理范围内" in next(e["message"] for e in check.errors if e["column"] == "招商项目ID")
    assert Lead.objects.get(pk=leads[1].pk).tracking_person == ""


def test_a_corrected_annotated_copy_imports(world, chains):
    content = edit(
        excel.lead_template(actor=world.reporter_a),
        "招商项目",
        {},
        append=[{"项目名称": "改正后的项目", "投资方": "某公司", "跟踪单位": "无此单位"}],
    )
    check = excel.parse_leads(content, actor=world.reporter_a)
    annotated = excel.annotated_copy(content, check.errors, kind="leads")
    fixed = edit(annotated, "招商项目", {(2, "跟踪单位"): "甲街道办事处"})
    check = excel.parse_leads(fixed, actor=world.reporter_a)  # the 错误说明 column is ignored
    assert not check.errors and check.to_create == 1
    again = excel.annotated_copy(fixed, [], kind="leads")
    assert _comments(again, "招商项目") == {}  # earlier marks cleared


def test_wrong_headers_refuse_the_file(world):
    wb = book(excel.lead_template(actor=world.reporter_a))
    wb["招商项目"].cell(row=1, column=3, value="名称")
    check = excel.parse_leads(workbook_bytes(wb), actor=world.reporter_a)
    assert check.fatal and any("缺少表头" in e["message"] for e in check.errors)


# --- the ledger -------------------------------------------------------------------------------------------------------


@pytest.fixture
def lines(world, leads):
    gov = Commitment.objects.create(
        lead=leads[0],
        side=CommitmentSide.GOVERNMENT,
        category="subsidy",
        content="给予设备投资奖补",
        clause="第五条",
        condition="设备到厂",
        due_date=date(2026, 6, 30),
        amount=Decimal("500"),
        responsible_unit=world.unit_a,
    )
    inv = Commitment.objects.create(
        lead=leads[0],
        side=CommitmentSide.INVESTOR,
        category="jobs",
        content="@新增就业岗位",
        due_date=date(2027, 1, 1),
        target_value=Decimal("300"),
        target_unit="人",
    )
    other = Commitment.objects.create(
        lead=leads[1],
        side=CommitmentSide.INVESTOR,
        category="capex",
        content="乙项目固定资产投资",
        due_date=date(2027, 6, 1),
        amount=Decimal("20000"),
    )
    return gov, inv, other


def test_ledger_export_both_sides(world, lines):
    content = excel.export_ledger_xlsx(excel.ledger_queryset(world.reporter_a))
    rows = rows_of(content, "承诺台账")
    assert {r["承诺事项"] for r in rows} == {"给予设备投资奖补", "'@新增就业岗位"}  # scoped; @ neutralised
    gov = next(r for r in rows if r["承诺方"] == "政府承诺")
    assert gov["承诺类别"] == "奖补资金" and gov["承诺金额（万元）"] == 500 and gov["责任单位"] == "甲街道办事处"
    assert gov["计划兑现时间"].date() == date(2026, 6, 30) and gov["签订状态"] == "草拟"
    assert gov["招商项目ID"] == lines[0].lead_id and gov["招商项目名称"] == "甲街道光电模组项目"


def test_ledger_template(world, leads):
    wb = book(excel.ledger_template(actor=world.reporter_a))
    assert wb.sheetnames[:2] == ["承诺台账", "填写说明"]
    assert len(wb["承诺台账"].data_validations.dataValidation) == 3  # 承诺方, 承诺类别, 责任单位
    options = {c for col in wb["选项"].iter_cols(values_only=True) for c in col if c}
    # the government units of the district of the reporter's leads (as the ledger page offers), no enterprise
    assert {"测试区发改委", "乙街道办事处", "甲街道办事处"} <= options and "甲企业有限公司" not in options


def _ledger_file(world, *rows: dict) -> bytes:
    return edit(excel.ledger_template(actor=world.reporter_a), "承诺台账", {}, append=list(rows))


LINE = {
    "招商项目名称": "甲街道光电模组项目",
    "承诺方": "政府承诺",
    "承诺类别": "税费优惠",
    "承诺事项": "按企业纳税额给予返还奖励",
    "承诺依据（合同条款）": "第七条",
    "计划兑现时间": "2026-12-31",
    "承诺金额（万元）": "200",
    "责任单位": "甲街道办事处",
}


@pytest.mark.parametrize(
    ("values", "column", "message"),
    [
        ({"承诺方": "第三方"}, "承诺方", "不是可选值"),
        ({"承诺类别": "就业岗位"}, "承诺类别", "不属于政府承诺"),
        ({"承诺类别": "买房"}, "承诺类别", "不是可选值"),
        ({"计划兑现时间": "明年"}, "计划兑现时间", "不是有效日期"),
        ({"承诺金额（万元）": "很多"}, "承诺金额（万元）", "不是数字"),
        ({"责任单位": None}, "责任单位", "政府承诺须选择责任单位"),
        ({"责任单位": "甲企业有限公司"}, "责任单位", "未找到单位"),
        ({"责任单位": "邻区发改委"}, "责任单位", "招商项目所在区县"),
        ({"招商项目名称": None, "招商项目ID": 999999}, "招商项目ID", "不存在或不在您的管理范围内"),
        ({"承诺事项": None}, "承诺事项", "请填写承诺事项"),
        ({"招商项目名称": "乙街道智能装备项目"}, "招商项目名称", "不在您的管理范围内"),
        ({"招商项目名称": "不存在的项目"}, "招商项目名称", "不存在"),
    ],
)
def test_ledger_bad_cells(world, lines, values, column, message):
    before = Commitment.objects.count()
    content = _ledger_file(world, LINE, {**LINE, **values})
    check = excel.parse_ledger(content, actor=world.reporter_a)
    assert [(e["row"], e["column"]) for e in check.errors] == [(3, column)], check.errors
    assert message in check.errors[0]["message"]
    marks = _comments(excel.annotated_copy(content, check.errors, kind="commitments"), "承诺台账")
    assert list(marks) == [(3, column)] and message in marks[(3, column)][0]
    assert Commitment.objects.count() == before


def test_ledger_import_creates_drafts_with_flags(world, lines):
    content = _ledger_file(
        world,
        LINE,
        {**LINE, "承诺方": "企业承诺", "承诺类别": "固定资产投资", "承诺事项": "完成固定资产投资", "责任单位": None},
    )
    job, check = excel.import_job_create(actor=world.reporter_a, kind="commitments", uploaded=upload(content))
    assert not check.errors and check.to_create == 2
    flagged = next(r for r in check.rows if r.label == "按企业纳税额给予返还奖励")
    assert flagged.flags, "a tax-linked reward must raise a 公平竞争审查 flag"
    excel.import_apply(actor=world.reporter_a, job=job)
    created = Commitment.objects.filter(lead=lines[0].lead, content__in=[LINE["承诺事项"], "完成固定资产投资"])
    assert created.count() == 2 and {c.state for c in created} == {CommitmentState.DRAFT}
    # the same file again: nothing new
    check = excel.parse_ledger(content, actor=world.reporter_a)
    assert check.unchanged == 2 and not check.can_apply


def test_ledger_round_trip_changes_nothing(world, lines):
    before = sorted(Commitment.objects.values_list("pk", "version"))
    content = excel.export_ledger_xlsx(excel.ledger_queryset(world.reporter_a))
    check = excel.parse_ledger(content, actor=world.reporter_a)
    assert not check.errors and check.unchanged == 2 and not check.can_apply
    changed = edit(content, "承诺台账", {(2, "承诺事项"): "改了"})
    check = excel.parse_ledger(changed, actor=world.reporter_a)
    assert [e["column"] for e in check.errors] == ["承诺ID"]
    assert sorted(Commitment.objects.values_list("pk", "version")) == before


def test_ledger_needs_a_signed_lead(world, chains):
    make_lead(actor=world.reporter_a, unit=world.unit_a, name="在谈中的项目")
    check = excel.parse_ledger(_ledger_file(world, {**LINE, "招商项目名称": "在谈中的项目"}), actor=world.reporter_a)
    assert [(e["column"], e["message"]) for e in check.errors] == [("招商项目名称", "招商项目签约后才能登记承诺台账。")]


def test_kind_permission(world):
    with pytest.raises(Exception, match="权限"):
        excel.import_check(actor=world.leader, kind="leads", data=b"")
    assert not ImportJob.objects.exists()


def test_a_service_refusal_at_confirm_names_its_row_and_writes_nothing(world, chains):
    rows = [
        {"项目名称": "先写的项目", "投资方": "某公司", "跟踪单位": "甲街道办事处"},
        {"项目名称": "后写的项目", "投资方": "某公司", "跟踪单位": "甲街道办事处", "所属产业链": "光电信息"},
    ]
    content = edit(excel.lead_template(actor=world.reporter_a), "招商项目", {}, append=rows)
    job, check = excel.import_job_create(actor=world.reporter_a, kind="leads", uploaded=upload(content))
    assert check.can_apply and check.to_create == 2
    IndustryChain.objects.filter(pk=chains[0].pk).update(is_active=False)  # deactivated meanwhile
    with pytest.raises(ApplicationError, match="第 3 行：.*已停用.*未导入任何数据"):
        excel.import_apply(actor=world.reporter_a, job=job)
    assert not Lead.objects.filter(name__in=["先写的项目", "后写的项目"]).exists()
    job.refresh_from_db()
    assert job.status == "validated"


def test_a_new_row_repeating_a_lead_is_refused(world, leads):
    rows = [
        {"项目名称": "甲街道光电模组项目", "投资方": '\'=HYPERLINK("http://x")', "跟踪单位": "甲街道办事处"},
        {"项目名称": "重复项目", "投资方": "某公司", "跟踪单位": "甲街道办事处"},
        {"项目名称": "重复项目", "投资方": "某公司", "跟踪单位": "甲街道办事处"},
    ]
    content = edit(excel.lead_template(actor=world.reporter_a), "招商项目", {}, append=rows)
    check = excel.parse_leads(content, actor=world.reporter_a)
    assert [(e["row"], e["column"]) for e in check.errors] == [(2, "项目名称"), (4, "项目名称")]
    assert f"招商项目ID {leads[0].pk}" in check.errors[0]["message"] and "与第 3 行" in check.errors[1]["message"]


def test_the_file_format_is_chinese_in_any_language(world, lines):
    from django.utils import translation

    with translation.override("en"):
        leads_file = _export(Lead.objects.filter(tracking_unit=world.unit_a))
        ledger_file = excel.export_ledger_xlsx(excel.ledger_queryset(world.reporter_a))
        assert rows_of(leads_file, "招商项目")[0]["阶段"] == "签约"
        assert {r["承诺方"] for r in rows_of(ledger_file, "承诺台账")} == {"政府承诺", "企业承诺"}
        assert excel.parse_ledger(ledger_file, actor=world.reporter_a).unchanged == 2
        assert excel.parse_leads(leads_file, actor=world.reporter_a).unchanged == 1
