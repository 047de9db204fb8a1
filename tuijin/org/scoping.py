"""Compiling a user's memberships into one filter per (model, action): the engine behind `restrict()`.

A membership grants its role's permissions over a scope:
- REGION: rows whose unit lies in the region subtree of the membership unit's region (项目办, 区领导);
- UNIT: rows whose unit lies in the membership unit's subtree (单位填报员/审核人);
- ENTERPRISE: rows of that enterprise only (企业用户);
- SPONSOR: rows the user's person sponsors (包联领导); models without a sponsor path (directory data such as
  units and people) are visible region-wide instead.
A model may also declare `scope_public` (a Q): rows matching it are visible region-wide to every role that holds
the permission (county leaders in the people directory, so any unit can name its 包联领导).
Several memberships are OR-ed. See docs/subsystems/permissions.md.
"""

from django.db.models import Q

from .choices import ScopeKind
from .roles import ROLE_SPECS

__all__ = ["scope_filter", "scope_fingerprint", "user_memberships", "user_permissions"]


def user_memberships(user) -> list:
    """The user's memberships with unit and region loaded, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_tuijin_memberships", None)
    if cached is None:
        cached = list(user.memberships.select_related("unit__region"))
        user._tuijin_memberships = cached
    return cached


def user_permissions(user) -> set[str]:
    perms: set[str] = set()
    for membership in user_memberships(user):
        spec = ROLE_SPECS.get(membership.role)
        if spec:
            perms |= spec.permissions
    return perms


def _county_path(path: str) -> str:
    """The region path cut after its county-level (6-digit) code: a 街道's path → its district's path."""
    parts = [p for p in path.split("/") if p]
    for i, code in enumerate(parts):
        if len(code) >= 6:
            return "/".join(parts[: i + 1]) + "/"
    return path


def _prefix(lookup: str) -> str:
    return f"{lookup}__" if lookup else ""


def _any(lookups, build) -> Q | None:
    """OR of build(lookup) over one lookup or a tuple of lookups (a row may reach a unit by several paths)."""
    if lookups is None:
        return None
    if isinstance(lookups, str):
        return build(lookups)
    condition = Q()
    for lookup in lookups:
        condition |= build(lookup)
    return condition


def _membership_q(kind: str, membership, user, fields: dict) -> Q | None:
    if kind == ScopeKind.SPONSOR:
        lookup = fields.get("sponsor")
        if lookup is None:
            kind = ScopeKind.REGION
        else:
            person_id = getattr(user, "person_id", None)
            return _any(lookup, lambda lk: Q(**{lk: person_id})) if person_id else None
    if kind == ScopeKind.REGION:
        path = membership.unit.region.path
        return _any(fields.get("region"), lambda lk: Q(**{f"{_prefix(lk)}region__path__startswith": path}))
    if kind == ScopeKind.UNIT:
        path = membership.unit.path
        return _any(fields.get("unit"), lambda lk: Q(**{f"{_prefix(lk)}path__startswith": path}))
    if kind == ScopeKind.ENTERPRISE:
        return _any(fields.get("enterprise"), lambda lk: Q(**{lk or "pk": membership.unit_id}))
    return None


def scope_filter(user, model, action: str, *, scope_model=None) -> Q | bool | None:
    """None: no permission. True: permitted without row limits (model not unit-scoped). Q: the rows allowed.

    The permission is always `model`'s; `scope_model` (default `model`) supplies the paths to a unit, so a
    child model can be scoped through its parent's rows (see RestrictedQuerySet.restrict and `scope_through`).
    """
    permission = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
    granted = [m for m in user_memberships(user) if permission in ROLE_SPECS.get(m.role, ROLE_SPECS_EMPTY).permissions]
    if not granted:
        return None
    scope_model = scope_model or model
    fields = getattr(scope_model, "scope_fields", None)
    if fields is None:
        return True
    condition = Q()
    matched = False
    public = getattr(scope_model, "scope_public", None)
    for membership in granted:
        part = _membership_q(ROLE_SPECS[membership.role].scope_for(permission), membership, user, fields)
        if part is not None:
            condition |= part
            matched = True
        region_lookup = fields.get("region")
        if public is not None and region_lookup is not None and action == "view":  # public rows are read-only
            # Rows public within the membership's county-level region (e.g. county leaders), whatever the scope.
            county = _county_path(membership.unit.region.path)
            condition |= public & Q(**{f"{_prefix(region_lookup)}region__path__startswith": county})
            matched = True
    return condition if matched else None


def scope_fingerprint(user, model, action: str) -> str:
    """A stable text standing for the rows `user` may `action` on `model`: users with equal fingerprints see the
    same rows (the filter itself, as compiled above), so per-scope caches can be shared between them."""
    condition = scope_filter(user, model, action)
    if condition is None:
        return "none"
    if condition is True:
        return "all"
    return repr(condition)


class _Empty:
    permissions: frozenset[str] = frozenset()


ROLE_SPECS_EMPTY = _Empty()
