"""Sending and reading notifications.

`notify` / `notify_many` create the in-app rows in bulk and hand the same messages to the outbound channel
(`channels.get_channel()`) once the surrounding transaction commits — a rolled-back transaction sends nothing.
A message with a `dedup_key` is created at most once per user (unique in the database; existing keys are skipped
before insert and a concurrent duplicate is ignored), which makes periodic senders idempotent.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from .channels import get_channel
from .models import Notification, NotificationLevel

__all__ = ["Message", "notifications_mark_read", "notify", "notify_many", "unread_count"]

BATCH = 500


@dataclass(frozen=True)
class Message:
    user: Any
    title: str
    body: str = ""
    url: str = ""
    level: str = NotificationLevel.INFO
    kind: str = ""
    dedup_key: str = ""


def _dispatch(messages: list[Message]) -> None:
    get_channel().send_many((m.user, m.title, m.body, m.url) for m in messages)


def notify_many(messages: Iterable[Message]) -> list[Notification]:
    """Create each message for its user (inactive users and already-sent `dedup_key`s skipped); send after commit."""
    wanted: list[Message] = []
    seen: set[tuple[int, str]] = set()
    for message in messages:
        user = message.user
        if user is None or not getattr(user, "is_active", True):
            continue
        if message.dedup_key:
            key = (user.pk, message.dedup_key)
            if key in seen:
                continue
            seen.add(key)
        wanted.append(message)
    keys = {m.dedup_key for m in wanted if m.dedup_key}
    if keys:
        sent = set(Notification.objects.filter(dedup_key__in=keys).values_list("user_id", "dedup_key"))
        wanted = [m for m in wanted if not m.dedup_key or (m.user.pk, m.dedup_key) not in sent]
    if not wanted:
        return []
    if any(m.level not in NotificationLevel.values for m in wanted):
        raise ValueError("unknown notification level")
    now = timezone.now()
    rows = [
        Notification(
            user=m.user,
            title=m.title[:200],
            body=m.body,
            url=m.url[:300],
            level=m.level,
            kind=m.kind[:40],
            dedup_key=m.dedup_key[:120],
            created=now,
        )
        for m in wanted
    ]
    plain = [r for r in rows if not r.dedup_key]
    keyed = [r for r in rows if r.dedup_key]
    with transaction.atomic():
        created = Notification.objects.bulk_create(plain, batch_size=BATCH) if plain else []
        if keyed:
            # A concurrent sender may have inserted the same key since the check above: ignore, never duplicate.
            created += Notification.objects.bulk_create(keyed, batch_size=BATCH, ignore_conflicts=True)
        transaction.on_commit(lambda: _dispatch(wanted))
    return created


def notify(
    *,
    users: Iterable[Any],
    title: str,
    body: str = "",
    url: str = "",
    level: str = NotificationLevel.INFO,
    kind: str = "",
    dedup_key: str = "",
) -> list[Notification]:
    """The same message to several users (each user once)."""
    unique = list({user.pk: user for user in users if user is not None}.values())
    return notify_many(Message(user, title, body, url, level, kind, dedup_key) for user in unique)


def unread_count(user) -> int:
    """Unread notifications of `user` (0 for anonymous) — for the unread badge."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_mark_read(*, user, pks: Iterable[int] | None = None) -> int:
    """Mark `user`'s own notifications read (all of them when `pks` is None); others' rows are never touched."""
    queryset = Notification.objects.filter(user=user, read_at__isnull=True)
    if pks is not None:
        queryset = queryset.filter(pk__in=list(pks))
    return queryset.update(read_at=timezone.now())
