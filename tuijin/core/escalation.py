"""Deadlines that escalate: the one ladder shared by coordination tickets (tickets) and 督办 tasks (supervision).

Anything with a due date, a current escalation level and a step in working days escalates the same way: with `d`
working days past the due date, the target level is `min(max_level, 1 + (d − 1) // step)` for `d ≥ 1`, and every
level between the current one and the target fires exactly once. "Exactly once" is the subclass's unique marker row
(`mark` creates it; a unique constraint per object and level makes a concurrent or repeated run skip the level).

A reminder before the deadline (临近提醒) is the same idea one step earlier: an object due within `days` working days
is reminded once per due date (the subclass's marker again).

Core knows no domain app, so the calendar (anything with `workdays_between(start, end)`), the markers, the people to
tell and the notification are the subclass's; the loop, the arithmetic and the transaction handling live here once.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

__all__ = ["Escalator", "target_level"]


def target_level(overdue_workdays: int, step: int, max_level: int = 4) -> int:
    """The level an object `overdue_workdays` working days past its deadline should have reached (0 = none)."""
    if overdue_workdays < 1:
        return 0
    return min(max_level, 1 + (overdue_workdays - 1) // max(step, 1))


class Escalator:
    """Subclass and fill in the hooks; `run(today, calendar)` escalates, `remind(today, calendar, days)` reminds."""

    max_level = 4

    # -- hooks ---------------------------------------------------------------------------------------------------
    def overdue(self, today: date) -> Iterable[Any]:
        """Open objects whose deadline is before `today`."""
        raise NotImplementedError

    def due(self, obj) -> date:
        raise NotImplementedError

    def level(self, obj) -> int:
        raise NotImplementedError

    def step(self, obj) -> int:
        raise NotImplementedError

    def mark(self, obj, level: int) -> Any:
        """Create the unique marker of `level` for `obj` (raise IntegrityError when it exists)."""
        raise NotImplementedError

    def fire(self, obj, level: int, overdue_workdays: int, marker) -> None:
        """Tell the people of `level` and record the escalation (level saved, timeline event …)."""
        raise NotImplementedError

    def due_soon(self, today: date, until: date) -> Iterable[Any]:
        """Open objects due between `today` and `until` (both included), for reminders."""
        return ()

    def mark_reminder(self, obj) -> Any:
        """Create the unique reminder marker for `obj`'s current due date (IntegrityError when it exists)."""
        raise NotImplementedError

    def send_reminder(self, obj, workdays_left: int, marker) -> None:
        raise NotImplementedError

    # -- the shared loop -----------------------------------------------------------------------------------------
    def run(self, today: date, calendar) -> int:
        """Fire every level due by `today`; returns the number of levels fired."""
        fired = 0
        for obj in self.overdue(today):
            days = calendar.workdays_between(self.due(obj), today)
            for level in range(self.level(obj) + 1, target_level(days, self.step(obj), self.max_level) + 1):
                if self._once(lambda obj=obj, level=level: self.mark(obj, level), self.fire, obj, level, days):
                    fired += 1
        return fired

    def remind(self, today: date, calendar, until: date) -> int:
        """Remind once per due date every object due by `until` (a date `days` working days ahead, computed by the
        caller on its calendar); returns the number of reminders sent."""
        sent = 0
        for obj in self.due_soon(today, until):
            left = calendar.workdays_between(today, self.due(obj))
            if self._once(lambda obj=obj: self.mark_reminder(obj), self._reminder, obj, left):
                sent += 1
        return sent

    def _reminder(self, obj, left: int, marker) -> None:
        self.send_reminder(obj, left, marker)

    @staticmethod
    def _once(mark, then, *args) -> bool:
        """Create the marker, then act, in one transaction; False when the marker already existed."""
        with transaction.atomic():
            try:
                with transaction.atomic():
                    marker = mark()
            except IntegrityError:
                return False
            then(*args, marker)
        return True
