"""Demo monthly reports: ten months (January–October of the demo year) for the demo projects, in varied states.

Written in bulk (the numbers are planned here, not typed by hand): amounts follow each project's annual plan with
noise, a few projects stall or run late, the latest month is mid-review (drafts, submissions, a returned report,
missing reports), and some reports raise problems. Then the warning lights are evaluated for every month.
Idempotent: skipped when demo reports exist.
"""

import random
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from tuijin.core.figures_cache import figures_changed
from tuijin.org.models import Membership
from tuijin.projects.models import Project

from .choices import ReportEventType, ReportStatus
from .models import ProgressReport, ReportEvent, ReportProblem

__all__ = ["load_reports"]

CENT = Decimal("0.01")
PROBLEMS = [
    ("用地", "剩余约12亩土地尚未完成交地，影响二期厂房开工。", "请自然资源红旗分局协调加快交地。"),
    ("电力", "项目用电报装容量不足，临时用电影响设备调试。", "请供电公司加快专线接入。"),
    ("资金/融资", "银行贷款审批进度慢，资金到位不足计划的60%。", "请金融办协调合作银行加快放款。"),
    ("审批手续", "施工图审查意见反复，影响施工许可办理。", "请住建局组织联合会审。"),
    ("征收拆迁", "红线内仍有3户未完成拆迁。", "请属地街道加快推进。"),
]


REVIEW_STEP = timedelta(days=1)  # submitted → unit review → office review


def _review_days(status: str) -> int:
    """How many review steps follow the submission for a report in `status`."""
    steps: dict[str, int] = {ReportStatus.UNIT_APPROVED: 1, ReportStatus.OFFICE_APPROVED: 2}
    return steps.get(status, 0)


def _not_after_now(submitted: datetime, steps: int, now: datetime) -> datetime:
    """The submission time, moved earlier when it or the reviews after it would be later than now (the month's
    reports are planned for the 2nd–8th of the next month, but the demo may be loaded on the 1st or the 6th).
    Nothing in the demo happens in the future."""
    latest = now - timedelta(minutes=30) - steps * REVIEW_STEP
    return min(submitted, latest)


def _months(year: int, last: int) -> list[date]:
    return [date(year, m, 1) for m in range(1, last + 1)]


