"""Writes for the organisation: units (tree paths) and role memberships (安全管理员 only)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType

from .models import Membership, OrgUnit
from .roles import ADMIN_ROLES

__all__ = ["membership_grant", "membership_revoke", "org_unit_create", "org_unit_set_path"]


def org_unit_set_path(unit: OrgUnit) -> None:
    path = (unit.parent.path if unit.parent is not None else "") + f"{unit.pk}/"
    if unit.path != path:
        OrgUnit.objects.filter(pk=unit.pk).update(path=path)
        unit.path = path


@transaction.atomic
def org_unit_create(**fields) -> OrgUnit:
    unit = OrgUnit(**fields)
    unit.full_clean(exclude=["path"])
    unit.save()
    org_unit_set_path(unit)
    return unit


@transaction.atomic
def membership_grant(*, actor, user, unit: OrgUnit, role: str) -> Membership:
    """Give `user` `role` in `unit`. A 三员 role stands alone on an account (separation of duties)."""
    existing = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    if role in ADMIN_ROLES and (existing - {role}):
        raise ValidationError(_("系统管理员、安全管理员、审计管理员角色不能与其他角色授予同一账户。"))
    if role not in ADMIN_ROLES and existing & ADMIN_ROLES:
        raise ValidationError(_("该账户是三员管理账户，不能再授予业务角色。"))
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(_("不能给自己授予角色。"))
    membership = Membership(user=user, unit=unit, role=role)
    membership.full_clean()
    membership.save()
    audit_event_record(
        event_type=AuditEventType.ROLE_GRANT,
        user=actor,
        object_repr=str(membership)[:200],
        detail={"user": user.username, "unit": unit.pk, "role": role},
    )
    return membership


@transaction.atomic
def membership_revoke(*, actor, membership: Membership) -> None:
    if actor is not None and actor.pk == membership.user_id:
        raise ValidationError(_("不能撤销自己的角色。"))
    audit_event_record(
        event_type=AuditEventType.ROLE_REVOKE,
        user=actor,
        object_repr=str(membership)[:200],
        detail={"user": membership.user.username, "unit": membership.unit_id, "role": membership.role},
    )
    membership.delete()
