"""The 督办 documents: the 会议纪要 (DOCX, from the template, Chinese fonts set) and the 督办通报 (DOCX and XLSX):
titles, particulars, tables, the working days overdue (counted by hand below), the statistics by unit, and a task title
that a spreadsheet would run as a formula coming out neutralised."""

import io
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn

from tuijin.org.models import OrgUnit
from tuijin.supervision import documents
from tuijin.supervision.choices import MeetingKind, TaskSource, TaskStatus
from tuijin.supervision.models import Meeting, Task
from tuijin.utilities.excel import open_xlsx

# Tuesday 10 March 2026; no holiday between 2 and 10 March.
TODAY = date(2026, 3, 10)
START, END = date(2026, 3, 1), date(2026, 3, 10)
FORMULA = "=cmd|' /C calc'!A0"


def _task(world, number: int, unit, title: str, deadline: date, *, co_units=(), **fields) -> Task:
    data = {"source": TaskSource.INSTRUCTION, "assigned_on": date(2026, 2, 1), "content": "按期办结"}
    data.update(fields)
    task = Task.objects.create(
        number=f"DB2026-{number:04d}",
        title=title,
        responsible_unit=unit,
        deadline=deadline,
        created_by=world.office,
        **data,
    )
    task.co_units.set(co_units)
    return task


@pytest.fixture
def meeting(world):
    OrgUnit.objects.filter(pk=world.unit_a.pk).update(sort_order=1)  # the units in a known order
    OrgUnit.objects.filter(pk=world.unit_b.pk).update(sort_order=2)
    meeting = Meeting.objects.create(
        kind=MeetingKind.DISPATCH,
        title="2026年第3次重点项目调度会",
        held_on=date(2026, 3, 5),
        place="区政府三楼会议室",
        organiser=world.office_unit,
        chair=world.leader_person,
        agenda="听取重点项目进展汇报\n\n研究解决征地问题",
        speakers="甲街道办事处 张三 关于征地拆迁",
        minutes="会议指出，要压实责任。\n会议要求，月底前完成征地。",
        created_by=world.office,
    )
    meeting.leaders.set([world.leader_person])
    meeting.units.set([world.unit_a, world.unit_b])
    return meeting


@pytest.fixture
def tasks(world, meeting):
    """Overdue: 1 (6 working days, level 2) and 2 (2 working days); open, not overdue: 3; finished in the period:
    4 (in time) and 5 (late); finished before the period: 6; withdrawn: 7 (counted nowhere)."""
    on_meeting = {"source": TaskSource.MEETING, "meeting": meeting}
    return {
        1: _task(
            world,
            1,
            world.unit_a,
            FORMULA,
            date(2026, 3, 2),
            escalation_level=2,
            leader=world.leader_person,
            co_units=[world.unit_b],
            **on_meeting,
        ),
        2: _task(world, 2, world.unit_b, "乙超期事项", date(2026, 3, 6), status=TaskStatus.REVIEW, **on_meeting),
        3: _task(world, 3, world.unit_a, "甲明天到期事项", date(2026, 3, 11)),
        4: _task(
            world,
            4,
            world.unit_a,
            "甲按期办结事项",
            date(2026, 3, 6),
            status=TaskStatus.DONE,
            finished_on=date(2026, 3, 5),
        ),
        5: _task(
            world,
            5,
            world.unit_b,
            "乙逾期办结事项",
            date(2026, 3, 3),
            status=TaskStatus.DONE,
            finished_on=date(2026, 3, 9),
        ),
        6: _task(
            world,
            6,
            world.unit_a,
            "甲上期办结事项",
            date(2026, 2, 25),
            status=TaskStatus.DONE,
            finished_on=date(2026, 2, 20),
        ),
        7: _task(world, 7, world.unit_a, "甲已撤销事项", date(2026, 3, 2), status=TaskStatus.CANCELLED, **on_meeting),
    }


def _docx(content: bytes):
    return Document(io.BytesIO(content))


def _rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


# -- 会议纪要 ----------------------------------------------------------------------------------------------------


def test_minutes_title_particulars_sections_and_decisions(world, meeting, tasks):
    doc = _docx(documents.minutes_docx(meeting))
    texts = [p.text for p in doc.paragraphs]
    assert texts == [
        "2026年第3次重点项目调度会纪要",
        "时间：2026年3月5日",
        "地点：区政府三楼会议室",
        "主持：测试副区长",
        "出席领导：测试副区长",
        "参会单位：甲街道办事处、乙街道办事处",
        "一、会议议程",
        "听取重点项目进展汇报",
        "研究解决征地问题",
        "二、交流发言",
        "甲街道办事处 张三 关于征地拆迁",
        "三、会议内容",
        "会议指出，要压实责任。",
        "会议要求，月底前完成征地。",
        "四、会议议定事项",
    ]
    assert doc.paragraphs[0].style.name == "督办标题" and doc.paragraphs[6].style.name == "督办一级标题"
    (table,) = doc.tables
    assert _rows(table) == [
        ["序号", "编号", "事项", "责任单位", "配合单位", "分管领导", "办结时限"],
        ["1", "DB2026-0001", FORMULA, "甲街道办事处", "乙街道办事处", "测试副区长", "2026年3月2日"],
        ["2", "DB2026-0002", "乙超期事项", "乙街道办事处", "", "", "2026年3月6日"],
    ]  # the withdrawn task 7 is no decision any more
    assert doc.core_properties.title == "2026年第3次重点项目调度会纪要"


