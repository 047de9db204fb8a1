"""Real-browser 数据公开 (issue 19, item 19): the 项目办 opens 数据公开 from the menu, ticks 建设规模及内容 and opens
the public URL, previews one project's JSON; then anyone, not signed in, downloads the OC4IDS package: every project
carries the registered prefix and its 24-character 项目代码, and the package validates against the vendored schema
when it is there."""

import json

import pytest

from tuijin.opendata import schema

from .conftest import login, shot

pytestmark = pytest.mark.browser


def test_office_publishes_and_anyone_downloads(page, live_url, browser):
    login(page, live_url, "xmb")
    page.goto(f"{live_url}/")
    page.get_by_role("link", name="数据公开").first.click()
    page.wait_for_url(f"{live_url}/opendata/")
    page.get_by_label("建设规模及内容").check()
    page.get_by_label("月度完成投资").check()
    page.get_by_label("开放公开下载地址（无需登录）").check()
    page.fill("#id_publisher_name", "红旗区发展和改革委员会")
    page.click("#tj-settings-save")
    page.wait_for_selector("text=数据公开设置已保存")
    shot(page, "opendata-settings")
    page.click("#tj-oc4ids-preview button[type=submit]")
    page.wait_for_selector("#tj-oc4ids-json")
    preview = json.loads(page.inner_text("#tj-oc4ids-json"))
    assert preview["id"].startswith("oc4ids-") and len(preview["id"].split("-", 2)[2]) == 24
    shot(page, "opendata-preview")

    anonymous = browser.new_context(locale="zh-CN").new_page()
    response = anonymous.request.get(f"{live_url}/opendata/public/oc4ids.json")
    assert response.status == 200
    assert response.headers["cache-control"] == "public, max-age=600"
    package = response.json()
    assert package["publisher"]["name"] == "红旗区发展和改革委员会"
    assert len(package["projects"]) > 10
    assert all(p["id"].startswith("oc4ids-") for p in package["projects"])
    assert any("metrics" in p for p in package["projects"])
    text = json.dumps(package, ensure_ascii=False)
    assert "telephone" not in text and "contactPoint" not in text
    if schema.schema_available():
        assert schema.package_errors(package) == []
    anonymous.context.close()
