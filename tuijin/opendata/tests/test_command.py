"""`tuijin export_oc4ids --output FILE`: writes the package (public fields only), audited as a command export."""

import json

import pytest
from django.core.management import CommandError, call_command

from tuijin.core.choices import AuditEventType
from tuijin.core.models import AuditEvent
from tuijin.opendata import schema

from .helpers import portfolio

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(world):
    return portfolio(world)


def test_command_writes_the_package(tmp_path, projects, settings):
    out = tmp_path / "oc4ids.json"
    call_command("export_oc4ids", "--output", str(out))
    package = json.loads(out.read_text(encoding="utf-8"))
    assert package["version"] == "0.9"
    assert package["uri"] == f"urn:{settings.TUIJIN_OC4IDS_PREFIX}:package"
    ids = {p["id"] for p in package["projects"]}
    assert f"{settings.TUIJIN_OC4IDS_PREFIX}-{projects['foreign'].code}" in ids  # no --user: every coded project
    assert len(ids) == 3
    assert "改造道路" not in out.read_text(encoding="utf-8")  # 建设规模及内容 is not public by default
    event = AuditEvent.objects.filter(event_type=AuditEventType.EXPORT).latest("pk")
    assert event.detail["channel"] == "cli" and event.detail["command"] == "export_oc4ids"
    assert event.detail["projects"] == 3


def test_command_as_a_user_exports_their_scope(tmp_path, world, projects):
    out = tmp_path / "oc4ids.json"
    call_command("export_oc4ids", "--output", str(out), "--user", "office")
    titles = {p["title"] for p in json.loads(out.read_text(encoding="utf-8"))["projects"]}
    assert titles == {"甲街道快速路改造工程", "乙街道第二小学"}


def test_command_refuses_a_user_without_the_permission(tmp_path, world):
    with pytest.raises(CommandError, match="无权"):
        call_command("export_oc4ids", "--output", str(tmp_path / "x.json"), "--user", "reporter_a")


@pytest.mark.skipif(not schema.schema_available(), reason="OC4IDS schema not vendored yet (opendata/schema/README.md)")
def test_command_check_validates(tmp_path, projects):
    out = tmp_path / "oc4ids.json"
    call_command("export_oc4ids", "--output", str(out), "--check")
    assert schema.package_errors(json.loads(out.read_text(encoding="utf-8"))) == []
