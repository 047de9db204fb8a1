"""The hooks through which the apps plug into core: the scope filter, the page frame's context, synthetic steps."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.utils import timezone
from django.utils.module_loading import import_string

from tuijin.core import context_processors, scoping
from tuijin.core import synthetic as core_synthetic
from tuijin.notifications.services import notify
from tuijin.org import scoping as org_scoping
from tuijin.projects.models import Project
from tuijin.utilities.testing.world import build_world

rf = RequestFactory()


def _request(user):
    request = rf.get("/")
    request.user = user
    return request


def test_the_org_app_provides_the_scope_filter():
    assert scoping._provider is org_scoping.scope_filter


def test_restrict_refuses_to_run_without_a_scope_filter(db, monkeypatch):
    monkeypatch.setattr(scoping, "_provider", None)
    with pytest.raises(ImproperlyConfigured):
        Project.objects.restrict(AnonymousUser(), "view")


def test_restrict_asks_the_registered_provider(db, monkeypatch):
    calls = []

    def provider(user, model, action, *, scope_model=None):
        calls.append((model, action, scope_model))  # and no permission (None)

    monkeypatch.setattr(scoping, "_provider", None)
    scoping.register_scope_filter(provider)
    assert not Project.objects.restrict(AnonymousUser(), "change").exists()
    assert calls == [(Project, "change", None)]


def test_anonymous_page_frame_has_the_defaults_only():
    context = context_processors.shell(_request(AnonymousUser()))
    assert context["nav_groups"] == []
    assert context["password_warning_days"] is None
    assert context["unread_notifications"] == 0
    assert "memberships" not in context


def test_signed_in_page_frame_has_every_app_contribution(db, settings):
    world = build_world()
    user = world.reporter_a
    notify(users=[user], title="测试通知")
    settings.TUIJIN_PASSWORD_MAX_AGE_DAYS = 90
    settings.TUIJIN_PASSWORD_WARN_DAYS = 14
    user.password_changed_at = timezone.now() - timedelta(days=80, hours=1)
    context = context_processors.shell(_request(user))
    assert [m.unit for m in context["memberships"]] == [world.unit_a]
    assert context["unread_notifications"] == 1
    assert context["password_warning_days"] == 9
    assert context["nav_groups"]


def test_a_provider_registers_once(monkeypatch):
    monkeypatch.setattr(context_processors, "_PROVIDERS", [])

    def provider(request, user):
        return {"x": 1}

    context_processors.register_shell_context(provider, defaults={"x": 0})
    context_processors.register_shell_context(provider, defaults={"x": 0})
    assert len(context_processors._PROVIDERS) == 1
    assert context_processors.shell(_request(AnonymousUser()))["x"] == 0


def test_synthetic_steps_are_app_steps():
    for dotted in core_synthetic.SYNTHETIC_STEPS:
        step = import_string(dotted)
        assert issubclass(step, core_synthetic.SyntheticStep)
        assert not dotted.startswith("tuijin.core.")


def test_latest_period_comes_from_the_step_that_owns_the_calendar(monkeypatch):
    assert core_synthetic.latest_period(today=date(2025, 3, 10)) == date(2025, 2, 1)
    assert core_synthetic.latest_period(2024, today=date(2025, 3, 10)) == date(2024, 12, 1)
    monkeypatch.setattr(core_synthetic, "SYNTHETIC_STEPS", ["tuijin.core.synthetic.SyntheticStep"])
    with pytest.raises(ImproperlyConfigured):
        core_synthetic.latest_period()
