"""Phone (390 px) and print: the reporter's list and the enterprise's tickets are cards whose every line, the status
included, lies within the screen width; the dashboard prints without menus, buttons or filters."""

import re

import pytest

from .conftest import login, shot

pytestmark = pytest.mark.browser

WIDTH = 390


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": WIDTH, "height": 844}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _signed_in(page, live_url, username):
    login(page, live_url, username)
    page.wait_for_url(f"{live_url}/")


def _within_screen(page, locator) -> None:
    box = locator.bounding_box()
    assert box is not None, "not rendered"
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH + 0.5, f"off-screen: {box}"


def test_reporter_list_is_cards_with_status_on_screen(phone, live_url):
    _signed_in(phone, live_url, "xijie")
    phone.goto(f"{live_url}/progress/my/")
    cards = phone.locator("#tj-my-reports tr.tj-my-report")
    assert cards.count() >= 3
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert not phone.locator("#tj-my-reports thead").is_visible()  # cards, not a table
    for i in range(cards.count()):
        card = cards.nth(i)
        _within_screen(phone, card)
        status = card.locator(".tj-my-report-status .badge").first
        assert status.is_visible()
        _within_screen(phone, status)
        assert card.locator("td.tj-card-head a").inner_text().strip()  # the project name heads the card
    # the name is not squeezed into a narrow column: it spans most of the card
    first = cards.first.locator("td.tj-card-head").bounding_box()
    assert first is not None and first["width"] > WIDTH * 0.7
    shot(phone, "phone-xijie-my-reports")


def test_enterprise_tickets_are_cards_with_status_on_screen(phone, live_url):
    _signed_in(phone, live_url, "qiye")
    phone.goto(f"{live_url}/tickets/")
    rows = phone.locator("#tj-ticket-table tbody tr[data-ticket]")
    assert rows.count() >= 3
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTH
    for i in range(rows.count()):
        row = rows.nth(i)
        _within_screen(phone, row)
        status = (
            row.locator("td .badge").filter(has_text=re.compile("待受理|已交办|办理中|已办结|已销号|无法解决")).first
        )
        assert status.is_visible()
        _within_screen(phone, status)
    # every line is labelled with its column (tuijin.js copies the header)
    assert rows.first.locator("td").nth(6).get_attribute("data-label") == "状态"
    shot(phone, "phone-qiye-tickets")


def test_office_pages_fit_a_phone(phone, live_url):
    """The 驾驶舱 (its escalated-tickets table) and the funding windows: each batch and each escalated ticket is a
    labelled card within the screen, and the page never scrolls sideways."""
    _signed_in(phone, live_url, "xmb")
    for language in ("zh-hans", "en"):  # English headers are the wider ones
        phone.context.add_cookies([{"name": "django_language", "value": language, "url": live_url}])
        phone.goto(f"{live_url}/progress/dashboard/")
        phone.wait_for_load_state("networkidle")
        assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTH, language
        escalated = phone.locator("tr.table-danger:has(.badge), tr.table-warning:has(.badge)")
        for i in range(escalated.count()):
            _within_screen(phone, escalated.nth(i))
        shot(phone, f"phone-xmb-dashboard-{language}")
    phone.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_url}])
    phone.goto(f"{live_url}/funds/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= WIDTH
    batches = phone.locator("#tj-batches-open tr[data-batch]")
    assert batches.count() >= 1 and not phone.locator("#tj-batches-open thead").is_visible()
    for i in range(batches.count()):
        _within_screen(phone, batches.nth(i))
        _within_screen(phone, batches.nth(i).locator("td a").first)
    assert batches.first.locator("td").nth(3).get_attribute("data-label") == "申报截止"
    shot(phone, "phone-xmb-funds")


def test_dashboard_prints_content_only(page, live_url):
    login(page, live_url, "xmb")
    page.wait_for_url(f"{live_url}/")
    page.goto(f"{live_url}/progress/dashboard/")
    page.emulate_media(media="print")
    for selector in (".tj-topbar", "#tj-sidebar", "#tj-dashboard-period", "footer"):
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator("#tj-tiles").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    shot(page, "print-xmb-dashboard")
