"""Prove that requirements.lock, pyproject.toml and the installed environment agree.

The lock is installed with ``pip install --no-deps``: nothing is resolved at install time, so the lock itself must
be complete. This script fails (exit 1, one line per problem) when

* a requirement of ``pyproject.toml`` (runtime or the ``dev`` extra) is missing from the lock or its pin does not
  satisfy the specifier;
* a pinned package is not installed at exactly its pinned version;
* any requirement reachable from ``tuijin[dev]`` — through every package's own requirements, extras included
  (``weasyprint`` → ``fonttools[woff]`` → ``brotli``) — is not installed or not satisfied.

Run it with the environment's interpreter: ``.venv/bin/python scripts/check_lock.py``. ``make install`` runs it
after ``pip check``; ``tests/test_lock.py`` runs it in the suite.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PIN_LINE = re.compile(r"^[A-Za-z0-9]")


def read_pins(lock: Path) -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if not PIN_LINE.match(line):
            continue
        req = Requirement(line.rstrip("\\ "))
        if applies(req):
            (spec,) = req.specifier
            pins[canonicalize_name(req.name)] = Version(spec.version)
    return pins


def project_requirements(pyproject: Path) -> list[Requirement]:
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    reqs = [Requirement(r) for r in data.get("dependencies", [])]
    reqs += [Requirement(r) for r in data.get("optional-dependencies", {}).get("dev", [])]
    return reqs


def applies(req: Requirement, extra: str = "") -> bool:
    if req.marker is None:
        return True
    env = dict(default_environment())
    env["extra"] = extra
    return req.marker.evaluate(env)


def installed_version(name: str) -> Version | None:
    try:
        return Version(metadata.version(name))
    except metadata.PackageNotFoundError:
        return None


def closure_problems(roots: list[Requirement]) -> list[str]:
    """Walk every requirement reachable from ``roots`` (with extras) and report what the environment lacks."""
    problems: list[str] = []
    seen: set[tuple[str, frozenset[str]]] = set()
    todo: list[tuple[Requirement, str]] = [(r, "pyproject.toml") for r in roots if applies(r)]
    while todo:
        req, via = todo.pop()
        name = canonicalize_name(req.name)
        version = installed_version(name)
        if version is None:
            problems.append(f"{name} (needed by {via}) is not installed: the lock is incomplete")
            continue
        if req.specifier and not req.specifier.contains(version, prereleases=True):
            problems.append(f"{name} {version} does not satisfy {req} (needed by {via})")
        key = (name, frozenset(req.extras))
        if key in seen:
            continue
        seen.add(key)
        for sub in metadata.requires(name) or []:
            child = Requirement(sub)
            if applies(child) or any(applies(child, extra) for extra in req.extras):
                todo.append((child, f"{name}{'[' + ','.join(sorted(req.extras)) + ']' if req.extras else ''}"))
    return problems


def problems(root: Path = ROOT) -> list[str]:
    pins = read_pins(root / "requirements.lock")
    out: list[str] = []
    roots = project_requirements(root / "pyproject.toml")
    for req in roots:
        if not applies(req):
            continue
        pin = pins.get(canonicalize_name(req.name))
        if pin is None:
            out.append(f"pyproject.toml asks for {req}, which requirements.lock does not pin: run `make lock`")
        elif req.specifier and not req.specifier.contains(pin, prereleases=True):
            out.append(f"requirements.lock pins {req.name}=={pin}, outside pyproject.toml's {req}: run `make lock`")
    for name, pin in sorted(pins.items()):
        have = installed_version(name)
        if have != pin:
            out.append(f"{name}: the lock pins {pin}, the environment has {have or 'nothing'}")
    out += closure_problems(roots)
    return out


def main() -> int:
    found = problems()
    for line in found:
        print(f"lock check: {line}", file=sys.stderr)
    if not found:
        print("lock check: pyproject.toml, requirements.lock and the environment agree")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
