"""Every URL that shows or changes data has a permission-matrix test (DB-AC-1: a new view cannot skip it)."""

import importlib
import pkgutil

from django.urls import URLPattern, URLResolver, get_resolver

import tuijin
from tuijin.utilities.testing.matrix import REGISTERED_URL_NAMES

# Views that are public, or that act on the current user only, or are covered by dedicated tests.
EXEMPT = {
    "core:home",  # the user's own home page (test_views)
    "core:healthz",
    "users:login",
    "users:logout",
    "users:password_change",  # test_auth / test_password_policy
    "users:two_factor",  # the user's own second factor (users/tests/test_two_factor)
    "users:two_factor_verify",
    "users:two_factor_enrol",
    "users:membership_revoke",
    "users:lockout_unlock",
    "users:account",  # POST actions: test_separation
    "users:account_list",
    "users:lockout_list",  # test_users_views
    "set_language",
    # the user's own notifications, no role permission; other users' are 404 (notifications/tests)
    "notifications:list",
    "notifications:open",
    "notifications:read",
    "notifications:read_all",
    "schema",
    "swagger",
    "redoc",  # authenticated-only API documentation
    "opendata:public_package",  # anonymous by the office's choice, 404 while closed (opendata/tests/test_views)
}
EXEMPT_PREFIXES = ("admin:",)  # the admin site: TuijinAdminSite.has_permission (test_separation)


def _names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _names(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def _import_all_tests():
    for module in pkgutil.walk_packages(tuijin.__path__, "tuijin."):
        if ".tests.test_" in module.name:
            importlib.import_module(module.name)


def test_every_url_has_a_permission_matrix():
    _import_all_tests()
    missing = []
    for name in set(_names(get_resolver().url_patterns)):
        if name in EXEMPT or name.startswith(EXEMPT_PREFIXES) or name.endswith("api-root"):
            continue
        if name.endswith(("-list", "-detail")) or ":" in name:
            if name not in REGISTERED_URL_NAMES:
                missing.append(name)
    assert not missing, f"URLs without a permission-matrix test: {sorted(missing)}"
