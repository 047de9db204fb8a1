"""Issue 19 item 10: the command-line imports and exports left no audit event, while the web ones did. They are now
audited alike (same event types), marked as run from the command line, in the name of the `--user` they ran as."""

import io

import openpyxl
from django.core.management import CommandError, call_command
from django.utils import timezone

from tuijin.core.choices import AuditEventType, AuditOutcome
from tuijin.core.models import AuditEvent
from tuijin.projects.tests.factories import make_project


def _events(kind):
    return list(AuditEvent.objects.filter(event_type=kind, detail__channel="cli").order_by("pk"))


def test_export_projects_is_audited(world, tmp_path):
    make_project(unit=world.unit_a, actor=world.office, name="命令行导出项目")
    out = tmp_path / "projects.xlsx"
    call_command("export_projects", "--out", str(out), "--user", world.office.username, stdout=io.StringIO())
    (event,) = _events(AuditEventType.EXPORT)
    assert event.user == world.office and event.detail["command"] == "export_projects"
    assert event.detail["rows"] == 1 and event.detail["file"] == "projects.xlsx"
    call_command("export_projects", "--out", str(out), stdout=io.StringIO())  # no --user: the OS account's name
    last = _events(AuditEventType.EXPORT)[-1]
    assert last.user is None and last.user_name.startswith("命令行")


def test_import_projects_is_audited_on_success_and_refusal(world, tmp_path):
    bad = tmp_path / "bad.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["不是模板"])
    book.save(bad)
    try:
        call_command(
            "import_projects", str(bad), "--user", world.office.username, stdout=io.StringIO(), stderr=io.StringIO()
        )
    except CommandError:
        pass
    (event,) = _events(AuditEventType.IMPORT)
    assert event.outcome == AuditOutcome.FAILURE and event.user == world.office
    assert event.detail["command"] == "import_projects" and len(event.detail["sha256"]) == 64


def test_generate_notice_is_audited(world, tmp_path):
    make_project(unit=world.unit_a, actor=world.office, name="命令行通报项目")
    out = tmp_path / "notice.xlsx"
    period = f"{timezone.localdate():%Y-%m}"
    call_command(
        "generate_notice",
        "--period",
        period,
        "--format",
        "xlsx",
        "--out",
        str(out),
        "--user",
        world.office.username,
        stdout=io.StringIO(),
    )
    (event,) = _events(AuditEventType.EXPORT)
    assert event.detail["what"] == "notice" and event.detail["format"] == "xlsx" and event.user == world.office
