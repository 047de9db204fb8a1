"""The calendar service: library years with 调休, the weekend fallback, office overrides, bulk paste, queries."""

import datetime as dt
from itertools import count

import chinese_calendar
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from tuijin.core.models import ObjectChange
from tuijin.workdays.models import HolidayOverride, HolidayYear
from tuijin.workdays.services import (
    add_workdays,
    day_info,
    holiday_notice_apply,
    holiday_override_delete,
    holiday_override_set,
    holiday_overrides_bulk_set,
    holiday_year_is_complete,
    holiday_year_set_complete,
    is_workday,
    library_covers,
    uncovered_years,
    workday_calendar,
    workdays_between,
    year_coverage,
)

D = dt.date


def first_uncovered_year() -> int:
    """The first year after 2024 the installed library has no data for (2027 with chinesecalendar 1.11)."""
    return next(year for year in count(2025) if not library_covers(year))


def test_library_data_for_2024_is_what_we_assert_against():
    # Spring Festival 2024: 02-10..02-17 off; make-up Sundays 02-04 and 02-18.
    assert all(chinese_calendar.is_holiday(D(2024, 2, day)) for day in range(10, 18))
    assert chinese_calendar.is_workday(D(2024, 2, 4)) and chinese_calendar.is_workday(D(2024, 2, 18))
    assert chinese_calendar.is_workday(D(2024, 2, 9))  # 除夕 2024 was a normal Friday
    # National Day 2024: 10-01..10-07 off; make-up 09-29 (Sun) and 10-12 (Sat).
    assert all(chinese_calendar.is_holiday(D(2024, 10, day)) for day in range(1, 8))
    assert chinese_calendar.is_workday(D(2024, 9, 29)) and chinese_calendar.is_workday(D(2024, 10, 12))


@pytest.mark.django_db
class TestLibraryYears:
    def test_day_info_names_and_sources(self):
        festival = day_info(D(2024, 2, 12))
        assert (festival.is_workday, festival.name, festival.source) == (False, "春节", "library")
        assert festival.kind == "holiday"
        makeup = day_info(D(2024, 2, 18))
        assert (makeup.is_workday, makeup.name, makeup.kind) == (True, "春节调休上班", "makeup")
        assert day_info(D(2024, 10, 5)).name == "国庆节"
        weekend = day_info(D(2024, 3, 9))
        assert (weekend.is_workday, weekend.name, weekend.kind) == (False, "", "weekend")
        assert day_info(D(2024, 3, 11)).kind == "workday"
        assert is_workday(D(2024, 9, 29)) and not is_workday(D(2024, 10, 7))

    def test_spring_festival_arithmetic(self):
        # After Thu 02-08: Fri 02-09, (02-10..17 off), Sun 02-18 make-up, Mon 02-19.
        assert workdays_between(D(2024, 2, 8), D(2024, 2, 19)) == 3
        assert workdays_between(D(2024, 2, 9), D(2024, 2, 17)) == 0
        assert workdays_between(D(2024, 2, 19), D(2024, 2, 8)) == -3
        assert workdays_between(D(2024, 2, 3), D(2024, 2, 4)) == 1  # Sun 02-04 is a make-up workday
        assert add_workdays(D(2024, 2, 8), 1) == D(2024, 2, 9)
        assert add_workdays(D(2024, 2, 8), 2) == D(2024, 2, 18)
        assert add_workdays(D(2024, 2, 9), 1) == D(2024, 2, 18)
        assert add_workdays(D(2024, 2, 12), 0) == D(2024, 2, 12)
        assert add_workdays(D(2024, 2, 12), 1) == D(2024, 2, 18)

    def test_national_day_arithmetic(self):
        # After Fri 09-27: Sun 09-29, Mon 09-30, Tue 10-08 … Fri 10-11, Sat 10-12 make-up, Mon 10-14.
        assert workdays_between(D(2024, 9, 27), D(2024, 10, 14)) == 8
        assert workdays_between(D(2024, 9, 30), D(2024, 10, 7)) == 0
        assert add_workdays(D(2024, 9, 30), 1) == D(2024, 10, 8)
        assert add_workdays(D(2024, 9, 27), 8) == D(2024, 10, 14)
        assert add_workdays(D(2024, 10, 11), 1) == D(2024, 10, 12)

    def test_conventions(self):
        assert workdays_between(D(2024, 3, 8), D(2024, 3, 8)) == 0
        assert workdays_between(D(2024, 3, 8), D(2024, 3, 11)) == 1  # Friday → next Monday
        assert workdays_between(D(2023, 12, 31), D(2024, 12, 31)) == 251
        for n in (1, 5, 30, 251, 600):
            assert workdays_between(D(2024, 1, 1), add_workdays(D(2024, 1, 1), n)) == n
        with pytest.raises(ValueError):
            add_workdays(D(2024, 1, 1), -1)

    def test_datetimes_are_read_in_beijing_time(self):
        aware = dt.datetime(2024, 2, 17, 17, 0, tzinfo=dt.UTC)  # 2024-02-18 01:00 in Beijing
        assert is_workday(aware)

    def test_coverage(self):
        assert year_coverage(2024) == "library"
        assert uncovered_years(D(2024, 1, 1), D(2024, 12, 31)) == []


