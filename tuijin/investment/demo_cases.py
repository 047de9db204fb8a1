"""Demo 违约/调整 cases and 达产跟踪 data (tuijin.investment.demo_cases.load_cases, a `tuijin load_demo` step after
the leads and the promise ledger).

- Cases: on the demo investor commitments that fell short (signed, past due and not kept, or 部分兑现 / 无法兑现),
  one case is left open and one is decided per decision kind (重新约定, 追回奖补 within the paid 奖补, 免予追究).
  When the ledger demo left too few such lines, the missing ones are written through the ledger's own services
  (`tuijin.investment.ledger`) on a signed demo lead without drafts; without the ledger, the cases are skipped.
- 达产跟踪: every demo lead at 投产 or 达产 gets its 项目用地 (when blank) and one to three completed years of
  产值, 税收 and 就业 (the year of production itself when no later year is complete yet); one lead falls below the
  低效用地 line.

Everything goes through the services (history, timeline, notifications). Nothing is dated in the future: a
renegotiated commitment is due today at the earliest. Idempotent: each part is skipped when its demo rows exist.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tuijin.users.models import User

from . import cases, results, services
from .choices import (
    PRODUCING_OR_LATER,
    SIGNED_OR_LATER,
    CaseDecision,
    CaseStatus,
    CommitmentSide,
    CommitmentState,
    CommitmentStatus,
)
from .models import Commitment, CommitmentCase, Lead, YearlyResult

__all__ = ["load_cases"]

D = Decimal
SHORTFALLS = [
    "承诺年产值2亿元，上年实际完成0.8亿元，差距较大；企业称市场订单不及预期",
    "承诺新增就业300人，实际社保缴纳人数120人",
    "承诺亩均税收30万元，实际亩均税收12万元",
    "承诺固定资产投资5亿元，实际完成2.1亿元，二期设备未进场",
]


def _unit_actor(lead: Lead, office: User) -> User:
    """The tracking unit's own demo account, else the 项目办."""
    from tuijin.org.choices import ScopeKind
    from tuijin.users.recipients import users_covering

    people = users_covering(lead.tracking_unit, cases.ADD, kinds=(ScopeKind.UNIT,)).filter(is_demo=True)
    return people.first() or office


def _eligible():
    return list(
        Commitment.objects.filter(is_demo=True, lead__is_demo=True)
        .filter(cases.eligible_condition())
        .exclude(cases__status=CaseStatus.OPEN)
        .select_related("lead", "lead__tracking_unit")
        .order_by("lead_id", "due_date", "pk")
    )


def _payable(commitments: list[Commitment]) -> list[Commitment]:
    return [c for c in commitments if cases.clawback_limit(c.lead) > 0]


def _ledger_lines(office: User, stdout) -> bool:
    """Write short-fallen investor lines (and a paid 奖补 line) through the ledger's services. False: no ledger."""
    try:
        from . import ledger
    except ImportError:
        return False
    if not all(hasattr(ledger, n) for n in ("commitment_create", "agreement_sign", "commitment_set_status")):
        return False
    lead = (
        Lead.objects.filter(is_demo=True, stage__in=SIGNED_OR_LATER)
        .exclude(commitments__state=CommitmentState.DRAFT)
        .order_by("pk")
        .first()
    )
    if lead is None:
        return False
    today = timezone.localdate()
    due = today - timedelta(days=60)
    specs = [
        ("output", "投产后第一年产值不低于2亿元", D("20000"), "万元"),
        ("jobs", "新增就业岗位不少于300个", D("300"), "人"),
        ("tax_per_mu", "达产后亩均税收不低于30万元", D("30"), "万元/亩"),
        ("capex", "固定资产投资不低于5亿元", D("50000"), "万元"),
    ]
    made = [
        ledger.commitment_create(
            actor=None,
            lead=lead,
            side=CommitmentSide.INVESTOR,
            category=category,
            content=f"{content}（示例）",
            due_date=due,
            target_value=target,
            target_unit=unit,
            is_demo=True,
        )
        for category, content, target, unit in specs
    ]
    subsidy = ledger.commitment_create(
        actor=None,
        lead=lead,
        side=CommitmentSide.GOVERNMENT,
        category="subsidy",
        content="设备购置奖补资金（示例）",
        due_date=due - timedelta(days=90),
        amount=D("800"),
        responsible_unit=lead.tracking_unit,
        is_demo=True,
    )
    if subsidy.fc_flagged:  # 选择性财政奖补: a reason from the unit, a second reviewer from the office
        justifier = _unit_actor(lead, office)
        from tuijin.users.recipients import users_covering

        reviewers = users_covering(lead.tracking_unit, "investment.review_commitment").exclude(pk=justifier.pk)
        reviewer = reviewers.first()
        if reviewer is None:
            return False
        subsidy = ledger.commitment_flag_justify(
            actor=justifier,
            commitment=subsidy,
            version=subsidy.version,
            reason="依据区政府常务会议纪要，对符合条件的先进制造业项目按设备投资额给予奖补（示例）",
            basis="红政〔2024〕12号（示例）",
        )
        ledger.commitment_flag_review(actor=reviewer, commitment=subsidy, version=subsidy.version, approve=True)
    ledger.agreement_sign(actor=None, lead=lead)
    subsidy.refresh_from_db()
    ledger.commitment_set_status(
        actor=None,
        commitment=subsidy,
        version=subsidy.version,
        status=CommitmentStatus.FULFILLED,
        realised_amount=D("800"),
        fulfilled_on=due - timedelta(days=30),
        evidence="区财政拨付凭证（示例）",
    )
    first = Commitment.objects.get(pk=made[0].pk)
    ledger.commitment_set_status(
        actor=None,
        commitment=first,
        version=first.version,
        status=CommitmentStatus.PARTIAL,
        realised_value=D("8000"),
        status_note="市场订单不及预期，完成四成",
    )
    stdout.write(f"示例违约/调整：在“{lead.name}”补充了 {len(made)} 项企业承诺。")
    return True


