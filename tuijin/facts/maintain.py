"""Keeping `ProjectMonth` equal to what `rules.project_months` computes from the sources, at every commit.

- A save or delete of a Project, AnnualPlan or ProgressReport rewrites that project's rows at once, inside the
  writer's transaction: the facts commit (or roll back) together with the write that changed them, and a crash
  between the two cannot leave them apart.
- Bulk writers send `core.figures_cache.bulk_source_change` through `figures_changed(project_ids)`; None rebuilds
  every project.
- When the transaction commits, `facts_changed` is sent with the projects and the first month that changed, so the
  warning lights of those projects are re-evaluated from the new facts (tuijin.progress connects to it).
- `rebuild()` (command `tuijin rebuild_facts`) recomputes every row from scratch; `diff()` compares the table with
  a fresh computation (the test that maintenance and rebuild agree).
"""

import logging
from collections.abc import Iterable, Iterator
from dataclasses import fields
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal
from django.utils import timezone

from tuijin.core.aftercommit import EarliestByKey
from tuijin.core.figures_cache import bulk_source_change
from tuijin.progress.models import ProgressReport
from tuijin.projects.models import AnnualPlan, Project

from .models import ProjectMonth
from .rules import PlanIn, ProjectIn, ReportIn, project_months

__all__ = ["compute", "connect", "diff", "facts_changed", "rebuild", "refresh"]

logger = logging.getLogger(__name__)

# Sent after commit: project_ids (list of int), since (date: the first month whose facts may have changed, or None
# for all months).
facts_changed = Signal()

CHUNK = 1000
PROJECT_FIELDS = (
    "pk",
    "stage",
    "planned_start",
    "planned_finish",
    "actual_start",
    "actual_finish",
    "construction_start",
    "construction_end",
    "stats_status",
    "stats_month",
    "name",
    "responsible_unit_id",
    "domain",
    "chain_id",
    "total_investment",
)
PLAN_FIELDS = (
    "year",
    "planned_investment",
    "baseline_investment",
    "planned_start_quarter",
    "monthly_plan",
    "baseline_monthly_plan",
)
REPORT_FIELDS = ("period", "status", "month_investment", "is_started", "started_on", "submitted_at", "migration_job_id")


_PROJECT_IN = [f.name for f in fields(ProjectIn)][: len(PROJECT_FIELDS)]  # PROJECT_FIELDS in ProjectIn's order


def _chunks(ids: list[int], size: int = CHUNK) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def compute(project_ids: Iterable[int], *, today: date | None = None) -> list[dict[str, Any]]:
    """The facts rows of these projects as the rules define them (three queries per chunk of projects)."""
    today = today or timezone.localdate()
    ids = sorted(set(project_ids))
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(ids):
        plans: dict[int, list[PlanIn]] = {}
        for pid, *values in (
            AnnualPlan.objects.filter(project_id__in=chunk).order_by().values_list("project_id", *PLAN_FIELDS)
        ):
            plans.setdefault(pid, []).append(PlanIn(*values))
        reports: dict[int, list[ReportIn]] = {}
        for pid, *values in (
            ProgressReport.objects.filter(project_id__in=chunk).order_by().values_list("project_id", *REPORT_FIELDS)
        ):
            reports.setdefault(pid, []).append(ReportIn(*values))
        levels: dict[int, list[int]] = {}
        for pid, level_id in (
            Project.levels.through.objects.filter(project_id__in=chunk)
            .order_by()
            .values_list("project_id", "projectlevel_id")
        ):
            levels.setdefault(pid, []).append(level_id)
        for values in Project.objects.filter(pk__in=chunk).order_by().values_list(*PROJECT_FIELDS):
            level_ids = ",".join(str(i) for i in sorted(levels.get(values[0], [])))
            project = ProjectIn(**dict(zip(_PROJECT_IN, values, strict=True)), levels=level_ids)
            rows += project_months(project, plans.get(project.pk, []), reports.get(project.pk, []), today=today)
    return rows


