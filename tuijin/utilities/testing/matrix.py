"""Reusable permission-matrix tests (NetBox `ViewTestCases` / security.md DB-AC-5).

Subclass `ViewMatrix` (pages) or `ApiMatrix` (API endpoints), set `url_name`, and provide a `matrix` fixture that
returns a `Case`. Every subclass gets four tests:
anonymous → login redirect (pages) / 401 (API); no permission → 403; in scope → 200; out of scope → 404 for a
detail URL, or absent from the listing for a list URL. `test_matrix_coverage.py` fails when a URL has no subclass.
"""

from dataclasses import dataclass
from typing import Any, ClassVar

from django.urls import reverse

__all__ = ["REGISTERED_URL_NAMES", "ApiMatrix", "Case", "PostMatrix", "ViewMatrix"]

REGISTERED_URL_NAMES: set[str] = set()


@dataclass
class Case:
    allowed: Any  # a user with the permission whose scope contains `in_scope`
    denied: Any  # an authenticated user without the permission
    in_scope: Any = None  # the object (detail) or an object that must be listed (list)
    out_of_scope: Any = None  # the object that must be 404 (detail) or missing from the list
    marker: Any = None  # list views: callable(obj) -> text that identifies obj in the response


class _Matrix:
    url_name: ClassVar[str] = ""
    detail: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.url_name:
            REGISTERED_URL_NAMES.add(cls.url_name)

    def url_for(self, obj=None) -> str:
        return reverse(self.url_name, args=[obj.pk]) if self.detail else reverse(self.url_name)

    def marker_for(self, case: Case, obj) -> str:
        return case.marker(obj) if case.marker else str(obj)

    def test_no_permission_is_403(self, client, matrix):
        client.force_login(matrix.denied)
        response = client.get(self.url_for(matrix.in_scope), **self.extra_headers())
        assert response.status_code == 403

    def test_in_scope_is_200(self, client, matrix):
        client.force_login(matrix.allowed)
        response = client.get(self.url_for(matrix.in_scope), **self.extra_headers())
        assert response.status_code == 200
        if matrix.in_scope is not None:
            assert self.marker_for(matrix, matrix.in_scope) in response.content.decode()

    def test_out_of_scope_is_hidden(self, client, matrix):
        if matrix.out_of_scope is None:
            return
        client.force_login(matrix.allowed)
        if self.detail:
            response = client.get(self.url_for(matrix.out_of_scope), **self.extra_headers())
            assert response.status_code == 404
        else:
            response = client.get(self.url_for(), **self.extra_headers())
            assert response.status_code == 200
            assert self.marker_for(matrix, matrix.out_of_scope) not in response.content.decode()

    def extra_headers(self) -> dict:
        return {}


class ViewMatrix(_Matrix):
    def test_anonymous_redirects_to_login(self, client, matrix):
        response = client.get(self.url_for(matrix.in_scope))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("users:login"))


class ApiMatrix(_Matrix):
    def extra_headers(self) -> dict:
        return {"HTTP_ACCEPT": "application/json"}

    def test_anonymous_is_401(self, client, matrix):
        response = client.get(self.url_for(matrix.in_scope), **self.extra_headers())
        assert response.status_code == 401


class PostMatrix(ViewMatrix):
    """POST-only actions: the four cases checked with POSTs (redirect on success, 403, 404 out of scope)."""

    def data(self, matrix) -> dict:
        return {}

    def test_anonymous_redirects_to_login(self, client, matrix):
        response = client.post(self.url_for(matrix.in_scope), self.data(matrix))
        assert response.status_code == 302 and reverse("users:login") in response["Location"]

    def test_no_permission_is_403(self, client, matrix):
        client.force_login(matrix.denied)
        assert client.post(self.url_for(matrix.in_scope), self.data(matrix)).status_code == 403

    def test_in_scope_is_200(self, client, matrix):
        client.force_login(matrix.allowed)
        assert client.post(self.url_for(matrix.in_scope), self.data(matrix)).status_code in (200, 302)

    def test_out_of_scope_is_hidden(self, client, matrix):
        if matrix.out_of_scope is not None:
            client.force_login(matrix.allowed)
            assert client.post(self.url_for(matrix.out_of_scope), self.data(matrix)).status_code == 404
