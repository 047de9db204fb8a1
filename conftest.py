from contextlib import contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS

from tuijin.utilities.testing.world import build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


LOCMEM_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tuijin-tests"}}


@pytest.fixture
def real_cache():
    """A working (per-process) cache instead of the test settings' DummyCache, emptied before and after."""
    from django.core.cache import cache
    from django.test import override_settings

    with override_settings(CACHES=LOCMEM_CACHE):
        cache.clear()
        yield cache
        cache.clear()


@pytest.fixture
def django_capture_on_commit_callbacks():
    """pytest-django's fixture, except that writes inside it start after-commit batches of their own
    (core.aftercommit): a test never commits, so a batch begun by an earlier write would otherwise absorb them."""
    from django.test import TestCase

    from tuijin.core.aftercommit import close_waiting

    @contextmanager
    def capture(*, using=DEFAULT_DB_ALIAS, execute=False):
        close_waiting(using)
        with TestCase.captureOnCommitCallbacks(using=using, execute=execute) as callbacks:
            yield callbacks

    return capture
