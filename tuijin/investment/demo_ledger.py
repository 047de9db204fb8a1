"""Demo promise ledger (tuijin.investment.demo_ledger.load_ledger, a `tuijin load_demo` step after
tuijin.investment.demo.load_leads).

On four of the demo's signed-or-later leads, government and investor commitments written through the real services
(ledger.py): every status (未达条件, 已达条件待兑现, 部分兑现, 已兑现, 无法兑现-已沟通), lines confirmed and disputed by
the enterprise, exactly one 公平竞争审查-flagged clause justified and second-reviewed (signed), and one flagged
clause of a draft agreement waiting for its second review. Two government promises are past their due date:
`check_overdue` raises their 协调工单 (assigned to the responsible unit, deadline the promise's due date) and
`escalate_overdue` escalates them by the tickets' rules.

The enterprise account `qiye` gets a ledger: the first lead's `enterprise` is set to qiye's unit by a queryset update
(no service sets a lead's enterprise account yet). Dates are relative to today; fulfilment and confirmation dates are
in the past; due dates of promises not yet due lie ahead, as in a real agreement.

Idempotent: skipped when demo commitments exist. Needs the org, accounts and leads demo steps before it.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tuijin.org.choices import ScopeKind
from tuijin.users.models import User
from tuijin.users.recipients import users_covering

from . import ledger
from .choices import LeadStage
from .models import Commitment, Lead

__all__ = ["load_ledger"]


@dataclass(frozen=True)
class Line:
    side: str
    category: str
    content: str
    due: int  # days from the signing date (negative: before today, see `due_from_today`)
    amount: int | None = None
    target: tuple[str, str] | None = None  # (value, unit)
    unit: str = ""  # the responsible unit (a key of context["units"]) of a government promise
    clause: str = ""
    condition: str = ""
    status: str = ""  # set after signing ("" = 未达条件)
    fulfilled: int | None = None  # days after signing
    evidence: str = ""
    note: str = ""
    realised: str | None = None
    confirm: str = ""  # "agree" / "dispute" (the enterprise's word)
    comment: str = ""
    due_from_today: bool = False  # `due` counts from today instead of the signing date
    justify: tuple[str, str] | None = None  # (reason, basis) of a flagged line


LAND, NRB, DRC, ECO, IND, FIN = (
    "新乡市自然资源和规划局红旗分局",
    "区优化营商环境服务中心",
    "区发展和改革委员会",
    "新乡市生态环境局红旗分局",
    "区工业和信息化局",
    "区财政局",
)
GOV, INV = "government", "investor"


@dataclass(frozen=True)
class Agreement:
    lead: str  # the demo lead's name
    lines: list[Line] = field(default_factory=list)
    sign: bool = True
    enterprise: bool = False  # give this lead the enterprise account of `qiye`


AGREEMENTS = [
    Agreement(
        "年产200万片光学镜片项目（示例）",
        enterprise=True,
        lines=[
            Line(
                GOV,
                "land",
                "交付净地80亩，完成土地挂牌出让",
                90,
                unit=LAND,
                clause="第四条",
                status="fulfilled",
                fulfilled=85,
                evidence="不动产权证书（示例）",
                confirm="agree",
            ),
            Line(
                GOV,
                "utilities",
                "项目红线内通水、通电、通气",
                150,
                unit="区住房和城乡建设局",
                clause="第五条",
                status="fulfilled",
                fulfilled=160,
                evidence="供电局接电通知书、供水协议（示例）",
                confirm="agree",
            ),
            Line(
                GOV,
                "subsidy",
                "按设备投资额的10%给予技术改造奖补，最高2000万元",
                400,
                amount=2000,
                unit=IND,
                clause="第七条",
                condition="设备投资发票经审计确认",
                status="partial",
                realised="500",
                note="首批500万元已拨付，余款待审计后拨付",
                confirm="dispute",
                comment="协议约定一次性拨付，请说明分批原因",
                justify=(
                    "依据省级技术改造专项政策，对全区同类项目统一适用，不针对特定企业",
                    "豫政〔2024〕12号（示例）",
                ),
            ),
            Line(
                GOV,
                "service",
                "代办排污许可证及环评批复",
                -20,
                unit=ECO,
                clause="第九条",
                status="due",
                due_from_today=True,
                condition="企业提交环评报告书",
            ),
            Line(
                INV,
                "capex",
                "完成固定资产投资8.5亿元",
                720,
                amount=85000,
                clause="第二条",
                status="partial",
                realised="62000",
                note="一期完成6.2亿元",
                confirm="agree",
            ),
            Line(
                INV,
                "funds",
                "注册资本金2亿元按期到位",
                120,
                amount=20000,
                clause="第三条",
                status="fulfilled",
                fulfilled=110,
                evidence="验资报告（示例）",
                confirm="agree",
            ),
            Line(
                INV,
                "jobs",
                "达产后新增就业岗位300个",
                400,
                due_from_today=True,
                target=("300", "人"),
                clause="第十一条",
            ),
            Line(
                INV,
                "tax_per_mu",
                "达产后亩均税收不低于30万元",
                500,
                due_from_today=True,
                target=("30", "万元/亩"),
                clause="第十二条",
            ),
        ],
    ),
    Agreement(
        "激光器件研发生产基地项目（示例）",
        lines=[
            Line(
                GOV,
                "land",
                "交付工业用地120亩",
                120,
                unit=LAND,
                status="fulfilled",
                fulfilled=118,
                evidence="土地交付确认书（示例）",
            ),
            Line(
                GOV,
                "factor",
                "完成10千伏电力增容",
                -45,
                unit=DRC,
                status="not_met",
                due_from_today=True,
                condition="企业完成厂区配电室建设",
            ),
            Line(
                GOV,
                "utilities",
                "建设项目专用110千伏变电站",
                300,
                unit=DRC,
                status="unable",
                note="电网规划调整，已与企业沟通改为双回路10千伏供电",
            ),
            Line(INV, "capex", "三年内完成固定资产投资12亿元", 300, due_from_today=True, amount=120000),
            Line(INV, "output", "投产后年产值不低于15亿元", 600, due_from_today=True, target=("150000", "万元")),
        ],
    ),
    Agreement(
        "数字经济产业园项目（示例）",
        lines=[
            Line(
                GOV,
                "service",
                "设立项目专班全程代办审批手续",
                60,
                unit=NRB,
                status="fulfilled",
                fulfilled=58,
                evidence="专班成立通知（示例）",
            ),
            Line(
                GOV,
                "factor",
                "协调人才公寓200套",
                200,
                due_from_today=True,
                unit="区住房和城乡建设局",
                status="due",
                condition="企业入驻员工达100人",
            ),
            Line(INV, "jobs", "引进数字经济企业50家", 365, due_from_today=True, target=("50", "家")),
        ],
    ),
    Agreement(
        "红外热成像芯片封测项目（示例）",
        sign=False,
        lines=[
            Line(
                GOV,
                "tax_fee",
                "免收项目城市基础设施配套费",
                90,
                due_from_today=True,
                unit=FIN,
                clause="第六条",
                justify=("拟按省级重大项目政策执行，待复核", ""),
            ),
            Line(GOV, "land", "交付工业用地60亩", 120, due_from_today=True, unit=LAND, clause="第四条"),
            Line(INV, "capex", "完成固定资产投资15亿元", 720, due_from_today=True, amount=150000, clause="第二条"),
        ],
    ),
]


def _actor(lead: Lead, office: User) -> User:
    """The tracking unit's own demo account that keeps its ledger, else the 项目办."""
    people = users_covering(lead.tracking_unit, "investment.add_commitment", kinds=(ScopeKind.UNIT,))
    return people.filter(is_demo=True).first() or office


