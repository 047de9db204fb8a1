"""core.escalation: the ladder's arithmetic (`target_level`) and the shared loop (`Escalator.run` / `remind`) driven
by a tiny in-memory subclass, so the loop is tested without any domain app."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.db import IntegrityError

from tuijin.core.escalation import Escalator, target_level


@pytest.mark.parametrize(
    ("overdue", "step", "expected"),
    [
        (-3, 3, 0),
        (0, 3, 0),
        (1, 3, 1),
        (3, 3, 1),
        (4, 3, 2),
        (6, 3, 2),
        (7, 3, 3),
        (9, 3, 3),
        (10, 3, 4),
        (100, 3, 4),
        (1, 1, 1),
        (2, 1, 2),
        (4, 1, 4),
        (5, 1, 4),
        (5, 5, 1),
        (6, 5, 2),
        (3, 0, 3),  # a step of 0 is read as 1, never a division by zero
        (10, 3, 4),
    ],
)
def test_target_level_table(overdue, step, expected):
    assert target_level(overdue, step) == expected


def test_target_level_respects_max_level():
    assert target_level(100, 1, max_level=2) == 2
    assert target_level(4, 3, max_level=6) == 2


class _DayCalendar:
    """Every day is a working day: overdue working days = calendar days."""

    def workdays_between(self, start: date, end: date) -> int:
        return (end - start).days


@dataclass
class _Thing:
    name: str
    due: date
    level: int = 0
    step: int = 3


@dataclass
class _FakeEscalator(Escalator):
    things: list
    markers: set = field(default_factory=set)
    fired: list = field(default_factory=list)
    reminded: list = field(default_factory=list)
    reminder_markers: set = field(default_factory=set)

    def overdue(self, today):
        return [t for t in self.things if t.due < today]

    def due(self, obj):
        return obj.due

    def level(self, obj):
        return obj.level

    def step(self, obj):
        return obj.step

    def mark(self, obj, level):
        key = (obj.name, level)
        if key in self.markers:
            raise IntegrityError("exists")
        self.markers.add(key)
        return key

    def fire(self, obj, level, overdue_workdays, marker):
        assert marker == (obj.name, level)
        self.fired.append((obj.name, level, overdue_workdays))
        obj.level = max(obj.level, level)

    def due_soon(self, today, until):
        return [t for t in self.things if today <= t.due <= until]

    def mark_reminder(self, obj):
        key = (obj.name, obj.due)
        if key in self.reminder_markers:
            raise IntegrityError("exists")
        self.reminder_markers.add(key)
        return key

    def send_reminder(self, obj, workdays_left, marker):
        self.reminded.append((obj.name, workdays_left))


DUE = date(2026, 3, 1)


@pytest.mark.django_db
def test_run_fires_each_level_once_at_its_offset():
    thing = _Thing("a", DUE)
    esc = _FakeEscalator([thing])
    calendar = _DayCalendar()
    fired_by_day = {}
    for offset in range(0, 14):
        fired_by_day[offset] = esc.run(DUE + timedelta(days=offset), calendar)
    assert [name_level[:2] for name_level in esc.fired] == [("a", 1), ("a", 2), ("a", 3), ("a", 4)]
    # the day each level fired: 1, 4, 7, 10 days overdue with step 3
    assert [d for d, n in fired_by_day.items() if n] == [1, 4, 7, 10]
    assert [f[2] for f in esc.fired] == [1, 4, 7, 10]
    assert thing.level == 4


@pytest.mark.django_db
def test_run_catches_up_all_missing_levels_in_one_run():
    thing = _Thing("a", DUE)
    esc = _FakeEscalator([thing])
    assert esc.run(DUE + timedelta(days=8), _DayCalendar()) == 3
    assert [(n, lv) for n, lv, _ in esc.fired] == [("a", 1), ("a", 2), ("a", 3)]
    assert esc.run(DUE + timedelta(days=8), _DayCalendar()) == 0  # twice: nothing new


@pytest.mark.django_db
def test_run_skips_a_level_whose_marker_exists():
    """A concurrent run (or a level recorded while the object's level was not saved) made the marker: skip it."""
    thing = _Thing("a", DUE)  # level still 0
    esc = _FakeEscalator([thing], markers={("a", 1)})
    assert esc.run(DUE + timedelta(days=4), _DayCalendar()) == 1
    assert [(n, lv) for n, lv, _ in esc.fired] == [("a", 2)]


@pytest.mark.django_db
def test_run_starts_above_the_current_level_and_honours_each_step():
    high = _Thing("high", DUE, level=2)
    fast = _Thing("fast", DUE, step=1)
    esc = _FakeEscalator([high, fast, _Thing("future", DUE + timedelta(days=30))])
    assert esc.run(DUE + timedelta(days=7), _DayCalendar()) == 1 + 4
    assert sorted((n, lv) for n, lv, _ in esc.fired) == [
        ("fast", 1),
        ("fast", 2),
        ("fast", 3),
        ("fast", 4),
        ("high", 3),
    ]


@pytest.mark.django_db
def test_remind_once_per_due_date():
    thing = _Thing("a", DUE + timedelta(days=2))
    esc = _FakeEscalator([thing, _Thing("later", DUE + timedelta(days=20))])
    until = DUE + timedelta(days=3)
    assert esc.remind(DUE, _DayCalendar(), until) == 1
    assert esc.reminded == [("a", 2)]
    assert esc.remind(DUE + timedelta(days=1), _DayCalendar(), until + timedelta(days=1)) == 0
    thing.due = DUE + timedelta(days=3)  # the deadline moved: a new reminder
    assert esc.remind(DUE + timedelta(days=1), _DayCalendar(), until + timedelta(days=1)) == 1
    assert esc.reminded[-1] == ("a", 2)


@pytest.mark.django_db
def test_a_failing_fire_propagates():
    class Boom(_FakeEscalator):
        def fire(self, obj, level, overdue_workdays, marker):
            raise RuntimeError("notify failed")

    esc = Boom([_Thing("a", DUE)])
    with pytest.raises(RuntimeError):
        esc.run(DUE + timedelta(days=1), _DayCalendar())
