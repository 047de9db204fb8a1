"""Test settings: only what makes tests faster or isolated. TUIJIN_TEST_DATABASE_URL selects PostgreSQL."""

import os

from .base import *  # noqa: F403
from .base import database_config

_test_url = os.environ.get("TUIJIN_TEST_DATABASE_URL", "").strip()
DATABASES = {"default": database_config(_test_url or "sqlite://:memory:")}
if _test_url:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Argon2 stays the default hasher in production; tests hash with MD5 only for speed
# (tests/test_auth asserts the production hasher separately).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", "django.contrib.auth.hashers.Argon2PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# No cache in tests: every dashboard is computed (the tests of tuijin.core.figures_cache switch a real one on).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# Two-factor enforcement by role is off so that force_login() sessions of the 三员 and the 项目办 work; the two-factor
# tests switch it on (override_settings) and the browser test runs a server with the default.
TUIJIN_2FA_REQUIRED_ROLES = []
