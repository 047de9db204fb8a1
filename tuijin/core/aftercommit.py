"""Work that follows a write, done once per transaction after it commits, for everything the transaction touched.

A save signal that re-evaluates something (a project's warning lights, a stale score) must not do it per row: an
import of a thousand rows would re-evaluate a thousand times at commit. `EarliestByKey` collects the keys a
transaction touched, each with the earliest date it touched (None: from the start), and hands them to its handler
once, after the outermost commit.

The keys travel with the transaction's on-commit callback, so they share its fate: a rollback drops them (and a
savepoint rolled back drops what it added unless the batch began before it; then those keys ride along, which
costs a redundant re-evaluation, never a missed one). Nothing is kept between transactions.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import date

from django.db import transaction

__all__ = ["EarliestByKey", "close_waiting", "earliest"]

logger = logging.getLogger(__name__)

Pending = dict[int, date | None]


def earliest(a: date | None, b: date | None) -> date | None:
    """The earlier of two "from" dates, None (from the start) being the earliest of all."""
    return None if a is None or b is None else min(a, b)


class _Batch:
    """One transaction's keys: the callable registered with `transaction.on_commit`."""

    def __init__(self, owner: "EarliestByKey") -> None:
        self.owner = owner
        self.pending: Pending = {}
        self.closed = False

    def add(self, keys: Iterable[int], since: date | None) -> None:
        for key in keys:
            self.pending[key] = earliest(self.pending[key], since) if key in self.pending else since

    def __call__(self) -> None:
        self.closed = True
        if not self.pending:
            return
        try:
            self.owner.handler(self.pending)
        except Exception:  # the write is committed already; the nightly jobs repair what a failed follow-up missed
            logger.exception("%s: after-commit work failed for %d keys", self.owner.name, len(self.pending))


class EarliestByKey:
    def __init__(self, handler: Callable[[Pending], None], *, name: str) -> None:
        self.handler = handler
        self.name = name

    def add(self, keys: Iterable[int], since: date | None) -> None:
        """These keys changed from `since` on; the handler sees them once the transaction commits (at once when
        there is no transaction)."""
        batch = self._waiting()
        if batch is not None:
            batch.add(keys, since)
            return
        batch = _Batch(self)
        batch.add(keys, since)
        transaction.on_commit(batch)  # outside a transaction it runs now

    def _waiting(self) -> _Batch | None:
        """This transaction's batch, if one is registered and still waiting for the commit."""
        connection = transaction.get_connection()
        if not connection.in_atomic_block:
            return None
        for entry in reversed(connection.run_on_commit):  # (savepoint ids, callable, robust)
            func = entry[1]
            if isinstance(func, _Batch) and func.owner is self and not func.closed:
                return func
        return None


def close_waiting(using: str | None = None) -> None:
    """Let every waiting batch take no more keys: later writes start batches of their own. For tests, which never
    commit: what a test writes inside `django_capture_on_commit_callbacks` is captured there, as it would be
    committed on its own (root conftest.py)."""
    for entry in transaction.get_connection(using).run_on_commit:
        if isinstance(entry[1], _Batch):
            entry[1].closed = True
