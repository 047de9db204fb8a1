"""三员 separation of duties (security.md DB-AC-3)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tuijin.core.models import AuditEvent
from tuijin.org.choices import Role
from tuijin.org.models import Membership
from tuijin.org.services import membership_grant


def test_sysadmin_uses_the_admin_site_but_cannot_grant_roles_or_read_audit(client, world):
    client.force_login(world.sysadmin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/users/user/").status_code == 200
    assert client.get("/admin/org/membership/").status_code == 404  # not registered there at all
    assert client.get(reverse("core:auditevent_list")).status_code == 403
    assert client.get(reverse("core:objectchange_list")).status_code == 403
    account = reverse("users:account", args=[world.norole.pk])
    response = client.post(account, {"unit": world.unit_a.pk, "role": Role.UNIT_REPORTER})
    assert response.status_code == 403
    assert not Membership.objects.filter(user=world.norole).exists()


def test_secadmin_grants_and_revokes_roles_but_cannot_create_accounts(client, world):
    client.force_login(world.secadmin)
    assert client.get("/admin/").status_code == 302  # admin site: login page, not the index
    account = reverse("users:account", args=[world.norole.pk])
    response = client.post(account, {"unit": world.unit_a.pk, "role": Role.UNIT_REPORTER})
    assert response.status_code == 302
    membership = Membership.objects.get(user=world.norole)
    assert AuditEvent.objects.filter(event_type="role_grant", user_name="secadmin").count() == 1
    assert client.post(reverse("users:membership_revoke", args=[membership.pk])).status_code == 302
    assert not Membership.objects.filter(user=world.norole).exists()
    assert AuditEvent.objects.filter(event_type="role_revoke", user_name="secadmin").count() == 1
    assert client.get(reverse("core:auditevent_list")).status_code == 403


def test_auditadmin_reads_audit_and_nothing_else(client, world):
    client.force_login(world.auditadmin)
    assert client.get(reverse("core:auditevent_list")).status_code == 200
    assert client.get(reverse("core:objectchange_list")).status_code == 200
    assert client.post(reverse("core:auditevent_list")).status_code == 405
    assert client.get(reverse("org:orgunit_list")).status_code == 403
    assert client.get(reverse("users:account_list")).status_code == 403
    assert client.get("/admin/").status_code == 302
    assert AuditEvent.objects.filter(event_type="audit_view", user_name="auditadmin").count() == 2


def test_business_roles_reach_neither_admin_nor_audit(client, world):
    for user in (world.office, world.leader, world.reporter_a, world.ent_user_a):
        client.force_login(user)
        assert client.get(reverse("core:auditevent_list")).status_code == 403
        assert client.get("/admin/").status_code == 302
        assert client.get(reverse("users:account_list")).status_code == 403


@pytest.mark.parametrize(
    "first,second",
    [
        (Role.SYS_ADMIN, Role.AUDIT_ADMIN),
        (Role.AUDIT_ADMIN, Role.SYS_ADMIN),
        (Role.SEC_ADMIN, Role.SYS_ADMIN),
        (Role.SYS_ADMIN, Role.PROJECT_OFFICE),
        (Role.UNIT_REPORTER, Role.AUDIT_ADMIN),
    ],
)
def test_admin_roles_cannot_be_combined(world, first, second):
    membership_grant(actor=world.secadmin, user=world.norole, unit=world.gov, role=first)
    with pytest.raises(ValidationError):
        membership_grant(actor=world.secadmin, user=world.norole, unit=world.gov, role=second)


def test_secadmin_cannot_grant_to_self(world):
    with pytest.raises(ValidationError):
        membership_grant(actor=world.secadmin, user=world.secadmin, unit=world.gov, role=Role.SEC_ADMIN)


def test_grant_errors_show_in_chinese_on_the_page(client, world):
    client.force_login(world.secadmin)
    account = reverse("users:account", args=[world.sysadmin.pk])
    response = client.post(account, {"unit": world.gov.pk, "role": Role.AUDIT_ADMIN})
    assert response.status_code == 200
    assert "不能与其他角色授予同一账户" in response.content.decode()
