"""Writes of the dispatch's own records: the 序时进度 schedule, the notice style, the notice draft, and publishing.

Every write takes the acting user, runs in a transaction and saves through the model (the change log records it;
edits of an existing row go through `bump_version`, so a stale form raises `ConflictError` and saves nothing).
Permission checks are the views'; the region is always the actor's own (`schedule.home_region`), never one from
the request.
"""

import json
import logging
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.exceptions import ApplicationError
from tuijin.core.locking import bump_version
from tuijin.org.choices import Role
from tuijin.org.models import Membership, Region

from .models import MONTHS, NoticeDraft, NoticeStyle, ProgressSchedule, PublishedNotice
from .schedule import home_region, office_name, region_style

__all__ = [
    "NOTICE_PUBLISHED_KIND",
    "next_issue_no",
    "notice_draft_get",
    "notice_draft_save",
    "notice_meta_for",
    "notice_publish",
    "notice_readers",
    "notice_style_set",
    "schedule_clear",
    "schedule_set",
    "schedule_validate",
]

logger = logging.getLogger(__name__)

NOTICE_PUBLISHED_KIND = "notice_published"
READER_ROLES = (Role.UNIT_REPORTER, Role.UNIT_APPROVER, Role.SPONSOR_LEADER, Role.DISTRICT_LEADER)
DRAFT_FIELDS = ("issue_no", "doc_no", "office", "issue_date", "next_steps", "instructions")


# --------------------------------------------------------------------------------------------------------------
# 序时进度


def schedule_validate(values: Sequence[Decimal | None]) -> None:
    """12 cumulative percentages: each 0–100, none below the month before, December exactly 100."""
    errors = []
    if len(values) != 12 or any(v is None for v in values):
        raise ValidationError(_("请填写全部12个月的序时进度。"))
    for month, value in enumerate(values, start=1):
        if value is None:
            continue
        if value < 0 or value > 100:
            errors.append(_("%(m)d月的序时进度应在0到100之间。") % {"m": month})
        elif month > 1 and values[month - 2] is not None and value < values[month - 2]:  # type: ignore[operator]
            errors.append(_("%(m)d月的序时进度不能低于%(p)d月（累计进度只增不减）。") % {"m": month, "p": month - 1})
    if values[11] != 100:
        errors.append(_("12月的序时进度应为100%。"))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def schedule_set(
    *, actor, region: Region, year: int, values: list[Decimal], expected_version: int | None = None
) -> ProgressSchedule:
    """Set `region`'s schedule for `year` (creates it, or updates it at `expected_version`)."""
    schedule_validate(values)
    row = ProgressSchedule.objects.select_for_update().filter(region=region, year=year).first()
    if row is None:
        row = ProgressSchedule(region=region, year=year, **dict(zip(MONTHS, values, strict=True)))
        row._changelog_message = _("设置序时进度")
        row.full_clean()
        row.save()
    else:
        for name, value in zip(MONTHS, values, strict=True):
            setattr(row, name, value)
        row._changelog_message = _("修改序时进度")
        row.full_clean()
        bump_version(row, expected_version=expected_version)
    transaction.on_commit(lambda: _relight(year))
    return row


@transaction.atomic
def schedule_clear(*, actor, region: Region, year: int) -> int:
    """Remove `region`'s schedule for `year`: it falls back to month ÷ 12 (or a parent region's schedule)."""
    rows = list(ProgressSchedule.objects.filter(region=region, year=year))
    for row in rows:
        row._changelog_message = _("恢复默认序时进度")
        row.delete()
    if rows:
        transaction.on_commit(lambda: _relight(year))
    return len(rows)


def _relight(year: int) -> None:
    """Re-evaluate the progress lights of the year's months so far (the schedule is their benchmark)."""
    from tuijin.progress.services import period_for_reporting

    from .tasks import evaluate_warnings_task

    current = period_for_reporting()
    last = 12 if year < current.year else current.month if year == current.year else 0
    for month in range(1, last + 1):
        try:
            evaluate_warnings_task.enqueue(f"{year}-{month:02d}")
        except Exception:  # no task backend: the lights follow at the next evaluation
            logger.exception("could not queue the light evaluation of %s-%02d", year, month)


@transaction.atomic
def notice_style_set(
    *, actor, region: Region, office: str, span_style: str, expected_version: int | None = None
) -> NoticeStyle:
    style = NoticeStyle.objects.select_for_update().filter(region=region).first()
    if style is None:
        style = NoticeStyle(region=region, office=office, span_style=span_style)
        style.full_clean()
        style.save()
        return style
    if style.office == office and style.span_style == span_style:
        return style
    style.office, style.span_style = office, span_style
    style.full_clean()
    bump_version(style, expected_version=expected_version)
    return style


# --------------------------------------------------------------------------------------------------------------
# The notice draft


def next_issue_no(region: Region, issue_year: int) -> int:
    """The next 期号 of the issue year in `region` (1 for the year's first notice)."""
    last = PublishedNotice.objects.filter(region=region, issue_year=issue_year).aggregate(n=Max("issue_no"))["n"]
    return (last or 0) + 1


def notice_draft_get(region: Region | None, year: int, month: int) -> NoticeDraft | None:
    if region is None:
        return None
    return NoticeDraft.objects.filter(region=region, year=year, month=month).first()


def notice_meta_for(user, year: int, month: int):
    """The `notice.NoticeMeta` of the user's region for the period: the saved draft, the region's office name, and
    the next issue number when the draft sets none."""
    from .notice import NoticeMeta

    region = home_region(user)
    draft = notice_draft_get(region, year, month)
    meta = NoticeMeta()
    if draft is not None:
        meta = NoticeMeta(**{name: getattr(draft, name) for name in DRAFT_FIELDS})
    if not meta.office:
        meta.office = office_name(region_style(region))
    if meta.issue_no is None and region is not None:
        meta.issue_no = next_issue_no(region, (meta.issue_date or timezone.localdate()).year)
    return meta


