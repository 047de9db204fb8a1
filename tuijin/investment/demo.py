"""Demo investment leads (tuijin.investment.demo.load_leads, a `tuijin load_demo` step after the organisation,
accounts and projects).

About 40 fictional leads (every investor and enterprise marked 示例) in 红旗区's chains — 光电信息, 智能制造,
现代服务业 (数字经济) — at every stage of the pipeline, in every size band, with every review state: 在谈, 签约 /
注册 / 开工 / 投产 / 达产 (most approved, some 审核中, one 退回 with an opinion), and 终止 with a reason. Written
through the real services (history, timeline, review, notifications) by the tracking unit's demo account where it
has one, else the 项目办 (`xmb`), who reviews. Three signed leads are converted into key projects
(services.lead_to_project), marked as demo projects. Dates are relative to today, none in the future.

Idempotent: skipped when demo leads exist. Needs the org and accounts demo steps before it.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tuijin.projects.models import IndustryChain, Project
from tuijin.users.models import User

from . import services
from .choices import PIPELINE, LeadStage
from .models import Lead

__all__ = ["LEADS", "load_leads"]

OPTO, SMART, SERVICE = "光电信息", "智能制造", "现代服务业"


@dataclass(frozen=True)
class DemoLead:
    name: str
    investor: str
    chain: str
    unit: str  # a key of context["units"]
    amount: int | None  # 万元 (planned; the signed total when signed)
    stage: str
    tags: tuple[str, ...] = ()
    review: str = "approved"  # approved / pending / returned (for a stage after 在谈)
    convert: bool = False


N, S, R, ST, P, RE, T = "negotiating", "signed", "registered", "started", "producing", "reached", "terminated"
LEADS = [
    # 光电信息
    DemoLead(
        "年产200万片光学镜片项目", "示例光学集团股份有限公司", OPTO, "hongkai", 85000, RE, ("listed", "high_tech")
    ),
    DemoLead("光电传感器模组扩产项目", "示例传感科技有限公司", OPTO, "hongkai", 42000, P, ("high_tech", "private")),
    DemoLead(
        "激光器件研发生产基地项目", "示例激光技术股份有限公司", OPTO, "hongkai", 120000, ST, ("listed",), convert=True
    ),
    DemoLead(
        "光纤预制棒生产线项目", "示例通信材料集团有限公司", OPTO, "区商务局", 250000, R, ("china500", "local_soe")
    ),
    DemoLead(
        "Mini LED显示模组项目", "示例显示科技有限公司", OPTO, "xiaodian", 60000, S, ("private",), review="pending"
    ),
    DemoLead("红外热成像芯片封测项目", "示例微电子有限公司", OPTO, "hongkai", 150000, S, ("high_tech",), convert=True),
    DemoLead("光伏接线盒智能工厂项目", "示例新能源科技有限公司", OPTO, "hongmen", 18000, ST, ("private",)),
    DemoLead("光学薄膜材料项目", "示例外资光学材料有限公司", OPTO, "区商务局", 32000, N, ("foreign",)),
    DemoLead("光电子产业园二期项目", "示例产业投资集团有限公司", OPTO, "区商务局", 300000, N, ("central_soe",)),
    DemoLead(
        "车载激光雷达组装项目", "示例智能感知科技有限公司", OPTO, "hongkai", 95000, R, ("high_tech",), review="returned"
    ),
    DemoLead("半导体照明灯具项目", "示例照明电器有限公司", OPTO, "xiaodian", 9000, T, ("private",)),
    DemoLead("光通信器件检测中心项目", "示例检测认证集团有限公司", OPTO, "dongjie", None, N),
    DemoLead("精密光学元件项目", "示例精密光学有限公司", OPTO, "hongkai", 26000, P, ("specialised",)),
    # 智能制造
    DemoLead("工业机器人整机生产项目", "示例机器人股份有限公司", SMART, "hongkai", 180000, ST, ("listed", "high_tech")),
    DemoLead("智能电梯零部件项目", "示例电梯部件有限公司", SMART, "hongmen", 23000, RE, ("private",)),
    DemoLead("新能源汽车电机壳体项目", "示例汽车零部件集团有限公司", SMART, "hongkai", 76000, P, ("china500",)),
    DemoLead("数控机床再制造项目", "示例机床有限公司", SMART, "xiaodian", 15000, S, ("private",), convert=True),
    DemoLead("智能仓储装备项目", "示例物流装备股份有限公司", SMART, "hongkai", 58000, R, ("listed",)),
    DemoLead("高端轴承智能工厂项目", "示例轴承集团有限公司", SMART, "区工业和信息化局", 220000, N, ("local_soe",)),
    DemoLead(
        "环保装备制造基地项目", "示例环保科技有限公司", SMART, "hongmen", 40000, ST, ("private",), review="pending"
    ),
    DemoLead("精密铸件项目", "示例铸造有限公司", SMART, "xiaodian", 12000, T, ("private",)),
    DemoLead("液压元件生产线项目", "示例液压技术有限公司", SMART, "hongkai", 34000, N, ("specialised",)),
    DemoLead("智能农机装备项目", "示例农业机械集团有限公司", SMART, "hongmen", 110000, S, ("global500", "foreign")),
    DemoLead("3D打印增材制造中心项目", "示例增材制造科技有限公司", SMART, "hongkai", 20000, N, ("high_tech",)),
    DemoLead("电池管理系统项目", "示例储能科技有限公司", SMART, "hongkai", 65000, R, ("private",)),
    DemoLead("工业互联网标识解析节点项目", "示例工业互联网有限公司", SMART, "区工业和信息化局", None, N),
    DemoLead("特种车辆改装项目", "示例专用车有限公司", SMART, "xiaodian", 28000, T, ("private",)),
    # 现代服务业 / 数字经济
    DemoLead("数字经济产业园项目", "示例数字科技集团有限公司", SERVICE, "xijie", 160000, ST, ("central_soe",)),
    DemoLead("区域冷链物流中心项目", "示例冷链物流股份有限公司", SERVICE, "hongmen", 45000, P, ("listed",)),
    DemoLead("跨境电商直播基地项目", "示例电子商务有限公司", SERVICE, "dongjie", 8000, RE, ("private",)),
    DemoLead("城市大数据中心项目", "示例云计算有限公司", SERVICE, "xijie", 270000, S, ("china500",)),
    DemoLead("商业综合体项目", "示例商业管理集团有限公司", SERVICE, "dongjie", 130000, N, ("private",)),
    DemoLead("软件外包服务中心项目", "示例软件股份有限公司", SERVICE, "xijie", 16000, R, ("listed", "high_tech")),
    DemoLead("康养服务综合体项目", "示例健康产业集团有限公司", SERVICE, "区商务局", 52000, N, ("local_soe",)),
    DemoLead("供应链金融服务平台项目", "示例供应链管理有限公司", SERVICE, "区商务局", None, N),
    DemoLead("文旅街区运营项目", "示例文旅发展有限公司", SERVICE, "xijie", 36000, T, ("local_soe",)),
    DemoLead("人力资源服务产业园项目", "示例人力资源集团有限公司", SERVICE, "dongjie", 11000, S, ("private",)),
    DemoLead("算力服务中心项目", "示例算力科技有限公司", SERVICE, "区商务局", 90000, N, ("high_tech",)),
    DemoLead("智慧物流分拨中心项目", "示例快递物流集团有限公司", SERVICE, "hongmen", 70000, ST, ("china500",)),
]
REASONS = ["投资方战略调整，暂停在本地布局", "用地条件无法满足投资方要求", "投资方资金链紧张，项目搁置"]


def _actor(unit_key: str, office: User) -> User:
    """The tracking unit's demo account when it has one (the street and zone reporters), else the 项目办."""
    return User.objects.filter(username=unit_key, is_demo=True).first() or office


