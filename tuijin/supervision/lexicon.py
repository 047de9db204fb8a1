"""The reader's inputs from the database: the platform's own names (reading.Lexicon) and the office's rules
(ReadingRule rows → reading.Rules). Only names the user may see go in, so a candidate never reveals a record out of
the user's scope."""

from .models import ReadingRule
from .reading import Lexicon, LexiconEntry, Rules

__all__ = ["PROJECT_LIMIT", "lexicon_for", "rules_from_db"]

PROJECT_LIMIT = 20000  # the newest projects in scope; a report names recent projects


def rules_from_db() -> Rules:
    """The active rules by kind (one query). An empty table (not seeded) falls back to the defaults."""
    mapping: dict[str, list] = {}
    for kind, text, value in ReadingRule.objects.filter(is_active=True).values_list("kind", "text", "value"):
        mapping.setdefault(kind, []).append((text, value or None))
    return Rules.from_mapping(mapping, fill_missing=True) if mapping else Rules.default()


def lexicon_for(user) -> Lexicon:
    """Units (name and short name), county leaders with their positions, enterprises, projects and chains the user
    may see: five queries."""
    from tuijin.org.models import OrgUnit, Person, Position
    from tuijin.projects.models import IndustryChain, Project

    entries: list[LexiconEntry] = []
    for pk, name, short, unit_type in (
        OrgUnit.objects.restrict(user, "view")
        .filter(is_active=True)
        .values_list("pk", "name", "short_name", "unit_type")
    ):
        kind = "enterprise" if unit_type == "enterprise" else "unit"
        for text in {name, short} - {""}:
            if len(text) >= 2:
                entries.append(LexiconEntry(text, kind, (kind, pk)))
    people: dict[str, list[str]] = {}
    persons = Person.objects.restrict(user, "view").filter(is_county_leader=True)
    for pk, name in persons.values_list("pk", "name"):
        entries.append(LexiconEntry(name, "person", ("person", pk)))
        people.setdefault(name, [])
    for name, title in Position.objects.filter(person__in=persons).values_list("person__name", "title"):
        people.setdefault(name, []).append(title)
    projects = Project.objects.restrict(user, "view").order_by("-pk").values_list("pk", "name")[:PROJECT_LIMIT]
    entries.extend(LexiconEntry(name, "project", ("project", pk)) for pk, name in projects if len(name) >= 4)
    for pk, name in IndustryChain.objects.filter(is_active=True).values_list("pk", "name"):
        entries.append(LexiconEntry(name, "chain", ("chain", pk)))
    return Lexicon(entries=entries, people_positions=people)
