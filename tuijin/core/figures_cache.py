"""Cached figures: the per-scope result of an expensive read (the 驾驶舱) kept in the shared cache, and thrown away
as soon as a write to the data behind it commits.

How it stays correct:
- one *generation* stamp (a cache key) stands for "the state of the figures' source data". `figures_changed()`
  replaces it with a fresh, never-used value once the current transaction commits (at once outside a transaction).
  Because every new value is unique, an entry computed before a commit can never match the generation after it,
  whatever the order in which concurrent writers and readers run; no counter, no row lock, any cache backend;
- the source models are registered (`register_sources`): their save / delete / many-to-many receivers call
  `figures_changed()`. Bulk writes, which send no signals, call it themselves (projects_bulk_create, the warnings
  engine, the demo and synthetic generators);
- an entry records the generation it was computed under; `cached_figures` returns it only while that generation is
  current. Otherwise it recomputes — one request at a time per key (a lock in the cache): while one request
  recomputes, the others get the previous entry marked `stale` (the page says so, with its time) instead of all
  computing at once. A request that finds no usable entry at all computes itself.

The cache must be shared by every web worker (settings.CACHES: the database by default, Redis via
TUIJIN_CACHE_URL); a per-process cache would miss other workers' generation changes. Keys carry the caller's scope
fingerprint (`tuijin.org.scoping.scope_fingerprint`), so users with the same scope share entries and nobody gets
another scope's figures. See docs/subsystems/monthly-dispatch.md ("Dashboard cache").
"""

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal
from django.utils import timezone

__all__ = [
    "CachedFigures",
    "bulk_source_change",
    "cached_aggregate",
    "cached_figures",
    "figures_changed",
    "figures_generation",
    "register_sources",
]

logger = logging.getLogger(__name__)
T = TypeVar("T")

GENERATION_KEY = "tuijin:figures:generation"
LOCK_SECONDS = 120  # a recomputation that has not finished by then is taken over by the next request
ENTRY_SECONDS = 24 * 3600


@dataclass(frozen=True)
class CachedFigures(Generic[T]):
    value: T
    computed_at: datetime
    stale: bool  # newer data exists; another request is recomputing


def _new_generation() -> str:
    return uuid.uuid4().hex


def figures_generation() -> str:
    """The current generation (created on first use, or when the cache lost it: then every entry is stale)."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        candidate = _new_generation()
        cache.add(GENERATION_KEY, candidate, timeout=None)
        generation = cache.get(GENERATION_KEY) or candidate
    return generation


def _replace_generation() -> None:
    cache.set(GENERATION_KEY, _new_generation(), timeout=None)


# Sent at once by `figures_changed(project_ids=…)` for writes that send no model signals (bulk_create, update):
# `project_ids` names the projects whose data changed, None when unknown (everything may have changed), () when
# none (lights only); `since` the first month changed, when known (None: any). tuijin.facts maintains its
# per-project facts from it.
bulk_source_change = Signal()


def figures_changed(project_ids: Iterable[int] | None = (), *, since: date | None = None) -> None:
    """The figures' source data changed: every cached entry becomes stale once the transaction commits.

    A bulk writer passes the ids of the projects it changed (or None when it cannot tell), and the first month it
    changed when it knows it, so the derived per-project facts are brought up to date in the same transaction."""
    if project_ids is None or project_ids:
        bulk_source_change.send(
            sender=None, project_ids=None if project_ids is None else list(project_ids), since=since
        )
    transaction.on_commit(_replace_generation)


def _key(parts: tuple) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:40]
    return f"tuijin:figures:{parts[0]}:{digest}"


def max_stale_seconds() -> int:
    return int(getattr(settings, "TUIJIN_FIGURES_MAX_STALE_SECONDS", 300))


def cached_figures(parts: tuple, compute: Callable[[], T], *, allow_stale: bool = True) -> CachedFigures[T]:
    """`compute()`'s value for the key `parts` (its first element names the figures), from the cache while no
    source data has changed since it was computed. `allow_stale=False`: never the previous figures, even while
    another request recomputes them (for figures shown next to live rows, such as a list's count)."""
    key = _key(parts)
    generation = figures_generation()
    entry: dict[str, Any] | None = cache.get(key)
    if entry is not None and entry.get("generation") == generation:
        return CachedFigures(entry["value"], entry["computed_at"], False)
    lock = f"{key}:lock"
    owner = cache.add(lock, 1, timeout=LOCK_SECONDS)
    if not owner and entry is not None and allow_stale:
        age = (timezone.now() - entry["computed_at"]).total_seconds()
        if age <= max_stale_seconds():
            return CachedFigures(entry["value"], entry["computed_at"], True)
    try:
        computed_at = timezone.now()
        value = compute()
        cache.set(key, {"generation": generation, "computed_at": computed_at, "value": value}, ENTRY_SECONDS)
    finally:
        if owner:
            cache.delete(lock)
    return CachedFigures(value, computed_at, False)


def cached_aggregate(name: str, queryset, compute: Callable[[Any], T], empty: T) -> T:
    """`compute(queryset)` (a count, a sum …) cached under the queryset's own SQL, which carries the user's scope and
    every filter: equal lists share an entry and no other list can. Never stale (shown beside live rows). The
    queryset's models must be figure sources (register_sources) for a write to invalidate it. A queryset that can
    match nothing (.none()) has no SQL: `empty` is returned."""
    query = queryset.order_by()
    try:
        sql = str(query.query)
    except EmptyResultSet:
        return empty
    return cached_figures((name, sql), lambda: compute(query), allow_stale=False).value


def _on_change(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    figures_changed()


def _on_m2m(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        figures_changed()


def register_sources(*labels: str) -> None:
    """Models ("app_label.Model", or "app_label.Model.m2m_field") whose changes change the cached figures."""
    for label in labels:
        app_label, model_name, *field = label.split(".")
        model = apps.get_model(app_label, model_name)
        if field:
            m2m_changed.connect(
                _on_m2m, sender=getattr(model, field[0]).through, dispatch_uid=f"figures-m2m-{label}", weak=False
            )
            continue
        post_save.connect(_on_change, sender=model, dispatch_uid=f"figures-save-{label}", weak=False)
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"figures-delete-{label}", weak=False)
