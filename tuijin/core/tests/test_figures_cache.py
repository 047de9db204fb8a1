"""The figures cache: hits, invalidation on commit, single-flight recomputation with marked stale figures."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from tuijin.core import figures_cache
from tuijin.core.figures_cache import cached_figures, figures_changed, figures_generation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_cache")]


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return {"n": self.calls}


def test_second_read_is_a_hit_until_a_change_commits(django_capture_on_commit_callbacks):
    compute = Counter()
    first = cached_figures(("t", 1), compute)
    second = cached_figures(("t", 1), compute)
    assert (first.value, second.value, compute.calls) == ({"n": 1}, {"n": 1}, 1)
    assert second.computed_at == first.computed_at and not second.stale
    assert cached_figures(("t", 2), compute).value == {"n": 2}  # another key (scope, month …) is its own entry

    with django_capture_on_commit_callbacks(execute=True):
        figures_changed()
    third = cached_figures(("t", 1), compute)
    assert third.value == {"n": 3} and not third.stale


def test_the_generation_changes_only_when_the_transaction_commits(django_capture_on_commit_callbacks):
    before = figures_generation()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        figures_changed()
    assert figures_generation() == before  # not yet committed: readers keep the current figures
    for callback in callbacks:
        callback()
    assert figures_generation() != before


def test_a_rolled_back_change_keeps_the_cache(django_capture_on_commit_callbacks):
    before = figures_generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            figures_changed()
            raise RuntimeError
    assert callbacks == [] and figures_generation() == before
    with django_capture_on_commit_callbacks(execute=True):
        figures_changed()
    assert figures_generation() != before


def test_a_lost_generation_makes_every_entry_stale():
    compute = Counter()
    cached_figures(("t", 1), compute)
    cache.delete(figures_cache.GENERATION_KEY)  # evicted or the cache restarted
    assert cached_figures(("t", 1), compute).value == {"n": 2}


def test_while_another_request_recomputes_the_previous_figures_are_served_marked_stale(
    django_capture_on_commit_callbacks,
):
    compute = Counter()
    cached_figures(("t", 1), compute)
    with django_capture_on_commit_callbacks(execute=True):
        figures_changed()
    key = figures_cache._key(("t", 1))
    assert cache.add(f"{key}:lock", 1)  # another worker is recomputing
    stale = cached_figures(("t", 1), compute)
    assert stale.stale and stale.value == {"n": 1} and compute.calls == 1

    cache.delete(f"{key}:lock")  # it finished (or gave up): the next request recomputes and takes the lock
    fresh = cached_figures(("t", 1), compute)
    assert not fresh.stale and fresh.value == {"n": 2}
    assert cache.get(f"{key}:lock") is None  # released


def test_stale_figures_older_than_the_limit_are_recomputed(django_capture_on_commit_callbacks, settings):
    settings.TUIJIN_FIGURES_MAX_STALE_SECONDS = 60
    compute = Counter()
    cached_figures(("t", 1), compute)
    key = figures_cache._key(("t", 1))
    entry = cache.get(key)
    cache.set(key, {**entry, "computed_at": timezone.now() - timedelta(seconds=61)})
    with django_capture_on_commit_callbacks(execute=True):
        figures_changed()
    cache.add(f"{key}:lock", 1)
    result = cached_figures(("t", 1), compute)
    assert not result.stale and result.value == {"n": 2}


def test_a_failed_computation_releases_the_lock():
    def boom():
        raise ValueError("broken")

    with pytest.raises(ValueError):
        cached_figures(("t", 1), boom)
    assert cache.get(f"{figures_cache._key(('t', 1))}:lock") is None
    assert cached_figures(("t", 1), Counter()).value == {"n": 1}


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("db", "django.core.cache.backends.db.DatabaseCache"),
        ("", "django.core.cache.backends.db.DatabaseCache"),
        ("locmem", "django.core.cache.backends.locmem.LocMemCache"),
        ("redis://127.0.0.1:6379/3", "django.core.cache.backends.redis.RedisCache"),
    ],
)
def test_cache_url(url, backend):
    from tuijin.settings.base import cache_config

    assert cache_config(url)["BACKEND"] == backend


def test_a_bad_cache_url_names_the_variable():
    from django.core.exceptions import ImproperlyConfigured

    from tuijin.settings.base import cache_config

    with pytest.raises(ImproperlyConfigured, match="TUIJIN_CACHE_URL"):
        cache_config("memcached://x")


def _round_trip(capture_on_commit):
    compute = Counter()
    first = cached_figures(("t", "backend"), compute)
    second = cached_figures(("t", "backend"), compute)
    assert first.value == second.value == {"n": 1} and compute.calls == 1
    with capture_on_commit(execute=True):
        figures_changed()
    assert cached_figures(("t", "backend"), compute).value == {"n": 2}


def test_database_cache_backend(django_capture_on_commit_callbacks):
    from django.core.management import call_command

    # The table is made inside the test's transaction (DDL is transactional on SQLite and PostgreSQL) and rolled back.
    config = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tuijin_cache_test"}
    with override_settings(CACHES={"default": config}):
        call_command("createcachetable", verbosity=0)
        _round_trip(django_capture_on_commit_callbacks)


def test_redis_cache_backend(django_capture_on_commit_callbacks):
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server on 127.0.0.1:6379")
    config = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "tuijin-test"}
    with override_settings(CACHES={"default": config}):
        cache.clear()
        try:
            _round_trip(django_capture_on_commit_callbacks)
        finally:
            cache.clear()


def test_figures_that_must_match_live_rows_are_never_stale(django_capture_on_commit_callbacks):
    compute = Counter()
    cached_figures(("t", 1), compute, allow_stale=False)
    with django_capture_on_commit_callbacks(execute=True):
        figures_changed()
    cache.add(f"{figures_cache._key(('t', 1))}:lock", 1)  # another request is recomputing
    result = cached_figures(("t", 1), compute, allow_stale=False)
    assert not result.stale and result.value == {"n": 2}


def test_deploy_check_warns_about_a_per_process_cache():
    from tuijin.core.checks import check_tuijin_deploy

    assert "tuijin.W002" in [p.id for p in check_tuijin_deploy(None)]
    db = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tuijin_cache"}}
    with override_settings(CACHES=db):
        assert "tuijin.W002" not in [p.id for p in check_tuijin_deploy(None)]
