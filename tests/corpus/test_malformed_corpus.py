"""Issue #19 item 6, proved broadly: the malformed-file corpus (`scripts/make_malformed_corpus.py`, about 1,200
files, a fixed seed) against every upload path.

- Every file through every shared check in-process (`check_upload` with each entry point's types, `open_xlsx`,
  `check_image`): it passes, or it raises a ValidationError whose messages are Chinese; nothing else escapes.
- Through the test client, as a user in scope, every upload entry point (each gets every STRIDE-th file, so that
  together they see the whole corpus). For every file: the status is 200/302/400/413/415/422 (never a 500; the
  test client re-raises nothing); nothing is logged at ERROR; the imported rows are untouched (no partial write);
  and the answer is a Chinese refusal (a form error, an error message or an error block), or, for a file that is
  damaged but still readable, an acceptance of the whole file: one preview job or one attachment, a redirect, no
  error.
- `tuijin import_projects` on about 100 workbooks of the corpus: exit code 1, a Chinese message, no traceback.

A failure names the file: rebuild the corpus with `.venv/bin/python scripts/make_malformed_corpus.py /tmp/corpus`
and upload that file by hand.
"""

import importlib.util
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

REPO = Path(__file__).resolve().parents[2]
# Through the test client, entry point number i gets the files i, i + STRIDE, i + 2·STRIDE … (about 150 each by
# default): together the entry points see every file, and every file also goes through every shared check below.
# TUIJIN_CORPUS_STRIDE=1 feeds every file to every entry point (about 17,000 requests: minutes, not for every run).
STRIDE = max(1, int(os.environ.get("TUIJIN_CORPUS_STRIDE", "8")))
ALLOWED_STATUS = {200, 302, 400, 413, 415, 422}
CJK = re.compile(r"[\u4e00-\u9fff]")
ERROR_BLOCK = re.compile(
    r'class="[^"]*\b(?:invalid-feedback|alert-danger|errorlist|text-danger)\b[^"]*"[^>]*>(.*?)</(?:div|ul|p|span|li)>',
    re.S,
)


