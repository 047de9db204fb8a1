"""The monthly reports of the synthetic dataset (a step of `tuijin generate_synthetic`, see `tuijin.core.synthetic`).

Owns the run's calendar: the latest month is the one units report on today (`period_for_reporting`), and each month
gets its reporting window. Per chunk of projects: a report for every month a project is under way (and for most 前期
projects of the plan year), seasonal, with the breakdown summing to the month (the check constraint) and a few 核减
corrections. Older months are almost all 项目办审核通过; the month before the latest is partly still in review; the
latest month is mixed: missing, drafts (some returned), submitted, unit- and office-approved. About 6% of the
projects under construction stall (zero investment in their last 2–4 months); every report of the latest two months
has its submit event. Finally the warning lights of the latest month (`evaluate_period`, in chunks of 10,000
projects).
"""

from datetime import date, datetime, timedelta
from typing import Any

from tuijin.core.figures_cache import figures_changed
from tuijin.core.periods import add_months
from tuijin.core.synthetic import BATCH, SyntheticRun, SyntheticStep, cents
from tuijin.projects.synthetic import PLAN_TEXTS, SEASON, ProjectSpec, active_months, chunk_specs
from tuijin.users.synthetic import SyntheticAccounts, synthetic_accounts

from .choices import ReportEventType, ReportStatus
from .models import ProgressReport, ReportEvent, ReportProblem
from .services import period_for_reporting, reporting_period_get

__all__ = ["ReportsStep"]

PROGRESS_TEXTS = ["主体结构施工", "钢结构吊装", "设备安装调试", "室外配套施工", "基础工程施工", "装饰装修", "管网敷设"]
PREP_TEXTS = ["办理用地预审手续", "编制可行性研究报告", "开展施工图设计", "办理环评审批", "推进土地征收"]
STALL_TEXTS = ["受资金影响暂停施工", "征迁问题未解决，现场停工", "设计变更，等待审批"]
PROBLEMS = [
    ("用地", "剩余约12亩土地尚未完成交地，影响后续施工。", "请自然资源分局协调加快交地。"),
    ("电力", "项目用电报装容量不足，临时用电影响设备调试。", "请供电公司加快专线接入。"),
    ("资金/融资", "银行贷款审批进度慢，资金到位不足计划的60%。", "请金融部门协调合作银行加快放款。"),
    ("审批手续", "施工图审查意见反复，影响施工许可办理。", "请住建局组织联合会审。"),
    ("征收拆迁", "红线内仍有3户未完成拆迁。", "请属地街道加快推进。"),
]
RETURN_REASON = "投资构成与合同不符，请核实设备购置金额后重新提交。"


