"""Permission matrix and behaviour of the calendar page, the bulk paste form and deleting an entry."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tuijin.core.models import ObjectChange
from tuijin.utilities.testing.matrix import Case, PostMatrix, ViewMatrix
from tuijin.workdays.models import HolidayOverride, HolidayYear
from tuijin.workdays.services import calendar_today, holiday_override_set, library_covers

CALENDAR = "workdays:calendar"
NOTICE = "workdays:notice"
YEAR_COMPLETE = "workdays:year_complete"
UNSCOPED = "one calendar for everybody: HolidayOverride and HolidayYear are not unit-scoped (scope_fields = None)"
NOTICE_TEXT = """国务院办公厅关于{year}年部分节假日安排的通知
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
一、元旦：1月1日放假，共1天。
二、春节：2月5日至2月11日放假调休，共7天。１月３１日、2月20日上班。
三、劳动节：5月1日至5日放假调休，共6天。
国务院办公厅
"""


def _uncovered_year() -> int:
    return next(year for year in range(2025, 2100) if not library_covers(year))


class TestCalendarView(ViewMatrix):
    """Every business role reads the calendar; the 三员 and users without a role do not."""

    url_name = CALENDAR
    detail = False
    scoped = False
    unscoped_reason = "one calendar for everybody: HolidayOverride is not unit-scoped (scope_fields = None)"

    @pytest.fixture
    def matrix(self, world):
        override = holiday_override_set(
            actor=None, date=dt.date(calendar_today().year, 6, 3), is_workday=False, name="矩阵测试假日"
        )
        return Case(allowed=world.reporter_a, denied=world.norole, in_scope=override, marker=lambda o: o.name)


class TestOverrideDeleteView(PostMatrix):
    """POST-only: anonymous → login, no delete permission → 403, GET → 405, unknown id → 404, office deletes."""

    url_name = "workdays:override_delete"
    scoped = False
    unscoped_reason = "one calendar for everybody: HolidayOverride is not unit-scoped (scope_fields = None)"

    def effect(self, obj, matrix):
        assert not HolidayOverride.objects.filter(pk=obj.pk).exists()

    @pytest.fixture
    def matrix(self, world):
        override = holiday_override_set(actor=None, date=dt.date(2024, 10, 8), is_workday=False, name="待删除")
        # reporter: may view the calendar, may not delete
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=override)

    def assert_succeeded(self, response):
        super().assert_succeeded(response)
        assert response["Location"] == f"{reverse(CALENDAR)}?year=2024"

    def test_get_is_refused_before_405(self, client, matrix):
        url = self.url_for(matrix.in_scope)
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("users:login"))
        client.force_login(matrix.denied)
        assert client.get(url).status_code == 403
        assert not self.holds(matrix.in_scope, matrix)

    def test_in_scope_is_200(self, client, matrix):
        super().test_in_scope_is_200(client, matrix)
        change = ObjectChange.objects.get(
            changed_object_type=ContentType.objects.get_for_model(HolidayOverride),
            changed_object_id=matrix.in_scope.pk,
            action="delete",
        )
        assert change.user_name == "office"

    def test_unknown_id_is_404(self, client, matrix):
        client.force_login(matrix.allowed)
        missing = HolidayOverride.objects.order_by("-pk").first().pk + 1000
        response = client.post(reverse(self.url_name, args=[missing]))
        assert response.status_code == 404


@pytest.mark.parametrize("username", ["auditadmin", "sysadmin", "secadmin", "norole"])
def test_calendar_denied_without_permission(client, world, username):
    client.force_login(getattr(world, username))
    assert client.get(reverse(CALENDAR)).status_code == 403


@pytest.mark.parametrize("username", ["office", "reporter_a", "approver_a", "sponsor", "leader"])
def test_calendar_open_to_business_roles(client, world, username):
    client.force_login(getattr(world, username))
    assert client.get(reverse(CALENDAR)).status_code == 200


def test_calendar_grid_colours_library_days(client, world):
    client.force_login(world.reporter_a)
    content = client.get(reverse(CALENDAR), {"year": 2024}).content.decode()
    assert 'data-date="2024-02-12" data-kind="holiday" title="春节"' in content
    assert 'data-date="2024-02-18" data-kind="makeup" title="春节调休上班"' in content
    assert 'data-date="2024-03-09" data-kind="weekend"' in content
    assert 'data-date="2024-03-11" data-kind="workday"' in content
    assert content.count('data-date="2024-') == 366
    assert "tj-coverage-warning" not in content
    assert "tj-bulk-form" not in content  # no add permission: no form
    assert "workdays/overrides/" not in content  # … and no delete buttons


def test_uncovered_year_keeps_the_warning_until_the_office_marks_the_year_complete(client, world):
    year = _uncovered_year()
    warning = f"{year} 年法定节假日尚未发布，当前按周末计算工作日。请项目办录入当年节假日安排。"
    client.force_login(world.reporter_a)
    content = client.get(reverse(CALENDAR), {"year": year}).content.decode()
    assert "tj-coverage-warning" in content and warning in content
    assert "tj-year-complete-form" not in content  # a reporter cannot set the flag
    # One entered holiday counts in the grid but does not remove the warning for the whole year.
    holiday_override_set(actor=None, date=dt.date(year, 10, 1), is_workday=False, name="国庆节")
    content = client.get(reverse(CALENDAR), {"year": year}).content.decode()
    assert "tj-coverage-warning" in content and warning in content and "tj-coverage-partial" in content
    assert f'data-date="{year}-10-01" data-kind="holiday" title="国庆节"><u>1</u>' in content
    # The office sets the flag: the warning goes, here and wherever the year is used.
    client.force_login(world.office)
    assert "tj-year-complete-form" in client.get(reverse(CALENDAR), {"year": year}).content.decode()
    response = client.post(reverse(YEAR_COMPLETE, args=[year]), {"complete": "1"})
    assert response.status_code == 302 and response["Location"] == f"{reverse(CALENDAR)}?year={year}"
    client.force_login(world.reporter_a)
    content = client.get(reverse(CALENDAR), {"year": year}).content.decode()
    assert "tj-coverage-warning" not in content and "tj-coverage-override" in content
    assert "tj-year-uncomplete-form" not in content
    # … and unset: the warning is back.
    client.force_login(world.office)
    assert "tj-year-uncomplete-form" in client.get(reverse(CALENDAR), {"year": year}).content.decode()
    client.post(reverse(YEAR_COMPLETE, args=[year]), {"complete": "0"})
    content = client.get(reverse(CALENDAR), {"year": year}).content.decode()
    assert "tj-coverage-warning" in content and "tj-year-complete-form" in content
    changes = ObjectChange.objects.filter(changed_object_type=ContentType.objects.get_for_model(HolidayYear))
    assert list(changes.order_by("pk").values_list("action", "user_name")) == [
        ("create", "office"),
        ("update", "office"),
    ]


def test_library_year_offers_no_flag(client, world):
    client.force_login(world.office)
    content = client.get(reverse(CALENDAR), {"year": 2024}).content.decode()
    assert "tj-year-complete-form" not in content and "tj-year-uncomplete-form" not in content


def test_year_flag_rejects_years_out_of_range_and_bad_values(client, world):
    client.force_login(world.office)
    assert client.post(reverse(YEAR_COMPLETE, args=[1999]), {"complete": "1"}).status_code == 404
    response = client.post(reverse(YEAR_COMPLETE, args=[2027]), {"complete": "yes"}, follow=True)
    assert "请求无效" in response.content.decode()
    assert not HolidayYear.objects.exists()


def test_year_parameter_is_sanitised(client, world):
    client.force_login(world.reporter_a)
    this_year = calendar_today().year
    for value in ("abc", "99999", "-1", ""):
        response = client.get(reverse(CALENDAR), {"year": value})
        assert response.status_code == 200 and response.context["year"] == this_year


def test_office_sees_form_and_delete_buttons(client, world):
    override = holiday_override_set(actor=None, date=dt.date(2024, 10, 8), is_workday=False, name="加休")
    client.force_login(world.office)
    content = client.get(reverse(CALENDAR), {"year": 2024}).content.decode()
    assert "tj-bulk-form" in content
    assert reverse("workdays:override_delete", args=[override.pk]) in content
    other_year = client.get(reverse(CALENDAR), {"year": 2025}).content.decode()
    assert "加休" not in other_year  # only the selected year's entries are listed


def test_bulk_post_needs_add_permission(client, world):
    client.force_login(world.reporter_a)
    response = client.post(reverse(CALENDAR), {"year": 2024, "text": "2024-10-08,休,加休"})
    assert response.status_code == 403
    assert not HolidayOverride.objects.exists()
    client.force_login(world.norole)
    assert client.post(reverse(CALENDAR), {"year": 2024, "text": "2024-10-08,休,加休"}).status_code == 403
    client.logout()
    response = client.post(reverse(CALENDAR), {"year": 2024, "text": "2024-10-08,休,加休"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("users:login"))
    assert not HolidayOverride.objects.exists()


def test_bulk_post_by_office_writes_and_logs(client, world):
    client.force_login(world.office)
    response = client.post(reverse(CALENDAR), {"year": 2024, "text": "2024-10-08,休,加休\n2024-10-13 班 补班"})
    assert response.status_code == 302 and response["Location"] == f"{reverse(CALENDAR)}?year=2024"
    assert list(HolidayOverride.objects.values_list("date", "is_workday")) == [
        (dt.date(2024, 10, 8), False),
        (dt.date(2024, 10, 13), True),
    ]
    changes = ObjectChange.objects.filter(changed_object_type=ContentType.objects.get_for_model(HolidayOverride))
    assert sorted(changes.values_list("action", "user_name")) == [("create", "office"), ("create", "office")]
    page = client.get(response["Location"]).content.decode()
    assert "新增 2 条" in page and 'data-date="2024-10-13" data-kind="makeup" title="补班"' in page


def test_bulk_post_errors_keep_the_text(client, world):
    client.force_login(world.office)
    text = "2024-10-08,休,加休\n2024-02-30,休,错误日期\n2025-01-01,休,元旦"
    response = client.post(reverse(CALENDAR) + "?year=2024", {"year": 2024, "text": text})
    assert response.status_code == 200
    content = response.content.decode()
    assert "第 2 行：日期“2024-02-30”无效" in content
    assert "第 3 行：日期 2025-01-01 不在 2024 年内" in content
    assert text in content  # nothing the user pasted is lost
    assert not HolidayOverride.objects.exists()


def test_calendar_query_count_does_not_grow_with_entries(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.office)
    url = reverse(CALENDAR)
    client.get(url, {"year": 2024})
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"year": 2024})
    lines = "\n".join(f"2024-11-{day:02d},休,测试" for day in range(1, 29))
    client.post(url, {"year": 2024, "text": lines})
    with CaptureQueriesContext(connection) as large:
        assert client.get(url, {"year": 2024}).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


class TestNoticeView(PostMatrix):
    """POST-only: preview or (with `confirm`) save a pasted notice; needs workdays.add_holidayoverride."""

    url_name = NOTICE
    detail = False
    scoped = False
    unscoped_reason = UNSCOPED

    def data(self, obj, matrix):
        return {"year": obj, "text": NOTICE_TEXT.format(year=obj), "confirm": "1"}

    def effect(self, obj, matrix):
        assert HolidayOverride.objects.filter(date__year=obj).count() == 10

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=_uncovered_year())

    def assert_succeeded(self, response):
        super().assert_succeeded(response)
        assert response["Location"] == f"{reverse(CALENDAR)}?year={_uncovered_year()}"


class TestYearCompleteView(PostMatrix):
    """POST-only: set a year's "全年安排已录入" flag; needs workdays.change_holidayoverride (the 项目办)."""

    url_name = YEAR_COMPLETE
    scoped = False
    unscoped_reason = UNSCOPED

    def url_for(self, obj=None):
        return reverse(self.url_name, args=[obj])

    def data(self, obj, matrix):
        return {"complete": "1"}

    def effect(self, obj, matrix):
        assert HolidayYear.objects.get(year=obj).complete

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=_uncovered_year())


