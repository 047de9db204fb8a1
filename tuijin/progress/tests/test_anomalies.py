"""数据异常 (issue 19 item 18): each rule fires past its threshold and not at it, the reasons are Chinese, the
reviewer sees them, the reporter is warned but never blocked, and the flags are counted per unit (page and API)."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from tuijin.progress import services
from tuijin.progress.anomalies import anomaly_counts, evaluate, percentages
from tuijin.progress.choices import AnomalyCode, ReportStatus
from tuijin.progress.models import ProgressReport, ReportAnomaly
from tuijin.projects.tests.factories import make_project
from tuijin.utilities.testing.matrix import ApiMatrix, Case, ViewMatrix

from .factories import make_report

OCT = date(2026, 10, 1)


def month(m: int) -> date:
    return date(2026, m, 1)


def submit(report: ProgressReport, actor) -> ProgressReport:
    report = ProgressReport.objects.select_related("project").get(pk=report.pk)
    return services.report_submit(actor=actor, report=report, version=report.version)


def codes(report: ProgressReport) -> set[str]:
    return set(ReportAnomaly.objects.filter(report=report).values_list("code", flat=True))


def project(world, name, unit=None, total="100000.00"):
    return make_project(unit=unit or world.unit_a, actor=world.office, name=name, stage="preparation", total=total)


# ---------------------------------------------------------------------------------------------------------------
# The rules, at and past their thresholds
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("october", "fires"), [("100.00", False), ("100.01", True)])
def test_cumulative_above_total_investment(world, october, fires):
    p = project(world, "累计超总投资项目", total="1000.00")
    for m in range(1, 10):
        make_report(p, month(m), amount="100.00", status="submitted")
    report = submit(make_report(p, OCT, amount=october, over_total_reason="含征地费用"), world.reporter_a)
    assert (AnomalyCode.OVER_TOTAL in codes(report)) is fires
    if fires:
        flag = report.anomalies.get(code=AnomalyCode.OVER_TOTAL)
        assert flag.reason == (
            "开工至今累计完成投资 1,000.01 万元，超过项目总投资 1,000.00 万元（超出 0.01 万元）。填报说明：含征地费用"
        )
        assert flag.data == {"cumulative": "1000.01", "total_investment": "1000.00"}


def test_unknown_total_never_fires(world):
    p = project(world, "总投资未填项目", total="1000.00")
    p.total_investment = None
    p.save(update_fields=["total_investment"])
    make_report(p, month(9), amount="5000.00", status="submitted")
    assert AnomalyCode.OVER_TOTAL not in codes(submit(make_report(p, OCT, amount="100.00"), world.reporter_a))


@pytest.mark.parametrize(("october", "fires"), [("300.00", False), ("300.01", True)])
def test_jump_beyond_the_pace_factor(world, october, fires):
    p = project(world, "投资突增项目")
    for m, amount in ((6, "50.00"), (7, "100.00"), (8, "100.00"), (9, "120.00")):  # median 100
        make_report(p, month(m), amount=amount, status="submitted")
    report = submit(make_report(p, OCT, amount=october), world.reporter_a)
    assert (AnomalyCode.PACE_JUMP in codes(report)) is fires
    if fires:
        reason = report.anomalies.get(code=AnomalyCode.PACE_JUMP).reason
        assert reason == "当月完成投资 300.01 万元，是此前 4 个月月均水平（中位数 100.00 万元）的 3.0 倍，超过 3 倍。"


def test_pace_needs_the_minimum_history(world):
    p = project(world, "历史不足项目")
    make_report(p, month(8), amount="10.00", status="submitted")
    make_report(p, month(9), amount="10.00", status="submitted")
    make_report(p, month(7), amount="10.00", status="draft")  # a draft is no history
    assert codes(submit(make_report(p, OCT, amount="5000.00"), world.reporter_a)) == set()


@override_settings(TUIJIN_ANOMALY_PACE_FACTOR=10, TUIJIN_ANOMALY_PACE_MIN_MONTHS=2)
def test_pace_thresholds_are_settings(world):
    p = project(world, "可配置倍数项目")
    make_report(p, month(8), amount="10.00", status="submitted")
    make_report(p, month(9), amount="10.00", status="submitted")
    assert AnomalyCode.PACE_JUMP not in codes(submit(make_report(p, OCT, amount="100.00"), world.reporter_a))
    p2 = project(world, "可配置倍数项目二")
    make_report(p2, month(8), amount="10.00", status="submitted")
    make_report(p2, month(9), amount="10.00", status="submitted")
    assert AnomalyCode.PACE_JUMP in codes(submit(make_report(p2, OCT, amount="100.01"), world.reporter_a))


@pytest.mark.parametrize(
    ("before", "now", "fires"),
    [
        ("主体结构完成80%", "主体结构完成60%", True),
        ("主体结构完成80%", "主体结构完成 80％", False),
        ("主体结构完成80%", "正在进行装饰装修", False),  # nothing to compare
        ("土方开挖", "完成10%", False),
    ],
)
def test_physical_progress_going_backwards(world, before, now, fires):
    p = project(world, "形象进度项目")
    make_report(p, month(9), amount="10.00", status="submitted", physical_progress=before)
    report = submit(make_report(p, OCT, amount="10.00", physical_progress=now), world.reporter_a)
    assert (AnomalyCode.PROGRESS_BACK in codes(report)) is fires
    if fires:
        assert report.anomalies.get().reason == "形象进度由 80%（2026年9月）倒退为 60%（本月）。"


def test_percentages_are_read_from_the_text():
    assert percentages("桩基完成100%，主体完成 35.5 ％") == [Decimal("100"), Decimal("35.5")]


def test_identical_figures_across_projects_of_one_unit(world):
    a, b, c = (project(world, f"雷同{n}项目") for n in "甲乙丙")
    other_unit = project(world, "乙街道雷同项目", unit=world.unit_b)
    make_report(a, OCT, amount="88.00", status="submitted")
    make_report(other_unit, OCT, amount="88.00", status="submitted")  # another unit: not counted
    second = submit(make_report(b, OCT, amount="88.00"), world.reporter_a)
    assert codes(second) == set()  # 2 of one unit: below the threshold
    third = submit(make_report(c, OCT, amount="88.00"), world.reporter_a)
    flagged = ReportAnomaly.objects.filter(code=AnomalyCode.IDENTICAL)
    assert set(flagged.values_list("report__project__name", flat=True)) == {"雷同甲项目", "雷同乙项目", "雷同丙项目"}
    assert (
        third.anomalies.get().reason
        == "本单位 3 个项目本月完成投资均为 88.00 万元：雷同丙项目、雷同乙项目、雷同甲项目。"
    )
    # one of them is taken back: the others are no longer flagged
    services.report_withdraw(actor=world.reporter_a, report=third, version=third.version)
    assert not ReportAnomaly.objects.filter(code=AnomalyCode.IDENTICAL).exists()


def test_identical_zeros_are_not_flagged(world):
    for n in "甲乙丙":
        p = project(world, f"零投资{n}项目")
        report = submit(make_report(p, OCT, amount="0.00"), world.reporter_a)
    assert evaluate(report) == [] and not ReportAnomaly.objects.exists()


def test_a_returned_report_loses_its_flags_and_a_correction_reevaluates(world):
    p = project(world, "退回更正项目", total="1000.00")
    make_report(p, month(9), amount="990.00", status="submitted")
    report = submit(make_report(p, OCT, amount="20.00", over_total_reason="含设备"), world.reporter_a)
    assert codes(report) == {AnomalyCode.OVER_TOTAL}
    report = services.report_return(actor=world.approver_a, report=report, version=report.version, reason="请核实")
    assert codes(report) == set()
    report = submit(report, world.reporter_a)
    report = services.report_unit_approve(actor=world.approver_a, report=report, version=report.version)
    report = services.report_office_approve(actor=world.office, report=report, version=report.version)
    report = services.report_correct(
        actor=world.office,
        report=report,
        version=report.version,
        data={"month_investment": Decimal("10.00"), "construction_install": Decimal("10.00")},
        reason="核减",
    )
    assert codes(report) == set()


# ---------------------------------------------------------------------------------------------------------------
# Who sees them: the reviewer, the reporter (never blocked), the office's counts
# ---------------------------------------------------------------------------------------------------------------


def test_submission_is_not_blocked_the_reporter_is_warned_and_the_reviewer_sees_the_flag(client, world):
    p = project(world, "页面异常项目", total="100.00")
    client.force_login(world.reporter_a)
    form = {
        "version": "0",
        "month_investment": "150.00",
        "construction_install": "150.00",
        "equipment": "0",
        "other_cost": "0",
        "funds_arrived": "0",
        "over_total_reason": "含征地拆迁费用",
        "problems-TOTAL_FORMS": "0",
        "problems-INITIAL_FORMS": "0",
        "submit": "1",
    }
    response = client.post(reverse("progress:report_open", args=[p.pk, 2026, 10]), form, follow=True)
    page = response.content.decode()
    report = ProgressReport.objects.get(project=p)
    assert report.status == ReportStatus.SUBMITTED  # not blocked
    assert "数据异常提示（累计超总投资）" in page and "超过项目总投资 100.00 万元" in page
    client.force_login(world.approver_a)
    page = client.get(reverse("progress:report", args=[report.pk])).content.decode()
    assert 'id="tj-anomalies"' in page and "累计超总投资" in page and "超出 50.00 万元" in page
    assert 'id="tj-review-form"' in page  # the review is offered as usual
    queue = client.get(reverse("progress:report_list") + "?period=2026-10").content.decode()
    assert "tj-anomaly-badge" in queue and "累计超总投资：开工至今累计完成投资 150.00 万元" in queue
    approved = services.report_unit_approve(actor=world.approver_a, report=report, version=report.version)
    assert approved.status == ReportStatus.UNIT_APPROVED


@pytest.fixture
def flags(world):
    """An over-total flag in 甲街道 (two reports) and one in 乙街道, October 2026."""
    made = []
    for name, unit, reporter in (
        ("甲街道异常一", world.unit_a, world.reporter_a),
        ("甲街道异常二", world.unit_a, world.reporter_a),
        ("乙街道异常", world.unit_b, world.reporter_b),
    ):
        p = project(world, name, unit=unit, total="10.00")
        report = make_report(p, OCT, amount="20.00", over_total_reason="含设备")
        made.append(submit(report, reporter).anomalies.get())
    return made


def test_counts_per_unit_and_kind(world, flags):
    rows = {r.unit_name: r for r in anomaly_counts(world.office, OCT)}
    assert rows["甲街道办事处"].counts[AnomalyCode.OVER_TOTAL] == 2 and rows["甲街道办事处"].reports == 2
    assert rows["乙街道办事处"].total == 1 and rows["乙街道办事处"].counts[AnomalyCode.IDENTICAL] == 0
    assert [r.unit_name for r in anomaly_counts(world.approver_a, OCT)] == ["甲街道办事处"]  # scope
    assert anomaly_counts(world.office, month(9)) == []


def test_counts_page_links_to_exactly_the_counted_reports(client, world, flags):
    client.force_login(world.office)
    url = reverse("progress:anomalies")
    page = client.get(url + "?period=2026-10").content.decode()
    assert 'id="tj-anomaly-counts"' in page and "甲街道办事处" in page and "乙街道办事处" in page
    listed = client.get(url, {"period": "2026-10", "unit": world.unit_a.pk, "code": "over_total"}).content.decode()
    assert "甲街道异常一" in listed and "甲街道异常二" in listed and "乙街道异常" not in listed


def test_api_detail_and_counts(client, world, flags):
    client.force_login(world.office)
    detail = client.get(f"/api/progress/reports/{flags[0].report_id}/").json()
    assert detail["anomalies"][0]["code"] == "over_total" and "超过项目总投资" in detail["anomalies"][0]["reason"]
    counts = client.get("/api/progress/reports/anomaly-counts/?period=2026-10").json()
    by_unit = {row["unit_name"]: row for row in counts}
    assert by_unit["甲街道办事处"]["counts"]["over_total"] == 2 and by_unit["乙街道办事处"]["reports"] == 1


def _flag_marker(flag):
    return flag.report.project.name


class TestAnomalyPage(ViewMatrix):
    url_name = "progress:anomalies"
    detail = False

    def url_for(self, obj=None):
        return reverse(self.url_name) + "?period=2026-10&code=over_total"

    @pytest.fixture
    def matrix(self, world, flags):
        return Case(
            allowed=world.approver_a,
            denied=world.sysadmin,
            in_scope=flags[0],
            out_of_scope=flags[2],
            marker=_flag_marker,
        )


class TestAnomalyCountsApi(ApiMatrix):
    url_name = "progress-api:progressreport-anomaly-counts"
    detail = False

    def url_for(self, obj=None):
        return reverse(self.url_name) + "?period=2026-10"

    @pytest.fixture
    def matrix(self, world, flags):
        return Case(
            allowed=world.approver_a,
            denied=world.sysadmin,
            in_scope=flags[0],
            out_of_scope=flags[2],
            marker=lambda flag: flag.report.project.responsible_unit.name,
        )
