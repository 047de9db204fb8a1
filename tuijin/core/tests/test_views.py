import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tuijin.utilities.testing.matrix import Case, ViewMatrix


class TestAuditEventList(ViewMatrix):
    url_name = "core:auditevent_list"
    detail = False
    scoped = False
    unscoped_reason = "audit events are not unit-scoped: the 审计管理员 reads the whole log"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.auditadmin, denied=world.sysadmin)


class TestObjectChangeList(ViewMatrix):
    url_name = "core:objectchange_list"
    detail = False
    scoped = False
    unscoped_reason = "the change history is not unit-scoped: the 审计管理员 reads all of it"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.auditadmin, denied=world.secadmin)


def test_home_shows_unit_role_and_attention(client, world):
    client.force_login(world.reporter_a)
    page = client.get("/").content.decode()
    assert "甲街道办事处" in page and "单位填报员" in page and "待我处理" in page


def test_navigation_follows_the_role(client, world):
    client.force_login(world.auditadmin)
    page = client.get("/").content.decode()
    assert reverse("core:auditevent_list") in page and reverse("org:orgunit_list") not in page
    client.force_login(world.reporter_a)
    page = client.get("/").content.decode()
    assert reverse("core:auditevent_list") not in page and reverse("org:orgunit_list") in page


def test_404_page_is_chinese_with_request_id(client, world):
    client.force_login(world.reporter_a)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and response["X-Request-ID"] in body


def test_403_page_is_chinese_with_request_id(client, world):
    client.force_login(world.norole)
    response = client.get(reverse("org:orgunit_list"))
    assert response.status_code == 403
    assert "没有访问权限" in response.content.decode() and response["X-Request-ID"] in response.content.decode()


@override_settings(DEBUG=False, DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_500_page_has_request_id_and_no_traceback(world, monkeypatch):
    from tuijin.core import views

    def boom(request):
        raise RuntimeError("secret internals SELECT * FROM users_user")

    monkeypatch.setattr(views, "attention_for", boom)
    client = Client(raise_request_exception=False)
    client.force_login(world.reporter_a)
    response = client.get("/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "系统繁忙" in body and response["X-Request-ID"] in body
    assert "Traceback" not in body and "SELECT" not in body and "secret internals" not in body


def test_authenticated_pages_are_not_cached(client, world):
    client.force_login(world.reporter_a)
    assert "no-store" in client.get("/").headers["Cache-Control"]


def test_english_is_switchable(client, world):
    client.force_login(world.reporter_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="en"' in page and "My units and roles" in page


def test_healthz(client, db):
    assert client.get("/healthz/").json() == {"status": "ok"}
