import pytest

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
