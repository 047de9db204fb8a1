import pytest

from tuijin.utilities.testing.matrix import Case, ViewMatrix


class TestAccountList(ViewMatrix):
    url_name = "users:account_list"
    detail = False
    scoped = False
    unscoped_reason = "accounts are not unit-scoped: the 安全管理员 manages every account"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.secadmin, denied=world.office, in_scope=world.reporter_a, marker=lambda u: u.username)


class TestLockoutList(ViewMatrix):
    url_name = "users:lockout_list"
    detail = False
    scoped = False
    unscoped_reason = "lockouts are not unit-scoped: the 安全管理员 lifts any of them"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.secadmin, denied=world.sysadmin)


def test_account_page_matrix(client, world):
    from django.urls import reverse

    url = reverse("users:account", args=[world.reporter_a.pk])
    assert client.get(url).status_code == 302
    client.force_login(world.reporter_a)
    assert client.get(url).status_code == 403
    client.force_login(world.secadmin)
    page = client.get(url)
    assert page.status_code == 200 and "甲街道办事处" in page.content.decode() and "授予角色" in page.content.decode()
    client.force_login(world.sysadmin)
    page = client.get(url)
    assert page.status_code == 200 and "授予角色" not in page.content.decode()
    assert client.get(reverse("users:account", args=[99999])).status_code == 404