def _insert(rows: list[dict[str, Any]]) -> None:
    """Insert computed rows without building model instances (the rebuild writes millions): COPY on PostgreSQL,
    executemany elsewhere. Values are adapted by the driver; datetimes as Django stores them."""
    if not rows:
        return
    # A month's rows side by side (not each project's months): the dashboard reads one month of every project, and
    # rows written together then share pages instead of lying one per page across the table.
    rows = sorted(rows, key=lambda row: (row["period"], row["project_id"]))
    fields = [f for f in ProjectMonth._meta.concrete_fields if f.attname != "id"]
    columns = [f.column for f in fields]
    names = [f.attname for f in fields]
    datetimes = {f.attname for f in fields if f.get_internal_type() == "DateTimeField"}
    ops = connection.ops
    table = ops.quote_name(ProjectMonth._meta.db_table)
    quoted = ", ".join(ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row([row[name] for name in names])
            return
        adapt = ops.adapt_datetimefield_value
        values = [[adapt(row[n]) if n in datetimes else row[n] for n in names] for row in rows]
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608 - names from the model
        for start in range(0, len(values), 2000):
            cursor.executemany(sql, values[start : start + 2000])


# Written by the lights engine, not computed here: a rewrite keeps it, `diff` ignores it.
KEPT_FIELDS = ("light",)


def _delete(project_ids: list[int]) -> None:
    """Delete these projects' rows, one statement per 500 projects. (`QuerySet.delete` would load every row as an
    instance to send delete signals, because a global change-log receiver listens to all models; nothing listens
    for derived rows, and a district workbook rewrites tens of thousands of them.)"""
    table = connection.ops.quote_name(ProjectMonth._meta.db_table)
    column = connection.ops.quote_name(ProjectMonth._meta.get_field("project").column)
    with connection.cursor() as cursor:
        for chunk in _chunks(project_ids, 500):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", chunk)  # noqa: S608 - model names


def _write(project_ids: list[int], rows: list[dict[str, Any]]) -> None:
    """Replace these projects' rows by `rows`, keeping each (project, month)'s light."""
    existing = ProjectMonth.objects.filter(project_id__in=project_ids)
    kept = {
        (pid, period): light
        for pid, period, light in existing.exclude(light="").order_by().values_list("project_id", "period", "light")
    }
    _delete(project_ids)
    if kept:
        for row in rows:
            row["light"] = kept.get((row["project_id"], row["period"]), "")
    _insert(rows)


def refresh(project_ids: Iterable[int], *, since: date | None = None) -> int:
    """Rewrite these projects' rows now (in the caller's transaction); after commit, tell `facts_changed`."""
    ids = sorted(set(project_ids))
    if not ids:
        return 0
    written = 0
    with transaction.atomic():
        for chunk in _chunks(ids):
            rows = compute(chunk)
            _write(chunk, rows)
            written += len(rows)
        _pending_after_commit(ids, since)
    return written


def rebuild(*, progress: Any = None) -> int:
    """Every project's rows from scratch, in chunks (each month's light kept). Returns the number of rows."""
    ids = list(Project.objects.order_by("pk").values_list("pk", flat=True))
    written = 0
    with transaction.atomic():
        ProjectMonth.objects.exclude(project_id__in=Project.objects.values("pk")).delete()  # deleted projects
        for chunk in _chunks(ids):
            rows = compute(chunk)
            _write(chunk, rows)
            written += len(rows)
            if progress is not None:
                progress(len(chunk), written)
        _pending_after_commit(ids, None)
    return written


def _comparable(row: dict[str, Any]) -> tuple:
    return tuple(sorted((k, v) for k, v in row.items() if k != "id"))


def diff(project_ids: Iterable[int] | None = None) -> list[str]:
    """Rows where the table differs from a fresh computation (empty when maintenance kept it exact)."""
    ids = (
        sorted(set(project_ids))
        if project_ids is not None
        else list(Project.objects.order_by("pk").values_list("pk", flat=True))
    )
    problems: list[str] = []
    fields = [f.attname for f in ProjectMonth._meta.concrete_fields if f.attname not in ("id", *KEPT_FIELDS)]
    for chunk in _chunks(ids):
        expected = {(r["project_id"], r["period"]): r for r in compute(chunk)}
        stored = {
            (r["project_id"], r["period"]): r for r in ProjectMonth.objects.filter(project_id__in=chunk).values(*fields)
        }
        for key in sorted(set(expected) | set(stored)):
            want, have = expected.get(key), stored.get(key)
            if want is None or have is None:
                problems.append(f"{key}: {'missing' if have is None else 'unexpected'} row")
                continue
            changed = [f for f in fields if want.get(f) != have.get(f)]
            if changed:
                problems.append(f"{key}: {', '.join(f'{f} {have[f]!r}≠{want[f]!r}' for f in changed)}")
    return problems


# --------------------------------------------------------------------------------------------------------------
# After commit: tell the lights (once per transaction, for every project touched in it)


def _announce(pending: dict[int, date | None]) -> None:
    by_since: dict[date | None, list[int]] = {}
    for pid, since in pending.items():
        by_since.setdefault(since, []).append(pid)
    for since, ids in by_since.items():
        try:
            facts_changed.send(sender=ProjectMonth, project_ids=sorted(ids), since=since)
        except Exception:  # a failing listener must not break the committed write; the nightly rebuild repairs
            logger.exception("facts_changed listener failed for %d projects", len(ids))


_after_commit = EarliestByKey(_announce, name="facts_changed")


def _pending_after_commit(ids: list[int], since: date | None) -> None:
    _after_commit.add(ids, since)


# --------------------------------------------------------------------------------------------------------------
# Receivers


def _on_project(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    refresh([instance.pk])


def _on_project_delete(sender, instance, **kwargs) -> None:
    ProjectMonth.objects.filter(project_id=instance.pk).delete()


def _project_gone(instance, signal) -> bool:
    """A plan or report deleted with its project: nothing to rewrite (the project's rows go with it)."""
    return signal is post_delete and not Project.objects.filter(pk=instance.project_id).exists()


def _on_plan(sender, instance, raw=False, signal=None, **kwargs) -> None:
    if raw or _project_gone(instance, signal):
        return
    refresh([instance.project_id], since=date(instance.year, 1, 1))


def _on_report(sender, instance, raw=False, signal=None, **kwargs) -> None:
    if raw or _project_gone(instance, signal):
        return
    refresh([instance.project_id], since=instance.period)


def _on_levels(sender, instance, action: str, reverse: bool, pk_set=None, **kwargs) -> None:
    """A project's levels changed (from either side of the relation): its rows carry them."""
    if action == "pre_clear" and reverse:  # a level cleared of its projects: note them before they are gone
        instance._facts_cleared = list(Project.objects.filter(levels=instance).values_list("pk", flat=True))
        return
    if not action.startswith("post_"):
        return
    if not reverse:
        refresh([instance.pk])
    else:
        refresh(pk_set or getattr(instance, "_facts_cleared", []))


def _on_bulk(sender, project_ids: list[int] | None = None, since: date | None = None, **kwargs) -> None:
    if project_ids is None:
        rebuild()
    else:
        refresh(project_ids, since=since)


def connect() -> None:
    post_save.connect(_on_project, sender=Project, dispatch_uid="facts-project-save", weak=False)
    post_delete.connect(_on_project_delete, sender=Project, dispatch_uid="facts-project-delete", weak=False)
    for model, receiver in ((AnnualPlan, _on_plan), (ProgressReport, _on_report)):
        label = model._meta.label_lower
        post_save.connect(receiver, sender=model, dispatch_uid=f"facts-{label}-save", weak=False)
        post_delete.connect(receiver, sender=model, dispatch_uid=f"facts-{label}-delete", weak=False)
    m2m_changed.connect(_on_levels, sender=Project.levels.through, dispatch_uid="facts-project-levels", weak=False)
    bulk_source_change.connect(_on_bulk, dispatch_uid="facts-bulk", weak=False)