def test_minutes_use_the_templates_chinese_fonts(meeting):
    doc = _docx(documents.minutes_docx(meeting))
    fonts = {name: doc.styles[name].element.rPr.rFonts.get(qn("w:eastAsia")) for name in ("督办标题", "督办正文")}
    assert fonts == {"督办标题": "方正小标宋简体", "督办正文": "仿宋_GB2312"}
    assert doc.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert "{{正文}}" not in [p.text for p in doc.paragraphs]
    assert [p.text for p in doc.paragraphs][-1] == "本次会议无议定事项。"  # no tasks yet


def test_minutes_of_a_study_visit(world):
    visit = Meeting.objects.create(
        kind=MeetingKind.STUDY_VISIT,
        title="赴许昌市考察学习",
        held_on=date(2026, 3, 3),
        organiser=world.office_unit,
        places="许昌市",
        enterprises_visited="许继集团、森源电气",
        lessons="学习其链长制做法。",
        created_by=world.office,
    )
    texts = [p.text for p in _docx(documents.minutes_docx(visit)).paragraphs]
    assert texts == [
        "赴许昌市考察学习会议纪要",
        "时间：2026年3月3日",
        "考察地点：许昌市",
        "考察企业：许继集团、森源电气",
        "一、学习体会",
        "学习其链长制做法。",
        "二、会议议定事项",
        "本次会议无议定事项。",
    ]


# -- 督办通报 ----------------------------------------------------------------------------------------------------


def test_report_docx_summary_and_lists(world, tasks):
    doc = _docx(documents.report_docx(Task.objects.all(), START, END, TODAY))
    texts = [p.text for p in doc.paragraphs]
    assert texts[:2] == ["督办通报", "（2026年3月1日—2026年3月10日）"]
    assert texts[3] == (
        "截至2026年3月10日，共交办督办事项6项（不含已撤销），已办结3项，办结率50.0%，其中按期办结2项；正在办理3项，"
        "其中超期未办结2项。本期（2026年3月1日至2026年3月10日）办结2项，其中按期1项、逾期1项。"
    )
    assert "甲街道办事处交办4项、办结2项（办结率50.0%），超期1项" in texts[4]
    assert "乙街道办事处交办2项、办结1项（办结率50.0%），超期1项" in texts[4]
    assert "二、超期未办结事项（2项）" in texts and "三、本期已办结事项（2项）" in texts
    units, overdue, finished = doc.tables
    assert sorted(_rows(units)[1:-1]) == [
        ["乙街道办事处", "2", "1", "0", "1", "1", "50.0"],
        ["甲街道办事处", "4", "2", "2", "2", "1", "50.0"],
    ]
    assert _rows(units)[-1] == ["合计", "6", "3", "2", "3", "2", "50.0"]
    assert _rows(overdue) == [
        ["编号", "事项", "责任单位", "分管领导", "办结时限", "超期工作日", "升级层级"],
        # 2 March (Mon) → 10 March: 3, 4, 5, 6, 9, 10 March
        ["DB2026-0001", FORMULA, "甲街道办事处", "测试副区长", "2026年3月2日", "6", "第2级"],
        # 6 March (Fri) → 10 March: 9, 10 March
        ["DB2026-0002", "乙超期事项", "乙街道办事处", "", "2026年3月6日", "2", "—"],
    ]
    assert _rows(finished) == [
        ["编号", "事项", "责任单位", "办结日期", "按期/逾期"],
        ["DB2026-0004", "甲按期办结事项", "甲街道办事处", "2026年3月5日", "按期"],
        ["DB2026-0005", "乙逾期办结事项", "乙街道办事处", "2026年3月9日", "逾期"],
    ]


def test_report_of_nothing_says_so(world):
    texts = [p.text for p in _docx(documents.report_docx(Task.objects.none(), START, END, TODAY)).paragraphs]
    assert texts.count("无。") == 2 and "二、超期未办结事项（0项）" in texts


def test_report_xlsx_sheets_rows_and_neutralised_formula(world, tasks):
    book = open_xlsx(documents.report_xlsx(Task.objects.all(), START, END, TODAY), read_only=False)
    assert book.sheetnames == ["超期事项", "已办结事项", "按单位统计"]
    overdue = list(book["超期事项"].iter_rows(values_only=True))
    assert overdue[0] == ("编号", "事项", "责任单位", "分管领导", "办结时限", "超期工作日", "升级层级")
    assert [row[:2] for row in overdue[1:]] == [("DB2026-0001", "'" + FORMULA), ("DB2026-0002", "乙超期事项")]
    assert [row[5:] for row in overdue[1:]] == [(6, 2), (2, None)]
    assert overdue[1][4].date() == date(2026, 3, 2)
    assert book["超期事项"]["B2"].data_type != "f" and book["超期事项"]["A1"].font.bold
    finished = list(book["已办结事项"].iter_rows(values_only=True))
    assert [(r[0], r[3].date(), r[4]) for r in finished[1:]] == [
        ("DB2026-0004", date(2026, 3, 5), "按期"),
        ("DB2026-0005", date(2026, 3, 9), "逾期"),
    ]
    units = list(book["按单位统计"].iter_rows(values_only=True))
    assert units[-1][:6] == ("合计", 6, 3, 2, 3, 2) and units[-1][6] == pytest.approx(50.0)
    assert book["按单位统计"].freeze_panes == "A2"


def test_report_reads_a_fixed_number_of_queries(world, tasks, django_assert_max_num_queries):
    for n in range(10, 30):
        _task(world, n, world.unit_b, f"乙批量超期{n}", date(2026, 3, 4), leader=world.leader_person)
    with django_assert_max_num_queries(6):
        content = documents.report_xlsx(Task.objects.all(), START, END, TODAY)
    assert len(list(open_xlsx(content)["超期事项"].iter_rows())) == 1 + 22
