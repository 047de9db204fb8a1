"""Report reminders: who is reminded, when, and never twice for the same user, period and day."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tuijin.core.figures_cache import figures_changed
from tuijin.dispatch.tasks import REMINDER_KIND, send_report_reminders, send_report_reminders_task
from tuijin.notifications.models import Notification
from tuijin.org.choices import Role
from tuijin.progress.models import ProgressReport
from tuijin.projects.tests.factories import make_project
from tuijin.utilities.testing.world import make_user

OCT = date(2025, 10, 1)
IN_WINDOW = date(2025, 11, 3)  # the default window is the 1st–5th of the next month


@pytest.fixture
def projects(world):
    def building(unit, name):
        return make_project(unit=unit, name=name, stage="construction", actual_start=date(2025, 3, 1))

    missing = building(world.unit_a, "甲未报项目")
    draft = building(world.unit_a, "甲草稿项目")
    done = building(world.unit_a, "甲已报项目")
    b_done = building(world.unit_b, "乙已报项目")
    ProgressReport.objects.create(project=draft, period=OCT, status="draft")
    for project in (done, b_done):
        ProgressReport.objects.create(
            project=project,
            period=OCT,
            status="submitted",
            month_investment=Decimal("10"),
            construction_install=Decimal("10"),
        )
    make_project(unit=world.unit_a, name="甲前期无计划")  # not expected to report
    return {"missing": missing, "draft": draft, "done": done}


def reminders(user):
    return list(Notification.objects.filter(user=user, kind=REMINDER_KIND))


def test_reporters_of_the_unit_are_reminded_of_missing_and_draft_reports(world, projects):
    second_reporter = make_user("reporter_a2", role=Role.UNIT_REPORTER, unit=world.unit_a)
    result = send_report_reminders(OCT, today=IN_WINDOW)
    assert (result.projects, result.users, result.sent, result.window_open) == (2, 2, 2, True)
    for user in (world.reporter_a, second_reporter):
        [note] = reminders(user)
        assert note.title == "2025年10月月报填报提醒"
        assert "甲未报项目" in note.body and "甲草稿项目" in note.body and "甲已报项目" not in note.body
        assert "2025年11月5日" in note.body
        assert note.level == "info"
        assert note.url == reverse("dispatch:my_reports")
    assert reminders(world.reporter_b) == []  # unit B has reported
    assert reminders(world.approver_a) == []  # only 单位填报员


def test_reminders_are_not_duplicated_on_the_same_day(world, projects):
    send_report_reminders(OCT, today=IN_WINDOW)
    again = send_report_reminders(OCT, today=IN_WINDOW)
    assert again.sent == 0
    assert len(reminders(world.reporter_a)) == 1
    send_report_reminders(OCT, today=date(2025, 11, 4))  # the next day: one more
    assert len(reminders(world.reporter_a)) == 2


def test_no_reminder_before_the_window_opens(world, projects):
    result = send_report_reminders(OCT, today=date(2025, 10, 28))
    assert (result.sent, result.window_open) == (0, False)
    assert not Notification.objects.exists()


def test_overdue_reminder_after_the_window_closed(world, projects):
    send_report_reminders(OCT, today=date(2025, 11, 10))
    [note] = reminders(world.reporter_a)
    assert note.title == "2025年10月月报已逾期未报"
    assert note.level == "warning"


def test_nothing_when_everything_is_submitted(world, projects):
    ProgressReport.objects.filter(period=OCT).update(status="submitted")
    figures_changed(None)  # raw writes send no signals: bring the facts up to date
    ProgressReport.objects.create(project=projects["missing"], period=OCT, status="unit_approved")
    assert send_report_reminders(OCT, today=IN_WINDOW).sent == 0
    assert not Notification.objects.exists()


def test_command_and_task(world, projects, time_machine):
    time_machine.move_to("2025-11-03 09:00:00+08:00")
    out = StringIO()
    call_command("send_report_reminders", stdout=out)  # default period: last month
    assert "2025-10：未报项目 2 个，提醒账户 1 个，本次发送 1 条" in out.getvalue()
    result = send_report_reminders_task.enqueue("2025-10")
    assert result.return_value["sent"] == 0  # already reminded today