def _reviewer(actor: User, office: User) -> User:
    """The second reviewer: the 项目办, or the 商务局 when the 项目办 gave the reason itself."""
    if actor.pk != office.pk:
        return office
    return User.objects.filter(username="swj").first() or office


def _due(agreement_line: Line, signed: date, today: date) -> date:
    if agreement_line.due_from_today:
        return today + timedelta(days=agreement_line.due)
    return signed + timedelta(days=agreement_line.due)


def _enterprise_unit(context: dict):
    qiye = User.objects.filter(username="qiye").first()
    membership = qiye.memberships.select_related("unit").first() if qiye is not None else None
    if membership is not None:
        return membership.unit
    from tuijin.org.demo import ENTERPRISES

    return context["units"].get(ENTERPRISES[0])


@transaction.atomic
def load_ledger(context: dict, stdout) -> None:
    if Commitment.objects.filter(is_demo=True).exists():
        stdout.write("示例承诺台账已存在，跳过。")
        return
    units = context["units"]
    office = User.objects.get(username="xmb")
    qiye = User.objects.filter(username="qiye").first()
    today = timezone.localdate()
    written = 0
    for agreement in AGREEMENTS:
        lead = Lead.objects.filter(is_demo=True, name=agreement.lead).select_related("tracking_unit").first()
        if lead is None or lead.stage == LeadStage.TERMINATED or lead.signed_date is None:
            continue
        if agreement.enterprise:
            enterprise = _enterprise_unit(context)
            if enterprise is not None:
                Lead.objects.filter(pk=lead.pk).update(enterprise=enterprise)
                lead.refresh_from_db()
        actor = _actor(lead, office)
        made: list[tuple[Line, Commitment]] = []
        for spec in agreement.lines:
            commitment = ledger.commitment_create(
                actor=actor,
                lead=lead,
                side=spec.side,
                category=spec.category,
                content=spec.content,
                clause=spec.clause,
                condition=spec.condition,
                due_date=_due(spec, lead.signed_date, today),
                amount=Decimal(spec.amount) if spec.amount is not None else None,
                target_value=Decimal(spec.target[0]) if spec.target else None,
                target_unit=spec.target[1] if spec.target else "",
                responsible_unit=units.get(spec.unit) if spec.unit else None,
                is_demo=True,
            )
            if spec.justify is not None and commitment.fc_flagged:
                commitment = ledger.commitment_flag_justify(
                    actor=actor,
                    commitment=commitment,
                    version=commitment.version,
                    reason=spec.justify[0],
                    basis=spec.justify[1],
                )
                if agreement.sign:  # the draft agreement's flag stays waiting for its second review
                    commitment = ledger.commitment_flag_review(
                        actor=_reviewer(actor, office), commitment=commitment, version=commitment.version, approve=True
                    )
            made.append((spec, commitment))
            written += 1
        if not agreement.sign:
            continue
        ledger.agreement_sign(actor=actor, lead=lead)
        for spec, commitment in made:
            commitment.refresh_from_db()
            if spec.status and spec.status != "not_met":
                fulfilled = (
                    min(lead.signed_date + timedelta(days=spec.fulfilled), today - timedelta(days=1))
                    if spec.fulfilled is not None
                    else None
                )
                commitment = ledger.commitment_set_status(
                    actor=actor,
                    commitment=commitment,
                    version=commitment.version,
                    status=spec.status,
                    realised_amount=Decimal(spec.realised) if spec.realised and spec.amount else None,
                    realised_value=Decimal(spec.realised) if spec.realised and not spec.amount else None,
                    fulfilled_on=fulfilled,
                    evidence=spec.evidence,
                    status_note=spec.note,
                )
            if spec.confirm and qiye is not None and lead.enterprise_id:
                ledger.commitment_confirm(
                    actor=qiye,
                    commitment=commitment,
                    version=commitment.version,
                    agree=spec.confirm == "agree",
                    comment=spec.comment,
                )
    result = ledger.check_overdue(today)
    from tuijin.tickets.services import escalate_overdue

    fired = escalate_overdue(today)
    stdout.write(
        f"示例承诺台账：{written} 项承诺；超期政府承诺生成协调工单 {result['raised']} 个（升级 {fired} 级次）。"
    )