def _stage_data(spec: DemoLead, index: int, today) -> dict:
    """Valid data for every stage up to `spec.stage`, dated back from today in order (none in the future)."""
    from tuijin.utilities.codes import credit_code_check_char

    amount = Decimal(spec.amount) if spec.amount is not None else Decimal(5000 + 1000 * index)
    reached = today - timedelta(days=10 + 3 * index)
    production = reached - timedelta(days=300)
    start = production - timedelta(days=150)
    registered = start - timedelta(days=45)
    body = f"91410702MA{index + 1:07d}"
    short = spec.investor.split("有限公司")[0].replace("集团", "").replace("股份", "")
    return {
        "signed_date": registered - timedelta(days=30),
        "contract_kind": "contract" if index % 3 else "agreement",
        "signed_total": amount,
        "phase1_investment": (amount * Decimal("0.4")).quantize(Decimal("1")),
        "registered_name": f"新乡{short}有限公司（示例）",
        "credit_code": body + credit_code_check_char(body),
        "registered_date": registered,
        "start_date": start,
        "production_date": production,
        "reached_date": reached,
    }


@transaction.atomic
def load_leads(context: dict, stdout) -> None:
    if Lead.objects.filter(is_demo=True).exists():
        stdout.write("示例招商项目已存在，跳过。")
        return
    units = context["units"]
    office = User.objects.get(username="xmb")
    chains = {}
    for order, name in enumerate((OPTO, SMART, SERVICE), start=1):
        chains[name] = IndustryChain.objects.filter(name=name).first() or IndustryChain.objects.create(
            name=name, sort_order=order
        )
    today = timezone.localdate()
    converted = []
    for index, spec in enumerate(LEADS):
        actor = _actor(spec.unit, office)
        lead = services.lead_create(
            actor=actor,
            data={
                "name": f"{spec.name}（示例）",
                "investor": spec.investor + "（示例）",
                "investor_tags": list(spec.tags),
                "chain": chains[spec.chain],
                "content": f"{spec.name.removesuffix('项目')}，分期建设。",
                "planned_investment": Decimal(spec.amount) if spec.amount is not None else None,
                "planned_investment_approx": spec.stage == N and index % 4 == 0,
                "land_need_mu": Decimal(20 + (index * 7) % 120) if spec.chain != SERVICE else None,
                "planned_site": "新乡红旗区先进制造业开发区" if spec.unit == "hongkai" else "",
                "tracking_unit": units[spec.unit],
                "tracking_person": ["李明", "王芳", "赵强", "陈静"][index % 4],
                "contact_name": ["刘经理", "张总", "孙主任"][index % 3],
                "contact_position": "投资发展部",
                "recommender": "区商务局" if index % 5 == 0 else "",
                "is_demo": True,
            },
        )
        target = spec.stage if spec.stage != T else PIPELINE[index % 2]  # terminated from 在谈 or 签约
        if target != N:
            data = _stage_data(spec, index, today)
            # one step at a time, each approved, except the last one whose review state the spec gives
            steps = PIPELINE[1 : PIPELINE.index(LeadStage(target)) + 1]
            for step in steps:
                lead = services.lead_submit_stage(
                    actor=actor, lead=lead, version=lead.version, to_stage=step, data=data
                )
                last = step == steps[-1]
                if not last or spec.review == "approved":
                    lead = services.lead_review(actor=office, lead=lead, version=lead.version, approve=True)
                elif spec.review == "returned":
                    lead = services.lead_review(
                        actor=office,
                        lead=lead,
                        version=lead.version,
                        approve=False,
                        opinion="注册资料与营业执照不一致，请核对后重新提交",
                    )
        if spec.stage == T:
            lead = services.lead_terminate(actor=actor, lead=lead, version=lead.version, reason=REASONS[index % 3])
        if spec.convert:
            project = services.lead_to_project(actor=office, lead=lead, version=lead.version)
            converted.append(project.pk)
    Project.objects.filter(pk__in=converted).update(is_demo=True)
    stdout.write(f"示例招商项目：{len(LEADS)} 个（其中 {len(converted)} 个已转为重点项目）。")
