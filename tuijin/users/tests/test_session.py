"""Idle timeout and absolute session lifetime (DB-ID-6)."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from tuijin.core.models import AuditEvent
from tuijin.utilities.testing.world import TEST_PASSWORD


def login(client, username):
    response = client.post("/accounts/login/", {"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_idle_30_minutes_logs_out(client, world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, "reporter_a")
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=58), tick=False):
        assert client.get("/").status_code == 200  # activity at +29 kept it alive
    with time_machine.travel(start + timedelta(minutes=89), tick=False):
        response = client.get("/")
        assert response.status_code == 302 and "/accounts/login/" in response.url
    assert AuditEvent.objects.filter(event_type="session_timeout", user_name="reporter_a").count() == 1


def test_admin_roles_time_out_after_15_minutes(client, world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, "auditadmin")
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert client.get("/").status_code == 302


def test_api_gets_401_after_idle_timeout(client, world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login(client, "office")
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        assert client.get("/api/org/units/").status_code == 401


def test_absolute_lifetime_of_12_hours(client, world):
    start = timezone.now()
    for minutes in range(0, 12 * 60, 25):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            if minutes == 0:
                login(client, "reporter_a")
            assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(hours=12, minutes=5), tick=False):
        assert client.get("/").status_code == 302