def _load_cases(office: User, stdout) -> None:
    if CommitmentCase.objects.filter(commitment__is_demo=True).exists():
        stdout.write("示例违约/调整事项已存在，跳过。")
        return
    eligible = _eligible()
    if len(eligible) < 4 or not _payable(eligible):
        written = _ledger_lines(office, stdout)
        eligible = _eligible()
        if not written and not eligible:
            stdout.write("没有可开启违约/调整的示例企业承诺（承诺台账示例未加载），跳过违约/调整示例。")
            return
    payable = _payable(eligible)[:1]  # one line whose lead has 奖补 paid, for the 追回奖补 case
    chosen = [*payable, *(c for c in eligible if c not in payable)][:4]
    today = timezone.localdate()
    opened = []
    for index, commitment in enumerate(chosen):
        actor = _unit_actor(commitment.lead, office)
        opened.append(cases.case_open(actor=actor, commitment=commitment, shortfall=SHORTFALLS[index % 4]))
    # 追回奖补 on a case whose lead has 奖补 paid; the others in order
    claw = next((c for c in opened if cases.clawback_limit(c.commitment.lead) > 0), None)
    plan: list[tuple[CommitmentCase, str]] = []
    rest = [c for c in opened if c is not claw]
    if claw is not None:
        plan.append((claw, CaseDecision.CLAW_BACK))
    others: list[str] = [CaseDecision.RENEGOTIATE, CaseDecision.EXCUSE]
    for case, decision in zip(rest, others, strict=False):
        plan.append((case, decision))
    decided = 0
    for case, decision in plan:
        case.refresh_from_db()
        data = cases.CaseDecisionInput(decision=decision, reason="")
        if decision == CaseDecision.RENEGOTIATE:
            data.reason = "企业因设备到货延迟申请延期，经区商务局与企业协商重新约定兑现时间"
            data.new_due_date = max(today, case.commitment.due_date + timedelta(days=1))
        elif decision == CaseDecision.CLAW_BACK:
            limit = cases.clawback_limit(case.commitment.lead)
            data.reason = "企业未达到奖补协议约定的产值条件，按协议追回部分奖补资金"
            data.clawback_amount = min(limit, (limit / 2).quantize(D("0.01")))
        else:
            data.reason = "受上游原材料断供等不可抗力影响，经研究免予追究"
        cases.case_decide(actor=office, case=case, version=case.version, data=data)
        decided += 1
    stdout.write(f"示例违约/调整：{len(opened)} 项（{decided} 项已处理，{len(opened) - decided} 项待处理）。")


# (output per 亩, tax per 亩) in 万元, year after year; the first produced lead stays below the 低效用地 line
PER_MU_GOOD = [(D("420"), D("22")), (D("480"), D("26")), (D("520"), D("31"))]
PER_MU_LOW = [(D("160"), D("6")), (D("190"), D("8")), (D("230"), D("11"))]


def _load_results(office: User, stdout) -> None:
    produced = list(
        Lead.objects.filter(is_demo=True, stage__in=PRODUCING_OR_LATER, production_date__isnull=False).order_by("pk")
    )
    if not produced:
        stdout.write("没有投产的示例招商项目，跳过达产跟踪示例。")
        return
    if YearlyResult.objects.filter(lead__in=produced).exists():
        stdout.write("示例达产跟踪数据已存在，跳过。")
        return
    today = timezone.localdate()
    rows = 0
    for index, lead in enumerate(produced):
        if lead.land_mu is None:
            land = lead.land_need_mu if lead.land_need_mu else D(30 + (index * 13) % 90)
            lead = services.lead_update(actor=None, lead=lead, version=lead.version, data={"land_mu": land})
        years = [y for y in results.result_years(lead, today) if y < today.year][-3:]
        years = years or results.result_years(lead, today)[:1]
        figures = PER_MU_LOW if index == 0 else PER_MU_GOOD
        actor = _unit_actor(lead, office)
        land = lead.land_mu or D(1)
        for step, year in enumerate(years):
            output_mu, tax_mu = figures[min(step, len(figures) - 1)]
            data = {
                "output": (output_mu * land).quantize(D("1")),
                "tax": (tax_mu * land).quantize(D("0.1")),
                "jobs": 60 + 25 * step + 7 * index,
                "note": "示例数据" if step else "投产当年（不满一年）" if year == lead.production_date.year else "",
            }
            results.result_save(actor=actor, lead=lead, year=year, data=data)
            rows += 1
    stdout.write(f"示例达产跟踪：{len(produced)} 个投产项目，{rows} 个年度（其中 1 个项目低于低效用地预警线）。")


@transaction.atomic
def load_cases(context: dict, stdout) -> None:
    office = User.objects.get(username="xmb")
    _load_cases(office, stdout)
    _load_results(office, stdout)
