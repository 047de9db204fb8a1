"""Framework models: the base-model hierarchy, the change log (history) and the security audit log."""

from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AuditEventType, AuditOutcome, ChangeAction
from .querysets import RestrictedQuerySet

__all__ = [
    "AuditEvent",
    "AuditGuard",
    "AuditSeal",
    "BaseModel",
    "ChangeLoggedModel",
    "ObjectChange",
    "StoredFileFields",
]


class BaseModel(models.Model):
    """Every domain model: a restrictable default manager and a declaration of how rows reach a unit.

    `scope_fields` maps a scope kind to a lookup path: "unit" and "region" to an OrgUnit foreign key
    ("" for an OrgUnit itself), "enterprise" to the enterprise OrgUnit, "sponsor" to the sponsoring Person.
    `None` means the model is not unit-scoped (lookup tables, audit): the permission alone decides.
    """

    objects = RestrictedQuerySet.as_manager()
    scope_fields: ClassVar[Mapping[str, str | tuple[str, ...]] | None] = None
    # Optional (foreign key, "app.Model"): restrict through the parent's rows (same result, cheaper for big tables)
    scope_through: ClassVar[tuple[str, str] | None] = None

    class Meta:
        abstract = True


class StoredFileFields(models.Model):
    """The columns of a checked upload (a project's or a lead's attachment), filled by
    `utilities.uploads.store_checked_upload`; each model adds its `file` field (where it is stored) and its owner."""

    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


class ChangeLoggedModel(BaseModel):
    """A model whose every create/update/delete is written to `ObjectChange` (see core/signals.py).

    `version` increases on each update through a service; an edit submitted against an older version is a
    conflict (optimistic locking), never a silent overwrite.
    """

    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_updated = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    # Set by a service before save(): the change-log message for this write (not a field).
    _changelog_message: str = ""

    # Fields left out of the change-log snapshots (secrets, noise).
    changelog_exclude: ClassVar[tuple[str, ...]] = ("last_updated",)

    class Meta:
        abstract = True

    def changelog_parent(self) -> models.Model | None:
        """An object whose history page should also show this change (a report under its project)."""
        return None


class ObjectChange(models.Model):
    """One create, update or delete of a domain object: who, when, which request, before and after (append-only)."""

    time = models.DateTimeField(_("时间"), default=timezone.now, db_index=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("用户"),
    )
    user_name = models.CharField(_("用户名"), max_length=150, blank=True, editable=False)
    request_id = models.CharField(_("请求编号"), max_length=36, blank=True, db_index=True, editable=False)
    action = models.CharField(_("操作"), max_length=10, choices=ChangeAction.choices)
    changed_object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    changed_object_id = models.PositiveBigIntegerField()
    related_object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", null=True)
    related_object_id = models.PositiveBigIntegerField(null=True)
    object_repr = models.CharField(_("对象"), max_length=200, editable=False)
    message = models.CharField(_("说明"), max_length=200, blank=True)
    prechange_data = models.JSONField(_("变更前"), null=True, encoder=DjangoJSONEncoder, editable=False)
    postchange_data = models.JSONField(_("变更后"), null=True, encoder=DjangoJSONEncoder, editable=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        ordering = ["-time", "-pk"]
        indexes = [
            models.Index(fields=["changed_object_type", "changed_object_id"], name="core_oc_object_idx"),
            models.Index(fields=["related_object_type", "related_object_id"], name="core_oc_related_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def diff(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for every field whose value changed, as stored. Not changes: empty → empty, empty →
        False, and the same amount written differently (260.50 and 260.5)."""
        from .display import model_field, same_value

        model = self.changed_object_type.model_class() if self.changed_object_type_id else None
        before = self.prechange_data or {}
        after = self.postchange_data or {}
        keys = sorted(set(before) | set(after))
        return [
            (key, before.get(key), after.get(key))
            for key in keys
            if not same_value(model_field(model, key), before.get(key), after.get(key))
        ]

    def labelled_diff(self) -> list[tuple[str, Any, Any]]:
        """Like diff(), with each field's verbose name (for people) instead of its attribute name. For pages use
        `core.history.describe_changes()`, which also shows choice names, 是/否, names and Beijing time."""
        from .display import field_label

        model = self.changed_object_type.model_class() if self.changed_object_type_id else None
        hidden = {"version", "created", "id"}
        return [(field_label(model, k), b, a) for k, b, a in self.diff() if k not in hidden]


class AuditEvent(models.Model):
    """A security-relevant event (login, lockout, role change, access denied, export …): append-only."""

    time = models.DateTimeField(_("时间"), default=timezone.now, db_index=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("用户"),
    )
    user_name = models.CharField(_("用户名"), max_length=150, blank=True)
    event_type = models.CharField(_("事件类型"), max_length=40, choices=AuditEventType.choices, db_index=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=300, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=36, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    detail = models.JSONField(_("详情"), default=dict, encoder=DjangoJSONEncoder, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全审计事件")
        verbose_name_plural = _("安全审计事件")
        ordering = ["-time", "-pk"]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.user_name} {self.get_event_type_display()}"


class AuditGuard(models.Model):
    """While a row exists here inside a transaction, the audit tables accept DELETE (retention purge only).

    The database triggers (core/audit_triggers.py) refuse every UPDATE, and every DELETE unless this guard is
    present; the purge command inserts and removes it within its own transaction, so no other connection sees it.
    """

    reason = models.CharField(max_length=100)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("审计维护令牌")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.reason


class AuditSeal(models.Model):
    """One link of the HMAC chain over the audit tables (core/audit_chain.py), append-only like them.

    A row seal names a row of `core_objectchange` or `core_auditevent` and the hash of its content; a purge seal
    (`table_name` "purge") records a retention purge in `detail`. `mac` chains each seal to the one before it.
    """

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    table_name = models.CharField(_("表"), max_length=30)
    row_id = models.PositiveBigIntegerField(_("记录编号"), null=True, blank=True)
    row_hash = models.CharField(max_length=64)
    mac = models.CharField(max_length=64)
    algorithm = models.CharField(max_length=20)
    detail = models.JSONField(default=dict, encoder=DjangoJSONEncoder, blank=True)
    sealed_at = models.DateTimeField(_("加封时间"), default=timezone.now)

    class Meta:
        verbose_name = _("审计封签")
        verbose_name_plural = _("审计封签")
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["table_name", "row_id"], name="core_auditseal_row_unique")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.table_name} {self.row_id or ''}".strip()
