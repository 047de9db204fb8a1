"""Dormant accounts (security.md DB-AC-2): an account unused for `TUIJIN_DORMANT_DAYS` days is disabled.

`tuijin disable_dormant_accounts` runs `dormant_accounts_disable()` daily. An account's last use is the latest of its
last login, its API tokens' last use, and the time it was enabled again; an account that never logged in counts
from its creation. Each disabled account gets a `user_update` audit event (`action` "dormant_disable") and the
安全管理员 whose region covers it get one notice listing them. The 安全管理员 may enable it again from the account
page (`services.account_reenable`). A disabled account's sessions and API tokens stop working at once: Django's
backend no longer loads an inactive user for a session, and `ApiTokenAuthentication` refuses inactive owners.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.org.choices import Role
from tuijin.org.roles import ADMIN_ROLES, ROLE_SPECS

from .models import User
from .recipients import users_covering

__all__ = [
    "DormantAccount",
    "DormantRun",
    "dormant_accounts",
    "dormant_accounts_disable",
    "dormant_cutoff",
    "register_notifier",
    "send_notice",
]

SECURITY_PERMISSION = "users.unlock_user"  # the 安全管理员's: unlock, reset, enable again
SYSTEM = "系统"

_notifier: dict[str, Callable[..., Any]] = {}


def register_notifier(notify: Callable[..., Any]) -> None:
    """Called at start-up by the notifications app with its `notify(users=…, title=…, …)`: `users` sits below
    `notifications` in the layers (.importlinter) and cannot import it. Without it no notice is sent."""
    _notifier["notify"] = notify


def send_notice(**kwargs: Any) -> bool:
    """Send an in-app notice through the registered notifier (the two-factor reset uses it too); False when none is
    registered."""
    notify = _notifier.get("notify")
    if notify is None:
        return False
    notify(**kwargs)
    return True


@dataclass
class DormantAccount:
    user: User
    last_used: datetime
    idle_days: int  # whole days from the last use to the day of the run
    kept: str = ""  # why it stays enabled although dormant (empty: it is disabled)


def dormant_cutoff(day: date | None = None) -> datetime:
    """Accounts last used before this moment are dormant on `day`: the start of the day TUIJIN_DORMANT_DAYS earlier
    (Beijing time)."""
    day = day or timezone.localdate()
    start = datetime.combine(day - timedelta(days=settings.TUIJIN_DORMANT_DAYS), time.min)
    return timezone.make_aware(start)


def _last_used(user: User) -> datetime:
    moments = [user.date_joined, user.last_login, user.reenabled_at, getattr(user, "token_last_used", None)]
    return max(m for m in moments if m is not None)


def dormant_accounts(day: date | None = None) -> list[DormantAccount]:
    """Every enabled account last used before `dormant_cutoff(day)`, the oldest first.

    The last enabled account holding each 三员 role (系统/安全/审计管理员) is kept (`kept` says why), even though
    security.md counts the three admin accounts among those to disable: without a 安全管理员 nobody could enable an
    account again, without a 系统管理员 nobody could create or manage accounts, without a 审计管理员 nobody could read
    or purge the audit log, and the platform has no superuser to repair that. When every holder of a role is
    dormant, the most recently used one stays enabled."""
    day = day or timezone.localdate()
    cutoff = dormant_cutoff(day)
    candidates = (
        User.objects.filter(is_active=True, date_joined__lt=cutoff)
        .filter(Q(last_login__isnull=True) | Q(last_login__lt=cutoff))
        .filter(Q(reenabled_at__isnull=True) | Q(reenabled_at__lt=cutoff))
        .annotate(token_last_used=Max("api_tokens__last_used"))
        .order_by("pk")
    )
    found = []
    for user in candidates:
        last_used = _last_used(user)
        if last_used < cutoff:
            found.append(DormantAccount(user, last_used, (day - timezone.localdate(last_used)).days))
    by_pk = {account.user.pk: account for account in found}
    for role in sorted(ADMIN_ROLES):
        holders = set(User.objects.filter(is_active=True, memberships__role=role).values_list("pk", flat=True))
        if holders and holders.issubset(by_pk):
            keep = max((by_pk[pk] for pk in holders), key=lambda a: (a.last_used, a.user.pk))
            keep.kept = _("%(role)s的最后一个在用账户，保留") % {"role": Role(role).label}
    return sorted(found, key=lambda a: (a.last_used, a.user.pk))


def _security_admins(accounts: list[DormantAccount]) -> dict[int, tuple[User, list[DormantAccount]]]:
    """Recipient → the disabled accounts in their region: the 安全管理员 covering one of the account's units, or, when
    none does (an account without a role), every 安全管理员."""
    everyone = [role for role, spec in ROLE_SPECS.items() if SECURITY_PERMISSION in spec.permissions]
    every_admin = list(User.objects.filter(is_active=True, memberships__role__in=everyone).distinct().order_by("pk"))
    covering: dict[int, list[User]] = {}
    grouped: dict[int, tuple[User, list[DormantAccount]]] = {}
    for account in accounts:
        memberships = account.user.memberships.select_related("unit__region")
        admins: dict[int, User] = {}
        for membership in memberships:
            unit = membership.unit
            if unit.pk not in covering:
                covering[unit.pk] = list(users_covering(unit, SECURITY_PERMISSION))
            admins.update((admin.pk, admin) for admin in covering[unit.pk])
        for admin in admins.values() if admins else every_admin:
            grouped.setdefault(admin.pk, (admin, []))[1].append(account)
    return grouped


def _notify(accounts: list[DormantAccount]) -> int | None:
    """How many 安全管理员 were told; None when no notifier is registered."""
    notify = _notifier.get("notify")
    if notify is None:
        return None
    sent = 0
    for admin, mine in _security_admins(accounts).values():
        lines = [
            _("%(name)s（%(username)s），最后使用 %(at)s")
            % {
                "name": a.user.display_name or a.user.username,
                "username": a.user.username,
                "at": timezone.localtime(a.last_used).strftime("%Y-%m-%d"),
            }
            for a in mine
        ]
        url = reverse("users:account", args=[mine[0].user.pk]) if len(mine) == 1 else reverse("users:account_list")
        notify(
            users=[admin],
            title=_("已停用 %(n)d 个长期未使用的账户") % {"n": len(mine)},
            body=_("超过 %(days)d 天未使用：") % {"days": settings.TUIJIN_DORMANT_DAYS} + "；".join(lines),
            url=url,
            level="warning",
            kind="dormant_accounts",
        )
        sent += 1
    return sent


@dataclass
class DormantRun:
    found: list[DormantAccount]
    disabled: list[DormantAccount]
    notified: int | None  # None: no notifier registered


@transaction.atomic
def dormant_accounts_disable(day: date | None = None) -> DormantRun:
    """Disable the dormant accounts (not those kept), one audit event each, then tell the 安全管理员. An account
    used since it was read (a login racing the job) is left alone."""
    found = dormant_accounts(day)
    now = timezone.now()
    disabled = []
    for account in found:
        if account.kept:
            continue
        user = account.user
        unchanged = Q(last_login__isnull=True) if user.last_login is None else Q(last_login=user.last_login)
        if not User.objects.filter(unchanged, pk=user.pk, is_active=True).update(
            is_active=False, dormant_disabled_at=now
        ):
            continue
        user.is_active, user.dormant_disabled_at = False, now
        audit_event_record(
            event_type=AuditEventType.USER_UPDATE,
            user_name=SYSTEM,
            object_repr=user.username,
            detail={
                "action": "dormant_disable",
                "account": user.username,
                "fields": ["is_active"],
                "last_used": account.last_used.isoformat(),
                "dormant_days": settings.TUIJIN_DORMANT_DAYS,
            },
        )
        disabled.append(account)
    return DormantRun(found, disabled, _notify(disabled))
