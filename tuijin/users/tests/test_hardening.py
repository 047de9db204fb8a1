"""Regression tests for the hardening review: schema access, tokens, lockout counting, admin resets, superusers."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from tuijin.core.models import AuditEvent
from tuijin.users.models import Lockout, User
from tuijin.utilities.testing.world import TEST_PASSWORD, make_user


def attempt(client, username, password, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_api_schema_needs_login(client, db):
    assert client.get("/api/schema/").status_code in (401, 403)
    assert client.get("/api/schema/swagger/").status_code in (401, 403)


def test_token_refused_while_password_change_is_due(client, world):
    from tuijin.api.authentication import api_token_create

    key, _ = api_token_create(user=world.reporter_a, name="t")
    assert AuditEvent.objects.filter(detail__action="api_token_create").exists()
    assert client.get("/api/org/units/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    User.objects.filter(pk=world.reporter_a.pk).update(must_change_password=True)
    assert client.get("/api/org/units/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


@override_settings(TUIJIN_LOCKOUT_IP_FAILURES=5)
def test_a_valid_login_does_not_reset_the_address_counter(client, db):
    make_user("valid")
    for name in ["a1", "a2", "a3", "a4"]:
        attempt(client, name, "wrong", ip="10.7.7.7")
    assert attempt(client, "valid", TEST_PASSWORD, ip="10.7.7.7").status_code == 302
    client.logout()
    attempt(client, "a5", "wrong", ip="10.7.7.7")
    assert Lockout.objects.filter(kind="ip", key="10.7.7.7").exists()


def test_attempts_refused_during_a_lock_do_not_count_towards_the_next(client, db):
    make_user("carol")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            attempt(client, "carol", "wrong", ip="10.1.1.1")
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        for _ in range(3):
            attempt(client, "carol", "wrong", ip="10.1.1.2")  # refused: locked
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        attempt(client, "carol", "wrong", ip="10.1.1.3")
        assert Lockout.objects.filter(kind="username", key="carol").count() == 1
        assert attempt(client, "carol", TEST_PASSWORD, ip="10.1.1.4").status_code == 302


def test_sysadmin_cannot_reset_passwords_in_the_admin_site(client, world):
    """三员分离: a reset is the 安全管理员's (account page), so the admin site's password form is refused."""
    client.force_login(world.sysadmin)
    url = f"/admin/users/user/{world.reporter_a.pk}/password/"
    assert client.get(url).status_code == 403
    response = client.post(
        url, {"password1": "Reset-Pass-2026", "password2": "Reset-Pass-2026", "usable_password": "true"}
    )
    assert response.status_code == 403
    world.reporter_a.refresh_from_db()
    assert world.reporter_a.check_password(TEST_PASSWORD)
    assert not AuditEvent.objects.filter(event_type="password_reset").exists()
    page = client.get(f"/admin/users/user/{world.reporter_a.pk}/change/").content.decode()
    assert "../password/" not in page


def test_admin_login_page_goes_to_the_platform_login(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_sysadmin_cannot_set_account_person_but_secadmin_can(client, world):
    client.force_login(world.sysadmin)
    page = client.get(f"/admin/users/user/{world.norole.pk}/change/").content.decode()
    assert 'name="person"' not in page
    client.force_login(world.secadmin)
    response = client.post(f"/accounts/users/{world.norole.pk}/", {"person": world.leader_person.pk})
    assert response.status_code == 302
    world.norole.refresh_from_db()
    assert world.norole.person_id == world.leader_person.pk


def test_createsuperuser_is_disabled(db):
    with pytest.raises(CommandError):
        call_command("createsuperuser", "--noinput", "--username", "root")
    assert not User.objects.filter(is_superuser=True).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE guard is PostgreSQL-only")
def test_truncate_of_audit_tables_is_refused(world):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE core_auditevent")


def test_api_denials_are_audited(client, world):
    client.force_login(world.auditadmin)
    assert client.get("/api/org/units/").status_code == 403
    assert AuditEvent.objects.filter(event_type="access_denied", user_name="auditadmin", detail__api=True).exists()
