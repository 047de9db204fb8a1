"""Reads for the 安全管理员's account pages: each account's lock status and recent failed logins."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from .models import Lockout, LockoutKind, LoginAttempt

__all__ = ["AccountLockState", "account_lock_states"]


@dataclass
class AccountLockState:
    """An account's login state: the active lock (if any) and the failures counting toward the next one."""

    locked_until: datetime | None = None
    failures: int = 0  # failed logins since the counter last restarted (window, last success, last lock)
    last_failure_at: datetime | None = None

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None


def account_lock_states(usernames) -> dict[str, AccountLockState]:
    """State per normalised username, in four queries whatever the number of accounts (a page of the list).

    `failures` counts like the lockout itself (users.services): failures inside the counting window after the
    account's last successful login and after its last lock ended or was lifted; attempts refused during a lock
    are not failures."""
    keys = [key for key in usernames if key]
    states = {key: AccountLockState() for key in keys}
    if not keys:
        return states
    now = timezone.now()
    window_start = now - timedelta(minutes=settings.TUIJIN_LOCKOUT_WINDOW_MINUTES)
    locks = Lockout.objects.filter(kind=LockoutKind.USERNAME, key__in=keys).values("key", "until", "unlocked_at")
    reset_at: dict[str, datetime] = dict.fromkeys(keys, window_start)
    for lock in locks:
        key = lock["key"]
        if lock["unlocked_at"] is None and lock["until"] > now:
            current = states[key].locked_until
            states[key].locked_until = max(lock["until"], current) if current else lock["until"]
        ended = min(t for t in (lock["until"], lock["unlocked_at"]) if t is not None)
        reset_at[key] = max(reset_at[key], ended)
    successes = (
        LoginAttempt.objects.filter(username__in=keys, success=True, at__gt=window_start)
        .values("username")
        .annotate(last=Max("at"))
    )
    for row in successes:
        reset_at[row["username"]] = max(reset_at[row["username"]], row["last"])
    failures = LoginAttempt.objects.filter(
        username__in=keys, success=False, refused=False, at__gt=window_start
    ).values_list("username", "at")
    for key, at in failures:
        if at > reset_at[key]:
            state = states[key]
            state.failures += 1
            state.last_failure_at = max(at, state.last_failure_at) if state.last_failure_at else at
    return states