@pytest.mark.django_db
def test_fallback_year_then_office_overrides():
    year = first_uncovered_year()
    assert year_coverage(year) == "fallback"
    assert uncovered_years(D(2024, 5, 1), D(year + 1, 3, 1)) == [year, year + 1]
    monday = next(D(year, 10, day) for day in range(1, 8) if D(year, 10, day).weekday() == 0)
    friday, saturday = monday - dt.timedelta(days=3), monday - dt.timedelta(days=2)
    next_monday = monday + dt.timedelta(days=7)
    # Weekends only.
    assert workdays_between(friday, monday) == 1
    assert workdays_between(friday, next_monday) == 6
    assert add_workdays(friday, 1) == monday
    assert day_info(monday).source == "weekend-fallback" and day_info(monday).is_workday
    assert not is_workday(saturday)

    lines = [f"{saturday.isoformat()},班,国庆节调休上班"]
    lines += [f"{(monday + dt.timedelta(days=i)).isoformat()} 休 国庆节" for i in range(5)]
    holiday_overrides_bulk_set(actor=None, year=year, text="\n".join(lines))

    # Entered dates count at once, but the year is still "not published" until the office marks it complete.
    assert year_coverage(year) == "partial"
    assert uncovered_years(year, year + 1) == [year, year + 1]
    holiday_year_set_complete(actor=None, year=year, complete=True)
    assert year_coverage(year) == "override"
    assert uncovered_years(year, year + 1) == [year + 1]
    assert workdays_between(friday, next_monday) == 2  # the make-up Saturday and the next Monday
    assert add_workdays(friday, 1) == saturday
    assert add_workdays(friday, 2) == next_monday
    info = day_info(monday + dt.timedelta(days=2))
    assert (info.is_workday, info.name, info.source) == (False, "国庆节", "override")
    assert day_info(monday + dt.timedelta(days=5)).source == "weekend-fallback"


@pytest.mark.django_db
def test_override_beats_library():
    assert workdays_between(D(2024, 9, 30), D(2024, 10, 8)) == 1
    holiday_override_set(actor=None, date=D(2024, 10, 8), is_workday=False, name="测试加休")
    holiday_override_set(actor=None, date=D(2024, 10, 5), is_workday=True, name="测试补班")
    assert not is_workday(D(2024, 10, 8))
    assert day_info(D(2024, 10, 8)).source == "override"
    assert workdays_between(D(2024, 9, 30), D(2024, 10, 8)) == 1  # 10-05 now, 10-08 no longer
    assert add_workdays(D(2024, 9, 30), 1) == D(2024, 10, 5)
    assert year_coverage(2024) == "library"