def test_notice_preview_lists_entries_and_problems_and_saves_nothing(client, world, django_assert_max_num_queries):
    year = _uncovered_year()
    holiday_override_set(actor=None, date=dt.date(year, 1, 1), is_workday=False, name="元旦")
    holiday_override_set(actor=None, date=dt.date(year, 2, 5), is_workday=False, name="旧名")
    client.force_login(world.office)
    text = NOTICE_TEXT.format(year=year)
    with django_assert_max_num_queries(12):
        response = client.post(reverse(NOTICE), {"year": 2030, "text": text})
    assert response.status_code == 200
    content = response.content.decode()
    assert HolidayOverride.objects.count() == 2  # a preview writes nothing
    assert content.count("<tr data-date=") == 10
    assert f'data-date="{year}-01-31" data-kind="work"' in content  # full-width digits
    assert f'data-date="{year}-02-20" data-kind="work"' in content and "春节调休上班" in content
    assert "以下 1 处未能识别，不会保存" in content
    assert "第 5 行：写明“共6天”，但 5月1日 至 5日 是 5 天。" in content
    assert f"注意：通知年份为 {year} 年，与当前页面的 2030 年不同" in content
    assert "另有 2 行说明文字" in content
    assert "不变" in content and "更新（原为休·旧名）" in content and "新增" in content
    assert "确认保存 10 条" in content
    assert text.split("\n")[3] in content  # the pasted text is kept for re-preview and for the confirm form