def load_reports(context: dict, stdout) -> None:
    if ProgressReport.objects.filter(project__is_demo=True).exists():
        stdout.write("示例月报：已存在，跳过。")
        return
    from tuijin.users.models import User

    rng = random.Random(2026)  # noqa: S311 (demo data)
    now = timezone.now()
    today = timezone.localdate()
    last_period = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    year = last_period.year
    months = _months(year, last_period.month)
    reporters = {m.unit_id: m.user for m in Membership.objects.filter(role="unit_reporter").select_related("user")}
    office = User.objects.filter(username="xmb").first()
    projects = list(
        Project.objects.filter(is_demo=True, stage__in=["construction", "completed", "operating"]).prefetch_related(
            "annual_plans"
        )
    )
    reports, problems, events = [], [], []
    stalled = set(rng.sample([p.pk for p in projects], k=min(3, len(projects))))
    for project in projects:
        plan = next((p for p in project.annual_plans.all() if p.year == year), None)
        target = (plan.baseline_investment or plan.planned_investment) if plan else project.total_investment / 4
        pace = Decimal(str(rng.uniform(0.55, 1.25)))
        for period in months:
            if project.actual_start and period < project.actual_start.replace(day=1):
                continue
            if project.actual_finish and period > project.actual_finish.replace(day=1):
                continue
            latest = period == last_period
            if latest and rng.random() < 0.15:
                continue  # not yet reported (未上报)
            amount = (target / 12 * pace * Decimal(str(rng.uniform(0.6, 1.4)))).quantize(CENT, ROUND_HALF_UP)
            if project.pk in stalled and period >= months[-2]:
                amount = Decimal("0.00")
            install = (amount * Decimal("0.7")).quantize(CENT, ROUND_HALF_UP)
            equipment = (amount * Decimal("0.2")).quantize(CENT, ROUND_HALF_UP)
            status = ReportStatus.OFFICE_APPROVED
            if latest:
                status = rng.choice(
                    [
                        ReportStatus.DRAFT,
                        ReportStatus.SUBMITTED,
                        ReportStatus.SUBMITTED,
                        ReportStatus.UNIT_APPROVED,
                        ReportStatus.OFFICE_APPROVED,
                    ]
                )
            elif period == months[-2] and rng.random() < 0.3:
                status = ReportStatus.UNIT_APPROVED
            submitted_day = min(28, rng.choice([2, 3, 4, 5, 5, 6, 8]))
            next_month = (period + timedelta(days=32)).replace(day=1)
            submitted = timezone.make_aware(datetime(next_month.year, next_month.month, submitted_day, 17, 30))  # noqa: DTZ001
            submitted = _not_after_now(submitted, _review_days(status), now)
            reporter = reporters.get(project.responsible_unit_id)
            report = ProgressReport(
                project=project,
                period=period,
                status=status,
                month_investment=amount,
                construction_install=install,
                equipment=equipment,
                other_cost=amount - install - equipment,
                funds_arrived=(amount * Decimal(str(rng.uniform(0.5, 1.1)))).quantize(CENT, ROUND_HALF_UP),
                physical_progress=rng.choice(
                    ["主体结构施工", "钢结构吊装", "设备安装调试", "室外配套施工", "基础工程施工", "装饰装修"]
                ),
                next_month_plan=rng.choice(["完成主体封顶", "推进设备进场", "开展竣工验收准备", "完成管网敷设"]),
                is_started=True,
                started_on=project.actual_start,
                submitted_at=submitted if status != ReportStatus.DRAFT else None,
                submitted_by=reporter if status != ReportStatus.DRAFT else None,
                unit_reviewed_at=submitted + REVIEW_STEP
                if status in (ReportStatus.UNIT_APPROVED, ReportStatus.OFFICE_APPROVED)
                else None,
                office_reviewed_at=submitted + 2 * REVIEW_STEP if status == ReportStatus.OFFICE_APPROVED else None,
                office_reviewed_by=office if status == ReportStatus.OFFICE_APPROVED else None,
            )
            if latest and status == ReportStatus.DRAFT and rng.random() < 0.5:
                report.return_reason = "投资构成与合同不符，请核实设备购置金额后重新提交。"
            reports.append(report)
    ProgressReport.objects.bulk_create(reports, batch_size=500)
    figures_changed(None)  # bulk-written reports: every project's facts are recomputed
    for report in reports:
        if rng.random() < 0.08:
            category, description, help_requested = rng.choice(PROBLEMS)
            problems.append(
                ReportProblem(report=report, category=category, description=description, help_requested=help_requested)
            )
        if report.status != ReportStatus.DRAFT:
            events.append(
                ReportEvent(
                    report=report,
                    type=ReportEventType.SUBMITTED,
                    actor=report.submitted_by,
                    created=report.submitted_at or timezone.now(),
                )
            )
        if report.return_reason:
            returned_at = min((report.submitted_at or now) + REVIEW_STEP / 2, now - timedelta(minutes=10))
            events.append(
                ReportEvent(
                    report=report,
                    type=ReportEventType.RETURNED,
                    actor=office,
                    data={"reason": report.return_reason},
                    created=returned_at,
                )
            )
    ReportProblem.objects.bulk_create(problems, batch_size=500)
    ReportEvent.objects.bulk_create(events, batch_size=500)
    stdout.write(f"示例月报：{len(reports)} 份（{months[0]:%Y年%m月}–{months[-1]:%m月}），问题 {len(problems)} 条。")
    context["demo_months"] = months
    context["demo_reports"] = len(reports)
