"""The OpenAPI schema generates without a warning (CI's `check --deploy --fail-level WARNING` fails on drf-spectacular's
enum-name collisions, e.g. two choice sets behind fields both named `status`): a new choice set shared by name needs
its entry in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]."""

from io import StringIO

from django.core.management import call_command


def test_schema_generates_without_warnings(tmp_path, db):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"), stderr=StringIO()
    )
    assert "SigningKindEnum" in (tmp_path / "schema.yml").read_text()
