"""Change-log receivers: every save/delete of a ChangeLoggedModel writes an ObjectChange (NetBox core/signals.py).

The pre-change snapshot is read from the database in pre_save, so services do not have to remember to take one;
that costs one primary-key query per update.
"""

from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver

from .changelog import object_change_record, serialize_object
from .choices import ChangeAction
from .models import ChangeLoggedModel


@receiver(pre_save)
def snapshot_before_save(sender, instance, raw=False, **kwargs):
    if raw or not isinstance(instance, ChangeLoggedModel) or instance._state.adding or instance.pk is None:
        return
    snapshot = instance.__dict__.pop("_locked_snapshot", None)  # taken by core.locking.bump_version
    if snapshot is None:
        previous = type(instance)._default_manager.filter(pk=instance.pk).first()
        snapshot = serialize_object(previous) if previous is not None else None
    instance._prechange_snapshot = snapshot


@receiver(post_save)
def log_saved_object(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw or not isinstance(instance, ChangeLoggedModel):
        return
    before = None if created else getattr(instance, "_prechange_snapshot", None)
    after = serialize_object(instance)
    if not created and before == after:
        return
    object_change_record(
        instance,
        ChangeAction.CREATE if created else ChangeAction.UPDATE,
        before,
        after,
        getattr(instance, "_changelog_message", ""),
    )
    instance._prechange_snapshot = after


@receiver(pre_delete)
def log_deleted_object(sender, instance, **kwargs):
    if not isinstance(instance, ChangeLoggedModel):
        return
    object_change_record(
        instance, ChangeAction.DELETE, serialize_object(instance), None, getattr(instance, "_changelog_message", "")
    )
