"""Reads of the org app shared by other apps: the units a unit picker offers, and whether a scope is small enough
for a plain drop-down (see docs/subsystems/projects.md, "unit picker")."""

from django.conf import settings
from django.db.models import Q

__all__ = ["PICKER_KINDS", "picker_threshold", "unit_choices", "units_or_picker", "users_covering"]

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


def users_covering(unit, permission: str, *, kinds: tuple[str, ...] | None = None):
    """Active users holding `permission` through a membership whose scope reaches rows of `unit`: a UNIT-scoped
    role at `unit` or one of its ancestors, a REGION-scoped role whose unit's region contains `unit`'s region.
    Who is told when work waits on them (the approvers of a report, the office that reviews it); sponsor and
    enterprise scopes are row-specific and left to the caller. `kinds` keeps only memberships of those scope kinds
    (e.g. `(ScopeKind.UNIT,)`: the unit's own people, not the district office that holds the same permission)."""
    from tuijin.users.models import User

    from .choices import ScopeKind
    from .roles import ROLE_SPECS

    by_kind: dict[str, list[str]] = {}
    for role, spec in ROLE_SPECS.items():
        if permission in spec.permissions and (kinds is None or spec.scope_for(permission) in kinds):
            by_kind.setdefault(spec.scope_for(permission), []).append(role)
    ancestors = [unit.path[: i + 1] for i, ch in enumerate(unit.path) if ch == "/"] or [unit.path]
    region_path = unit.region.path
    region_ancestors = [region_path[: i + 1] for i, ch in enumerate(region_path) if ch == "/"] or [region_path]
    condition = Q(pk__in=[])
    if by_kind.get(ScopeKind.UNIT):
        condition |= Q(memberships__role__in=by_kind[ScopeKind.UNIT], memberships__unit__path__in=ancestors)
    if by_kind.get(ScopeKind.REGION):
        condition |= Q(
            memberships__role__in=by_kind[ScopeKind.REGION], memberships__unit__region__path__in=region_ancestors
        )
    return User.objects.filter(condition, is_active=True).distinct().order_by("pk")