def test_notice_confirm_saves_and_reports(client, world):
    year = _uncovered_year()
    client.force_login(world.office)
    response = client.post(
        reverse(NOTICE), {"year": year, "text": NOTICE_TEXT.format(year=year), "confirm": "1"}, follow=True
    )
    content = response.content.decode()
    assert f"已按通知保存 {year} 年节假日设置：新增 10 条" in content
    assert f'data-date="{year}-02-20" data-kind="makeup" title="春节调休上班"' in content
    assert "tj-coverage-warning" in content  # saved, but not yet marked complete
    changes = ObjectChange.objects.filter(changed_object_type=ContentType.objects.get_for_model(HolidayOverride))
    assert set(changes.values_list("action", "user_name", "message")) == {
        ("create", "office", f"按国务院办公厅 {year} 年节假日安排通知录入")
    }


def test_notice_with_nothing_recognised_shows_an_error_and_keeps_the_text(client, world):
    client.force_login(world.office)
    text = "三、劳动节：5月1日至五日放假。"
    response = client.post(reverse(NOTICE), {"year": 2027, "text": text, "confirm": "1"})
    content = response.content.decode()
    assert response.status_code == 200 and "未能从通知中识别出任何放假或上班日期，未保存。" in content
    assert "第 1 行：" in content and text in content
    assert not HolidayOverride.objects.exists()
    empty = client.post(reverse(NOTICE), {"year": 2027, "text": ""})
    assert empty.status_code == 200 and "请粘贴通知文本。" in empty.content.decode()


def test_notice_form_only_for_the_office(client, world):
    client.force_login(world.reporter_a)
    assert "tj-notice-form" not in client.get(reverse(CALENDAR), {"year": 2027}).content.decode()
    client.force_login(world.office)
    assert "tj-notice-form" in client.get(reverse(CALENDAR), {"year": 2027}).content.decode()