@pytest.mark.django_db
def test_set_updates_in_place_and_everything_is_change_logged():
    override = holiday_override_set(actor=None, date=D(2024, 10, 8), is_workday=False, name="加休", note="区政府通知")
    same = holiday_override_set(actor=None, date=D(2024, 10, 8), is_workday=False, name="加休", note="区政府通知")
    assert same.pk == override.pk and same.version == 1
    updated = holiday_override_set(actor=None, date=D(2024, 10, 8), is_workday=True, name="补班")
    assert updated.pk == override.pk and updated.version == 2 and HolidayOverride.objects.count() == 1
    holiday_override_delete(actor=None, override=updated)
    assert not HolidayOverride.objects.exists()
    content_type = ContentType.objects.get_for_model(HolidayOverride)
    actions = list(
        ObjectChange.objects.filter(changed_object_type=content_type, changed_object_id=override.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]


@pytest.mark.django_db
def test_set_validates():
    with pytest.raises(ValidationError):
        holiday_override_set(actor=None, date=D(2024, 10, 8), is_workday=False, name="   ")
    assert not HolidayOverride.objects.exists()


@pytest.mark.django_db
class TestBulkSet:
    TEXT = (
        "# 示例\n"
        "2024-02-10,休,春节\n"
        "\n"
        "2024-02-18，班，春节调休上班\n"
        "2024-10-01\t休\t国庆节\n"
        "2024/10/12 work 国庆节 调休\n"
        "2024-10-02 holiday 国庆节\n"
    )

    def test_valid_text_writes_every_row(self):
        result = holiday_overrides_bulk_set(actor=None, year=2024, text=self.TEXT)
        assert (result.created, result.updated, result.unchanged) == (5, 0, 0)
        rows = list(HolidayOverride.objects.values_list("date", "is_workday", "name"))
        assert rows == [
            (D(2024, 2, 10), False, "春节"),
            (D(2024, 2, 18), True, "春节调休上班"),
            (D(2024, 10, 1), False, "国庆节"),
            (D(2024, 10, 2), False, "国庆节"),
            (D(2024, 10, 12), True, "国庆节 调休"),
        ]
        again = holiday_overrides_bulk_set(actor=None, year=2024, text=self.TEXT + "2024-10-03 假 国庆节\n")
        assert (again.created, again.updated, again.unchanged) == (1, 0, 5)

    def test_existing_note_survives_an_update(self):
        holiday_override_set(actor=None, date=D(2024, 2, 10), is_workday=True, name="旧", note="保留")
        result = holiday_overrides_bulk_set(actor=None, year=2024, text="2024-02-10,休,春节")
        assert (result.created, result.updated) == (0, 1)
        assert HolidayOverride.objects.get().note == "保留"

    def test_one_bad_line_writes_nothing(self):
        holiday_override_set(actor=None, date=D(2024, 2, 10), is_workday=True, name="原值")
        text = (
            "2024-02-11,休,春节\n"
            "2024-02-30,休,春节\n"
            "2025-01-01,休,元旦\n"
            "2024-02-12,歇,春节\n"
            "2024-02-13,休\n"
            "2024-02-11,休,春节\n"
            "2024-02-10,休,春节\n"
        )
        with pytest.raises(ValidationError) as excinfo:
            holiday_overrides_bulk_set(actor=None, year=2024, text=text)
        messages = excinfo.value.messages
        assert len(messages) == 5
        assert messages[0].startswith("第 2 行") and "2024-02-30" in messages[0] and "无效" in messages[0]
        assert messages[1].startswith("第 3 行") and "不在 2024 年内" in messages[1]
        assert messages[2].startswith("第 4 行") and "无法识别" in messages[2]
        assert messages[3].startswith("第 5 行") and "格式" in messages[3]
        assert messages[4].startswith("第 6 行") and "与第 1 行重复" in messages[4]
        assert list(HolidayOverride.objects.values_list("name", flat=True)) == ["原值"]

    def test_empty_text_is_an_error(self):
        with pytest.raises(ValidationError, match="至少填写一行"):
            holiday_overrides_bulk_set(actor=None, year=2024, text="\n  \n# 注释\n")


@pytest.mark.django_db
def test_queries_are_bounded(django_assert_max_num_queries):
    year = first_uncovered_year()
    holiday_overrides_bulk_set(actor=None, year=year, text=f"{year}-01-01,休,元旦\n{year}-10-01,休,国庆节")
    holiday_year_set_complete(actor=None, year=year, complete=True)
    holiday_override_set(actor=None, date=D(2024, 10, 8), is_workday=False, name="测试")
    with django_assert_max_num_queries(2):
        assert workdays_between(D(2024, 1, 1), D(2024, 12, 31)) == 250
    with django_assert_max_num_queries(2):
        workdays_between(D(year, 1, 1), D(year, 12, 31))
    with django_assert_max_num_queries(2):
        add_workdays(D(2024, 1, 1), 240)
    with django_assert_max_num_queries(1):
        assert uncovered_years(2020, year + 3) == [year + 1, year + 2, year + 3]
    # One preloaded calendar answers many questions in its window without further queries.
    calendar = workday_calendar(D(2024, 1, 1), D(2024, 12, 31))
    with django_assert_max_num_queries(0):
        total = sum(calendar.workdays_between(D(2024, 1, 1), D(2024, month, 1)) for month in range(1, 13))
        calendar.add_workdays(D(2024, 2, 8), 2)
        calendar.is_workday(D(2024, 10, 8))
    assert total > 0
    with django_assert_max_num_queries(1):  # outside the window: grows once
        assert calendar.workdays_between(D(2024, 12, 31), D(2025, 1, 2)) == 1


@pytest.mark.django_db
def test_calendar_window_growth_matches_module_functions():
    holiday_override_set(actor=None, date=D(2025, 1, 2), is_workday=False, name="测试")
    calendar = workday_calendar(D(2024, 6, 1), D(2024, 6, 30))
    spans = [(D(2024, 1, 1), D(2024, 6, 15)), (D(2024, 6, 15), D(2025, 2, 1)), (D(2025, 3, 1), D(2023, 1, 1))]
    for start, end in spans:
        assert calendar.workdays_between(start, end) == workdays_between(start, end)
    assert not calendar.is_workday(D(2025, 1, 2))
    assert calendar.add_workdays(D(2023, 12, 29), 400) == add_workdays(D(2023, 12, 29), 400)
    assert [info.kind for info in calendar.days(D(2024, 2, 17), D(2024, 2, 19))] == ["holiday", "makeup", "workday"]


NOTICE_2027 = """国务院办公厅关于{year}年部分节假日安排的通知
一、元旦：1月1日放假。
二、国庆节：10月1日至7日放假调休，共7天。
三、劳动节：5月1日至五日放假。
"""


@pytest.mark.django_db
def test_notice_apply_saves_every_parsed_entry_in_one_go_with_history():
    year = first_uncovered_year()
    holiday_override_set(actor=None, date=D(year, 10, 1), is_workday=False, name="旧名称", note="保留的备注")
    parsed, result = holiday_notice_apply(actor=None, text=NOTICE_2027.format(year=year), default_year=2000)
    assert parsed.year == year and len(parsed.problems) == 1  # the 劳动节 line is not saved
    assert (result.created, result.updated, result.unchanged) == (7, 1, 0)
    assert HolidayOverride.objects.get(date=D(year, 10, 1)).note == "保留的备注"
    assert not HolidayOverride.objects.filter(date__month=5).exists()
    messages = set(
        ObjectChange.objects.filter(
            changed_object_type=ContentType.objects.get_for_model(HolidayOverride), action__in=["create", "update"]
        )
        .exclude(object_repr__contains="旧名称")
        .values_list("message", flat=True)
    )
    assert messages == {f"按国务院办公厅 {year} 年节假日安排通知录入"}
    # entering the arrangement does not by itself say the year is complete
    assert year_coverage(year) == "partial"


@pytest.mark.django_db
def test_notice_apply_with_nothing_recognised_saves_nothing():
    with pytest.raises(ValidationError, match="未能从通知中识别出任何放假或上班日期"):
        holiday_notice_apply(actor=None, text="三、劳动节：5月1日至五日放假。", default_year=2027)
    assert not HolidayOverride.objects.exists()


@pytest.mark.django_db
def test_notice_apply_is_all_or_nothing(monkeypatch):
    from tuijin.workdays import services

    calls = []
    original = services._override_write

    def failing(*args, **kwargs):
        calls.append(kwargs["date"])
        if len(calls) == 3:
            raise RuntimeError("boom")
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "_override_write", failing)
    with pytest.raises(RuntimeError):
        holiday_notice_apply(actor=None, text=NOTICE_2027.format(year=2027), default_year=2027)
    assert not HolidayOverride.objects.exists()


