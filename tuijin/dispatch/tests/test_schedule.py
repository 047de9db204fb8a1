"""序时进度 set by the district (issue 12, item 7): the schedule per region and year (default month ÷ 12), its page
(validation, history, permission), and its use by the dashboard, the notice, the lights and the forecast; the
wording by region level (全区/全县/全市) and style ("1—4月" / "元—4月")."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tuijin.core.models import ObjectChange
from tuijin.dispatch import notice, selectors
from tuijin.dispatch.models import NoticeStyle, ProgressSchedule, SpanStyle
from tuijin.dispatch.notice_services import schedule_set, schedule_validate
from tuijin.dispatch.schedule import LINEAR, home_region, place_word, schedule_for_region, span_label
from tuijin.dispatch.warnings import evaluate_period
from tuijin.org.choices import RegionLevel
from tuijin.org.models import Region
from tuijin.progress.models import ProgressReport, WarningLight
from tuijin.projects.models import AnnualPlan
from tuijin.projects.tests.factories import make_project

from .test_notice_issue import notice_permissions  # noqa: F401  (autouse: the permissions asked of the lead)

D = Decimal
YEAR = 2025  # a past year: every reporting window has closed
# Front-loaded less than linear: a quarter by April, half by July.
SLOW = [D(v) for v in ("2", "5", "10", "25", "35", "45", "50", "60", "70", "80", "90", "100")]


def _months(values) -> dict[str, str]:
    return {f"m{m:02d}": str(v) for m, v in enumerate(values, start=1)}


def _project(world, *, plan="1200", ytd_by_april="120", unit=None):
    project = make_project(unit=unit or world.unit_a, stage="construction", actual_start=date(YEAR, 1, 10))
    AnnualPlan.objects.create(project=project, year=YEAR, planned_investment=D(plan), baseline_investment=D(plan))
    amount = D(ytd_by_april)
    ProgressReport.objects.create(
        project=project,
        period=date(YEAR, 4, 1),
        status="submitted",
        month_investment=amount,
        construction_install=amount,
    )
    return project


# --------------------------------------------------------------------------------------------------------------
# The rule and the wording


def test_validation_non_decreasing_within_0_100_and_december_100():
    schedule_validate(SLOW)
    with pytest.raises(ValidationError, match="不能低于3月"):
        schedule_validate([*SLOW[:3], D(9), *SLOW[4:]])
    with pytest.raises(ValidationError, match="12月的序时进度应为100%"):
        schedule_validate([*SLOW[:11], D(99)])
    with pytest.raises(ValidationError, match="0到100之间"):
        schedule_validate([D(-1), *SLOW[1:]])


def test_default_is_month_twelfths_and_the_nearest_region_s_schedule_applies(world):
    assert schedule_for_region(world.district, YEAR) == LINEAR
    assert LINEAR.at(4) == D(4) * 100 / 12 and not LINEAR.custom
    ProgressSchedule.objects.create(region=world.district, year=YEAR, **_months(SLOW))
    street = world.unit_a.region
    assert schedule_for_region(street, YEAR).at(4) == D(25)  # a street follows its district
    assert schedule_for_region(world.district, YEAR + 1) == LINEAR  # another year: the default
    assert schedule_for_region(world.other_district, YEAR) == LINEAR  # another district: untouched
    assert home_region(world.reporter_a) == world.district  # a street's people see their district's notice


def test_wording_follows_the_region_level_and_the_style():
    assert place_word(Region(name="测试区", level=RegionLevel.COUNTY)) == "全区"
    assert place_word(Region(name="兰考县", level=RegionLevel.COUNTY)) == "全县"
    assert place_word(Region(name="巩义市", level=RegionLevel.COUNTY)) == "全市"
    assert place_word(Region(name="郑州市", level=RegionLevel.CITY)) == "全市"
    assert place_word(Region(name="河南省", level=RegionLevel.PROVINCE)) == "全省"
    assert span_label(4) == "1—4月" and span_label(4, SpanStyle.YUAN) == "元—4月"
    assert span_label(1) == "1月" and span_label(1, SpanStyle.YUAN) == "元月"


# --------------------------------------------------------------------------------------------------------------
# Where the benchmark is used


def test_dashboard_notice_and_forecast_use_the_district_schedule(world, client):
    _project(world)  # 120 of 1200 = 10% by April
    linear = selectors.dashboard_summary(world.office, YEAR, 4)
    assert linear.schedule == LINEAR.at(4) and linear.period.schedule_phrase == "1—4月应完成33.33%"
    ProgressSchedule.objects.create(region=world.district, year=YEAR, **_months(SLOW))
    NoticeStyle.objects.create(region=world.district, span_style=SpanStyle.YUAN)
    summary = selectors.dashboard_summary(world.office, YEAR, 4)
    assert summary.schedule == D(25) and summary.delta == D(-15)
    assert summary.trend[3].plan_line == D(300)  # 25% of 1200
    # 双过半 forecast at the scheduled pace: 10% now × 45 ÷ 25 = 18% by June (linear would say 15%).
    assert summary.targets.shuangguoban.district.forecast_rate == D(18)
    assert linear.targets.shuangguoban.district.forecast_rate == D(15)
    data = notice.build_notice(world.office, YEAR, 4)
    assert data.title == "关于2025年元—4月全区重点项目建设情况的通报"
    overview = notice.notice_sections(data, with_charts=False)["总体情况"][0].text
    assert "低于序时进度15.00个百分点（序时进度：元—4月应完成25%）" in overview
    client.force_login(world.office)
    page = client.get(reverse("dispatch:dashboard"), {"year": YEAR, "month": 4}).content.decode()
    assert "元—4月应完成25%" in page and "元—4月" in page


def test_a_county_named_xian_reads_quanxian(world):
    Region.objects.filter(pk=world.district.pk).update(name="测试县")
    _project(world)
    data = notice.build_notice(world.office, YEAR, 4)
    assert data.title == "关于2025年1—4月全县重点项目建设情况的通报"
    assert "全县纳入年度计划的重点项目" in notice.notice_sections(data, with_charts=False)["总体情况"][0].text
    assert data.summary.targets.kaimenhong.district.label == "全县"


def test_lights_follow_the_schedule(world):
    project = _project(world, ytd_by_april="240")  # 20% of the plan by April
    evaluate_period(date(YEAR, 4, 1), today=date(YEAR + 1, 1, 20))
    light = WarningLight.objects.get(project=project, period=date(YEAR, 4, 1), rule__code="progress")
    assert light.color == "yellow"  # 13.33 pp behind 33.33%
    schedule_set(actor=world.office, region=world.district, year=YEAR, values=SLOW)
    evaluate_period(date(YEAR, 4, 1), today=date(YEAR + 1, 1, 20))
    light.refresh_from_db()
    assert light.color == "green" and "低于序时进度 25.00% 共 5.00 个百分点" in light.explanation


# --------------------------------------------------------------------------------------------------------------
# The page


def test_the_office_sets_the_schedule_on_a_page_with_history(world, client):
    client.force_login(world.office)
    url = reverse("dispatch:schedule")
    page = client.get(url, {"year": YEAR})
    assert page.status_code == 200 and "8.33" in page.content.decode()  # the default shown
    data = {"year": YEAR, "action": "save", "office": "测试区重点项目建设办公室", "span_style": "yuan", **_months(SLOW)}
    response = client.post(url, data)
    assert response.status_code == 302
    row = ProgressSchedule.objects.get(region=world.district, year=YEAR)
    assert row.values == SLOW
    style = NoticeStyle.objects.get(region=world.district)
    assert style.span_style == "yuan" and style.office == "测试区重点项目建设办公室"
    assert ObjectChange.objects.filter(changed_object_id=row.pk, action="create").exists()
    page = client.get(url, {"year": YEAR}).content.decode()
    assert "元—4月应完成25%" in page
    # An invalid schedule is refused with a clear message, and what was typed stays on the form.
    bad = {**data, "m05": "20", "version": row.version, "style_version": style.version}
    response = client.post(url, bad)
    text = response.content.decode()
    assert response.status_code == 200 and "5月的序时进度不能低于4月" in text and 'value="20"' in text
    assert ProgressSchedule.objects.get(pk=row.pk).m05 == D(35)
    wrong_end = {**data, "m12": "95", "version": row.version}
    assert "12月的序时进度应为100%" in client.post(url, wrong_end).content.decode()
    # 恢复默认 removes it: month ÷ 12 again.
    assert client.post(url, {"year": YEAR, "action": "reset"}).status_code == 302
    assert not ProgressSchedule.objects.filter(region=world.district, year=YEAR).exists()


def test_only_the_office_edits_the_schedule_and_only_its_own_region(world, client):
    url = reverse("dispatch:schedule")
    for user in (world.reporter_a, world.leader, world.sponsor, world.ent_user_a):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"year": YEAR, "action": "reset"}).status_code == 403
    client.force_login(world.foreign_office)  # the neighbouring district's office sets its own district only
    data = {"year": YEAR, "action": "save", "office": "邻区项目办", "span_style": "arabic", **_months(SLOW)}
    assert client.post(url, data).status_code == 302
    assert ProgressSchedule.objects.get().region == world.other_district
    assert schedule_for_region(world.district, YEAR) == LINEAR
