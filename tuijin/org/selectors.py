"""Reads of the org app shared by other apps: the units a unit picker offers, and whether a scope is small enough
for a plain drop-down (see docs/subsystems/projects.md, "unit picker")."""

from django.conf import settings
from django.db.models import Q

__all__ = ["PICKER_KINDS", "picker_threshold", "unit_choices", "units_or_picker"]

PICKER_KINDS = {
    # a unit picker's kind → the units it offers (the project list filters; see ProjectFilterSet)
    "responsible": Q(),
    "locality": Q(unit_type__in=["town", "subdistrict", "dev_zone"]),
}


def unit_choices(queryset, kind: str):
    """The units a picker of `kind` offers, from an already restricted queryset (no enterprises or universities)."""
    return queryset.exclude(unit_type__in=["enterprise", "university"]).filter(PICKER_KINDS[kind])


def picker_threshold() -> int:
    """settings.TUIJIN_UNIT_PICKER_THRESHOLD: more units than this in scope → a search picker, not a drop-down."""
    return int(getattr(settings, "TUIJIN_UNIT_PICKER_THRESHOLD", 200))


def units_or_picker(queryset) -> list | None:
    """The units of a drop-down, or None when the scope has more than the threshold (a search picker instead).

    One bounded query decides and supplies the options, so a page runs the same queries at any scope size."""
    limit = picker_threshold()
    units = list(queryset[: limit + 1])
    return None if len(units) > limit else units
