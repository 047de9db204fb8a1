"""Writes of the open-data settings, and the audit record of every export of the package."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tuijin.core.audit import audit_command_record, audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.locking import bump_version

from .fields import KEYS
from .models import PublicationSettings

__all__ = ["SETTINGS_FIELDS", "export_record", "settings_save"]

SETTINGS_FIELDS = ("publisher_name", "publisher_uri", "license", "public_fields", "public_feed")


@transaction.atomic
def settings_save(*, actor, version: int | None, data: dict) -> PublicationSettings:
    """Save the office's choice: which fields are public, the publisher, and whether the public URL is open."""
    if actor is not None and not actor.has_perm("opendata.change_publicationsettings"):
        raise PermissionDenied(_("只有项目办可以修改数据公开设置。"))
    row = PublicationSettings.current()
    for name in SETTINGS_FIELDS:
        if name in data:
            setattr(row, name, data[name])
    fields = [str(key) for key in (row.public_fields or [])]
    unknown = sorted(set(fields) - KEYS)
    if unknown:
        raise ValidationError({"public_fields": _("未知的公开字段：%(k)s") % {"k": "、".join(unknown)}})
    row.public_fields = sorted(set(fields))
    row.publisher_name = (row.publisher_name or "").strip()
    row.full_clean()
    if row.pk is None:
        row.save()
    else:
        bump_version(row, expected_version=version)
    return row


def export_record(*, what: str, projects: int, public_fields, command: str = "", user=None, **detail) -> None:
    """The `export` audit event of a package (page, API or command)."""
    data = {"what": what, "format": "oc4ids", "projects": projects, "public_fields": sorted(public_fields), **detail}
    if command:
        audit_command_record(event_type=AuditEventType.EXPORT, command=command, user=user, detail=data)
    else:
        audit_event_record(event_type=AuditEventType.EXPORT, detail=data)
