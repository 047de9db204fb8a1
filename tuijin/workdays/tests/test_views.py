"""Permission matrix and behaviour of the calendar page, the bulk paste form and deleting an entry."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tuijin.core.models import ObjectChange
from tuijin.utilities.testing.matrix import Case, PostMatrix, ViewMatrix
from tuijin.workdays.models import HolidayOverride
from tuijin.workdays.services import calendar_today, holiday_override_set, library_covers

CALENDAR = "workdays:calendar"


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


def test_uncovered_year_shows_the_warning_until_the_office_enters_holidays(client, world):
    year = _uncovered_year()
    client.force_login(world.reporter_a)
    content = client.get(reverse(CALENDAR), {"year": year}).content.decode()
    assert "tj-coverage-warning" in content
    assert f"{year} 年法定节假日尚未发布，当前按周末计算工作日。请项目办录入当年节假日安排。" in content
    holiday_override_set(actor=None, date=dt.date(year, 10, 1), is_workday=False, name="国庆节")
    content = client.get(reverse(CALENDAR), {"year": year}).content.decode()
    assert "tj-coverage-warning" not in content and "tj-coverage-override" in content
    assert f'data-date="{year}-10-01" data-kind="holiday" title="国庆节"><u>1</u>' in content


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
