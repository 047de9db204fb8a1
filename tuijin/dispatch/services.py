"""Writes of the dispatch app: 催报 (urging the units whose projects have not reported). The notice's own writes
(schedule, draft, publishing) are in `notice_services.py`.

`report_urge` tells the reporters and approvers of each chosen unit — in-app and through the outbound channel —
which of their projects are still 未上报 for the month and when the window closes. Only the unit's own people are
told (unit-scoped memberships; never the district office, which holds the same permissions). It is rate-limited per
unit and month (`TUIJIN_URGE_INTERVAL_HOURS`, default 4): a unit urged within the interval is skipped and named in
the result, so a double click or two officers urging at once never spam a unit. Every urge is logged as an audit
event (管理操作, `detail.what = "report_urge"`), which is also what the rate limit and the page's 最近催报 read.
Units outside the actor's scope are never urged: the units come from the actor's own 未上报.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.models import AuditEvent
from tuijin.core.periods import ymd
from tuijin.notifications.services import Message, notify_many
from tuijin.org.choices import ScopeKind
from tuijin.org.models import OrgUnit
from tuijin.progress.services import reporting_period_get
from tuijin.users.recipients import users_covering

from .selectors import missing_reports

__all__ = ["UrgeResult", "last_urges", "report_urge", "urge_interval"]

URGE = "report_urge"
SHOWN_PROJECTS = 10


@dataclass
class UrgeResult:
    urged: list[str] = field(default_factory=list)  # unit names
    skipped: list[tuple[str, datetime]] = field(default_factory=list)  # (unit name, urged at) within the interval
    recipients: int = 0

    def summary(self) -> str:
        parts = []
        if self.urged:
            parts.append(_("已向 %(u)s 催报，通知 %(n)d 人。") % {"u": "、".join(self.urged), "n": self.recipients})
        if self.skipped:
            names = "、".join(f"{name}（{timezone.localtime(at):%H:%M}）" for name, at in self.skipped)
            hours = int(urge_interval().total_seconds() // 3600)
            parts.append(_("%(u)s 在 %(h)d 小时内已催报过，本次未重复发送。") % {"u": names, "h": hours})
        return "".join(parts) or _("没有需要催报的单位。")


def urge_interval() -> timedelta:
    return timedelta(hours=getattr(settings, "TUIJIN_URGE_INTERVAL_HOURS", 4))


def last_urges(period: date, unit_ids=None) -> dict[int, AuditEvent]:
    """The latest 催报 of `period` per unit id (audit events, newest first)."""
    events = AuditEvent.objects.filter(
        event_type=AuditEventType.ADMIN_ACTION, detail__what=URGE, detail__period=f"{period:%Y-%m}"
    ).order_by("-time")
    latest: dict[int, AuditEvent] = {}
    for event in events[:500]:
        unit_id = event.detail.get("unit")
        if unit_id is not None and unit_id not in latest and (unit_ids is None or unit_id in unit_ids):
            latest[unit_id] = event
    return latest


def report_urge(*, actor, period: date, unit_ids: list[int] | None = None) -> UrgeResult:
    """Urge the units with 未上报 projects in `actor`'s scope (all of them, or those in `unit_ids`)."""
    data = missing_reports(actor, period)
    units = [u for u in data.units if unit_ids is None or u.unit_id in set(unit_ids)]
    result = UrgeResult()
    if not units:
        return result
    now = timezone.now()
    recent = last_urges(period, {u.unit_id for u in units})
    closes = reporting_period_get(period).closes_on
    url = f"{reverse('dispatch:my_reports')}?period={period:%Y-%m}"
    by_pk = {u.pk: u for u in OrgUnit.objects.select_related("region").filter(pk__in=[x.unit_id for x in units])}
    messages: list[Message] = []
    with transaction.atomic():
        for unit in units:
            last = recent.get(unit.unit_id)
            if last is not None and now - last.time < urge_interval():
                result.skipped.append((unit.unit, last.time))
                continue
            org_unit = by_pk[unit.unit_id]
            users = {
                user.pk: user
                for perm in ("progress.add_progressreport", "progress.unitapprove_progressreport")
                for user in users_covering(org_unit, perm, kinds=(ScopeKind.UNIT,))
            }
            names = "、".join(name for _pk, name in unit.projects[:SHOWN_PROJECTS])
            more = _("等 %(n)d 个项目") % {"n": unit.count} if unit.count > SHOWN_PROJECTS else ""
            values = {"y": period.year, "m": period.month, "n": unit.count, "c": ymd(closes)}
            title = _("催报：%(y)d年%(m)d月月报还有 %(n)d 个项目未上报（%(c)s截止）") % values
            body = _("%(who)s提醒：请尽快填报 %(p)s%(more)s。") % {
                "who": actor.get_full_name() or actor.get_username(),
                "p": names,
                "more": more,
            }
            stamp = f"{now:%Y%m%d%H%M%S}"
            messages.extend(
                Message(
                    user=user,
                    title=title,
                    body=body,
                    url=url,
                    level="warning",
                    kind=URGE,
                    dedup_key=f"urge:{period:%Y-%m}:{unit.unit_id}:{stamp}",
                )
                for user in users.values()
            )
            audit_event_record(
                event_type=AuditEventType.ADMIN_ACTION,
                user=actor,
                object_repr=unit.unit,
                detail={
                    "what": URGE,
                    "period": f"{period:%Y-%m}",
                    "unit": unit.unit_id,
                    "missing": unit.count,
                    "recipients": len(users),
                },
            )
            result.urged.append(unit.unit)
            result.recipients += len(users)
        notify_many(messages)
    return result
