"""The State Council notice parser: realistic 2025 and 2026 notices, variants of the wording, malformed lines.

The expected dates are checked against the `chinese_calendar` library, which carries the published 2025 and
2026 arrangements: a parse that agrees with it day for day is right.
"""

import datetime as dt

import chinese_calendar
import pytest

from tuijin.workdays.notice import parse_holiday_notice

D = dt.date

NOTICE_2025 = """国务院办公厅关于2025年部分节假日安排的通知
国办发明电〔2024〕12号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
　　经国务院批准，现将2025年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
　　一、元旦：1月1日（周三）放假1天，不调休。
　　二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
　　三、清明节：4月4日（周五）至6日（周日）放假，共3天。
　　四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。
　　五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
　　六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。
　　节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。

国务院办公厅
2024年11月12日
"""

NOTICE_2026 = """国务院办公厅关于2026年部分节假日安排的通知
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
"""


def _library_arrangement(year: int) -> set[tuple[dt.date, bool]]:
    """(date, is_workday) of every named day of the library's year: the holidays and the 调休 working days."""
    result = set()
    day = D(year, 1, 1)
    while day.year == year:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        if name and (on_holiday or day.weekday() >= 5):
            result.add((day, not on_holiday))
        day += dt.timedelta(days=1)
    return result


@pytest.mark.parametrize(("text", "year"), [(NOTICE_2025, 2025), (NOTICE_2026, 2026)])
def test_real_notices_match_the_published_arrangement(text, year):
    parsed = parse_holiday_notice(text, default_year=2000)
    assert parsed.year == year and parsed.year_from_notice
    assert parsed.problems == []
    assert {(entry.date, entry.is_workday) for entry in parsed.entries} == _library_arrangement(year)
    assert [entry.date for entry in parsed.entries] == sorted(entry.date for entry in parsed.entries)


def test_2025_names_counts_and_skipped_prose():
    parsed = parse_holiday_notice(NOTICE_2025, default_year=2000)
    by_date = {entry.date: entry for entry in parsed.entries}
    assert (parsed.rest_days, parsed.workdays) == (28, 5)
    assert by_date[D(2025, 1, 1)].name == "元旦"
    assert by_date[D(2025, 1, 26)].name == "春节调休上班" and by_date[D(2025, 1, 26)].is_workday
    assert by_date[D(2025, 2, 1)].name == "春节"  # the range crosses from January into February
    assert by_date[D(2025, 6, 1)].name == "端午节"  # "5月31日至6月2日"
    assert by_date[D(2025, 10, 11)].name == "国庆节、中秋节调休上班"
    assert by_date[D(2025, 1, 26)].weekday_label == "周日"
    assert by_date[D(2025, 1, 26)].line == 7
    # the document number, greeting, opening, closing paragraph, signer and date are not items
    assert parsed.skipped == 6


def test_2026_several_working_days_in_one_sentence():
    parsed = parse_holiday_notice(NOTICE_2026, default_year=2000)
    spring = [entry for entry in parsed.entries if entry.name.startswith("春节")]
    assert [(e.date, e.is_workday) for e in spring if e.is_workday] == [(D(2026, 2, 14), True), (D(2026, 2, 28), True)]
    assert len([e for e in spring if not e.is_workday]) == 9


def test_year_from_the_opening_sentence_or_the_page():
    items = "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。"
    parsed = parse_holiday_notice("经国务院批准，现将2026年元旦放假调休日期的具体安排通知如下。\n" + items, 2030)
    assert (parsed.year, parsed.year_from_notice) == (2026, True)
    assert parsed.skipped == 1 and parsed.problems == []
    parsed = parse_holiday_notice(items, default_year=2026)
    assert (parsed.year, parsed.year_from_notice, len(parsed.entries)) == (2026, False, 4)


def test_full_width_digits_punctuation_and_spaces():
    text = (
        "国务院办公厅关于２０２６年部分节假日安排的通知\n三、清明节：４月４日（周六） 至 ６日（周一）放假，共３天。\n"
    )
    parsed = parse_holiday_notice(text, default_year=2000)
    assert parsed.year == 2026 and parsed.problems == []
    assert [entry.date for entry in parsed.entries] == [D(2026, 4, 4), D(2026, 4, 5), D(2026, 4, 6)]


