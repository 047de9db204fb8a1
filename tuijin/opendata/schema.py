"""Validating an OC4IDS package against the vendored OC4IDS JSON schema (`schema/`), offline.

The package schema refers to the project schema by its absolute URL (its `id`); both files are loaded from disk
into a `referencing` registry, and any other reference fails instead of reaching the network. The `date-time` and
`uri` formats are checked here (jsonschema leaves them unchecked without optional packages).
"""

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT4

__all__ = ["SCHEMA_DIR", "SchemaMissing", "load_validator", "package_errors", "schema_available"]

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
PACKAGE_SCHEMA = "project-package-schema.json"
PROJECT_SCHEMA = "project-schema.json"


class SchemaMissing(RuntimeError):
    """The OC4IDS schema files are not in `schema/` (see schema/README.md)."""


def schema_available(directory: Path = SCHEMA_DIR) -> bool:
    return (directory / PACKAGE_SCHEMA).is_file() and (directory / PROJECT_SCHEMA).is_file()


def _format_checker() -> FormatChecker:
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: Any) -> bool:
        if not isinstance(value, str):
            return True
        if "T" not in value:
            return False
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment.tzinfo is not None

    @checker.checks("uri")
    def _uri(value: Any) -> bool:
        if not isinstance(value, str):
            return True
        parts = urlsplit(value)
        return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme == "urn") and " " not in value

    return checker


def _refs(node: Any):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _offline(uri: str) -> Resource:
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # an attrs class


@cache
def _validator_for(directory: str) -> Draft4Validator:
    folder = Path(directory)
    if not schema_available(folder):
        raise SchemaMissing(f"OC4IDS schema files missing in {folder} (see README.md there)")
    package = json.loads((folder / PACKAGE_SCHEMA).read_text(encoding="utf-8"))
    project = json.loads((folder / PROJECT_SCHEMA).read_text(encoding="utf-8"))
    resources = []
    project_resource = Resource.from_contents(project, default_specification=DRAFT4)
    for name, contents in ((PACKAGE_SCHEMA, package), (PROJECT_SCHEMA, project)):
        resource = project_resource if contents is project else Resource.from_contents(contents, DRAFT4)
        resources.append((name, resource))
        for key in ("$id", "id"):
            if isinstance(contents.get(key), str):
                resources.append((contents[key], resource))
    # The package schema names the project schema by the URL of its release; it is this file, whatever the host.
    for ref in _refs(package):
        if ref.split("#")[0].endswith("/" + PROJECT_SCHEMA):
            resources.append((ref.split("#")[0], project_resource))
    registry: Registry = Registry(retrieve=_offline).with_resources(resources)  # type: ignore[call-arg]
    return Draft4Validator(package, registry=registry, format_checker=_format_checker())


def load_validator(directory: Path = SCHEMA_DIR) -> Draft4Validator:
    return _validator_for(str(directory))


def package_errors(package: dict, directory: Path = SCHEMA_DIR) -> list[str]:
    """Every schema violation of `package`, as "path: message" lines ([] when it is valid)."""
    validator = load_validator(directory)
    errors = sorted(validator.iter_errors(package), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(package)'}: {e.message}" for e in errors]
