"""The 项目办's configuration pages: warning-rule thresholds and reporting windows — validation, previews that write
nothing and count correctly, saves that relight the month, conflicts, permissions and query bounds."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tuijin.core.models import ObjectChange
from tuijin.dispatch import config
from tuijin.dispatch.warnings import evaluate_period
from tuijin.progress.models import ProgressReport, ReportingPeriod, WarningLight, WarningRule
from tuijin.projects.tests.factories import make_project
from tuijin.utilities.testing.matrix import Case, ViewMatrix

SHANGHAI = ZoneInfo("Asia/Shanghai")
AUG, SEP, OCT = date(2025, 8, 1), date(2025, 9, 1), date(2025, 10, 1)
LATE = date(2026, 1, 20)


def report(project, period, invest="0", *, status="submitted", **fields):
    return ProgressReport.objects.create(
        project=project, period=period, status=status, month_investment=invest, construction_install=invest, **fields
    )


def building(unit, name):
    return make_project(unit=unit, name=name, stage="construction", actual_start=date(2025, 1, 10))


def stalled(unit, name):
    """In construction, investment in August only: stalled yellow in September, red in October (2 months)."""
    project = building(unit, name)
    report(project, AUG, "100")
    report(project, SEP, "0")
    report(project, OCT, "50", status="draft")
    return project


def color(project, code, period=OCT):
    light = WarningLight.objects.filter(project=project, period=period, rule__code=code).first()
    return light.color if light else None


def snapshot():
    """Everything a preview could write."""
    return (
        sorted(WarningLight.objects.values_list("project_id", "period", "rule_id", "color", "explanation")),
        sorted(WarningRule.objects.values_list("pk", "params", "is_active", "version")),
        sorted(ReportingPeriod.objects.values_list("period", "opens_on", "closes_on", "version")),
        ObjectChange.objects.count(),
    )


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


# --- rule parameters -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "raw", "field", "message"),
    [
        ("progress", {"yellow_pp": "abc", "red_pp": "30"}, "yellow_pp", "须为数字"),
        ("progress", {"yellow_pp": "10", "red_pp": "101"}, "red_pp", "须在0到100之间"),
        ("progress", {"yellow_pp": "-1", "red_pp": "30"}, "yellow_pp", "须在0到100之间"),
        ("progress", {"yellow_pp": "10.125", "red_pp": "30"}, "yellow_pp", "最多保留两位小数"),
        ("progress", {"yellow_pp": "", "red_pp": "30"}, "yellow_pp", "请填写"),
        ("progress", {"yellow_pp": "30", "red_pp": "10"}, "yellow_pp", "黄灯阈值须小于红灯阈值"),
        ("progress", {"yellow_pp": "30", "red_pp": "30"}, "yellow_pp", "黄灯阈值须小于红灯阈值"),
        ("start", {"red_after_months": "0"}, "red_after_months", "须在1到36个月之间"),
        ("stalled", {"months": "1.5"}, "months", "须为整数"),
        ("stalled", {"months": "37"}, "months", "须在1到36个月之间"),
        ("statistics", {"yellow_after_months": "2", "red_after_months": "2"}, "yellow_after_months", "宽松"),
    ],
)
def test_rule_params_are_validated_per_field(code, raw, field, message):
    rule = WarningRule.objects.get(code=code)
    with pytest.raises(ValidationError) as caught:
        config.rule_params_validate(rule, raw)
    assert message in " ".join(caught.value.message_dict[field])


@pytest.mark.django_db
def test_valid_params_are_typed_for_json():
    progress = WarningRule.objects.get(code="progress")
    assert config.rule_params_validate(progress, {"yellow_pp": "12.5", "red_pp": "30"}) == {
        "yellow_pp": 12.5,
        "red_pp": 30,
    }
    assert config.rule_params_validate(WarningRule.objects.get(code="reporting"), {}) == {}
    text = config.rule_thresholds_text(progress, {"yellow_pp": 12.5, "red_pp": 30})
    assert "12.5个百分点及以上为黄灯" in text and "超过30个百分点为红灯" in text


# --- rule preview and save -------------------------------------------------------------------------------------------


def test_rule_preview_counts_changes_in_scope_and_writes_nothing(world):
    mine = stalled(world.unit_a, "甲街道停滞项目")
    other = stalled(world.unit_b, "乙街道停滞项目")
    foreign = stalled(world.foreign_unit, "邻区停滞项目")
    evaluate_period(OCT, today=LATE)
    assert color(mine, "stalled") == color(other, "stalled") == color(foreign, "stalled") == "red"
    before = snapshot()
    rule = WarningRule.objects.get(code="stalled")
    preview = config.rule_preview(
        user=world.office, rule=rule, params={"months": 3}, is_active=True, period=OCT, today=LATE
    )
    assert snapshot() == before
    assert preview.projects == 2  # the neighbouring district's project is out of the office's scope
    assert preview.transitions == [("红", "黄", 2)]
    assert {c.name for c in preview.examples} == {"甲街道停滞项目", "乙街道停滞项目"}
    assert "2 个项目的灯色将改变：红→黄 2 个" in preview.summary("按新阈值")
    # what the preview predicted is what an evaluation with the new params stores
    WarningRule.objects.filter(code="stalled").update(params={"months": 3})
    evaluate_period(OCT, today=LATE)
    assert color(mine, "stalled") == "yellow"


def test_rule_preview_of_switching_off_and_of_an_override(world):
    from tuijin.dispatch.warnings import light_override_set

    pinned = stalled(world.unit_a, "已人工调整项目")
    plain = stalled(world.unit_a, "未调整项目")
    evaluate_period(OCT, today=LATE)
    light_override_set(
        actor=world.office,
        project=pinned,
        period=OCT,
        rule="stalled",
        color="red",
        reason_code="other",
        reason="核实",
        recovery_plan="下月复工",
    )
    rule = WarningRule.objects.get(code="stalled")
    softer = config.rule_preview(user=world.office, rule=rule, params={"months": 3}, is_active=True, period=OCT)
    assert [c.name for c in softer.changes] == ["未调整项目"]  # an overridden light keeps its colour
    off = config.rule_preview(user=world.office, rule=rule, params={"months": 2}, is_active=False, period=OCT)
    assert off.projects == 2 and off.transitions == [("红", "无灯", 2)]
    assert plain.pk in {c.project_id for c in off.changes}


def test_rule_page_previews_then_saves_and_relights(client, world):
    project = stalled(world.unit_a, "甲街道停滞项目")
    evaluate_period(OCT, today=LATE)
    rule = WarningRule.objects.get(code="stalled")
    url = reverse("dispatch:config_rule_edit", args=[rule.pk])
    client.force_login(world.office)
    data = {"months": "3", "is_active": "on", "version": rule.version, "period": "2025-10"}
    before = snapshot()
    response = client.post(url, {**data, "action": "preview"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "1 个项目的灯色将改变：红→黄 1 个" in text and "甲街道停滞项目" in text and "确认保存" in text
    assert snapshot() == before
    response = client.post(url, {**data, "action": "save"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.params, rule.is_active, rule.version) == ({"months": 3}, True, 2)
    assert color(project, "stalled") == "yellow"  # relit at once
    assert ObjectChange.objects.filter(changed_object_id=rule.pk, message__contains="连续3个月").exists()
    history = client.get(url).content.decode()
    assert "连续3个月及以上为红灯" in history


def test_rule_page_shows_errors_and_keeps_the_input(client, world):
    rule = WarningRule.objects.get(code="progress")
    client.force_login(world.office)
    response = client.post(
        reverse("dispatch:config_rule_edit", args=[rule.pk]),
        {"yellow_pp": "40", "red_pp": "150", "is_active": "on", "version": rule.version, "action": "save"},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "须在0到100之间" in text and 'value="150"' in text and 'value="40"' in text
    rule.refresh_from_db()
    assert rule.version == 1 and rule.params == {"yellow_pp": 10, "red_pp": 30}


def test_stale_rule_save_shows_the_conflict_page(client, world):
    rule = WarningRule.objects.get(code="progress")
    client.force_login(world.office)
    url = reverse("dispatch:config_rule_edit", args=[rule.pk])
    client.post(url, {"yellow_pp": "12", "red_pp": "30", "is_active": "on", "version": 1, "action": "save"})
    response = client.post(url, {"yellow_pp": "5", "red_pp": "20", "is_active": "on", "version": 1, "action": "save"})
    assert response.status_code == 409
    text = response.content.decode()
    assert "已被他人修改" in text and "以我的内容覆盖保存" in text
    rule.refresh_from_db()
    assert rule.params == {"yellow_pp": 12, "red_pp": 30} and rule.version == 2


def test_rule_save_needs_the_permission(client, world):
    rule = WarningRule.objects.get(code="progress")
    client.force_login(world.reporter_a)
    url = reverse("dispatch:config_rule_edit", args=[rule.pk])
    data = {"yellow_pp": "5", "red_pp": "20", "is_active": "on", "version": 1, "action": "save"}
    assert client.post(url, data).status_code == 403
    rule.refresh_from_db()
    assert rule.version == 1


# --- reporting windows -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("opens", "closes", "field", "message"),
    [
        (date(2025, 11, 6), date(2025, 11, 5), "closes_on", "不能早于开始日期"),
        (date(2025, 9, 30), date(2025, 11, 5), "opens_on", "须在2025年10月1日至2025年11月30日之间"),
        (date(2025, 12, 1), date(2025, 12, 5), "opens_on", "报告期当月或次月"),
        (date(2025, 11, 1), date(2026, 1, 1), "closes_on", "须在2025年10月1日至2025年12月31日之间"),
        (None, date(2025, 11, 5), "opens_on", "请填写填报开始日期"),
        (date(2025, 11, 1), None, "closes_on", "请填写填报截止日期"),
    ],
)
def test_window_is_validated_per_field(opens, closes, field, message):
    with pytest.raises(ValidationError) as caught:
        config.window_validate(OCT, opens, closes)
    assert message in " ".join(caught.value.message_dict[field])


@pytest.mark.django_db
def test_a_window_within_bounds_is_valid():
    config.window_validate(OCT, date(2025, 10, 25), date(2025, 11, 5))
    config.window_validate(OCT, date(2025, 11, 30), date(2025, 12, 31))


def _reports(world):
    on_time = building(world.unit_a, "按时项目")
    last_day = building(world.unit_a, "截止日项目")
    late = building(world.unit_a, "逾期项目")
    foreign = building(world.foreign_unit, "邻区逾期项目")
    report(on_time, OCT, "10", submitted_at=at(date(2025, 11, 3)))
    report(last_day, OCT, "10", submitted_at=at(date(2025, 11, 5), 23))
    report(late, OCT, "10", submitted_at=at(date(2025, 11, 7)))
    report(foreign, OCT, "10", submitted_at=at(date(2025, 11, 7)))
    evaluate_period(OCT, today=LATE)
    return on_time, last_day, late, foreign


def test_window_preview_counts_timeliness_and_lights_and_writes_nothing(world):
    on_time, last_day, late, foreign = _reports(world)
    assert (color(on_time, "reporting"), color(late, "reporting"), color(foreign, "reporting")) == (
        "green",
        "yellow",
        "yellow",
    )
    window = ReportingPeriod.objects.get(period=OCT)
    before = snapshot()
    longer = config.window_preview(
        user=world.office, window=window, opens_on=date(2025, 11, 1), closes_on=date(2025, 11, 10), today=LATE
    )
    assert (longer.to_late, longer.to_on_time) == (0, 1)  # the neighbouring district's late report is not counted
    assert "0 份已提交的月报将由按时变为逾期，1 份将由逾期变为按时" in longer.summary()
    assert longer.lights is not None and [(c.name, c.before, c.after) for c in longer.lights.changes] == [
        ("逾期项目", "yellow", "green")
    ]
    shorter = config.window_preview(
        user=world.office, window=window, opens_on=date(2025, 11, 1), closes_on=date(2025, 11, 2), today=LATE
    )
    assert (shorter.to_late, shorter.to_on_time) == (2, 0)
    assert shorter.lights is not None and shorter.lights.transitions == [("绿", "黄", 2)]
    assert snapshot() == before


def test_window_page_previews_saves_and_relights(client, world):
    _on_time, _last_day, late, _foreign = _reports(world)
    client.force_login(world.office)
    url = reverse("dispatch:config_window_edit", args=[2025, 10])
    window = ReportingPeriod.objects.get(period=OCT)
    data = {"opens_on": "2025-11-01", "closes_on": "2025-11-10", "version": window.version}
    before = snapshot()
    response = client.post(url, {**data, "action": "preview"})
    text = response.content.decode()
    assert response.status_code == 200 and "1 份将由逾期变为按时" in text and "逾期项目" in text
    assert snapshot() == before
    response = client.post(url, {**data, "action": "save"})
    assert response.status_code == 302
    window.refresh_from_db()
    assert (window.closes_on, window.version) == (date(2025, 11, 10), 2)
    assert color(late, "reporting") == "green"
    assert "2025年11月10日" in client.get(url).content.decode()  # history


def test_window_page_errors_keep_the_input(client, world):
    client.force_login(world.office)
    url = reverse("dispatch:config_window_edit", args=[2025, 10])
    window = ReportingPeriod.objects.get_or_create(
        period=OCT, defaults={"opens_on": date(2025, 11, 1), "closes_on": date(2025, 11, 5)}
    )[0]
    response = client.post(
        url, {"opens_on": "2025-11-08", "closes_on": "2025-11-03", "version": window.version, "action": "save"}
    )
    text = response.content.decode()
    assert response.status_code == 200 and "不能早于开始日期" in text
    assert 'value="2025-11-08"' in text and 'value="2025-11-03"' in text
    response = client.post(url, {"opens_on": "2025-13-01", "closes_on": "2025-11-03", "action": "preview"})
    assert "请输入有效的日期" in response.content.decode()
    window.refresh_from_db()
    assert (window.closes_on, window.version) == (date(2025, 11, 5), 1)


def test_stale_window_save_shows_the_conflict_page(client, world):
    client.force_login(world.office)
    url = reverse("dispatch:config_window_edit", args=[2025, 10])
    client.get(url)  # created on demand
    client.post(url, {"opens_on": "2025-11-01", "closes_on": "2025-11-07", "version": 1, "action": "save"})
    response = client.post(url, {"opens_on": "2025-11-01", "closes_on": "2025-11-09", "version": 1, "action": "save"})
    assert response.status_code == 409
    assert "已被他人修改" in response.content.decode()
    assert ReportingPeriod.objects.get(period=OCT).closes_on == date(2025, 11, 7)


def test_window_save_needs_the_permission(client, world):
    client.force_login(world.reporter_a)
    url = reverse("dispatch:config_window_edit", args=[2025, 10])
    data = {"opens_on": "2025-11-01", "closes_on": "2025-11-09", "version": 1, "action": "save"}
    assert client.post(url, data).status_code == 403
    assert not ReportingPeriod.objects.filter(period=OCT, closes_on=date(2025, 11, 9)).exists()


def test_window_list_creates_the_year_and_is_bounded(client, world, django_assert_max_num_queries):
    client.force_login(world.office)
    response = client.get(reverse("dispatch:config_windows") + "?year=2025")
    assert response.status_code == 200
    assert ReportingPeriod.objects.filter(period__year=2025).count() == 12
    with django_assert_max_num_queries(12):
        response = client.get(reverse("dispatch:config_windows") + "?year=2025")
    assert "2025年12月" in response.content.decode()


def test_rule_list_is_bounded(client, world, django_assert_max_num_queries):
    client.force_login(world.office)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("dispatch:config_rules"))
    text = response.content.decode()
    assert "落后序时进度10个百分点及以上为黄灯" in text and "停工停滞预警" in text


# --- permission matrices ---------------------------------------------------------------------------------------------

GLOBAL = "warning rules and reporting windows are one configuration for the whole installation: no unit owns them"


class TestRuleListMatrix(ViewMatrix):
    url_name = "dispatch:config_rules"
    detail = False
    scoped = False
    unscoped_reason = GLOBAL

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a)


class TestRuleEditMatrix(ViewMatrix):
    url_name = "dispatch:config_rule_edit"
    scoped = False
    unscoped_reason = GLOBAL

    @pytest.fixture
    def matrix(self, world):
        rule = WarningRule.objects.get(code="stalled")
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=rule, marker=lambda r: r.name)


class TestWindowListMatrix(ViewMatrix):
    url_name = "dispatch:config_windows"
    detail = False
    scoped = False
    unscoped_reason = GLOBAL

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a)


class TestWindowEditMatrix(ViewMatrix):
    url_name = "dispatch:config_window_edit"
    scoped = False
    unscoped_reason = GLOBAL

    def url_for(self, obj=None) -> str:
        return reverse(self.url_name, args=[obj.period.year, obj.period.month])

    @pytest.fixture
    def matrix(self, world):
        window = ReportingPeriod.objects.create(period=OCT, opens_on=date(2025, 11, 1), closes_on=date(2025, 11, 5))
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=window, marker=lambda w: "2025年10月填报期")
