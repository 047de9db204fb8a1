"""The monthly notice: DOCX/PDF/XLSX open and carry the selector figures; template replacement; command; charts."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from tuijin.core.figures_cache import figures_changed
from tuijin.dispatch import charts, notice, selectors, warnings
from tuijin.org.choices import Role
from tuijin.org.models import Membership
from tuijin.progress.choices import LightColor, WarningDimension
from tuijin.progress.models import ProgressReport, ReportProblem, WarningLight, WarningRule
from tuijin.projects.models import Project

from .test_selectors import YEAR, Portfolio

D = Decimal


@pytest.fixture
def portfolio(world):
    data = Portfolio(world)
    # A name that a spreadsheet would run as a formula: the fastest project (all continuing ones tie, lowest pk first).
    formula = data.projects[67]
    Project.objects.filter(pk=formula.pk).update(name="=1+1")
    figures_changed(None)  # raw writes send no signals: bring the facts up to date
    rule = WarningRule.objects.create(code="t_notice", name="投资进度", dimension=WarningDimension.PROGRESS)
    WarningLight.objects.create(
        project=formula, period=date(YEAR, 9, 1), rule=rule, color=LightColor.RED, explanation="@SUM(A1)"
    )
    warnings.light_resync(date(YEAR, 9, 1))  # a light written directly: its facts row follows
    report = ProgressReport.objects.get(project=data.projects[80], period=date(YEAR, 9, 1))
    ReportProblem.objects.create(report=report, category="用地", description="用地指标未落实", help_requested="+协调")
    return data


@pytest.fixture
def data(world, portfolio):
    return notice.build_notice(world.office, YEAR, 9)


def test_docx_overview_sentence_tables_and_charts(data):
    from docx import Document

    document = Document(io.BytesIO(notice.notice_docx(data)))
    texts = [p.text for p in document.paragraphs]
    overview = next(t for t in texts if "累计完成投资" in t)
    assert "211个" in overview
    assert "年度计划投资405.34亿元" in overview
    assert "累计完成投资297.00亿元" in overview
    assert "占年度计划的73.27%" in overview
    assert "低于序时进度1.73个百分点" in overview
    assert any("计划新开工项目67个，已开工57个，开工率85.07%" in t for t in texts)
    assert texts[0] == "重点项目建设调度通报"  # the masthead, then 第N期, the sender line and the title
    assert "关于2026年1—9月全区重点项目建设情况的通报" in texts
    assert not [t for t in texts if "{{" in t]  # every placeholder replaced, inline ones too
    assert any("用地指标未落实" in cell.text for table in document.tables for cell in table._cells)
    assert len(document.inline_shapes) == 2  # trend and unit charts
    ranking = next(t for t in document.tables if t.rows[0].cells[0].text == "名次")
    assert ranking.rows[1].cells[1].text in {"甲街道办事处", "乙街道办事处"}


def test_docx_template_can_be_replaced(settings, tmp_path, data):
    from docx import Document

    custom = Document()
    custom.add_paragraph("红旗区重点项目通报（{{期间}}）")
    custom.add_paragraph("{{总体情况}}")
    custom.add_paragraph("落款 {{日期}}")
    path = tmp_path / "mine.docx"
    custom.save(str(path))
    settings.TUIJIN_NOTICE_TEMPLATE = str(path)
    document = Document(io.BytesIO(notice.notice_docx(data)))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "红旗区重点项目通报（2026年1—9月）"
    assert any("占年度计划的73.27%" in t for t in texts)
    assert not any("开工率" in t for t in texts)  # no {{开工情况}} placeholder: that section is left out
    assert texts[-1].startswith("落款 ") and "{{" not in texts[-1]


def _pdf_text(document) -> str:
    parts = []

    def walk(box):
        text = getattr(box, "text", None)
        if isinstance(text, str):
            parts.append(text)
        for child in getattr(box, "children", []) or []:
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return "".join(parts)


def test_pdf(data):
    sections = notice.notice_sections(data)
    document = notice.notice_pdf_document(data, sections=sections)
    assert len(document.pages) >= 2
    text = _pdf_text(document)
    assert "占年度计划的73.27%" in text and "低于序时进度1.73个百分点" in text
    assert "开工率85.07%" in text
    content = notice.notice_pdf(data, sections=sections)
    assert content.startswith(b"%PDF")
    raw = document.write_pdf(uncompressed_pdf=True)
    assert b"Noto-Serif-CJK-SC" in raw and b"Noto-Sans-CJK-SC" in raw  # the CJK fonts are embedded


def test_xlsx_numbers_and_formula_neutralisation(data):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(notice.notice_xlsx(data)))
    summary = data.summary
    overview = {row[0].value: row[1].value for row in workbook["总体"].iter_rows(min_row=3)}
    assert overview["项目数"] == 211
    assert D(str(overview["年度计划投资"])) == summary.plan == D("4053400")
    assert D(str(overview["累计完成投资"])) == summary.ytd == D("2970000")
    assert D(str(overview["占年度计划"])) == selectors.display(summary.rate) == D("73.27")
    assert D(str(overview["较序时进度"])) == D("-1.73")
    assert D(str(overview["开工率"])) == D("85.07")
    ranking = workbook["单位排名"]
    header = [c.value for c in ranking[2]]
    assert header[:3] == ["名次", "责任单位", "项目数（个）"]
    first = next(u for u in summary.unit_ranking if u.rank == 1)
    row = [c.value for c in ranking[3]]
    assert row[0] == 1 and row[1] == first.label and row[2] == first.count
    assert isinstance(row[4], int | float) and D(str(row[4])) == first.plan
    assert D(str(row[6])) == selectors.display(first.rate)
    fastest = [c.value for c in workbook["十快"][3]]
    assert fastest[1] == "'=1+1"
    red = [c.value for c in workbook["红灯"][3]]
    assert red[1] == "'=1+1" and red[4] == "'@SUM(A1)"
    problems = [c.value for c in workbook["主要问题"][3]]
    assert problems[4] == "用地指标未落实" and problems[5] == "'+协调"
    for sheet in workbook.worksheets:
        for cells in sheet.iter_rows():
            assert not any(cell.data_type == "f" for cell in cells)
    assert {
        "年度类别",
        "投资领域",
        "项目级别",
        "产业链",
        "十慢",
        "开门红",
        "双过半",
        "未按计划开工",
        "提前开工",
        "未上报",
    } <= set(workbook.sheetnames)


def test_long_lists_are_cut_in_the_body(world, data, monkeypatch):
    monkeypatch.setattr(notice, "LIST_LIMIT", 3)
    table = next(
        b
        for b in notice.notice_sections(data, with_charts=False)["排名"]
        if isinstance(b, notice.Table) and b.sheet == "十快"
    )
    assert len(table.formatted(limit=notice.LIST_LIMIT)) == 3
    assert "共10项" in table.truncated_note


def test_unit_scope(world, portfolio):
    mine = notice.build_notice(world.reporter_a, YEAR, 9)
    assert mine.summary.project_count == 106
    assert {u.unit_id for u in mine.missing.units} == {world.unit_a.pk}


def test_command(world, portfolio, tmp_path):
    out = tmp_path / "notice.xlsx"
    call_command("generate_notice", "--period", "2026-09", "--format", "xlsx", "--out", str(out))
    from openpyxl import load_workbook

    overview = {r[0].value: r[1].value for r in load_workbook(out)["总体"].iter_rows(min_row=3)}
    assert overview["项目数"] == 211  # default: the project office's region-wide scope
    call_command(
        "generate_notice", "--period", "2026-09", "--format", "xlsx", "--out", str(out), "--user", "reporter_b"
    )
    overview = {r[0].value: r[1].value for r in load_workbook(out)["总体"].iter_rows(min_row=3)}
    assert overview["项目数"] == 105
    docx = tmp_path / "notice.docx"
    call_command("generate_notice", "--period", "2026-09", "--format", "docx", "--out", str(docx))
    assert docx.read_bytes().startswith(b"PK")
    with pytest.raises(CommandError):
        call_command("generate_notice", "--period", "2026-13", "--out", str(out))
    with pytest.raises(CommandError):
        call_command("generate_notice", "--period", "2026-09", "--out", str(out), "--user", "ent_user_a")
    Membership.objects.filter(role=Role.PROJECT_OFFICE).delete()
    with pytest.raises(CommandError):
        call_command("generate_notice", "--period", "2026-09", "--out", str(out))


def test_store_and_background_task(world, portfolio):
    record = notice.notice_store(user=world.office, year=YEAR, month=9, fmt="xlsx")
    assert record["status"] == "done" and record["filename"] == "月度调度通报附表-2026年09月.xlsx"
    assert notice.notice_file(notice.notice_record(record["id"])).read_bytes().startswith(b"PK")
    result = notice.generate_notice_task.enqueue(world.office.pk, YEAR, 9, "docx")  # immediate backend in tests
    stored = notice.notice_record(str(result.id))
    assert stored["status"] == "done" and stored["user_id"] == world.office.pk
    assert [r["id"] for r in notice.notice_records_for(world.office)][:2] == [str(result.id), record["id"]]
    assert notice.notice_records_for(world.reporter_a) == []
    assert notice.notice_record("../../etc/passwd") is None


def test_charts_draw_chinese_with_the_cjk_font():
    from PIL import Image

    font = charts.chart_font(20)
    assert font.getname()[0] == "Noto Sans CJK SC"
    assert font.getmask("开工率").getbbox() is not None  # real glyphs, not empty boxes
    png = charts.unit_rate_chart(
        [("甲街道办事处", D("72.5")), ("乙街道", None)],
        D(75),
        title="各责任单位年度计划完成率",
        schedule_label="序时进度",
    )
    assert Image.open(io.BytesIO(png)).size[0] == 1600
    png = charts.trend_chart(
        ["1月", "2月"],
        [D(1), None],
        [D(1), None],
        [D("0.5"), D(1)],
        title="趋势",
        legend=("当月", "累计", "计划"),
        unit="亿元",
    )
    assert png.startswith(b"\x89PNG")
