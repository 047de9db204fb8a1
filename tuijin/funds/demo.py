"""Demo 争取上级资金 and 纳统 (a `load_demo` step, after the projects and their reports): ten funding windows across
the channels (some open now, one closing within the reminder window, one upcoming, some closed), the 谋划/入库
record of forty demo projects (mature, near and far, so that each open window ranks eligible projects, near misses
and failing ones), thirty applications in every state — among them a 专项债 grant whose money arrived more than six
months ago and is not paid (the 资金闲置 light) — and the 统计局's 统计口径 figures of the last three months for the
started projects (a few differences beyond the tolerance, one 已开工未入库; the older months submitted, so locked).

Everything goes through the services (the 项目办 `xmb`, the units' reporters, the 统计局 `tongji`) with the dates
of the story (下达, 到位, payments), so the funds writes relight their projects as usual; then the windows' dates and
the timestamps of the timelines are moved back so the story is plausible, never later than now.
Idempotent: skipped when the demo windows exist. Without the `tongji` account the 纳统 figures are left out.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tuijin.core.periods import add_months, month_start

from . import services
from .choices import APPLICATION_FLOW, ApplicationStatus, Channel
from .models import ApplicationEvent, ApplicationFile, FundApplication, FundingBatch, FundPayment, StatsFigure

__all__ = ["load_funds"]

DOCUMENT = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PREPPED = 40


@dataclass
class _Window:
    key: str
    channel: str
    name: str  # "%(y)s" is the deadline's year
    opens: int  # days from today, as finally shown
    closes: int
    rules: dict = field(default_factory=dict)
    programme: str = ""


WINDOWS = [
    _Window(
        "urban",
        Channel.CENTRAL_BUDGET,
        "%(y)s年中央预算内投资城市更新项目第二批",
        -20,
        25,
        {"min_prep_stage": "feasibility", "min_library_status": "reserve", "require_land": True},
        "城市更新",
    ),
    _Window(
        "major",
        Channel.LONG_BOND_MAJOR,
        "%(y)s年超长期特别国债“两重”建设项目",
        -15,
        40,
        {"min_prep_stage": "feasibility", "min_library_status": "rolling", "require_capital": True},
        "重大水利和城市地下管网",
    ),
    _Window(
        "new",
        Channel.LONG_BOND_NEW,
        "%(y)s年超长期特别国债“两新”设备更新项目",
        -25,
        4,
        {"min_prep_stage": "proposal", "min_library_status": "none"},
        "设备更新",
    ),
    _Window(
        "bond2",
        Channel.SPECIAL_BOND,
        "%(y)s年地方政府专项债券项目第三批",
        -10,
        30,
        {
            "min_prep_stage": "feasibility",
            "min_library_status": "reserve",
            "require_debt_system": True,
            "require_capital": True,
            "min_revenue_coverage": Decimal("1.20"),
        },
    ),
    _Window(
        "policy",
        Channel.POLICY_FINANCE,
        "%(y)s年政策性开发性金融工具项目",
        -5,
        60,
        {"min_prep_stage": "proposal", "min_library_status": "none"},
    ),
    _Window(
        "city2",
        Channel.MUNICIPAL,
        "%(y)s年市级重点项目前期经费第二批",
        10,
        40,
        {"min_prep_stage": "idea", "min_library_status": "none", "require_code": False},
    ),
    _Window(
        "bond1",
        Channel.SPECIAL_BOND,
        "%(y)s年地方政府专项债券项目第一批",
        -300,
        -250,
        {
            "min_prep_stage": "feasibility",
            "min_library_status": "reserve",
            "require_debt_system": True,
            "min_revenue_coverage": Decimal("1.20"),
        },
    ),
    _Window(
        "urban1",
        Channel.CENTRAL_BUDGET,
        "%(y)s年中央预算内投资城市更新项目第一批",
        -190,
        -150,
        {"min_prep_stage": "feasibility", "min_library_status": "reserve"},
        "城市更新",
    ),
    _Window(
        "province",
        Channel.PROVINCIAL,
        "%(y)s年省级重大项目前期工作专项资金",
        -120,
        -90,
        {"min_prep_stage": "proposal", "min_library_status": "none"},
    ),
    _Window(
        "city1",
        Channel.MUNICIPAL,
        "%(y)s年市级重点项目前期经费第一批",
        -80,
        -60,
        {"min_prep_stage": "idea", "min_library_status": "none", "require_code": False},
    ),
]

# (window key, final state, plan for a grant: (days after the deadline of 下达, of 到位, [(days after 下达, share)])
S = ApplicationStatus
PLANS: list[tuple[str, str, tuple | None]] = [
    ("urban", S.DRAFTING, None),
    ("urban", S.DRAFTING, None),
    ("urban", S.DISTRICT_REVIEW, None),
    ("urban", S.DISTRICT_REVIEW, None),
    ("urban", S.CITY, None),
    ("urban", S.DRAFTING, None),
    ("major", S.DRAFTING, None),
    ("major", S.DISTRICT_REVIEW, None),
    ("major", S.PROVINCE, None),
    ("major", S.WITHDRAWN, None),
    ("new", S.DRAFTING, None),
    ("new", S.DISTRICT_REVIEW, None),
    ("bond2", S.CITY, None),
    ("bond2", S.NATIONAL, None),
    ("policy", S.DRAFTING, None),
    # the idle grant: money arrived more than six months ago, nothing paid (资金闲置)
    ("bond1", S.APPROVED, (40, 50, [])),
    ("bond1", S.APPROVED, (40, 55, [(30, "0.4"), (90, "0.3")])),
    ("bond1", S.REJECTED, None),
    ("urban1", S.APPROVED, (35, 45, [(20, "0.5"), (60, "0.5")])),
    ("urban1", S.APPROVED, (35, 50, [(40, "0.3")])),
    ("urban1", S.NATIONAL, None),
    ("urban1", S.REJECTED, None),
    ("province", S.APPROVED, (30, 40, [(25, "1")])),
    ("province", S.APPROVED, (30, 42, [])),
    ("province", S.PROVINCE, None),
    ("province", S.WITHDRAWN, None),
    ("city1", S.APPROVED, (25, 30, [])),
    ("city1", S.APPROVED, (25, 28, [(10, "0.6")])),
    ("city1", S.CITY, None),
    ("city1", S.REJECTED, None),
]

# 谋划/入库 profiles, in turn: ready, preliminary design, a near miss, barely started, feasibility done
PROFILES: list[dict[str, Any]] = [
    {
        "prep_stage": "ready",
        "library_status": "annual",
        "in_debt_system": True,
        "land_secured": True,
        "cap": "0.30",
        "coverage": "1.45",
    },
    {
        "prep_stage": "preliminary",
        "library_status": "rolling",
        "in_debt_system": True,
        "land_secured": True,
        "cap": "0.22",
        "coverage": "1.25",
    },
    {
        "prep_stage": "feasibility",
        "library_status": "reserve",
        "in_debt_system": False,
        "land_secured": False,
        "cap": "0.15",
        "coverage": "1.19",
    },
    {
        "prep_stage": "proposal",
        "library_status": "none",
        "in_debt_system": False,
        "land_secured": False,
        "cap": None,
        "coverage": None,
    },
    {
        "prep_stage": "feasibility",
        "library_status": "rolling",
        "in_debt_system": False,
        "land_secured": True,
        "cap": "0.20",
        "coverage": None,
    },
]
NOTES = {
    "ready": "施工图审查已完成，具备开工条件",
    "preliminary": "初步设计已批复，正在办理施工许可",
    "feasibility": "可研已批复",
    "proposal": "项目建议书编制中",
}


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _at(day: date, hour: int, now: datetime, minutes_before: int) -> datetime:
    """9 o'clock-ish on `day`, but never later than `minutes_before` minutes before now."""
    moment = timezone.make_aware(datetime.combine(day, time(min(hour, 20), 0)))
    return min(moment, now - timedelta(minutes=minutes_before))


