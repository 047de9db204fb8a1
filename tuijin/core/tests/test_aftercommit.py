"""core.aftercommit: the keys a transaction touched reach the handler once, after commit, with the earliest date
each; a rolled-back write leaves nothing behind and takes no later change with it."""

from datetime import date

import pytest
from django.db import transaction

from tuijin.core.aftercommit import EarliestByKey, earliest

pytestmark = pytest.mark.django_db


def test_earliest():
    assert earliest(date(2026, 3, 1), date(2026, 1, 1)) == date(2026, 1, 1)
    assert earliest(None, date(2026, 1, 1)) is None
    assert earliest(date(2026, 1, 1), None) is None


def test_once_per_transaction_with_the_earliest_date_each(django_capture_on_commit_callbacks):
    seen: list[dict] = []
    batch = EarliestByKey(lambda pending: seen.append(dict(pending)), name="test")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            batch.add([1, 2], date(2026, 5, 1))
            batch.add([2, 3], date(2026, 3, 1))
            batch.add([3], None)
            batch.add([1], date(2026, 7, 1))
    assert len(callbacks) == 1
    assert seen == [{1: date(2026, 5, 1), 2: date(2026, 3, 1), 3: None}]
    # the next transaction starts a batch of its own
    with django_capture_on_commit_callbacks(execute=True):
        batch.add([4], date(2026, 1, 1))
    assert seen[-1] == {4: date(2026, 1, 1)}


def test_a_rolled_back_savepoint_does_not_swallow_later_changes(django_capture_on_commit_callbacks):
    seen: list[dict] = []
    batch = EarliestByKey(lambda pending: seen.append(dict(pending)), name="test")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                batch.add([1], date(2026, 5, 1))
                raise RuntimeError
        except RuntimeError:
            pass
        batch.add([2], date(2026, 6, 1))
    # the rolled-back key went with its savepoint; the later one is not lost
    assert len(callbacks) == 1
    assert seen == [{2: date(2026, 6, 1)}]


def test_nothing_is_kept_from_a_transaction_that_never_commits():
    seen: list[dict] = []
    batch = EarliestByKey(lambda pending: seen.append(dict(pending)), name="test")
    try:
        with transaction.atomic():
            batch.add([1], date(2026, 5, 1))
            raise RuntimeError
    except RuntimeError:
        pass
    # (the test's own transaction is still open: the next add starts a new batch without key 1)
    batch.add([2], None)
    waiting = batch._waiting()
    assert waiting is not None and waiting.pending == {2: None}


def test_a_failing_handler_does_not_break_the_commit(django_capture_on_commit_callbacks, caplog):
    def fail(pending):
        raise ValueError("boom")

    batch = EarliestByKey(fail, name="failing")
    with django_capture_on_commit_callbacks(execute=True):
        batch.add([1], None)
    assert "failing: after-commit work failed for 1 keys" in caplog.text
