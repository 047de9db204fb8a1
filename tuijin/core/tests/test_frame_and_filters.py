"""The page frame (favicon, "欢迎，<name>", full unit names, print and phone styles) and the filters' "全部"."""

import re

import django_filters
import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tuijin.core.filtersets import AuditEventFilterSet, FilterSet
from tuijin.core.models import AuditEvent
from tuijin.core.templatetags.tuijin import select_options

pytestmark = pytest.mark.django_db


def _options(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', html)


class _Yes(FilterSet):
    flag = django_filters.BooleanFilter(field_name="outcome")
    kind = django_filters.ModelChoiceFilter(field_name="user", queryset=AuditEvent.objects.none())

    class Meta:
        model = AuditEvent
        fields = ["flag", "kind"]


def test_core_filtersets_offer_quanbu_for_no_filter():
    form = AuditEventFilterSet(None, queryset=AuditEvent.objects.all()).form
    assert form.fields["event_type"].choices[0] == ("", "全部")
    assert form.fields["outcome"].choices[0] == ("", "全部")
    form = _Yes(None, queryset=AuditEvent.objects.all()).form
    assert form.fields["kind"].empty_label == "全部"
    assert list(form.fields["flag"].widget.choices) == [("", "全部"), ("true", "是"), ("false", "否")]


def test_select_options_relabels_the_blank_option_only_when_asked():
    form = AuditEventFilterSet(None, queryset=AuditEvent.objects.all()).form
    form.fields["event_type"].widget.choices = [("", "---------"), ("login", "登录")]
    bound = form["event_type"]
    assert _options(select_options(bound))[0] == ("", "---------")
    assert _options(select_options(bound, blank="全部"))[0] == ("", "全部")


def test_list_pages_never_show_dashes_for_an_empty_choice(client, world):
    # OrgUnitFilterSet derives from django-filter's own FilterSet: the generic list page still says 全部
    client.force_login(world.office)
    html = client.get(reverse("org:orgunit_list")).content.decode()
    assert "---------" not in html
    assert ("", "全部") in _options(html)
    client.force_login(world.auditadmin)
    html = client.get(reverse("core:auditevent_list")).content.decode()
    assert "---------" not in html and 'class="tj-card tj-filters' in html


def test_frame_greets_by_name_links_the_favicon_and_names_units_in_full(client, world):
    world.reporter_a.display_name = ""
    world.reporter_a.save(update_fields=["display_name"])
    client.force_login(world.reporter_a)
    html = client.get(reverse("core:home")).content.decode()
    assert "欢迎，" in html
    assert re.search(r'id="tj-user-name">reporter_a<', html)  # the username as typed, not upper-cased
    assert re.search(r'<link rel="icon" href="[^"]*favicon[^"]*\.svg" type="image/svg\+xml">', html)
    assert f"{world.unit_a.name} · " in html  # the membership line: 甲街道办事处, not a short name
    assert finders.find("tuijin/favicon.svg") is not None


def test_styles_have_phone_cards_and_a_print_sheet():
    css = open(finders.find("tuijin/tuijin.css"), encoding="utf-8").read()
    assert "@media print" in css and ".tj-sidebar" in css.split("@media print", 1)[1]
    assert ".tj-cards-sm" in css
    js = open(finders.find("tuijin/tuijin.js"), encoding="utf-8").read()
    assert "data-label" in js
