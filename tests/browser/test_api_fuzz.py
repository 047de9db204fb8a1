"""Bounded, deterministic schemathesis run of the whole API against a demo server (issue #19, item 5).

The served schema (`/api/schema/`) is loaded from a server of its own on a fresh copy of the demo data, and every
operation in it (GET and the writes alike: the copy is thrown away) gets `TUIJIN_FUZZ_EXAMPLES` generated cases
(default 12: about 2,000 cases in all), valid and invalid ones, as the 项目办 account `xmb` with an API token. Every
response must pass:

- `not_a_server_error`: no 5xx;
- `status_code_conformance`: the status is documented for the operation (the error statuses are documented for
  every operation by `tuijin.api.schema.error_responses`);
- `response_schema_conformance`: the body matches the documented schema (types, nullability, enums);
- `content_type_conformance`: the content type is the documented one.

Generation is seeded per operation from `TUIJIN_FUZZ_SEED` (default 2026) and the operation's label, with no
Hypothesis database and no shrinking, so a run is repeatable and bounded. Half of the cases of an operation with an
`{id}` in its path use an id of a real, in-scope object (read from the operation's list), so that the detail, edit
and workflow serializers are reached, not only the 404. All failures are collected and reported together, each with
a curl command to reproduce it against a demo server; the server's log (tracebacks) is printed on failure.

Run it alone: `.venv/bin/pytest tests/browser/test_api_fuzz.py -n 0`.
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
import zlib
from pathlib import Path

import pytest

from tests.browser.conftest import REPO, _serve

pytestmark = pytest.mark.browser

EXAMPLES = int(os.environ.get("TUIJIN_FUZZ_EXAMPLES", "12"))
SEED = int(os.environ.get("TUIJIN_FUZZ_SEED", "2026"))
FUZZ_USER = "xmb"


@pytest.fixture(scope="module")
def fuzz_server(request, tmp_path_factory):
    """A server on its own copy of the demo, and an API token for the project office. `TUIJIN_FUZZ_URL` and
    `TUIJIN_FUZZ_TOKEN` point the run at a server already running instead (to reproduce or iterate quickly; its
    data gets written to)."""
    if os.environ.get("TUIJIN_FUZZ_URL"):
        log = Path(os.environ.get("TUIJIN_FUZZ_LOG", os.devnull))
        yield os.environ["TUIJIN_FUZZ_URL"], {"Authorization": f"Token {os.environ['TUIJIN_FUZZ_TOKEN']}"}, log
        return
    server_env = request.getfixturevalue("server_env")
    demo_var_dir = request.getfixturevalue("demo_var_dir")
    var_dir = tmp_path_factory.mktemp("tuijin-var-fuzz")
    env = dict(server_env, TUIJIN_VAR_DIR=str(var_dir))
    server = _serve(env, demo_var_dir)
    url = next(server)
    created = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "create_api_token", FUZZ_USER, "--name", "schemathesis"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    token = created.stdout.strip().splitlines()[-1]
    yield url, {"Authorization": f"Token {token}"}, var_dir / "server.log"
    server.close()


def _get_json(url: str, headers: dict) -> dict:
    request = urllib.request.Request(url, headers={**headers, "Accept": "application/json"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return json.loads(response.read())


def _known_ids(url: str, headers: dict, path: str, cache: dict) -> list[int]:
    """Ids of real objects for a `/…/{id}/…` path, read from its collection (first page), cached per collection."""
    collection = path.split("{id}")[0]
    if collection not in cache:
        try:
            data = _get_json(url + collection, headers)
        except OSError:
            data = {}
        rows = data.get("results", data) if isinstance(data, dict) else data
        cache[collection] = [row["id"] for row in rows if isinstance(row, dict) and isinstance(row.get("id"), int)][:20]
    return cache[collection]


def test_api_schemathesis(fuzz_server):
    import hypothesis
    import schemathesis
    from hypothesis import strategies as st
    from schemathesis import GenerationMode
    from schemathesis.core.failures import FailureGroup

    url, headers, server_log = fuzz_server
    raw = _get_json(f"{url}/api/schema/?format=json", headers)
    config = schemathesis.config.SchemathesisConfig.from_dict({"base-url": url, "seed": SEED})
    schema = schemathesis.openapi.from_dict(raw, config=config)
    checks = [
        schemathesis.checks.not_a_server_error,
        schemathesis.checks.status_code_conformance,
        schemathesis.checks.response_schema_conformance,
        schemathesis.checks.content_type_conformance,
    ]
    ids_cache: dict = {}
    failures: list[str] = []
    total = 0
    operations = 0
    started = time.monotonic()

    def operation_test(operation, strategies, known):
        seen: set[str] = set()
        counter = {"n": 0}

        @hypothesis.seed(SEED ^ zlib.crc32(operation.label.encode()))
        @hypothesis.settings(
            max_examples=EXAMPLES,
            database=None,
            deadline=None,
            derandomize=False,
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            suppress_health_check=list(hypothesis.HealthCheck),
            verbosity=hypothesis.Verbosity.quiet,
        )
        @hypothesis.given(case=st.one_of(*strategies))
        def run(case):
            counter["n"] += 1
            if known and counter["n"] % 2 == 0:
                case.path_parameters = {**(case.path_parameters or {}), "id": known[counter["n"] // 2 % len(known)]}
            response = case.call(headers=headers, timeout=60)
            try:
                case.validate_response(response, checks=checks)
            except (FailureGroup, AssertionError) as exc:
                signature = re.sub(r"\d+", "N", f"{type(exc).__name__} {str(exc)[:200]}")[:160]
                if signature not in seen:
                    seen.add(signature)
                    curl = case.as_curl_command(headers={"Authorization": "Token <key>"})
                    failures.append(f"{operation.label} → {response.status_code}\n{exc}\nreproduce: {curl}")

        run()
        return counter["n"]

    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        strategies = [operation.as_strategy(generation_mode=GenerationMode.POSITIVE)]
        try:
            strategies.append(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
        except Exception:  # noqa: BLE001, S110 - an operation with nothing to break has no negative cases
            pass
        known = _known_ids(url, headers, operation.path, ids_cache) if "{id}" in operation.path else []
        total += operation_test(operation, strategies, known)

    elapsed = time.monotonic() - started
    print(f"schemathesis: {operations} operations, {total} cases in {elapsed:.0f}s, {len(failures)} failures")
    assert operations > 100
    assert total >= operations * min(EXAMPLES, 5)
    if failures:
        log = Path(server_log).read_text(errors="replace")
        tracebacks = "\n".join(block for block in log.split("\n\n") if "Traceback" in block)[-8000:]
        pytest.fail(
            f"{len(failures)} API failure(s) in {total} cases:\n\n" + "\n\n".join(failures) + "\n\n" + tracebacks
        )