@pytest.mark.django_db
def test_year_flag_keeps_the_warning_until_set_and_is_logged():
    year = first_uncovered_year()
    holiday_override_set(actor=None, date=D(year, 1, 1), is_workday=False, name="元旦")
    assert year_coverage(year) == "partial" and uncovered_years(year, year) == [year]
    assert not holiday_year_is_complete(year)
    row = holiday_year_set_complete(actor=None, year=year, complete=True)
    assert year_coverage(year) == "override" and uncovered_years(year, year) == []
    holiday_year_set_complete(actor=None, year=year, complete=True)  # idempotent: no second history entry
    holiday_year_set_complete(actor=None, year=year, complete=False)
    assert year_coverage(year) == "partial" and uncovered_years(year, year) == [year]
    changes = ObjectChange.objects.filter(
        changed_object_type=ContentType.objects.get_for_model(HolidayYear), changed_object_id=row.pk
    ).order_by("pk")
    assert [(change.action, change.postchange_data["complete"]) for change in changes] == [
        ("create", True),
        ("update", False),
    ]
    # a flag set with no entry at all also counts: the office says the year has no special days to enter
    holiday_year_set_complete(actor=None, year=year + 1, complete=True)
    assert year_coverage(year + 1) == "override"
    assert year_coverage(2024) == "library"