def test_xingqi_wording_explicit_years_and_a_range_into_the_next_year():
    # The 2019 notice: 元旦 ran from 2018-12-30 to 2019-01-01 with a make-up Saturday in 2018.
    text = (
        "国务院办公厅关于2019年部分节假日安排的通知\n"
        "一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。\n"
        "二、国庆节：10月1日至7日放假调休，共7天。9月29日（星期日）、10月12日（星期六）上班。\n"
    )
    parsed = parse_holiday_notice(text, default_year=2000)
    assert parsed.problems == []
    assert [(e.date, e.is_workday) for e in parsed.entries][:4] == [
        (D(2018, 12, 29), True),
        (D(2018, 12, 30), False),
        (D(2018, 12, 31), False),
        (D(2019, 1, 1), False),
    ]
    national_day = {(e.date, e.is_workday) for e in parsed.entries if e.date.month in (9, 10)}
    library = {(d, w) for d, w in _library_arrangement(2019) if (d.month, d.day) >= (9, 29)}
    assert national_day == library and len(national_day) == 9
    unlabelled = parse_holiday_notice("元旦：12月31日至1月1日放假，共2天。", default_year=2027)
    assert [e.date for e in unlabelled.entries] == [D(2027, 12, 31), D(2028, 1, 1)]


def test_advisory_sentence_is_reported_and_the_rest_of_the_item_kept():
    # The 2024 notice encouraged employers to give 除夕 off, without making it a holiday.
    text = (
        "国务院办公厅关于2024年部分节假日安排的通知\n"
        "二、春节：2月10日至17日放假调休，共8天。2月4日（星期日）、2月18日（星期日）上班。"
        "鼓励各单位结合带薪年休假等制度落实，安排职工在除夕（2月9日）休息。\n"
    )
    parsed = parse_holiday_notice(text, default_year=2000)
    assert len(parsed.entries) == 10 and D(2024, 2, 9) not in {e.date for e in parsed.entries}
    [problem] = parsed.problems
    assert problem.line == 2 and "此句未录入" in problem.reason and "2月9日" in problem.reason


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("三、清明节：4月4日（周六）至放假，共3天。", "“4月4日至”之后缺少结束日期"),
        ("四、劳动节：5月32日放假。", "“5月32日”不是有效日期"),
        ("五、端午节：端午节放假三天。", "未找到任何放假或上班日期"),
        ("六、中秋节：9月25日（周四）至27日（周日）放假，共3天。", "9月25日 标注为周四，但 2026年9月25日 是周五"),
        ("七、国庆节：10月1日至7日放假调休，共8天。", "写明“共8天”，但 10月1日 至 7日 是 7 天"),
        ("八、元旦 1月1日放假", "未找到节日名称和冒号"),
        ("九、春节：15日至23日放假。", "“15日”缺少月份"),
        ("十、国庆节：10月1日至7日放假。10月10日（周六）至。", "“10月10日至”之后缺少结束日期"),
        ("国庆节：10月8日至1日放假。", "日期范围“10月8日至1日”无效"),
        ("1月1日放假，与周末连休。", "未找到节日名称"),
    ],
)
def test_malformed_lines_are_listed_in_chinese_and_contribute_nothing(line, reason):
    good = "一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。"
    parsed = parse_holiday_notice(f"国务院办公厅关于2026年部分节假日安排的通知\n{good}\n{line}\n", 2000)
    assert [e.date for e in parsed.entries] == [D(2026, 1, 1), D(2026, 1, 2), D(2026, 1, 3), D(2026, 1, 4)]
    [problem] = parsed.problems
    assert problem.line == 3 and problem.text == line
    assert reason in problem.reason


def test_a_date_named_twice_is_a_problem():
    text = "一、元旦：1月1日至3日放假。\n二、春节：1月3日上班。\n"
    parsed = parse_holiday_notice(text, default_year=2026)
    assert [e.date for e in parsed.entries] == [D(2026, 1, 1), D(2026, 1, 2), D(2026, 1, 3)]
    [problem] = parsed.problems
    assert problem.line == 2 and "1月3日 重复出现（第 1 行）" in problem.reason


def test_nothing_recognised():
    parsed = parse_holiday_notice("各省、自治区、直辖市人民政府：\n特此通知。\n", default_year=2027)
    assert parsed.entries == [] and parsed.problems == [] and parsed.skipped == 2
