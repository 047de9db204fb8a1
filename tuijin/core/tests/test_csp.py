"""Content-Security-Policy (security.md; docs/subsystems/authentication.md "Security headers"): every HTML page
carries a policy that allows scripts only from our own origin — no inline script, no eval — and the templates and
page scripts contain nothing that such a policy would block."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

TUIJIN = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [TUIJIN / "templates", *TUIJIN.glob("*/templates")]
PAGE_SCRIPTS = TUIJIN / "static" / "tuijin"


def policy(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']}: no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict(response) -> None:
    directives = policy(response)
    path = response.request["PATH_INFO"]
    for name in ("script-src", "default-src"):
        values = directives.get(name, [])
        assert "'self'" in values, (path, name, values)
        assert "'unsafe-inline'" not in values and "'unsafe-eval'" not in values, (path, name, values)
        assert all(v == "'self'" or v.startswith("'nonce-") for v in values), (path, name, values)
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert "'unsafe-eval'" not in directives["style-src"]


def _plain_urls(patterns, prefix=""):
    """The GET-able paths of the URL conf that take no arguments (every list page, dashboard and form)."""
    for pattern in patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if not re.search(r"[<(\\]", route):
                yield from _plain_urls(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern) and not re.search(r"[<(\\$^]", route):
            yield "/" + prefix + route


@pytest.mark.parametrize("who", ["office", "reporter_a", "ent_user_a"])
def test_every_html_page_carries_the_strict_policy(client, world, who):
    client.force_login(getattr(world, who))
    pages = 0
    for path in sorted(set(_plain_urls(get_resolver().url_patterns))):
        if path.startswith(("/accounts/logout", "/i18n/")):
            continue
        response = client.get(path)
        if response.get("Content-Type", "").startswith("text/html"):
            assert_strict(response)
            pages += response.status_code == 200
    assert pages >= 10, f"{who} saw only {pages} pages: the URL walk found too little to test"


def test_login_error_pages_admin_and_api_docs_carry_the_policy(client, world):
    assert_strict(client.get(reverse("users:login")))
    client.force_login(world.office)
    assert_strict(client.get("/no-such-page/"))  # 404
    assert_strict(client.get(reverse("org:orgunit", args=[world.foreign_unit.pk])))  # out of scope: 404
    swagger = client.get(reverse("swagger"))
    assert_strict(swagger)
    # Swagger UI's start-up script is a separate response, not inline (SpectacularSwaggerSplitView).
    assert re.search(rb"<script src=\"[^\"]+\?script=", swagger.content)
    redoc = client.get(reverse("redoc"))
    assert_strict(redoc)
    assert policy(redoc)["worker-src"] == ["'self'", "blob:"]  # Redoc's search worker, on that page only
    assert b"googleapis" not in redoc.content and b"<redoc spec-url=" in redoc.content
    assert "worker-src" not in policy(swagger)
    client.force_login(world.sysadmin)
    assert_strict(client.get(reverse("admin:index")))


def test_a_json_response_does_not_need_the_policy_but_is_not_broken_by_it(client, world):
    client.force_login(world.office)
    response = client.get("/api/org/units/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["results"]


# -- Static checks: what a strict script-src would block ---------------------------------------------------------

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
HANDLER_ATTR = re.compile(r"""\son[a-z]+\s*=\s*["'{]""", re.IGNORECASE)
EVAL_ATTRS = re.compile(
    r"""\b(?:data-)?hx-on[\w:-]*\s*=|\b(?:data-)?hx-vars\s*=|hx-vals\s*=\s*["']\s*(?:js|javascript):"""
    r"""|hx-trigger\s*=\s*"(?:[^"]*[\s,])?[\w.-]+\[|(?:href|src|action|formaction)\s*=\s*["']\s*javascript:""",
    re.IGNORECASE,
)


def _templates():
    for directory in TEMPLATE_DIRS:
        yield from sorted(directory.rglob("*.html"))


def _findings(text: str) -> list[str]:
    found = []
    for match in SCRIPT_TAG.finditer(text):
        attrs = match.group(1)
        if "src=" in attrs or 'type="application/json"' in attrs or "csp_nonce" in attrs:
            continue
        found.append(f"inline {match.group(0)}")
    found += [f"handler {m.group(0).strip()}" for m in HANDLER_ATTR.finditer(text)]
    found += [f"eval {m.group(0).strip()}" for m in EVAL_ATTRS.finditer(text)]
    return found


def test_the_scanner_finds_what_the_policy_blocks():
    """The checks below pass only because the templates are clean, not because the patterns miss things."""
    bad = [
        "<script>alert(1)</script>",
        '<script type="text/javascript">x()</script>',
        '<select onchange="this.form.submit()">',
        "<form onsubmit='return confirm(\"?\")'>",
        '<button hx-on:click="x()">',
        '<div hx-on::after-request="x()">',
        "<div hx-vals='js:{a: b()}'>",
        "<input hx-trigger=\"keyup[key=='Enter']\">",
        '<input hx-trigger="load, keyup[ctrlKey] from:body">',
        '<a href="javascript:void(0)">',
    ]
    for snippet in bad:
        assert _findings(snippet), snippet
    good = [
        '<script src="/static/x.js"></script>',
        '<script id="d" type="application/json">{}</script>',
        '<script nonce="{{ request.csp_nonce }}">x()</script>',
        '<select data-tj-autosubmit name="year">',
        '<form data-tj-confirm="确定？" class="online">',
        '<div hx-trigger="submit, change from:select, keyup changed delay:500ms from:input[type=search]">',
        "<div hx-vals='{\"a\": 1}'>",
    ]
    for snippet in good:
        assert not _findings(snippet), snippet


def test_no_template_has_inline_script_or_event_handler_attributes():
    problems = [
        f"{path.relative_to(TUIJIN)}: {finding}" for path in _templates() for finding in _findings(path.read_text())
    ]
    assert not problems, "blocked by the Content-Security-Policy:\n" + "\n".join(problems)


def test_python_code_does_not_build_event_handler_attributes():
    problems = []
    for path in sorted(TUIJIN.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text()
        problems += [f"{path.relative_to(TUIJIN)}: {m.group(0).strip()}" for m in HANDLER_ATTR.finditer(text)]
        problems += [f"{path.relative_to(TUIJIN)}: <script>" for m in re.finditer(r"<script>", text)]
    assert not problems, problems


def test_page_scripts_do_not_eval():
    scripts = sorted(PAGE_SCRIPTS.glob("*.js"))
    assert len(scripts) >= 5
    for path in scripts:
        code = path.read_text()
        assert not re.search(
            r"\beval\s*\(|new\s+Function\s*\(|\bFunction\s*\(|set(?:Timeout|Interval)\s*\(\s*[\"']", code
        ), path


def test_htmx_is_told_not_to_eval():
    base = (TUIJIN / "templates" / "base.html").read_text()
    config = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", base)
    assert config and '"allowEval":false' in config.group(1).replace(" ", "")