def _load_script():
    spec = importlib.util.spec_from_file_location(
        "make_malformed_corpus", REPO / "scripts" / "make_malformed_corpus.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> list[tuple[str, str, bytes]]:
    """(name, family, content) of every corpus file, generated once per test process."""
    out = tmp_path_factory.mktemp("malformed-corpus")
    manifest = _load_script().build_corpus(out)
    assert len(manifest) >= 1000
    return [(row["name"], row["family"], (out / row["name"]).read_bytes()) for row in manifest]


# --- the entry points ------------------------------------------------------------------------------------------------


@dataclass
class Target:
    user: object
    url: str
    field: str
    data: dict
    models: list  # what the upload must never change (the imported rows)
    # what a file the entry point can read may create, one row and nothing else: the import's preview job (its page
    # lists the problems), an attachment whose container is intact (stored as is, never parsed)
    accepted: list = field(default_factory=list)


def _project(world):
    from tuijin.projects.tests.factories import make_project

    return make_project(unit=world.unit_a, actor=world.office, name="语料测试项目")


def project_import(world):
    from tuijin.projects.models import ImportJob, Project

    return Target(world.office, reverse("projects:project_import"), "file", {}, [Project], [ImportJob])


def plan_import(world):
    from tuijin.projects.models import AnnualPlan

    return Target(world.office, reverse("projects:plan_import"), "file", {}, [AnnualPlan])


def project_attachment(world):
    from tuijin.projects.models import Attachment

    project = _project(world)
    url = reverse("projects:attachment_upload", args=[project.pk])
    return Target(world.reporter_a, url, "file", {"kind": "photo"}, [], [Attachment])


def ticket_attachment(world):
    from tuijin.tickets.models import TicketAttachment
    from tuijin.tickets.tests.factories import make_ticket

    ticket = make_ticket(actor=world.reporter_a, project=_project(world), title="语料测试工单")
    url = reverse("tickets:ticket_action", args=[ticket.pk])
    return Target(world.reporter_a, url, "file", {"action": "attach", "version": ticket.version}, [TicketAttachment])


def ticket_raise_attachment(world):
    from tuijin.tickets.models import Ticket, TicketAttachment

    data = {"category": "power", "title": "用电增容", "description": "新生产线需增容至2000千伏安"}
    return Target(world.ent_user_a, reverse("tickets:ticket_add"), "attachment", data, [Ticket, TicketAttachment])


def report_photo(world):
    from tuijin.progress.models import PendingPhoto, ProgressReport, ReportPhoto

    project = _project(world)
    url = reverse("progress:report_open", args=[project.pk, 2026, 10])
    return Target(world.reporter_a, url, "photo", {"version": 0}, [ProgressReport, ReportPhoto, PendingPhoto])


def sheet_import(world):
    from tuijin.progress.models import ProgressReport

    _project(world)
    url = reverse("progress:sheet_import") + "?period=2026-10"
    return Target(world.reporter_a, url, "file", {}, [ProgressReport])


def history_import(world):
    from tuijin.progress.models import ProgressReport

    url = reverse("progress:history_upload", args=["reports"])
    return Target(world.office, url, "file", {}, [ProgressReport])


def lead_import(world):
    from tuijin.investment.models import Lead

    return Target(world.office, reverse("investment:lead_import"), "file", {}, [Lead])


def lead_attachment(world):
    from tuijin.investment.models import Lead
    from tuijin.investment.tests.factories import make_lead

    lead = make_lead(actor=world.reporter_a, unit=world.unit_a, name="语料测试线索")
    attachments = [m for m in _models("investment") if "Attachment" in m.__name__]
    url = reverse("investment:attachment_upload", args=[lead.pk])
    return Target(world.reporter_a, url, "file", {"stage": "negotiating"}, [Lead], attachments)


def stats_import(world):
    from tuijin.funds.models import StatsFigure
    from tuijin.org.choices import Role
    from tuijin.utilities.testing.world import make_user

    user = make_user("stats_bureau", role=Role.STATS_BUREAU, unit=world.gov)
    url = reverse("stats:import") + "?month=2025-04"
    return Target(user, url, "file", {"month": "2025-04"}, [StatsFigure])


def chains_import(world):
    return Target(world.office, reverse("chains:import"), "file", {}, _models("chains"))


def universities_import(world):
    return Target(world.office, reverse("chains:resource_import"), "file", {}, _models("chains"))


def benchmarks_import(world):
    return Target(world.office, reverse("benchmarks:import"), "file", {}, _models("benchmarks"))


def _models(app_label: str) -> list:
    from django.apps import apps

    return list(apps.get_app_config(app_label).get_models())


ENTRY_POINTS = {
    "project_import": project_import,
    "plan_import": plan_import,
    "project_attachment": project_attachment,
    "ticket_attachment": ticket_attachment,
    "ticket_raise_attachment": ticket_raise_attachment,
    "report_photo": report_photo,
    "sheet_import": sheet_import,
    "history_import": history_import,
    "lead_import": lead_import,
    "lead_attachment": lead_attachment,
    "stats_import": stats_import,
    "chains_import": chains_import,
    "universities_import": universities_import,
    "benchmarks_import": benchmarks_import,
}

# --- checks -----------------------------------------------------------------------------------------------------------


def _counts(models) -> tuple:
    return tuple(model.objects.count() for model in models)


def _refusals(response) -> list[str]:
    # only the messages this request added (the session still holds those of earlier, unfollowed redirects)
    queued = getattr(getattr(response.wsgi_request, "_messages", None), "_queued_messages", [])
    found = [str(m) for m in queued if "error" in m.tags or "warning" in m.tags]
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else []:
            errors = getattr(value, "errors", None)
            if hasattr(value, "is_bound") and errors:
                found.extend(str(e) for e in (errors.values() if isinstance(errors, dict) else errors))
    if response.status_code != 302:
        found.extend(ERROR_BLOCK.findall(response.content.decode(errors="replace")))
    return [text for text in found if CJK.search(text)]


@pytest.mark.parametrize("entry_point", list(ENTRY_POINTS))
def test_every_corpus_file_is_refused_cleanly(entry_point, corpus, client, world, caplog):
    target = ENTRY_POINTS[entry_point](world)
    client.force_login(target.user)
    problems: list[str] = []
    accepted = 0
    files = corpus[list(ENTRY_POINTS).index(entry_point) % STRIDE :: STRIDE]
    for name, _family, content in files:
        before, accepted_before = _counts(target.models), _counts(target.accepted)
        caplog.clear()
        upload = SimpleUploadedFile(name.split("-", 1)[1], content, content_type="application/octet-stream")
        try:
            with caplog.at_level(logging.ERROR):
                response = client.post(target.url, {**target.data, target.field: upload})
        except Exception as exc:  # noqa: BLE001 - the test client re-raises a view's exception: that is a 500
            problems.append(f"{name}: traceback {type(exc).__name__}: {exc}")
            continue
        if response.status_code not in ALLOWED_STATUS:
            problems.append(f"{name}: status {response.status_code}")
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        if errors:
            problems.append(f"{name}: logged {errors[0].getMessage()[:200]}")
        if _counts(target.models) != before:
            problems.append(f"{name}: rows written {before} → {_counts(target.models)}")
        if _counts(target.accepted) != accepted_before:
            accepted += 1
            if _counts(target.accepted) != tuple(n + 1 for n in accepted_before) or response.status_code != 302:
                problems.append(f"{name}: accepted {accepted_before} → {_counts(target.accepted)}")
            elif _refusals(response):
                problems.append(f"{name}: accepted and refused at once: {_refusals(response)[0][:100]}")
        elif not _refusals(response):
            problems.append(f"{name}: no Chinese refusal (status {response.status_code})")
    print(f"{entry_point}: {len(files)} files, {accepted} accepted whole, {len(problems)} problems")
    assert not problems, f"{entry_point}: {len(problems)} of {len(files)} files mishandled:\n" + "\n".join(
        problems[:60]
    )


def test_every_corpus_file_through_every_shared_check(corpus):
    """Every file, in-process, through the checks every upload path uses: `check_upload` with each entry point's
    allowed types, `open_xlsx` (imports) and `check_image` (photos). Each either passes or raises ValidationError
    with a Chinese message; nothing else escapes."""
    from django.core.exceptions import ValidationError

    from tuijin.progress.photos import PHOTO_TYPES
    from tuijin.projects.constants import ATTACHMENT_TYPES
    from tuijin.tickets.forms import TICKET_ATTACHMENT_TYPES
    from tuijin.utilities.excel import XLSX_TYPES, open_xlsx
    from tuijin.utilities.uploads import check_image, check_upload

    checks = {
        "xlsx": lambda name, data: check_upload(SimpleUploadedFile(name, data), XLSX_TYPES),
        "attachment": lambda name, data: check_upload(SimpleUploadedFile(name, data), ATTACHMENT_TYPES),
        "ticket": lambda name, data: check_upload(SimpleUploadedFile(name, data), TICKET_ATTACHMENT_TYPES),
        "photo": lambda name, data: check_upload(SimpleUploadedFile(name, data), PHOTO_TYPES),
        "open_xlsx": lambda name, data: open_xlsx(data),
        "check_image": lambda name, data: check_image(data),
    }
    problems, refused = [], 0
    for name, _family, content in corpus:
        for check, run in checks.items():
            try:
                run(name.split("-", 1)[1], content)
            except ValidationError as exc:
                refused += 1
                if not all(CJK.search(message) for message in exc.messages):
                    problems.append(f"{name} {check}: {exc.messages}")
            except Exception as exc:  # noqa: BLE001 - anything else would be a 500 in a view
                problems.append(f"{name} {check}: {type(exc).__name__}: {exc}")
    assert refused > len(corpus) * 5
    assert not problems, "\n".join(problems[:60])


# --- the CLI ------------------------------------------------------------------------------------------------------


def test_cli_import_refuses_corpus_files_cleanly(corpus, world, tmp_path, capsys, monkeypatch):
    """`tuijin import_projects FILE --user …` on a sample of the xlsx family (every 6th: about 100 files), run as
    from the shell (`ManagementUtility`, in-process on the test database): exit code 1, a Chinese message on stderr,
    no traceback, nothing imported."""
    from django.core.management import ManagementUtility
    from django.db import connections

    from tuijin.projects.models import Project

    # run_from_argv closes every connection when the command ends, as a shell process would before exiting; here
    # that would close the test's own transaction on PostgreSQL, so the connections are kept open
    monkeypatch.setattr(connections, "close_all", lambda: None)

    sample = [(name, content) for name, family, content in corpus if family == "xlsx"][::6]
    assert len(sample) >= 100
    before = Project.objects.count()
    problems = []
    for name, content in sample:
        path = tmp_path / name
        path.write_bytes(content)
        capsys.readouterr()
        try:
            ManagementUtility(["tuijin", "import_projects", str(path), "--user", world.office.username]).execute()
        except SystemExit as exc:
            code = exc.code
        except Exception as exc:  # noqa: BLE001 - a traceback
            problems.append(f"{name}: traceback {type(exc).__name__}: {exc}")
            continue
        else:
            code = 0
        err = capsys.readouterr().err
        if code == 0 or not CJK.search(err) or "Traceback" in err:
            problems.append(f"{name}: exit {code}: {err[-200:]}")
    assert Project.objects.count() == before
    assert not problems, "\n".join(problems[:40])


def test_the_corpus_is_deterministic_and_large_enough(tmp_path):
    script = _load_script()
    first = script.build_corpus(tmp_path / "a", count=1200)
    second = script.build_corpus(tmp_path / "b", count=1200)
    assert len(first) >= 1000 and first == second
    assert all((tmp_path / "a" / r["name"]).read_bytes() == (tmp_path / "b" / r["name"]).read_bytes() for r in first)
    kinds = {r["kind"] for r in first}
    assert {"xlsx-central-version-0x9a", "xlsx-bomb", "png-12000x12000", "xlsx-far-cells"} <= kinds
