"""Reusable permission-matrix tests (NetBox `ViewTestCases` / security.md DB-AC-5).

Subclass `ViewMatrix` (pages), `ApiMatrix` (API reads), `PostMatrix` (POST-only pages) or `ApiPostMatrix` (API
workflow actions), set `url_name`, and provide a `matrix` fixture that returns a `Case`. Every subclass gets:

- anonymous → login redirect (pages) / 401 (API);
- no permission → 403;
- in scope → 200 with the object shown; for the POST matrices: the action really happened (`effect`);
- out of scope → 404 for a detail URL, or absent from a listing that does show the in-scope object; then a
  control: the same request as a user who reaches the object (`Case.viewer`, or the allowed user with row scoping
  switched off) does show it, or does perform the action. So the object is hidden by the scope and nothing else.

A matrix without an out-of-scope object fails, unless the class declares `scoped = False` with `unscoped_reason`
(a create form, a global calendar, a model that is not unit-scoped). `test_matrix_coverage.py` fails when a URL
has no subclass.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.forms import BaseForm, BaseFormSet
from django.urls import reverse

__all__ = [
    "REGISTERED_URL_NAMES",
    "ApiMatrix",
    "ApiPostMatrix",
    "Case",
    "PostMatrix",
    "ViewMatrix",
    "scope_lifted",
    "xlsx_text",
]

REGISTERED_URL_NAMES: set[str] = set()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_text(content: bytes) -> str:
    """Every non-empty cell of every sheet (hidden ones included), one per line."""
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c]
    book.close()
    return "\n".join(cells)


@dataclass
class Case:
    allowed: Any  # a user with the permission whose scope contains `in_scope`
    denied: Any  # an authenticated user without the permission
    in_scope: Any = None  # the object (detail) or an object that must be listed (list)
    out_of_scope: Any = None  # the object that must be 404 (detail) or missing from the list
    marker: Any = None  # callable(obj) -> text that identifies obj in the response
    viewer: Any = None  # a user who does reach `out_of_scope`: the control when the scope is not `restrict()`'s


@contextmanager
def scope_lifted() -> Iterator[None]:
    """Inside: every `restrict(user, action)` returns all rows the permission allows, in every unit and district.

    `RestrictedQuerySet.restrict` asks the scope filter registered in `tuijin.core.scoping`, and `scope_fingerprint`
    looks `scope_filter` up in `tuijin.org.scoping`: replacing both turns the row scope off everywhere while leaving
    the permission checks alone.
    """
    from tuijin.core import scoping as registry
    from tuijin.org import scoping

    original = scoping.scope_filter
    registered = registry._provider

    def unscoped(*args, **kwargs):
        condition = original(*args, **kwargs)
        return None if condition is None else True

    scoping.scope_filter = unscoped
    registry.register_scope_filter(unscoped)
    try:
        yield
    finally:
        scoping.scope_filter = original
        registry._provider = registered


def _error_messages(response) -> list[str]:
    """The error messages this request added (not those left over from an earlier one)."""
    storage = getattr(getattr(response, "wsgi_request", None), "_messages", None)
    added = getattr(storage, "_queued_messages", [])
    return [str(m) for m in added if m.level >= messages.ERROR]


def _form_errors(response) -> list[str]:
    context = getattr(response, "context", None)
    if not context:
        return []
    found: list[str] = []
    contexts = context if isinstance(context, list) else [context]  # a ContextList when several templates rendered
    values = [value for ctx in contexts for value in ctx.flatten().values()]
    for value in values:
        if isinstance(value, BaseForm) and value.is_bound and value.errors:
            found.append(str(value.errors.as_text()))
        elif isinstance(value, BaseFormSet) and value.is_bound and not value.is_valid():
            found.append(str(value.errors) + str(value.non_form_errors()))
    return found


class _Matrix:
    url_name: ClassVar[str] = ""
    detail: ClassVar[bool] = True
    # False: the view shows no object that another unit or district could own. Then say why in `unscoped_reason`.
    scoped: ClassVar[bool] = True
    unscoped_reason: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.url_name:
            REGISTERED_URL_NAMES.add(cls.url_name)
        if not cls.scoped and not cls.unscoped_reason.strip():
            raise TypeError(f"{cls.__name__}: scoped = False needs an unscoped_reason (why nothing is out of scope)")

    # --- how to ask --------------------------------------------------------------------------------------------

    def url_for(self, obj=None) -> str:
        return reverse(self.url_name, args=[obj.pk]) if self.detail else reverse(self.url_name)

    def marker_for(self, case: Case, obj) -> str:
        return str(case.marker(obj)) if case.marker else str(obj)

    def extra_headers(self) -> dict:
        return {}

    def fetch(self, client, matrix: Case, obj):
        """The request under test for `obj` (a list URL ignores it)."""
        return client.get(self.url_for(obj), **self.extra_headers())

    def text(self, response) -> str:
        """What the user gets to read: the page, or every cell of every sheet of an Excel download."""
        content = b"".join(response.streaming_content) if response.streaming else response.content
        if response.get("Content-Type", "").startswith(XLSX):
            return xlsx_text(content)
        return content.decode(errors="replace")

    # --- the matrix --------------------------------------------------------------------------------------------

    def test_no_permission_is_403(self, client, matrix):
        client.force_login(matrix.denied)
        assert self.fetch(client, matrix, matrix.in_scope).status_code == 403

    def test_in_scope_is_200(self, client, matrix):
        client.force_login(matrix.allowed)
        response = self.fetch(client, matrix, matrix.in_scope)
        assert response.status_code == 200
        if matrix.in_scope is not None:
            assert self.marker_for(matrix, matrix.in_scope) in self.text(response)

    def test_out_of_scope_is_hidden(self, client, matrix):
        if not self.scoped:
            assert matrix.out_of_scope is None, "scoped = False, yet the case names an out-of-scope object"
            pytest.skip(f"not scoped: {self.unscoped_reason}")
        assert matrix.in_scope is not None and matrix.out_of_scope is not None, (
            f"{type(self).__name__}: give the Case an in-scope object and an out-of-scope one (another unit or "
            "district), or declare `scoped = False` with an `unscoped_reason`"
        )
        client.force_login(matrix.allowed)
        self.assert_hidden(client, matrix)
        with self.reaching(client, matrix):
            self.assert_reached(client, matrix)

    @contextmanager
    def reaching(self, client, matrix: Case) -> Iterator[None]:
        """The control: as `matrix.viewer`, or as the allowed user with the row scope switched off."""
        if matrix.viewer is not None:
            client.force_login(matrix.viewer)
            yield
        else:
            with scope_lifted():
                yield

    def assert_hidden(self, client, matrix: Case) -> None:
        response = self.fetch(client, matrix, matrix.out_of_scope)
        if self.detail:
            assert response.status_code == 404
            return
        assert response.status_code == 200
        text = self.text(response)
        assert self.marker_for(matrix, matrix.in_scope) in text, "the listing must show the in-scope object"
        assert self.marker_for(matrix, matrix.out_of_scope) not in text

    def assert_reached(self, client, matrix: Case) -> None:
        response = self.fetch(client, matrix, matrix.out_of_scope)
        assert response.status_code == 200, "control: a user who reaches the out-of-scope object must get it"
        assert self.marker_for(matrix, matrix.out_of_scope) in self.text(response), (
            "control: the out-of-scope object must be shown to a user who reaches it, or its absence proves nothing"
        )


class ViewMatrix(_Matrix):
    def test_anonymous_redirects_to_login(self, client, matrix):
        response = self.fetch(client, matrix, matrix.in_scope)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("users:login"))


class ApiMatrix(_Matrix):
    def extra_headers(self) -> dict:
        return {"HTTP_ACCEPT": "application/json"}

    def test_anonymous_is_401(self, client, matrix):
        response = self.fetch(client, matrix, matrix.in_scope)
        assert response.status_code == 401


class _Action:
    """An action that changes data: each subclass says in `effect` how to see, in the database, that it happened.

    The in-scope test checks that the effect does not hold before the request and holds after it; the anonymous,
    403 and out-of-scope tests check that it still does not hold afterwards.
    """

    success_status: ClassVar[int] = 302

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(cls, "url_name", "") and cls.effect is _Action.effect:
            raise TypeError(f"{cls.__name__}: define effect(self, obj, matrix), the database check of the action")

    def data(self, obj, matrix: Case) -> dict:
        return {}

    def effect(self, obj, matrix: Case) -> None:
        """Assert, re-reading the database, that the action was done on `obj` (raise AssertionError if not)."""
        raise NotImplementedError(f"{type(self).__name__} must define effect(obj, matrix)")

    def holds(self, obj, matrix: Case) -> bool:
        try:
            self.effect(obj, matrix)
        except (AssertionError, ObjectDoesNotExist):
            return False
        return True

    def assert_succeeded(self, response) -> None:
        assert response.status_code == self.success_status, (response.status_code, response.content[:500])
        assert not _error_messages(response), f"the action was refused: {_error_messages(response)}"
        assert not _form_errors(response), f"a form was shown again with errors: {_form_errors(response)}"

    def test_in_scope_is_200(self, client, matrix):
        assert not self.holds(matrix.in_scope, matrix), "the effect holds before the request: it proves nothing"
        client.force_login(matrix.allowed)
        response = self.fetch(client, matrix, matrix.in_scope)  # type: ignore[attr-defined]
        self.assert_succeeded(response)
        self.effect(matrix.in_scope, matrix)

    def test_no_permission_is_403(self, client, matrix):
        client.force_login(matrix.denied)
        assert self.fetch(client, matrix, matrix.in_scope).status_code == 403  # type: ignore[attr-defined]
        assert not self.holds(matrix.in_scope, matrix)

    def assert_hidden(self, client, matrix: Case) -> None:
        response = self.fetch(client, matrix, matrix.out_of_scope)  # type: ignore[attr-defined]
        if self.detail:  # type: ignore[attr-defined]
            assert response.status_code == 404
        assert not self.holds(matrix.out_of_scope, matrix)

    def assert_reached(self, client, matrix: Case) -> None:
        response = self.fetch(client, matrix, matrix.out_of_scope)  # type: ignore[attr-defined]
        self.assert_succeeded(response)
        self.effect(matrix.out_of_scope, matrix)


class PostMatrix(_Action, ViewMatrix):
    """POST-only pages: anonymous → login, no permission → 403, GET → 405, in scope → redirect and the effect
    (no error message, no form shown again with errors), out of scope → 404 and no effect."""

    def fetch(self, client, matrix: Case, obj):
        return client.post(self.url_for(obj), self.data(obj, matrix))

    def test_anonymous_redirects_to_login(self, client, matrix):
        super().test_anonymous_redirects_to_login(client, matrix)
        assert not self.holds(matrix.in_scope, matrix)

    def test_get_is_405(self, client, matrix):
        client.force_login(matrix.allowed)
        assert client.get(self.url_for(matrix.in_scope)).status_code == 405
        assert not self.holds(matrix.in_scope, matrix)


class ApiPostMatrix(_Action, ApiMatrix):
    """API workflow actions: the same checks as `PostMatrix`, with a JSON body, 401 for anonymous and 200."""

    success_status = 200

    def fetch(self, client, matrix: Case, obj):
        return client.post(
            self.url_for(obj), self.data(obj, matrix), content_type="application/json", **self.extra_headers()
        )

    def test_anonymous_is_401(self, client, matrix):
        super().test_anonymous_is_401(client, matrix)
        assert not self.holds(matrix.in_scope, matrix)