class _Builder:
    def __init__(self, stdout) -> None:
        from tuijin.org.scoping import user_memberships
        from tuijin.users.models import User

        self.stdout = stdout
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.office = User.objects.get(username="xmb")
        self.office_unit = user_memberships(self.office)[0].unit
        self.bureau = User.objects.filter(username="tongji").first()
        self.reporters: dict[int, object] = {}
        for user in User.objects.filter(is_demo=True, memberships__role="unit_reporter").distinct():
            for membership in user.memberships.filter(role="unit_reporter"):
                self.reporters.setdefault(membership.unit_id, user)

    def reporter(self, project):
        return self.reporters.get(project.responsible_unit_id) or self.office

    # -- 谋划 and 储备 --------------------------------------------------------------------------------------------

    def projects(self) -> list:
        from tuijin.funds.matching import INACTIVE_STAGES
        from tuijin.projects.models import Project

        rows = (
            Project.objects.filter(is_demo=True, total_investment__gt=0)
            .exclude(code="")
            .exclude(stage__in=INACTIVE_STAGES)
            .select_related("responsible_unit")
            .order_by("pk")
        )
        return list(rows[:PREPPED])

    def prep(self, projects) -> None:
        for i, project in enumerate(projects):
            profile = PROFILES[i % len(PROFILES)]
            capital = profile["cap"]
            data = {
                "prep_stage": profile["prep_stage"],
                "library_status": profile["library_status"],
                "in_debt_system": profile["in_debt_system"],
                "land_secured": profile["land_secured"],
                "capital_in_place": _money(project.total_investment * Decimal(capital)) if capital else None,
                "revenue_coverage": Decimal(profile["coverage"]) if profile["coverage"] else None,
                "note": NOTES[profile["prep_stage"]],
            }
            services.prep_save(actor=self.office, project=project, version=None, data=data)

    # -- windows ------------------------------------------------------------------------------------------------

    def windows(self) -> dict[str, FundingBatch]:
        """Every window is created open (applications need that); the closed ones are moved back afterwards."""
        batches = {}
        for spec in WINDOWS:
            deadline = self.today + timedelta(days=spec.closes)
            data = {
                "channel": spec.channel,
                "name": spec.name % {"y": deadline.year},
                "programme": spec.programme,
                "opens_on": self.today + timedelta(days=min(spec.opens, 0)),
                "deadline": max(deadline, self.today + timedelta(days=30)),
                "eligibility_notes": "详见申报通知。",
                "document_title": "关于做好%s申报工作的通知" % (spec.name % {"y": deadline.year}),
                "document_url": "https://www.ndrc.gov.cn/",
                "organiser": self.office_unit,
                **spec.rules,
            }
            batches[spec.key] = services.batch_save(actor=self.office, data=data)
        return batches

    def move_windows(self, batches) -> None:
        for spec in WINDOWS:
            FundingBatch.objects.filter(pk=batches[spec.key].pk).update(
                opens_on=self.today + timedelta(days=spec.opens), deadline=self.today + timedelta(days=spec.closes)
            )

    # -- applications -------------------------------------------------------------------------------------------

    def application(self, project, batch, spec: _Window, status: str, grant) -> FundApplication:
        unit_actor = self.reporter(project)
        share = Decimal("0.3") if batch.channel != Channel.MUNICIPAL else Decimal("0.02")
        amount = _money(min(project.total_investment * share, Decimal("20000")))
        application = services.application_create(
            actor=unit_actor,
            project=project,
            batch=batch,
            requested_amount=amount,
            other_funds_statement="本年度未申请其他中央资金" if batch.channel in services.CENTRAL_CHANNELS else "",
        )
        if status != S.DRAFTING:
            for key, _label in services.missing_documents(application):
                upload = SimpleUploadedFile(f"{key}.pdf", DOCUMENT, content_type="application/pdf")
                services.application_file_add(actor=unit_actor, application=application, doc_key=key, uploaded=upload)
        elif application.pk % 2:
            key = services.document_labels(batch)[0][0]
            upload = SimpleUploadedFile(f"{key}.pdf", DOCUMENT, content_type="application/pdf")
            services.application_file_add(actor=unit_actor, application=application, doc_key=key, uploaded=upload)
        order = [str(s) for s in APPLICATION_FLOW]
        leads_to: dict[str, str] = {S.APPROVED: S.NATIONAL, S.REJECTED: S.PROVINCE, S.WITHDRAWN: S.DISTRICT_REVIEW}
        reach = leads_to.get(status, status)
        while order.index(application.status) < order.index(reach):
            actor = unit_actor if application.status == S.DRAFTING else self.office
            note = "" if application.status == S.DRAFTING else "经审核，同意转报。"
            application = services.application_advance(
                actor=actor, application=application, version=application.version, note=note
            )
        deadline = self.today + timedelta(days=spec.closes)
        if status == S.APPROVED:
            decided, arrived, payments = grant
            approval_date = min(deadline + timedelta(days=decided), self.today)
            arrived_on = min(deadline + timedelta(days=arrived), self.today)
            granted = _money(amount * Decimal("0.8"))
            application = services.application_decide(
                actor=self.office,
                application=application,
                version=application.version,
                approved=True,
                amount=granted,
                approval_doc="豫发改投资〔%d〕%d号" % (approval_date.year, 100 + application.pk),
                approval_date=approval_date,
                arrived_on=arrived_on,
                start_deadline=approval_date + timedelta(days=180),
            )
            left = granted
            for after, part in payments:
                paid_on = min(approval_date + timedelta(days=after), self.today)
                value = min(_money(granted * Decimal(part)), left)
                if value > 0:
                    services.payment_add(
                        actor=self.office, application=application, paid_on=paid_on, amount=value, note="按进度拨付"
                    )
                    left -= value
        elif status == S.REJECTED:
            application = services.application_decide(
                actor=self.office,
                application=application,
                version=application.version,
                approved=False,
                reason="本批次额度有限，项目前期工作深度不足，建议下一批次再报。",
            )
        elif status == S.WITHDRAWN:
            application = services.application_withdraw(
                actor=unit_actor, application=application, version=application.version, reason="调整为申报其他渠道资金"
            )
        return application

    def backdate(self, application: FundApplication, spec: _Window) -> None:
        """编制 a few days after the window opened, each later step some days on, the decision on its date; nothing
        after now, each step after the one before."""
        opened = self.today + timedelta(days=spec.opens)
        deadline = self.today + timedelta(days=spec.closes)
        start = min(opened + timedelta(days=3 + application.pk % 5), self.today)
        events = list(ApplicationEvent.objects.filter(application=application).order_by("pk"))
        moments = []
        previous = None
        for i, event in enumerate(events):
            if event.to_status in (S.APPROVED,) and application.approval_date:
                day = application.approval_date
            elif event.to_status == S.REJECTED:
                day = deadline + timedelta(days=30)
            else:
                day = start + timedelta(days=4 * i)
            if event.to_status in (S.CITY, S.PROVINCE, S.NATIONAL, S.WITHDRAWN) and spec.closes < 0:
                day = min(day, deadline + timedelta(days=5 * i))
            moment = _at(min(day, self.today), 9 + i, self.now, 120 - i)
            if previous is not None and moment <= previous:
                moment = min(previous + timedelta(minutes=30), self.now - timedelta(minutes=120 - i))
            moments.append(moment)
            previous = moment
            ApplicationEvent.objects.filter(pk=event.pk).update(created=moment)
        first, last = moments[0], moments[-1]
        FundApplication.objects.filter(pk=application.pk).update(created=first, last_updated=last)
        ApplicationFile.objects.filter(application=application).update(created=first + timedelta(minutes=10))
        for payment in FundPayment.objects.filter(application=application):
            moment = _at(payment.paid_on, 16, self.now, 30)
            FundPayment.objects.filter(pk=payment.pk).update(created=moment, last_updated=moment)

    def renumber(self) -> None:
        """Number the applications by the year they were started, in that order (as if numbered then)."""
        rows = list(FundApplication.objects.order_by("created", "pk").values_list("pk", "created"))
        for pk, _created in rows:
            FundApplication.objects.filter(pk=pk).update(number=f"TMP-{pk}")
        seq: dict[int, int] = {}
        for pk, created in rows:
            year = timezone.localtime(created).year
            seq[year] = seq.get(year, 0) + 1
            FundApplication.objects.filter(pk=pk).update(number=f"ZJ{year}-{seq[year]:04d}")

    # -- 纳统 ---------------------------------------------------------------------------------------------------

    def stats(self) -> tuple[int, int]:
        """The last three months' figures of the started demo projects: most within the tolerance, three with the
        dispatch figure far above, one started project not in the statistics database; the two older months
        submitted (locked), the last month partly."""
        from tuijin.facts.models import ProjectMonth

        last = add_months(month_start(self.today), -1)
        months = [add_months(last, -2), add_months(last, -1), last]
        entered = submitted = 0
        mismatched: set[int] = set()
        not_in_db = None
        for index, month in enumerate(months):
            rows = list(
                ProjectMonth.objects.filter(period=month, started=True, project__is_demo=True)
                .order_by("project_id")
                .values_list("project_id", "month_investment")[:30]
            )
            if not rows:
                continue
            if not_in_db is None:
                not_in_db = rows[0][0]
            for n, (project_id, dispatch) in enumerate(rows):
                dispatch = dispatch or Decimal("0")
                in_database = project_id != not_in_db
                factor = [Decimal("0.96"), Decimal("1.00"), Decimal("1.03"), Decimal("0.92")][n % 4]
                note = ""
                if month == last and dispatch >= 300 and len(mismatched) < 3 and project_id != not_in_db:
                    factor, note = Decimal("0.40"), "部分投资未达入统标准"
                    mismatched.add(project_id)
                figure = self.enter(project_id, month, _money(dispatch * factor), in_database, note)
                entered += 1
                if index < 2 or n % 2 == 0:
                    figure = services.stats_submit(actor=self.bureau, figure=figure, version=figure.version)
                    submitted += 1
                self.backdate_figure(figure, month, index < 2 or n % 2 == 0)
        return entered, submitted

    def enter(self, project_id: int, month: date, amount: Decimal, in_database: bool, note: str) -> StatsFigure:
        from tuijin.projects.models import Project

        return services.stats_save(
            actor=self.bureau,
            project=Project.objects.get(pk=project_id),
            month=month,
            stats_investment=amount,
            in_database=in_database,
            note=note,
        )

    def backdate_figure(self, figure: StatsFigure, month: date, was_submitted: bool) -> None:
        """Entered on the 8th of the following month, submitted on the 10th (never after now)."""
        following = add_months(month, 1)
        entered = _at(following + timedelta(days=7), 10, self.now, 90)
        fields = {"created": entered, "last_updated": entered}
        if was_submitted:
            sent = _at(following + timedelta(days=9), 15, self.now, 60)
            fields["submitted_at"] = fields["last_updated"] = max(sent, entered + timedelta(minutes=5))
            if fields["submitted_at"] > self.now:
                fields["submitted_at"] = fields["last_updated"] = self.now - timedelta(minutes=1)
        StatsFigure.objects.filter(pk=figure.pk).update(**fields)