class _Reports:
    """Draws the reports of each chunk's projects from the run's generator."""

    def __init__(self, run: SyntheticRun, accounts: SyntheticAccounts):
        self.rng = run.rng
        self.months = run.months
        self.first, self.latest, self.year = run.first, run.latest, run.year
        self.now, self.tz = run.now, run.tz
        self.office = accounts.office
        self.reporters = accounts.reporters

    def _status(self, month: date) -> str | None:
        """A report's workflow state by the age of its month (None: not reported)."""
        roll = self.rng.random()
        if month == self.latest:
            for status, upto in (
                (None, 0.12),
                (ReportStatus.DRAFT, 0.27),
                (ReportStatus.SUBMITTED, 0.57),
                (ReportStatus.UNIT_APPROVED, 0.80),
            ):
                if roll < upto:
                    return status
            return ReportStatus.OFFICE_APPROVED
        if len(self.months) > 1 and month == self.months[-2]:
            if roll < 0.05:
                return ReportStatus.SUBMITTED
            if roll < 0.15:
                return ReportStatus.UNIT_APPROVED
            return ReportStatus.OFFICE_APPROVED
        if roll < 0.01:
            return ReportStatus.SUBMITTED
        if roll < 0.03:
            return ReportStatus.UNIT_APPROVED
        return ReportStatus.OFFICE_APPROVED

    def _when(self, month: date, day: int, hour: int) -> datetime:
        nxt = add_months(month, 1)
        moment = datetime(nxt.year, nxt.month, min(day, 28), hour, self.rng.randint(0, 59), tzinfo=self.tz)
        return min(moment, self.now - timedelta(hours=1))

    def _reports(self, spec: ProjectSpec) -> list[Any]:
        rng, project = self.rng, spec.project
        reporter = self.reporters.get(project.responsible_unit.pk)
        office = self.office
        reports = []
        if spec.start is not None:
            first = max(self.first, spec.start.replace(day=1))
            last = self.latest
            if spec.finish is not None:
                last = min(last, spec.finish.replace(day=1))
            if spec.stop is not None:
                last = min(last, spec.stop)
            started = True
        elif spec.prep_reports and spec.planned_start is not None:
            first, last, started = max(self.first, date(self.year, 1, 1)), self.latest, False
        else:
            return []
        stall_from = add_months(self.latest, -(spec.stall - 1)) if spec.stall else None
        industrial = spec.group in ("opto", "smart")
        total = int(project.total_investment * 100)
        month = first
        while month <= last:
            status = self._status(month)
            if status is None:
                month = add_months(month, 1)
                continue
            amount = 0
            if started:
                plan = spec.plans.get(month.year)
                active = active_months(spec, month.year) or [month.month]
                weight = SEASON[month.month - 1] / sum(SEASON[m - 1] for m in active)
                base = plan[0] if plan else total * min(1.0, len(active) / 24)
                amount = int(base * weight * spec.pace * rng.uniform(0.5, 1.5))
                if stall_from is not None and month >= stall_from:
                    amount = 0
            negative = started and amount > 0 and rng.random() < 0.0005
            if negative:
                amount = -max(100, amount // 10)
                install, equipment = amount, 0
            else:
                install_share = rng.uniform(0.45, 0.65) if industrial else rng.uniform(0.75, 0.9)
                equip_share = (1 - install_share) * (rng.uniform(0.5, 0.9) if industrial else rng.uniform(0, 0.3))
                install, equipment = int(amount * install_share), int(amount * equip_share)
            other = amount - install - equipment
            counted = status != ReportStatus.DRAFT
            submitted = self._when(month, rng.choice((1, 2, 3, 3, 4, 4, 5, 5, 5, 6, 7, 9)), rng.randint(8, 18))
            unit_ok = status in (ReportStatus.UNIT_APPROVED, ReportStatus.OFFICE_APPROVED)
            office_ok = status == ReportStatus.OFFICE_APPROVED
            stalled = stall_from is not None and month >= stall_from
            report = ProgressReport(
                project=project,
                period=month,
                status=status,
                month_investment=cents(amount),
                construction_install=cents(install),
                equipment=cents(equipment),
                other_cost=cents(other),
                funds_arrived=cents(max(0, int(amount * rng.uniform(0.5, 1.1)))),
                physical_progress=(
                    rng.choice(STALL_TEXTS)
                    if stalled
                    else rng.choice(PROGRESS_TEXTS)
                    if started
                    else rng.choice(PREP_TEXTS)
                ),
                next_month_plan=rng.choice(PLAN_TEXTS) if started else "加快办理前期手续",
                is_started=started,
                started_on=spec.start,
                negative_reason="核减以前月份重复统计的投资" if negative else "",
                submitted_at=submitted if counted else None,
                submitted_by=reporter if counted else None,
                unit_reviewed_at=min(submitted + timedelta(days=1), self.now) if unit_ok else None,
                unit_reviewed_by=reporter if unit_ok else None,
                office_reviewed_at=min(submitted + timedelta(days=2), self.now) if office_ok else None,
                office_reviewed_by=office if office_ok else None,
                return_reason=RETURN_REASON if status == ReportStatus.DRAFT and rng.random() < 0.3 else "",
            )
            reports.append(report)
            month = add_months(month, 1)
        return reports

    # --- a chunk ---------------------------------------------------------------------------------------------------

    def chunk(self, specs: list[ProjectSpec]) -> dict[str, int]:
        """Write the reports of the chunk's projects, the events of the latest two months and a few problems."""
        reports = []
        for spec in specs:
            reports += self._reports(spec)
        ProgressReport.objects.bulk_create(reports, batch_size=BATCH)
        recent = self.months[-2:]
        events, problems = [], []
        for report in reports:
            if report.period not in recent:
                continue
            if report.status != ReportStatus.DRAFT:
                events.append(
                    ReportEvent(
                        report=report,
                        type=ReportEventType.SUBMITTED,
                        actor=report.submitted_by,
                        created=report.submitted_at,
                    )
                )
                if report.period == self.latest and self.rng.random() < 0.04:
                    category, description, help_requested = self.rng.choice(PROBLEMS)
                    problems.append(
                        ReportProblem(
                            report=report, category=category, description=description, help_requested=help_requested
                        )
                    )
            elif report.return_reason:
                events.append(
                    ReportEvent(
                        report=report,
                        type=ReportEventType.RETURNED,
                        actor=self.office,
                        data={"reason": report.return_reason},
                        created=self.now,
                    )
                )
        ReportEvent.objects.bulk_create(events, batch_size=BATCH)
        ReportProblem.objects.bulk_create(problems, batch_size=BATCH)
        return {"reports": len(reports), "report_events": len(events), "report_problems": len(problems)}


class ReportsStep(SyntheticStep):
    """The reporting windows, the monthly reports of every chunk, then the latest month's warning lights."""

    def __init__(self) -> None:
        self.generator: _Reports | None = None
        self.project_ids: list[int] = []

    def reporting_month(self, today: date | None) -> date | None:
        return period_for_reporting(today)

    def setup(self, run: SyntheticRun) -> None:
        for period in run.months:
            reporting_period_get(period)
        self.generator = _Reports(run, synthetic_accounts(run))

    def chunk(self, run: SyntheticRun, start: int, size: int) -> None:
        assert self.generator is not None  # setup() runs first
        specs = chunk_specs(run)
        self.project_ids += [spec.project.pk for spec in specs]
        for name, n in self.generator.chunk(specs).items():
            run.count(name, n)

    def finish(self, run: SyntheticRun) -> None:
        # Everything was bulk-written without signals: the per-project facts (tuijin.facts) are rebuilt from it.
        figures_changed(None)
