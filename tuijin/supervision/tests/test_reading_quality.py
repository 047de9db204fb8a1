"""Precision and recall of the report-reading engine over the hand-annotated samples in `samples/`.

Run with `pytest -s` to see the table. The floors are what the engine measures on these samples, rounded down; a
regression in any category fails the test.
"""

from datetime import date

import pytest

from tuijin.supervision.reading import Reading, read_report

from .samples import load_gold, sample_lexicon

FLOORS = {
    "people+positions": (0.9, 0.9),
    "units": (0.9, 0.9),
    "decisions": (0.9, 0.9),
}
# Of the decisions found that match a gold one, the share whose suggested unit / deadline is right.
FIELD_FLOORS = {"decision unit": 0.9, "decision deadline": 0.9}


def _people(reading: Reading) -> set[tuple[str, str | None]]:
    return {(c.data["name"], c.data["position"]) for c in reading.of_kind("person")}


def _units(reading: Reading) -> set[str]:
    return {c.data["canonical"] for c in reading.of_kind("unit")}


def _canonical_unit(reading: Reading, candidate) -> str | None:
    ref, text = candidate.data["unit_ref"], candidate.data["unit_text"]
    for unit in reading.of_kind("unit"):
        if (ref is not None and unit.ref == ref) or (ref is None and unit.text == text):
            return unit.data["canonical"]
    return text


class Tally:
    def __init__(self):
        self.tp = self.fp = self.fn = 0

    def add_sets(self, found: set, gold: set):
        self.tp += len(found & gold)
        self.fp += len(found - gold)
        self.fn += len(gold - found)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def measure(samples: list[dict]) -> tuple[dict[str, Tally], dict[str, list[int]], list[str]]:
    lexicon = sample_lexicon()
    tallies = {name: Tally() for name in FLOORS}
    fields = {name: [0, 0] for name in FIELD_FLOORS}  # right, total
    misses: list[str] = []
    for sample in samples:
        reading = read_report(sample["text"], lexicon=lexicon, today=sample["today"])
        gold_people = {(name, position) for name, position in sample["people"]}
        tallies["people+positions"].add_sets(_people(reading), gold_people)
        tallies["units"].add_sets(_units(reading), set(sample["units"]))
        misses += ["%s person %s" % (sample["file"], p) for p in _people(reading) ^ gold_people]
        misses += ["%s unit %s" % (sample["file"], u) for u in _units(reading) ^ set(sample["units"])]

        decisions = reading.of_kind("decision")
        matched_gold = set()
        tally = tallies["decisions"]
        for candidate in decisions:
            hits = [i for i, g in enumerate(sample["decisions"]) if g["contains"] in candidate.text]
            if not hits:
                tally.fp += 1
                misses.append("%s extra decision %s" % (sample["file"], candidate.text))
                continue
            tally.tp += 1
            gold = sample["decisions"][hits[0]]
            matched_gold.add(hits[0])
            unit_ok = _canonical_unit(reading, candidate) == gold["unit"]
            expected = date.fromisoformat(gold["deadline"]) if gold["deadline"] else None
            deadline_ok = candidate.data["deadline"] == expected and candidate.data.get("workdays") == gold.get(
                "workdays"
            )
            fields["decision unit"][0] += unit_ok
            fields["decision deadline"][0] += deadline_ok
            fields["decision unit"][1] += 1
            fields["decision deadline"][1] += 1
            if not (unit_ok and deadline_ok):
                misses.append("%s decision fields %s: %s" % (sample["file"], gold["contains"], candidate.data))
        for i, gold in enumerate(sample["decisions"]):
            if i not in matched_gold:
                tally.fn += 1
                misses.append("%s missed decision %s" % (sample["file"], gold["contains"]))
    return tallies, fields, misses


@pytest.fixture(scope="module")
def measured():
    return measure(load_gold())


def _table(title: str, tallies: dict[str, Tally], fields: dict[str, list[int]]) -> list[str]:
    lines = ["", title, "%-18s %9s %7s %4s %4s %4s" % ("category", "precision", "recall", "tp", "fp", "fn")]
    for name, t in tallies.items():
        lines.append("%-18s %9.2f %7.2f %4d %4d %4d" % (name, t.precision, t.recall, t.tp, t.fp, t.fn))
    for name, (right, total) in fields.items():
        lines.append("%-18s %9.2f %7s %4d/%d" % (name, right / total if total else 1.0, "", right, total))
    return lines


def test_quality_table_and_floors(measured):
    tallies, fields, misses = measured
    samples = load_gold()
    lines = _table("all %d samples" % len(samples), tallies, fields)
    lines += ["  miss: " + m for m in misses]
    for flag in ("heldout", "blind"):
        subset = [s for s in samples if s.get(flag)]
        sub_tallies, sub_fields, _misses = measure(subset)
        lines += _table("%s only (%s)" % (flag, ", ".join(s["file"][:2] for s in subset)), sub_tallies, sub_fields)
    print("\n".join(lines))
    for name, (p_floor, r_floor) in FLOORS.items():
        assert tallies[name].precision >= p_floor, name
        assert tallies[name].recall >= r_floor, name
    for name, floor in FIELD_FLOORS.items():
        right, total = fields[name]
        assert total and right / total >= floor, name


def test_gold_is_big_enough():
    samples = load_gold()
    assert len(samples) >= 5
    assert sum(len(s["decisions"]) for s in samples) >= 15
    assert any(not s["decisions"] and not s["people"] and not s["units"] for s in samples)


def test_empty_sample_yields_nothing_reviewable():
    sample = next(s for s in load_gold() if s["file"].startswith("05_"))
    reading = read_report(sample["text"], lexicon=sample_lexicon(), today=sample["today"])
    assert reading.candidates == []


def test_meetings(measured):
    for sample in load_gold():
        reading = read_report(sample["text"], lexicon=sample_lexicon(), today=sample["today"])
        meetings = reading.of_kind("meeting")
        if sample["meeting"] is None:
            assert meetings == [], sample["file"]
            continue
        assert len(meetings) == 1, sample["file"]
        data = meetings[0].data
        expected = sample["meeting"]
        assert data["kind"] == expected["kind"], sample["file"]
        assert data["date"] == (date.fromisoformat(expected["date"]) if expected["date"] else None), sample["file"]
        assert data["chair"] == expected["chair"], sample["file"]


def test_study_visit_peers():
    sample = next(s for s in load_gold() if s["file"].startswith("03_"))
    reading = read_report(sample["text"], lexicon=sample_lexicon(), today=sample["today"])
    assert [c.text for c in reading.of_kind("peer")] == sample["peers"]
    assert reading.of_kind("lesson")
    visit = reading.of_kind("visit")[0]
    assert visit.data["places"] == ["鹤壁", "长垣"]
