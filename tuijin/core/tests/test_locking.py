"""core.locking.bump_version: the one optimistic lock — conditional UPDATE, ConflictError with the current object and
what changed since, and a save that the change log records as version N → N+1."""

import pytest
from django.contrib.contenttypes.models import ContentType

from tuijin.core.exceptions import ConflictError
from tuijin.core.locking import bump_version
from tuijin.core.models import ObjectChange
from tuijin.projects.models import Project
from tuijin.projects.tests.factories import make_project


def history(obj):
    content_type = ContentType.objects.get_for_model(obj)
    return ObjectChange.objects.filter(changed_object_type=content_type, changed_object_id=obj.pk).order_by("pk")


def test_bump_saves_and_records_the_version_step(world):
    project = make_project(unit=world.unit_a)
    before = history(project).count()
    project.address = "新地址"
    bump_version(project, expected_version=1)
    stored = Project.objects.get(pk=project.pk)
    assert stored.version == project.version == 2 and stored.address == "新地址"
    change = history(project).last()
    assert history(project).count() == before + 1 and change.action == "update"
    assert change.prechange_data["version"] == 1 and change.postchange_data["version"] == 2
    assert change.prechange_data["address"] == "" and change.postchange_data["address"] == "新地址"


def test_stale_version_is_a_conflict_with_the_current_object_and_the_changes(world):
    project = make_project(unit=world.unit_a)
    mine, theirs = Project.objects.get(pk=project.pk), Project.objects.get(pk=project.pk)
    theirs.address = "他人的修改"
    bump_version(theirs, expected_version=1)
    mine.address = "我的修改"
    with pytest.raises(ConflictError) as exc:
        bump_version(mine, expected_version=1, message="第 %(mine)d 版已过期，当前第 %(now)d 版")
    assert str(exc.value) == "第 1 版已过期，当前第 2 版" and exc.value.code == "conflict"
    assert exc.value.current.version == 2 and exc.value.extra["current_version"] == 2
    assert [c.postchange_data["address"] for c in exc.value.changes] == ["他人的修改"]
    assert Project.objects.get(pk=project.pk).address == "他人的修改"


@pytest.mark.parametrize("expected", [None, "x", 0])
def test_missing_or_malformed_version_is_a_conflict(world, expected):
    project = make_project(unit=world.unit_a)
    with pytest.raises(ConflictError):
        bump_version(project, expected_version=expected)
    assert Project.objects.get(pk=project.pk).version == 1


def test_conditions_must_match_too(world):
    project = make_project(unit=world.unit_a)
    with pytest.raises(ConflictError, match="当前状态"):
        bump_version(project, expected_version=1, stage="construction", message="当前状态：%(status)s")
    bump_version(project, expected_version=1, stage=project.stage)
    assert project.version == 2


def test_partial_save_keeps_the_stored_values_of_other_fields(world):
    """update_fields: the history's "after" is the row as stored, not a stale in-memory copy."""
    project = make_project(unit=world.unit_a, name="原名")
    stale = Project.objects.get(pk=project.pk)
    Project.objects.filter(pk=project.pk).update(name="库中新名")  # a write this test makes behind the lock's back
    stale.address = "地址"
    bump_version(stale, expected_version=1, update_fields=["address"])
    assert stale.name == "库中新名"
    change = history(project).last()
    assert change.postchange_data["name"] == "库中新名" and change.postchange_data["address"] == "地址"
    assert [field for field, _old, _new in change.diff()] == ["address", "version"]


def test_a_deleted_object_is_a_conflict(world):
    from datetime import date

    from tuijin.workdays.models import HolidayOverride

    override = HolidayOverride.objects.create(date=date(2024, 10, 8), is_workday=False, name="加休")
    HolidayOverride.objects.filter(pk=override.pk).delete()
    with pytest.raises(ConflictError) as exc:
        bump_version(override, expected_version=1)
    assert exc.value.current is None
