"""Honest blanks in the figures (issue 13, item 4): an unknown 总投资 (未填) is left out of every sum of 总投资 and
counted beside it ("另有 2 个项目未填总投资"); a blank 投资领域 is a group of its own, 未填, listed last."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tuijin.dispatch import dashboard, notice, selectors
from tuijin.dispatch.notice import Table
from tuijin.facts.figures import FIGURES, projects_with, total_missing_note
from tuijin.progress.models import ProgressReport
from tuijin.progress.services import period_for_reporting
from tuijin.projects.models import AnnualPlan, Project
from tuijin.utilities.excel import open_xlsx

D = Decimal
NOTE = "另有 2 个项目未填总投资"
NOTE_COMPACT = "另有2个项目未填总投资"


@pytest.fixture
def portfolio(world):
    """Five projects of the annual list: three with a known 总投资 (1,000 万元 each, one of them with a blank
    投资领域) and two whose 总投资 is 未填 (one in each street, one with a blank 投资领域)."""
    period = period_for_reporting()
    specs = (
        ("已知总投资甲一", world.unit_a, D(1000), "industry"),
        ("已知总投资甲二", world.unit_a, D(1000), "infrastructure"),
        ("已知总投资乙", world.unit_b, D(1000), ""),
        ("未填总投资甲", world.unit_a, None, "industry"),
        ("未填总投资乙", world.unit_b, None, ""),
    )
    made = []
    for name, unit, total, domain in specs:
        project = Project.objects.create(
            name=name, owner_name="x", total_investment=total, responsible_unit=unit, domain=domain
        )
        AnnualPlan.objects.create(project=project, year=period.year, planned_investment=D(100))
        ProgressReport.objects.create(
            project=project, period=period, status="submitted", month_investment=D(10), construction_install=D(10)
        )
        made.append(project)
    return period, made


def _tables(data) -> dict[str, Table]:
    return {
        block.title: block
        for blocks in notice.notice_sections(data, with_charts=False).values()
        for block in blocks
        if isinstance(block, Table)
    }


def test_the_note_names_the_missing_count_and_nothing_when_none():
    assert total_missing_note(2) == NOTE
    assert total_missing_note(2, compact=True) == NOTE_COMPACT
    assert total_missing_note(0) == "" and total_missing_note(0, compact=True) == ""
    assert "total_missing" in FIGURES
    assert selectors.rate(D(5), None) is None and selectors.rate(D(5), D(0)) is None  # never ÷ an unknown total


def test_dashboard_sums_the_known_totals_and_counts_the_unknown(world, portfolio):
    period, projects = portfolio
    summary = selectors.dashboard_summary(world.office, period.year, period.month)
    assert summary.project_count == 5
    assert summary.total_investment == D(3000)  # not 5,000 and not "0 for the unknown"
    assert summary.total_missing == 2 and summary.total_note == NOTE
    # The count is a named figure: its drill-down lists exactly the two projects.
    in_scope = Project.objects.restrict(world.office, "view")
    drill = set(projects_with(in_scope, "total_missing", period).values_list("name", flat=True))
    assert drill == {"未填总投资甲", "未填总投资乙"}
    # Every breakdown carries the count with its sums, and adds up to the total.
    for groups in (summary.by_unit, summary.by_category, summary.by_domain, summary.by_chain, summary.unit_ranking):
        assert sum(g.total_missing for g in groups) == 2
        assert sum((g.total_investment for g in groups), D(0)) == D(3000)
        assert sum(g.count for g in groups) == 5
    units = {g.key: (g.total_investment, g.total_missing) for g in summary.by_unit}
    assert units == {world.unit_a.pk: (D(2000), 1), world.unit_b.pk: (D(1000), 1)}


def test_dashboard_page_shows_the_sum_and_the_missing_count(world, portfolio, client):
    period, _projects = portfolio
    client.force_login(world.office)
    page = client.get(reverse("dispatch:dashboard"), {"year": period.year, "month": period.month}).content.decode()
    tile = re.search(r'id="tj-tile-total">([^<]+)</a>', page)
    assert tile is not None and tile.group(1).strip() == "0.30"  # 3,000 万元 in 亿元
    assert 'id="tj-tile-total-missing"' in page and NOTE in page
    assert "fact=total_missing&amp;period=" in page


def test_no_note_when_every_total_is_known(world, dashboard_projects, client):
    period = period_for_reporting()
    summary = selectors.dashboard_summary(world.office, period.year, period.month)
    assert summary.total_missing == 0 and summary.total_note == ""
    client.force_login(world.office)
    page = client.get(reverse("dispatch:dashboard"), {"year": period.year, "month": period.month}).content.decode()
    assert "未填总投资" not in page and 'id="tj-tile-total-missing"' not in page
    listed = client.get(reverse("projects:project_list")).content.decode()
    assert "个项目未填总投资" not in listed and 'id="tj-list-total-missing"' not in listed
    data = notice.build_notice(world.office, period.year, period.month)
    assert all("未填总投资" not in column.label for table in _tables(data).values() for column in table.columns)
    assert "未填总投资" not in notice.notice_sections(data, with_charts=False)["总体情况"][0].text


def test_project_list_totals_line_says_how_many_totals_are_unknown(world, portfolio, client):
    client.force_login(world.office)
    response = client.get(reverse("projects:project_list"))
    assert response.context["totals"]["total"] == D(3000) and response.context["totals"]["missing"] == 2
    line = re.search(r'id="tj-list-totals">(.*?)</div>', response.content.decode(), re.S)
    assert line is not None
    text = re.sub(r"<[^>]+>", "", line.group(1))
    assert "共 5 个项目" in text and "总投资 0.30 亿元" in text and NOTE in text
    # Filtered to the known ones: no note.
    response = client.get(reverse("projects:project_list"), {"q": "已知总投资"})
    assert response.context["totals"]["missing"] == 0
    assert "个项目未填总投资" not in response.content.decode()


def test_notice_docx_and_xlsx_say_the_sum_and_the_missing_count(world, portfolio):
    period, _projects = portfolio
    data = notice.build_notice(world.office, period.year, period.month)
    overview = notice.notice_sections(data, with_charts=False)["总体情况"][0].text
    assert f"总投资0.30亿元（{NOTE_COMPACT}）" in overview

    tables = _tables(data)
    for title in ("按年度类别", "按投资领域", "按主导产业（产业链）", "责任单位排名"):
        table = tables[title]
        assert table.columns[-1].label == "未填总投资（个）", title
        assert table.total is not None and table.total[-1] == 2, title
        assert sum(row[-1] for row in table.rows) == 2, title
        offset = 1 if title == "责任单位排名" else 0
        assert table.total[offset + 2] == D(3000) == sum(row[offset + 2] for row in table.rows), title

    from docx import Document

    document = Document(io.BytesIO(notice.notice_docx(data)))
    texts = [p.text for p in document.paragraphs]
    assert any(NOTE_COMPACT in text and "0.30亿元" in text for text in texts)
    ranking = next(t for t in document.tables if t.rows[0].cells[0].text == "名次")
    assert ranking.rows[0].cells[-1].text == "未填总投资（个）" and ranking.rows[-1].cells[-1].text == "2"

    workbook = open_xlsx(notice.notice_xlsx(data))
    overview_sheet = {row[0]: row[1] for row in workbook["总体"].iter_rows(min_row=3, values_only=True)}
    assert overview_sheet["总投资"] == D(3000) and overview_sheet["未填总投资项目"] == 2
    ranking_sheet = workbook["单位排名"]
    header = [c.value for c in ranking_sheet[2]]
    last = [c.value for c in ranking_sheet[ranking_sheet.max_row]]
    assert header[-1] == "未填总投资（个）" and last[1] == "合计" and last[3] == D(3000) and last[-1] == 2


def test_a_blank_domain_is_a_group_of_its_own_listed_last(world, portfolio):
    period, _projects = portfolio
    summary = selectors.dashboard_summary(world.office, period.year, period.month)
    domains = [(g.label, g.count, g.total_investment, g.total_missing) for g in summary.by_domain]
    assert domains[-1] == ("未填", 2, D(1000), 1)
    assert summary.by_domain[-1].key is None and summary.by_domain[-1].query == ""
    assert sum(count for _label, count, _t, _m in domains) == summary.project_count
    assert [label for label, *_rest in domains].count("未填") == 1
    charts = dashboard.dashboard_charts(summary)
    assert charts["domain"][-1]["name"] == "未填" and charts["domain"][-1]["url"] is None

    data = notice.build_notice(world.office, period.year, period.month)
    table = _tables(data)["按投资领域"]
    assert table.rows[-1][0] == "未填" and table.rows[-1][1] == 2
    assert table.total is not None and table.total[1] == summary.project_count == sum(r[1] for r in table.rows)
    assert table.total[2] == summary.total_investment == sum(r[2] for r in table.rows)