def load_funds(context: dict, stdout) -> None:
    if FundingBatch.objects.filter(
        name__contains="超长期特别国债“两重”建设项目", document_url="https://www.ndrc.gov.cn/"
    ).exists():
        stdout.write("示例资金申报：已存在，跳过。")
        return
    builder = _Builder(stdout)
    projects = builder.projects()
    builder.prep(projects)
    batches = builder.windows()
    specs = {spec.key: spec for spec in WINDOWS}
    applications = []
    # the projects in turn, the first ones (the mature profiles) first: no project applies twice
    for project, (key, status, grant) in zip(projects, PLANS, strict=False):
        applications.append(builder.application(project, batches[key], specs[key], status, grant))
    builder.move_windows(batches)
    for application, (key, _status, _grant) in zip(applications, PLANS, strict=False):
        builder.backdate(FundApplication.objects.get(pk=application.pk), specs[key])
    builder.renumber()
    entered = submitted = 0
    if builder.bureau is not None:
        entered, submitted = builder.stats()
    stdout.write(
        f"示例资金申报：批次 {len(batches)} 个，谋划储备 {len(projects)} 个项目，申报 {len(applications)} 项；"
        f"统计口径数据 {entered} 条（已报送 {submitted} 条）"
        + ("。" if builder.bureau is not None else "（未找到统计局账户 tongji，未生成）。")
    )
