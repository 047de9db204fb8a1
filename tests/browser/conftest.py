"""Browser tests: a real Tuijin server (subprocess, its own SQLite file, demo data) driven by Playwright in
Debian's Chromium. Screenshots go to var/screenshots/ for a person to look at."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "var" / "screenshots"
DEMO_PASSWORD = "Browser-Demo-2026!"
CHROMIUM = os.environ.get("TUIJIN_CHROMIUM", "/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server_env(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("tuijin-var")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUIJIN_", "DATABASE_URL", "DJANGO_"))}
    env.update(
        TUIJIN_VAR_DIR=str(var_dir),
        TUIJIN_DEMO_PASSWORD=DEMO_PASSWORD,
        DJANGO_SETTINGS_MODULE="tuijin.settings.base",
        PYTHONUNBUFFERED="1",
        TUIJIN_TRUSTED_PROXIES="127.0.0.1",
        # The demo district has 24 units: a lower threshold puts the city/province-scale unit picker on the page.
        TUIJIN_UNIT_PICKER_THRESHOLD="20",
        # The demo accounts sign in with the password alone; test_two_factor.py runs a server with the default
        # (the 三员 and the 项目办 must use a second factor).
        TUIJIN_2FA_REQUIRED_ROLES="",
    )
    return env


@pytest.fixture(scope="session")
def demo_var_dir(server_env, tmp_path_factory) -> Path:
    """A var directory (SQLite database, static files) migrated and loaded with the demo ONCE per test process;
    every server starts from a copy of it, so a fresh server costs a file copy instead of a demo load."""
    var_dir = tmp_path_factory.mktemp("tuijin-var-template")
    env = dict(server_env, TUIJIN_VAR_DIR=str(var_dir))
    manage = [sys.executable, str(REPO / "manage.py")]
    for args in (["migrate", "--no-input", "-v", "0"], ["collectstatic", "--no-input", "-v", "0"], ["load_demo"]):
        subprocess.run(manage + args, env=env, check=True, cwd=REPO, capture_output=True)
    return var_dir


@pytest.fixture(scope="session")
def live_url(server_env, demo_var_dir):
    yield from _serve(server_env, demo_var_dir)


@pytest.fixture(scope="module")
def fresh_live_url(server_env, demo_var_dir, tmp_path_factory):
    """A server of its own with a freshly loaded demo, for a test whose counts must not depend on what the other
    browser tests (sharing `live_url`) already filled in, approved or locked."""
    env = dict(server_env, TUIJIN_VAR_DIR=str(tmp_path_factory.mktemp("tuijin-var-fresh")))
    yield from _serve(env, demo_var_dir)


def _serve(server_env, template: Path):
    manage = [sys.executable, str(REPO / "manage.py")]
    shutil.copytree(template, server_env["TUIJIN_VAR_DIR"], dirs_exist_ok=True)
    port = _free_port()
    log = open(Path(server_env["TUIJIN_VAR_DIR"]) / "server.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        manage + ["runserver", "--nostatic", "--noreload", f"127.0.0.1:{port}"],
        env=server_env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.terminate()
        raise RuntimeError("Tuijin server did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make system-deps`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 860})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, live_url, username, password=DEMO_PASSWORD):
    page.goto(f"{live_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#tj-login-submit")