@transaction.atomic
def notice_draft_save(
    *, actor, region: Region, year: int, month: int, values: dict[str, Any], expected_version: int | None = None
) -> NoticeDraft:
    """Keep what the 项目办 typed for the period's notice (creates the draft, or updates it at `expected_version`)."""
    draft = NoticeDraft.objects.select_for_update().filter(region=region, year=year, month=month).first()
    clean = {name: values.get(name) for name in DRAFT_FIELDS}
    for name in ("doc_no", "office", "next_steps", "instructions"):
        clean[name] = (clean[name] or "").strip()
    if draft is None:
        draft = NoticeDraft(region=region, year=year, month=month, **clean)
        draft.full_clean()
        draft.save()
        return draft
    if all(getattr(draft, name) == value for name, value in clean.items()):
        return draft
    for name, value in clean.items():
        setattr(draft, name, value)
    draft.full_clean()
    bump_version(draft, expected_version=expected_version)
    return draft


# --------------------------------------------------------------------------------------------------------------
# Publishing


def _figures(data) -> dict[str, Any]:
    """The notice's headline figures, frozen with the published issue (strings for Decimals)."""
    s = data.summary
    figures = {
        "period": f"{data.period.year}-{data.period.month:02d}",
        "title": data.title,
        "project_count": s.project_count,
        "total_investment": s.total_investment,
        "plan": s.plan,
        "ytd": s.ytd,
        "rate": s.rate,
        "schedule": s.schedule,
        "delta": s.delta,
        "starts": asdict(s.starts),
        "completions": asdict(s.completions),
        "red": s.red_count or len(s.red),
        "yellow": s.yellow_count or len(s.yellow),
        "expected": data.missing.expected,
        "reported": data.missing.reported,
        "missing": data.missing.missing,
        "units": [
            {"unit": u.label, "rank": u.rank, "plan": u.plan, "ytd": u.ytd, "rate": u.rate} for u in s.unit_ranking
        ],
    }
    return json.loads(json.dumps(figures, cls=DjangoJSONEncoder))


def notice_readers(region: Region) -> list:
    """The users told of a published notice: the units' reporters and approvers and the leaders of the region."""
    memberships = (
        Membership.objects.filter(
            unit__region__path__startswith=region.path, role__in=READER_ROLES, user__is_active=True
        )
        .select_related("user")
        .order_by("user_id")
    )
    return list({m.user_id: m.user for m in memberships}.values())


def notice_publish(*, actor, year: int, month: int, meta=None) -> PublishedNotice:
    """Publish the period's notice as 第N期: generate DOCX, PDF and XLSX from the saved draft, freeze them with the
    figures, and tell the region's units and leaders. Raises `ApplicationError` with a Chinese message when the
    draft lacks 下一步工作要求 or the issue number is taken."""
    from tuijin.notifications.services import notify

    from .notice import build_notice, notice_docx, notice_filename, notice_pdf, notice_xlsx

    region = home_region(actor)
    if region is None:
        raise ApplicationError(_("您的账户未关联行政区划，无法发布通报。"))
    data = build_notice(actor, year, month, meta=meta)
    if not data.meta.next_steps.strip():
        raise ApplicationError(_("请先填写“下一步工作要求”再发布。"), code="next_steps")
    issue_date = data.meta.issue_date or timezone.localdate()
    data.meta.issue_date = issue_date
    issue_year = issue_date.year
    if data.meta.issue_no is None:
        data.meta.issue_no = next_issue_no(region, issue_year)
    if PublishedNotice.objects.filter(region=region, issue_year=issue_year, issue_no=data.meta.issue_no).exists():
        raise ApplicationError(
            _("%(y)d年第%(n)d期已发布，请更改期号后再发布。") % {"y": issue_year, "n": data.meta.issue_no},
            code="issue_taken",
        )
    files = {
        "docx": notice_docx(data),
        "pdf": notice_pdf(data),
        "xlsx": notice_xlsx(data),
    }
    stem = f"{issue_year}-{data.meta.issue_no:03d}-{timezone.now():%Y%m%d%H%M%S}"
    try:
        with transaction.atomic():
            published = PublishedNotice(
                region=region,
                year=data.period.year,
                month=data.period.month,
                issue_year=issue_year,
                issue_no=data.meta.issue_no,
                doc_no=data.meta.doc_no,
                office=data.office,
                issue_date=issue_date,
                title=data.title,
                next_steps=data.meta.next_steps,
                instructions=data.meta.instructions,
                figures=_figures(data),
                published_by=actor,
                published_at=timezone.now(),
            )
            for fmt, content in files.items():
                getattr(published, fmt).save(
                    f"{stem}{notice_filename(data.period, fmt)[-5:]}", ContentFile(content), save=False
                )
            published._changelog_message = _("发布%(issue)s通报") % {"issue": published.issue_label}
            published.save()
            label = published.issue_label
            notify(
                users=[u for u in notice_readers(region) if u.pk != getattr(actor, "pk", None)],
                title=_("%(issue)s月度调度通报已发布") % {"issue": label},
                body=data.title,
                url=reverse("dispatch:published_notice", args=[published.pk]),
                kind=NOTICE_PUBLISHED_KIND,
                dedup_key=f"notice-published:{published.pk}",
            )
    except IntegrityError:
        raise ApplicationError(
            _("%(y)d年第%(n)d期已发布，请更改期号后再发布。") % {"y": issue_year, "n": data.meta.issue_no},
            code="issue_taken",
        ) from None
    return published


def issue_date_default() -> date:
    return timezone.localdate()
