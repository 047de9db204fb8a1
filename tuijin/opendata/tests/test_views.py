"""The 数据公开 pages: ticking public fields (with Chinese labels, refusals kept on the form), the audited download,
the preview, and the anonymous public package (closed unless the office opens it; cached)."""

import json

import pytest
from django.urls import reverse

from tuijin.core.choices import AuditEventType
from tuijin.core.models import AuditEvent
from tuijin.opendata.models import PublicationSettings

from .helpers import portfolio

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(world):
    return portfolio(world)


def post_settings(client, **data):
    row = PublicationSettings.current()
    body = {"version": row.version if row.pk else 0, "publisher_name": "测试区发改委", **data}
    return client.post(reverse("opendata:settings"), body)


def test_settings_page_lists_fields_in_chinese(client, world, projects):
    client.force_login(world.office)
    page = client.get(reverse("opendata:settings")).content.decode()
    for label in ("建设规模及内容", "总投资", "月度完成投资", "累计完成投资", "责任单位", "开放公开下载地址"):
        assert label in page
    assert "可导出" in page and projects["road"].code in page


def test_ticking_fields_changes_the_download(client, world, projects):
    client.force_login(world.office)
    response = post_settings(client, public_fields=["status", "description"])
    assert response.status_code == 302
    assert PublicationSettings.current().public_fields == ["description", "status"]
    download = client.get(reverse("opendata:package"))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="oc4ids-')
    package = json.loads(download.content)
    road = next(p for p in package["projects"] if p["title"] == "甲街道快速路改造工程")
    assert set(road) == {"id", "title", "updated", "status", "description"}
    assert "邻区产业园项目" not in download.content.decode()


def test_unknown_field_is_refused_and_input_kept(client, world):
    client.force_login(world.office)
    response = post_settings(client, public_fields=["status", "phone"], publisher_name="我填写的发布单位")
    assert response.status_code == 400
    page = response.content.decode()
    assert "未知的公开字段" in page and "我填写的发布单位" in page
    assert PublicationSettings.current().pk is None


def test_download_is_audited(client, world, projects):
    client.force_login(world.office)
    client.get(reverse("opendata:package"))
    event = AuditEvent.objects.filter(event_type=AuditEventType.EXPORT).latest("pk")
    assert event.user == world.office
    assert event.detail["what"] == "oc4ids" and event.detail["projects"] == 2


def test_api_export_is_audited(client, world, projects):
    client.force_login(world.office)
    response = client.get(reverse("opendata-api:package"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["version"] == "0.9"
    event = AuditEvent.objects.filter(event_type=AuditEventType.EXPORT).latest("pk")
    assert event.detail["channel"] == "api"


def test_preview_of_a_project_without_code(client, world, projects):
    client.force_login(world.office)
    response = client.get(reverse("opendata:preview", args=[projects["uncoded"].pk]))
    assert response.status_code == 200
    assert "还没有项目代码" in response.content.decode()


def test_preview_shows_the_public_json(client, world, projects):
    client.force_login(world.office)
    post_settings(client, public_fields=["budget"])
    response = client.get(reverse("opendata:settings"), {"preview": projects["road"].pk})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "123456700" in page and "改造道路" not in page


def test_public_package_is_closed_by_default(client, projects):
    assert client.get(reverse("opendata:public_package")).status_code == 404


def test_public_package_when_opened(client, world, projects, real_cache):
    client.force_login(world.office)
    post_settings(client, public_fields=["status", "budget"], public_feed="on")
    client.logout()
    response = client.get(reverse("opendata:public_package"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=600"
    package = json.loads(response.content)
    titles = {p["title"] for p in package["projects"]}
    assert {"甲街道快速路改造工程", "乙街道第二小学"} <= titles and "甲街道未赋码项目" not in titles
    assert package["uri"].endswith("/opendata/public/oc4ids.json")
    assert "改造道路" not in response.content.decode()
    # served from the cache until the settings change
    client.force_login(world.office)
    post_settings(client, public_fields=["status", "budget", "description"], public_feed="on")
    client.logout()
    assert "改造道路" in client.get(reverse("opendata:public_package")).content.decode()


def test_settings_navigation_entry(client, world):
    client.force_login(world.office)
    assert reverse("opendata:settings") in client.get(reverse("core:home")).content.decode()
    client.force_login(world.reporter_a)
    assert reverse("opendata:settings") not in client.get(reverse("core:home")).content.decode()
