"""Who is told: the active accounts whose role and scope reach a unit's rows (recipients of notifications)."""

from django.db.models import Q

from tuijin.org.choices import ScopeKind
from tuijin.org.roles import ROLE_SPECS

from .models import User

__all__ = ["users_covering"]


def users_covering(unit, permission: str, *, kinds: tuple[str, ...] | None = None):
    """Active users holding `permission` through a membership whose scope reaches rows of `unit`: a UNIT-scoped
    role at `unit` or one of its ancestors, a REGION-scoped role whose unit's region contains `unit`'s region.
    Who is told when work waits on them (the approvers of a report, the office that reviews it); sponsor and
    enterprise scopes are row-specific and left to the caller. `kinds` keeps only memberships of those scope kinds
    (e.g. `(ScopeKind.UNIT,)`: the unit's own people, not the district office that holds the same permission)."""
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
