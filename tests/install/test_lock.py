"""The lock is complete and agrees with pyproject.toml and the installed environment (issue: install without
resolving). ``scripts/check_lock.py`` is the check; these tests run it and prove it can fail."""

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def check_lock():
    spec = importlib.util.spec_from_file_location("check_lock", ROOT / "scripts" / "check_lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def tree(tmp_path):
    for name in ("pyproject.toml", "requirements.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_lock_pyproject_and_environment_agree(check_lock):
    assert check_lock.problems() == []


def test_the_script_exits_zero_in_this_environment():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_lock.py")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "agree" in done.stdout


def test_pip_check_is_clean():
    done = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _drop_pin(lock: Path, name: str) -> None:
    lines = lock.read_text(encoding="utf-8").splitlines(keepends=True)
    out, skipping = [], False
    for line in lines:
        if line.lower().startswith(f"{name}=="):
            skipping = True
            continue
        if skipping and (line.startswith("    ")):
            continue
        skipping = False
        out.append(line)
    lock.write_text("".join(out), encoding="utf-8")


def test_a_pyproject_requirement_missing_from_the_lock_is_reported(check_lock, tree):
    _drop_pin(tree / "requirements.lock", "openpyxl")
    found = check_lock.problems(tree)
    assert any("openpyxl" in p and "does not pin" in p for p in found), found


def test_a_pin_outside_the_pyproject_range_is_reported(check_lock, tree):
    pyproject = tree / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace('"openpyxl>=3.1"', '"openpyxl>=9"'))
    found = check_lock.problems(tree)
    assert any("openpyxl" in p and "outside" in p for p in found), found


def test_a_pin_that_differs_from_the_installed_version_is_reported(check_lock, tree):
    lock = tree / "requirements.lock"
    lock.write_text(lock.read_text(encoding="utf-8").replace("\nfonttools==4.68.0", "\nfonttools==4.69.1"))
    found = check_lock.problems(tree)
    assert any(p.startswith("fonttools: the lock pins 4.69.1") for p in found), found


def test_the_closure_follows_extras(check_lock):
    # weasyprint needs fonttools[woff], whose extra brings brotli and zopfli: both must be installed.
    assert check_lock.closure_problems([Requirement("fonttools[woff]")]) == []
    assert check_lock.closure_problems([Requirement("no-such-package-tuijin")]) != []
    missing = check_lock.closure_problems([Requirement("django<5")])
    assert any("does not satisfy" in p for p in missing), missing
