# mypy: disable-error-code="arg-type,union-attr,return-value,type-var,assignment"
# (demo data generator: plans are built from loosely typed tuples; the projects it writes are validated by services)
"""The 红旗区 demo portfolio: about 120 fictional key projects (重点项目), every one marked 示例 and `is_demo`.

A demo step (see `tuijin.core.demo.DEMO_STEPS`) that runs after the organisation steps. It first plans every
project in memory from a seeded `random.Random(2026)`, so the portfolio is the same on every machine, and then
writes everything through the services (`project_create`, `project_transition`, `annual_plan_save`,
`annual_plan_approve`, `plan_change_request`, `approval_item_update`), so the change log and the project
timelines are filled as if people had entered the data.

What it covers, for the plan year 2026: every lifecycle stage (谋划 … 投产, two 暂缓 and one 取消), every yearly
category (新开工, 续建, 新开工当年竣工, 续建当年竣工, 前期), the three leading industries (光电信息, 智能制造,
现代服务业), levels and special lists (两重, 两新, 专项债, 三个一批 with their 期次), funding rows that add up (four
projects explain a gap in `funding_note`), approval items done up to each project's stage, six 拿地即开工 projects
(five fast, one slow), 2025 and 2026 annual plans (most 2026 plans approved as the baseline, three changes
pending). The demo account `baolian` (常务副区长) sponsors 10–20 projects, the enterprise account `qiye` owns four.

All names, owners, credit codes and project codes are fictional; real firms of the district are never used.
Idempotent: when any demo project exists the step does nothing. Dates never fall after today.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.utils import timezone

from tuijin.utilities.codes import CREDIT_CODE_CHARSET, credit_code_check_char

from .choices import (
    ApprovalStatus,
    ConstructionNature,
    FundingSourceKind,
    InvestmentSubject,
    ProjectDomain,
    Stage,
    StatsStatus,
)

__all__ = ["PLAN_YEAR", "load_projects"]

PLAN_YEAR = 2026
SUFFIX = "（示例）"
CHAINS = ["光电信息", "智能制造", "现代服务业"]
REGION_CODE = "410702"
CODE_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# The short prefix used in project names for each of tuijin.org.demo.ENTERPRISES, in that order.
ENTERPRISE_PREFIXES = ["示例光电", "红旗示例智能装备", "示例", "示例精密仪表", "示例新材料"]
# Fictional brand words for the owners of enterprise projects (each used once; the owner name also carries 示例).
BRANDS = (
    "启明 恒远 博睿 华拓 晶合 睿光 瀚宇 锐视 天衡 鼎信 领航 星河 嘉禾 宏图 同创 汇智 德润 朗坤 聚力 佳和 "
    "新程 明德 盛达 锦程 华宸 澄远 卓曜 弘毅 沐川 曜阳 景泰 润禾 拓维 青禾 远帆 知行 衡源 合众 北辰 云帆 "
    "致远 昊辰 鸿基 安澜 泽润 观澜 齐光 启衡 晟川 海纳 旭辉 瑞丰 凯旋 融创 嘉航 睿拓 丰元 和煦 智源 铭川 "
    "恒晟 若谷 书华 致和 铂晶 钧衡"
).split()
OWNER_SUFFIXES = {  # registered name part → the short form used in project names
    "opto": {"光电科技": "光电", "光学科技": "光学", "电子科技": "电子"},
    "smart": {"智能装备": "智能", "机械制造": "机械", "自动化科技": "自动化", "电气科技": "电气"},
    "service": {"电子商务": "电商", "供应链管理": "供应链", "物流": "物流", "信息技术": "信息", "商业运营管理": "商业"},
}
ROADS = ["经三路", "纬五路", "创业大道", "科技路", "滨河路", "兴业路"]
ROAD_PARTS = ["东段", "西段", "北侧", "南侧", "与产业路交叉口"]
SUB_AREAS = ["北片区", "南片区", "东片区", "西片区", "滨河片区", "站前片区", "中心片区", "新区片区"]


@dataclass(frozen=True)
class Kind:
    """A type of project: the name stem and what usually goes with it."""

    stem: str
    group: str  # opto | smart | service | infra | renewal | live | eco
    industry: str  # GB/T 4754 大类 code
    subject: str  # private | state | gov
    size: tuple[int, int]  # usual total investment, 万元
    nature: str = ConstructionNature.NEW
    scale: str = ""
    units: tuple[str, ...] = ()  # responsible units when the group's usual list does not fit
    localities: tuple[str, ...] = ()


_FACTORY = "总用地约{mu}亩，总建筑面积约{m2}平方米，建设生产车间、研发中心及配套设施，购置{eq}台（套）生产及检测设备。"
_PARK = "总用地约{mu}亩，总建筑面积约{m2}平方米，建设标准化厂房、研发办公楼、展示中心及配套设施。"
_RENOVATION = "利用现有厂房约{m2}平方米，购置{eq}台（套）自动化、数字化设备，建设数字化车间，实施智能化改造。"
_SERVICE = "总建筑面积约{m2}平方米，建设运营中心、仓储配套及公共服务平台。"
_ROAD = "新建、改造道路约{km}公里，同步实施雨污管网、照明、绿化及交通设施。"
_PIPE = "改造、新建管网约{km}公里，配套建设泵站及附属设施。"
_RENEWAL = "改造楼栋约{n}栋、惠及居民约{hh}户，实施屋面、外墙、管网及适老化改造，完善社区服务设施。"
_RESETTLE = "总建筑面积约{m2}平方米，建设安置住房约{hh}套及地下车库、社区服务中心等配套设施。"
_SCHOOL = "总建筑面积约{m2}平方米，建设教学楼、综合楼、风雨操场及配套设施，新增学位约{seats}个。"
_CLINIC = "总建筑面积约{m2}平方米，建设门诊、康复、养护用房及配套设施，设置床位约{beds}张。"
_GYM = "总建筑面积约{m2}平方米，建设综合训练馆、游泳馆、室外运动场地及配套设施。"
_ECO = "实施河道清淤、生态护岸、绿化提升约{km}公里，配套建设慢行步道及海绵设施。"

SCHOOL_UNITS = ("区教育体育文化旅游局", "区教育体育文化旅游局", "platform:0")
CLINIC_UNITS = ("xiangyang", "wenhuajie", "dongjie", "qudong", "xijie", "platform:0")
KINDS = [
    # 光电信息
    Kind("年产50万套光电传感器模组生产线项目", "opto", "39", "private", (8000, 30000), scale=_FACTORY),
    Kind("高端光学镜头研发生产基地项目", "opto", "39", "private", (15000, 60000), scale=_FACTORY),
    Kind("激光显示核心器件产业化项目", "opto", "39", "private", (20000, 80000), scale=_FACTORY),
    Kind("光纤传感器件智能制造项目", "opto", "39", "private", (5000, 20000), scale=_FACTORY),
    Kind("红外热成像模组生产项目", "opto", "39", "private", (6000, 25000), scale=_FACTORY),
    Kind("Mini LED背光模组生产线项目", "opto", "39", "private", (10000, 45000), scale=_FACTORY),
    Kind("光通信器件产业园项目", "opto", "39", "private", (30000, 90000), scale=_PARK),
    Kind("精密光学元件加工中心项目", "opto", "40", "private", (3000, 12000), scale=_FACTORY),
    Kind("智能仪器仪表产业园项目", "opto", "40", "state", (20000, 80000), scale=_PARK),
    Kind("高精度流量计量仪表扩产项目", "opto", "40", "private", (3000, 10000), ConstructionNature.EXTENSION, _FACTORY),
    Kind("车载摄像头模组生产项目", "opto", "39", "private", (8000, 30000), scale=_FACTORY),
    Kind("高性能光学薄膜材料项目", "opto", "29", "private", (6000, 22000), scale=_FACTORY),
    # 智能制造
    Kind("智能输送装备生产基地项目", "smart", "34", "private", (8000, 30000), scale=_FACTORY),
    Kind("工业机器人集成应用产业园项目", "smart", "34", "private", (20000, 80000), scale=_PARK),
    Kind("数控机床关键功能部件生产项目", "smart", "34", "private", (5000, 20000), scale=_FACTORY),
    Kind("高端液压件智能工厂项目", "smart", "34", "private", (6000, 25000), scale=_FACTORY),
    Kind("智能环保装备制造项目", "smart", "35", "private", (4000, 15000), scale=_FACTORY),
    Kind("农业智能装备研发制造项目", "smart", "35", "private", (5000, 20000), scale=_FACTORY),
    Kind("锂电池隔膜专用设备生产项目", "smart", "35", "private", (8000, 30000), scale=_FACTORY),
    Kind(
        "起重装备数字化车间技术改造项目",
        "smart",
        "34",
        "private",
        (1500, 8000),
        ConstructionNature.TECH_RENOVATION,
        _RENOVATION,
    ),
    Kind(
        "精密减速器生产线技术改造项目",
        "smart",
        "34",
        "private",
        (1200, 6000),
        ConstructionNature.TECH_RENOVATION,
        _RENOVATION,
    ),
    Kind("智能配电设备生产项目", "smart", "38", "private", (5000, 20000), scale=_FACTORY),
    Kind("新能源汽车电机控制器生产项目", "smart", "38", "private", (10000, 40000), scale=_FACTORY),
    Kind(
        "电线电缆智能化改造项目",
        "smart",
        "38",
        "private",
        (2000, 9000),
        ConstructionNature.TECH_RENOVATION,
        _RENOVATION,
    ),
    # 现代服务业 / 电子商务
    Kind("数字电商产业园项目", "service", "52", "private", (15000, 60000), scale=_PARK),
    Kind(
        "跨境电商直播基地项目", "service", "52", "private", (3000, 12000), ConstructionNature.RECONSTRUCTION, _SERVICE
    ),
    Kind("冷链物流仓储中心项目", "service", "59", "private", (8000, 30000), scale=_SERVICE),
    Kind("软件和信息服务产业园项目", "service", "65", "state", (15000, 50000), scale=_PARK),
    Kind("算力中心项目", "service", "64", "state", (30000, 90000), scale=_SERVICE),
    Kind("商务综合体项目", "service", "72", "private", (20000, 80000), scale=_SERVICE),
    Kind("供应链综合服务中心项目", "service", "72", "private", (3000, 10000), scale=_SERVICE),
    Kind(
        "特色商业街区提质改造项目", "service", "52", "state", (2000, 9000), ConstructionNature.RECONSTRUCTION, _SERVICE
    ),
    Kind("城市智慧物流配送中心项目", "service", "59", "private", (5000, 18000), scale=_SERVICE),
    Kind("文化创意产业园项目", "service", "72", "state", (4000, 15000), ConstructionNature.RECONSTRUCTION, _PARK),
    # 基础设施
    Kind("道路改造提升工程", "infra", "48", "gov", (1500, 12000), ConstructionNature.RECONSTRUCTION, _ROAD),
    Kind("雨污分流改造工程", "infra", "48", "gov", (2000, 15000), ConstructionNature.RECONSTRUCTION, _PIPE),
    Kind("供热管网改造工程", "infra", "44", "state", (1500, 8000), ConstructionNature.RECONSTRUCTION, _PIPE),
    Kind("城市停车场建设项目", "infra", "48", "state", (1000, 6000), scale=_SERVICE),
    Kind(
        "农村供水管网提升工程",
        "infra",
        "46",
        "gov",
        (1000, 5000),
        ConstructionNature.RECONSTRUCTION,
        _PIPE,
        units=("hongmen", "xiaodian", "区住房和城乡建设局"),
        localities=("hongmen", "xiaodian"),
    ),
    Kind("综合管廊及配套道路工程", "infra", "48", "state", (20000, 90000), scale=_ROAD),
    # 城市更新
    Kind("老旧小区改造项目", "renewal", "47", "gov", (1500, 12000), ConstructionNature.RECONSTRUCTION, _RENEWAL),
    Kind("城中村改造安置房项目", "renewal", "70", "state", (30000, 90000), scale=_RESETTLE),
    Kind("城市更新项目", "renewal", "47", "state", (20000, 90000), ConstructionNature.RECONSTRUCTION, _RENEWAL),
    Kind("背街小巷整治提升工程", "renewal", "48", "gov", (1000, 4000), ConstructionNature.RECONSTRUCTION, _ROAD),
    Kind("保障性租赁住房项目", "renewal", "70", "state", (8000, 40000), scale=_RESETTLE),
    # 社会民生
    Kind("小学新建教学楼项目", "live", "83", "gov", (3000, 9000), scale=_SCHOOL, units=SCHOOL_UNITS),
    Kind("公办幼儿园建设项目", "live", "83", "gov", (1200, 5000), scale=_SCHOOL, units=SCHOOL_UNITS),
    Kind("社区卫生服务中心建设项目", "live", "84", "gov", (1200, 5000), scale=_CLINIC, units=CLINIC_UNITS),
    Kind("医养结合服务中心项目", "live", "84", "state", (5000, 20000), scale=_CLINIC, units=CLINIC_UNITS),
    Kind("全民健身中心项目", "live", "89", "gov", (3000, 12000), scale=_GYM, units=SCHOOL_UNITS),
    # 生态环保
    Kind("河道生态治理工程", "eco", "77", "gov", (3000, 20000), ConstructionNature.RECONSTRUCTION, _ECO),
    Kind("城市公园提升工程", "eco", "78", "gov", (1500, 8000), ConstructionNature.RECONSTRUCTION, _ECO),
    Kind("污水处理厂提标改造工程", "eco", "46", "state", (5000, 20000), ConstructionNature.RECONSTRUCTION, _PIPE),
]
KIND_BY_STEM = {kind.stem: kind for kind in KINDS}
GROUP_CHAIN = {"opto": "光电信息", "smart": "智能制造", "service": "现代服务业"}
GROUP_DOMAIN = {
    "opto": ProjectDomain.INDUSTRY,
    "smart": ProjectDomain.INDUSTRY,
    "service": ProjectDomain.INDUSTRY,
    "infra": ProjectDomain.INFRASTRUCTURE,
    "renewal": ProjectDomain.URBAN_RENEWAL,
    "live": ProjectDomain.LIVELIHOOD,
    "eco": ProjectDomain.ECOLOGY,
}
# Responsible units per group: keys of context["units"] ("platform:0" = PLATFORMS[0]); repeats weight the choice.
GROUP_UNITS = {
    "opto": ["hongkai", "hongkai", "hongkai", "hongmen", "xiaodian", "区工业和信息化局", "区科学技术局"],
    "smart": ["hongkai", "hongkai", "hongkai", "xiaodian", "hongmen", "区工业和信息化局"],
    "service": ["区商务局", "dongjie", "xijie", "wenhuajie", "qudong", "platform:1", "区商务局"],
    "infra": ["区住房和城乡建设局", "区城市管理局", "platform:0", "qudong", "xiangyang", "hongmen", "xiaodian"],
    "renewal": ["区住房和城乡建设局", "xijie", "dongjie", "wenhuajie", "xiangyang", "qudong", "platform:0"],
    "live": ["区教育体育文化旅游局", "区教育体育文化旅游局", "xiangyang", "wenhuajie", "platform:0", "dongjie"],
    "eco": ["区城市管理局", "hongmen", "xiaodian", "platform:0", "qudong"],
}
LOCALITIES = ["xijie", "dongjie", "qudong", "wenhuajie", "xiangyang", "hongmen", "xiaodian", "hongkai"]
LOCAL_UNITS = set(LOCALITIES)
# The fictional leaders of tuijin.org.demo.LEADERS, by role in the portfolio.
SECRETARY, MAYOR, EXECUTIVE, INDUSTRY_VICE, URBAN_VICE, ZONE_LIAISON = (
    "周立新",
    "吴承远",
    "郑海峰",
    "冯雅琴",
    "褚国平",
    "卫晓明",
)
APPROVAL_DEPARTMENTS = {
    "project_approval": "区发展和改革委员会",
    "land_preexam": "新乡市自然资源和规划局红旗分局",
    "energy_review": "区发展和改革委员会",
    "eia": "新乡市生态环境局红旗分局",
    "land_contract": "新乡市自然资源和规划局红旗分局",
    "land_planning_permit": "新乡市自然资源和规划局红旗分局",
    "property_certificate": "新乡市自然资源和规划局红旗分局",
    "works_planning_permit": "新乡市自然资源和规划局红旗分局",
    "drawing_review": "区住房和城乡建设局",
    "tendering": "区住房和城乡建设局",
    "construction_permit": "区住房和城乡建设局",
    "utilities": "区优化营商环境服务中心",
    "completion_acceptance": "区住房和城乡建设局",
}
# Stage profiles: (profile, count). c = 续建 (started 2024/2025), n = 2026 new start, f = planned finish in 2026.
PROFILES = [
    ("c24", 10),
    ("c24f", 4),
    ("c25", 18),
    ("c25f", 5),
    ("n26", 21),
    ("n26f", 4),
    ("done_n26", 3),
    ("done_c26", 4),
    ("done_25", 3),
    ("op_25", 3),
    ("op_26", 3),
    ("prep26", 8),
    ("prep27", 12),
    ("conceived", 8),
    ("reserve", 10),
    ("susp_prep", 2),
    ("susp_build", 1),
    ("cancelled", 1),
]
BUILT = {"c24", "c24f", "c25", "c25f", "n26", "n26f", "done_n26", "done_c26", "done_25", "op_25", "op_26", "susp_build"}
# 拿地即开工: (profile, land deal date, working days to the permit, working days permit → start).
FAST_TRACK = [
    ("c25", date(2025, 9, 15), 3, 2),
    ("n26", date(2026, 3, 10), 2, 1),
    ("n26", date(2026, 4, 13), 4, 3),
    ("n26", date(2026, 6, 8), 5, 2),
    ("n26", date(2026, 8, 17), 3, 1),
    ("n26", date(2025, 11, 10), 36, 8),  # the slow one: about seven weeks to the permit
]
# Forced choices that make the demo accounts and the large-project list interesting: (profile, stem, total 万元,
# unit key, owner enterprise index or None).
SPECIAL = [
    ("c24", "光通信器件产业园项目", 152000, "hongkai", None),
    ("c25", "城中村改造安置房项目", 236000, "platform:0", None),
    ("n26", "工业机器人集成应用产业园项目", 118000, "hongkai", 1),
    ("c25", "城市更新项目", 128600, "platform:0", None),
    ("prep26", "算力中心项目", 105000, "platform:1", None),
    ("reserve", "智能仪器仪表产业园项目", 100000, "hongkai", None),
    ("c25", "高端光学镜头研发生产基地项目", 36800, "hongkai", 0),
    ("op_26", "精密光学元件加工中心项目", 8650, "hongkai", 0),
    ("prep26", "红外热成像模组生产项目", 15600, "hongmen", 0),
    ("c24", "数字电商产业园项目", 42000, "区商务局", 2),
    ("done_c26", "高精度流量计量仪表扩产项目", 6800, "xiaodian", 3),
    ("prep27", "高性能光学薄膜材料项目", 18500, "hongkai", 4),
]
FAST_TRACK_QIYE = 1  # FAST_TRACK[1] belongs to the qiye enterprise too, so it owns four projects
SUSPEND_REASONS = [
    "企业投资计划调整，申请暂缓实施",
    "项目用地需调整规划指标，暂缓推进",
    "受下游市场需求变化影响，业主申请暂缓建设",
]
CANCEL_REASON = "项目选址与国土空间规划管控要求冲突，经区政府专题会议研究决定取消"
FUNDING_GAP_NOTE = "尚有 {gap} 万元资金来源待落实，正在对接银行授信及上级资金（示例说明）。"
CHANGE_REASONS = {  # reporter username → (reason, factor applied to the approved plan)
    "xijie": ("受征迁进度影响，主体工程推迟，申请调减年度计划投资", Decimal("0.7")),
    "dongjie": ("施工进度快于预期，申请调增年度计划投资", Decimal("1.2")),
    "hongkai": ("主要生产设备到货时间推迟，申请调减年度计划投资", Decimal("0.75")),
}


@dataclass
class Spec:
    """One planned project, built in memory before anything is written."""

    index: int
    profile: str
    kind: Kind
    name: str = ""
    unit_key: str = ""
    locality_key: str = ""
    owner_unit_key: str | None = None  # "enterprise:N" / "platform:N"
    owner_name: str = ""
    owner_credit_code: str = ""
    total: Decimal = Decimal("0")
    funding: list[tuple[str, Decimal]] = field(default_factory=list)
    funding_note: str = ""
    levels: list[str] = field(default_factory=list)
    specials: list[tuple[str, str]] = field(default_factory=list)
    sponsors: list[str] = field(default_factory=list)
    code: str | None = None
    code_date: date | None = None
    stage: str = Stage.PREPARATION
    final_stage: str = ""
    reason: str = ""
    dates: dict = field(default_factory=dict)
    fast: tuple | None = None  # (land deal, permit date, start date)
    plans: dict = field(default_factory=dict)  # year → (amount, monthly or None, approve, progress target)
    extra: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------- helpers


def _d(value) -> Decimal:
    return Decimal(str(value))


def _money(value: float, step: int = 10) -> Decimal:
    """Round to `step` 万元 (at least `step`)."""
    return Decimal(max(step, int(round(value / step)) * step))


def _add_weekdays(start: date, n: int) -> date:
    """Mon–Fri arithmetic for planning dates; the recorded working days come from the shared calendar."""
    day = start
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _month(day: date | None) -> date | None:
    return day.replace(day=1) if day else None


def _credit_code(rng: random.Random, prefix: str, used: set[str]) -> str:
    alphabet = CREDIT_CODE_CHARSET[:-1]
    while True:
        body = prefix + REGION_CODE + "".join(rng.choice(alphabet) for _ in range(9))
        code = body + credit_code_check_char(body)
        if code not in used:
            used.add(code)
            return code


def _project_code(rng: random.Random, issued: date, kind: Kind, used: set[str], legacy: bool = False) -> str:
    dd = {"opto": "04", "smart": "04", "service": "07"}.get(kind.group, "03")
    tt = "02" if kind.nature == ConstructionNature.TECH_RENOVATION else "01"
    while True:
        if legacy:
            code = f"{issued.year}-{REGION_CODE}-{dd}-{tt}-{rng.randint(0, 999999):06d}"
        else:
            suffix = "".join(rng.choice(CODE_CHARS) for _ in range(6))
            code = f"{issued:%y%m}-{REGION_CODE}-{dd}-{tt}-{suffix}"
        if code not in used:
            used.add(code)
            return code


_NUMERALS = "零一二三四五六七八九"


def _chinese_number(n: int) -> str:
    if n < 10:
        return _NUMERALS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _NUMERALS[tens]) + "十" + (_NUMERALS[ones] if ones else "")


def _sangeyipi_batch(day: date) -> str:
    """Henan's 三个一批 is held quarterly since 2021 Q3 (第一期)."""
    number = (day.year - 2021) * 4 + (day.month - 1) // 3 + 1 - 2
    return f"第{_chinese_number(max(1, number))}期"


def _split(total: Decimal, shares: list[tuple[str, float]]) -> list[tuple[str, Decimal]]:
    """Split `total` by shares; every row but the last is rounded to 10 万元, the last takes the rest exactly."""
    rows, left = [], total
    for kind, share in shares[:-1]:
        amount = _money(float(total) * share)
        if amount < left:
            rows.append((kind, amount))
            left -= amount
    rows.append((shares[-1][0], left))
    return rows


def _monthly(amount: Decimal, first_month: int, rng: random.Random) -> list[str]:
    """A 12-month curve from `first_month` on, slow in the Spring Festival months, summing exactly."""
    base = [3, 4, 8, 9, 10, 10, 9, 9, 10, 10, 9, 9]
    weights = [0 if month < first_month else base[month - 1] * rng.uniform(0.85, 1.15) for month in range(1, 13)]
    total_weight = sum(weights)
    values = [
        (amount * _d(round(w / total_weight, 6))).quantize(Decimal("0.01"), ROUND_DOWN) if w else Decimal("0")
        for w in weights
    ]
    last = max(i for i, w in enumerate(weights) if w)
    values[last] += amount - sum(values, Decimal("0"))
    return [str(v) for v in values]


# --------------------------------------------------------------------------------------------------- planning


class _Planner:
    def __init__(self, rng: random.Random, today: date):
        self.rng, self.today = rng, today
        self.kind_use: dict[str, int] = {kind.stem: 0 for kind in KINDS}
        self.names: set[str] = set()
        self.codes: set[str] = set()
        self.credit_codes: set[str] = set()
        self.brands = list(BRANDS)
        rng.shuffle(self.brands)

    def past(self, day: date) -> date:
        return min(day, self.today)

    def pick_kind(self, profile: str) -> Kind:
        if profile in ("op_25", "op_26"):
            pool = [k for k in KINDS if k.group in ("opto", "smart") or k.stem in ("冷链物流仓储中心项目",)]
        elif profile in ("cancelled", "susp_prep", "susp_build"):  # reasons written for enterprise projects
            pool = [k for k in KINDS if k.group in ("service", "opto", "smart") and k.subject == "private"]
        else:
            pool = KINDS
        low = min(self.kind_use[k.stem] for k in pool)
        kind = self.rng.choice([k for k in pool if self.kind_use[k.stem] == low])
        self.kind_use[kind.stem] += 1
        return kind

    def fast_kind(self, groups: tuple[str, ...] = ("opto", "smart")) -> Kind:
        pool = [
            k
            for k in KINDS
            if k.group in groups
            and k.nature == ConstructionNature.NEW
            and k.subject == "private"
            and k.size[1] <= 45000
        ]
        low = min(self.kind_use[k.stem] for k in pool)
        kind = self.rng.choice([k for k in pool if self.kind_use[k.stem] == low])
        self.kind_use[kind.stem] += 1
        return kind

    def plan(self) -> list[Spec]:
        slots: list[tuple[str, dict]] = []
        specials = list(SPECIAL)
        fast = list(enumerate(FAST_TRACK))
        for profile, count in PROFILES:
            for _ in range(count):
                extra: dict = {}
                forced = next((s for s in specials if s[0] == profile), None)
                if forced is not None:
                    specials.remove(forced)
                    extra["special"] = forced
                else:
                    ft = next((f for f in fast if f[1][0] == profile), None)
                    if ft is not None:
                        fast.remove(ft)
                        extra["fast"] = ft
                slots.append((profile, extra))
        if specials or fast:
            raise RuntimeError("示例项目：PROFILES 的数量不足以容纳指定项目。")
        specs = []
        for index, (profile, extra) in enumerate(slots):
            if "special" in extra:
                _profile, stem, total, unit_key, enterprise = extra["special"]
                kind = KIND_BY_STEM[stem]
                self.kind_use[stem] += 1
                spec = Spec(index, profile, kind, total=Decimal(total), unit_key=unit_key)
                if enterprise is not None:
                    spec.owner_unit_key = f"enterprise:{enterprise}"
            elif "fast" in extra:
                position, _ft = extra["fast"]
                kind = self.fast_kind(("opto",) if position == FAST_TRACK_QIYE else ("opto", "smart"))
                spec = Spec(index, profile, kind, unit_key=["hongkai", "hongkai", "xiaodian", "hongmen"][position % 4])
                if position == FAST_TRACK_QIYE:
                    spec.owner_unit_key = "enterprise:0"
                    spec.unit_key = "hongkai"
                spec.extra["fast_index"] = position
            else:
                kind = self.pick_kind(profile)
                spec = Spec(index, profile, kind)
            self.fill(spec)
            specs.append(spec)
        self.funding_gaps(specs)
        self.balance_sponsors(specs)
        return specs

    def funding_gaps(self, specs: list[Spec]) -> None:
        """Four projects whose funding rows fall short of the total, explained in `funding_note`."""
        candidates = [s for s in specs if len(s.funding) > 1 and s.profile in ("prep26", "prep27", "n26", "c25")]
        for spec in self.rng.sample(candidates, 4):
            kind_last, amount = spec.funding[-1]
            gap = _money(float(amount) * 0.4)
            spec.funding[-1] = (kind_last, amount - gap)
            spec.funding_note = FUNDING_GAP_NOTE.format(gap=gap)

    # ----- one project

    def fill(self, spec: Spec) -> None:
        rng, kind = self.rng, spec.kind
        if not spec.unit_key:
            spec.unit_key = rng.choice(kind.units or GROUP_UNITS[kind.group])
        if kind.localities and spec.unit_key not in kind.localities:
            spec.locality_key = rng.choice(kind.localities)
        elif spec.unit_key in LOCAL_UNITS:
            spec.locality_key = spec.unit_key
        elif kind.group in ("opto", "smart"):
            spec.locality_key = rng.choice(["hongkai", "hongkai", "hongmen", "xiaodian"])
        else:
            spec.locality_key = rng.choice(LOCALITIES)
        if not spec.total:
            low, high = kind.size
            if rng.random() < 0.55:  # most projects sit in the lower part of the range
                high = (low + high) // 2
            spec.total = _money(rng.uniform(low, high), 10 if high < 20000 else 100)
            if rng.random() < 0.15:
                spec.total += _d(rng.choice(["0.5", "0.36", "0.8"]))
        self.owner(spec)
        self.timeline(spec)
        self.money(spec)
        self.lists(spec)
        self.identity(spec)
        self.plans(spec)

    def owner(self, spec: Spec) -> None:
        rng, kind = self.rng, spec.kind
        if spec.owner_unit_key:
            return
        if kind.subject == "private":
            brand = self.brands.pop(0) if self.brands else f"{rng.choice(BRANDS)}{len(self.names)}"
            suffix, short = rng.choice(sorted(OWNER_SUFFIXES[kind.group].items()))
            spec.owner_name = f"新乡{brand}{suffix}有限公司{SUFFIX}"
            spec.extra["prefix"] = brand if short in kind.stem else brand + short
            spec.owner_credit_code = _credit_code(rng, "91", self.credit_codes)
        elif spec.unit_key.startswith("platform:"):  # a platform company builds what it is responsible for
            spec.owner_unit_key = spec.unit_key
        elif kind.subject == "state":
            spec.owner_unit_key = "platform:1" if kind.group in ("service", "opto", "smart") else "platform:0"
        else:
            spec.extra["gov_owner"] = True

    def timeline(self, spec: Spec) -> None:
        rng, profile, d = self.rng, spec.profile, spec.dates

        def on(year, months, day_max=28):
            return _weekday(date(year, rng.choice(months), rng.randint(1, day_max)))

        finish_later = date(rng.choice([2027, 2027, 2028]), rng.randint(1, 12), 28)
        if spec.extra.get("fast_index") is not None:
            _p, land, to_permit, to_start = FAST_TRACK[spec.extra["fast_index"]]
            permit = _add_weekdays(land, to_permit)
            start = _add_weekdays(permit, to_start)
            while start > self.today:  # run on an earlier clock: 52 weeks back keeps the weekdays
                land, permit, start = (day - timedelta(weeks=52) for day in (land, permit, start))
            spec.fast = (land, permit, start)
            d.update(actual_start=start, planned_start=start, planned_finish=finish_later)
            spec.stage = Stage.CONSTRUCTION
        elif profile in ("c24", "c24f", "c25", "c25f", "n26", "n26f", "susp_build"):
            year = {"c24": 2024, "c24f": 2024, "n26": 2026, "n26f": 2026}.get(profile, 2025)
            months = {2024: range(3, 12), 2025: range(2, 12), 2026: range(2, max(3, min(self.today.month, 10) + 1))}[
                year
            ]
            if profile in ("c25f", "n26f"):
                months = range(1, 6) if year == 2025 else range(2, 6)
            start = self.past(on(year, list(months)))
            d["actual_start"] = start
            d["planned_start"] = start - timedelta(days=rng.choice([0, 0, 15, 30, 45]))
            if profile in ("c24f", "c25f", "n26f"):
                d["planned_finish"] = date(PLAN_YEAR, rng.choice([10, 11, 12, 12]), 28)
            else:
                d["planned_finish"] = finish_later
            spec.stage = Stage.CONSTRUCTION
            if profile == "susp_build":
                spec.final_stage, spec.reason = Stage.SUSPENDED, SUSPEND_REASONS[2]
        elif profile.startswith(("done_", "op_")):
            start = {
                "done_n26": lambda: on(2026, [2, 3]),
                "done_c26": lambda: on(2025, range(1, 10)),
                "done_25": lambda: on(2024, range(3, 10)),
                "op_25": lambda: on(2024, range(2, 8)),
                "op_26": lambda: on(2025, range(2, 7)),
            }[profile]()
            finish = {
                "done_n26": lambda: start + timedelta(days=rng.randint(150, 220)),
                "done_c26": lambda: on(2026, range(3, 10)),
                "done_25": lambda: on(2025, range(6, 13)),
                "op_25": lambda: on(2025, range(3, 10)),
                "op_26": lambda: on(2026, range(2, 7)),
            }[profile]()
            start, finish = self.past(start), self.past(finish)
            finish = max(finish, start)
            d.update(
                actual_start=start,
                actual_finish=finish,
                planned_start=start,
                planned_finish=max(start, finish + timedelta(days=rng.choice([-30, 0, 0, 20, 45]))),
            )
            spec.stage = Stage.COMPLETED
            if profile.startswith("op_"):
                spec.final_stage = Stage.OPERATING
        elif profile == "prep26":
            d["planned_start"] = on(PLAN_YEAR, [9, 10, 11, 12, 12, 12])
            d["planned_finish"] = date(rng.choice([2027, 2028]), rng.randint(3, 12), 28)
            spec.stage = Stage.PREPARATION
        elif profile in ("prep27", "susp_prep"):
            d["planned_start"] = on(PLAN_YEAR + 1, range(3, 10))
            d["planned_finish"] = date(rng.choice([2028, 2029]), rng.randint(3, 12), 28)
            spec.stage = Stage.PREPARATION
            if profile == "susp_prep":
                spec.final_stage = Stage.SUSPENDED
                spec.reason = SUSPEND_REASONS[spec.index % 2]
        elif profile in ("conceived", "reserve", "cancelled"):
            if rng.random() < 0.7:
                d["planned_start"] = on(rng.choice([2027, 2027, 2028]), range(3, 12))
                d["planned_finish"] = date(d["planned_start"].year + rng.choice([1, 2]), rng.randint(1, 12), 28)
            spec.stage = Stage.CONCEIVED if profile == "conceived" else Stage.RESERVE
            if profile == "cancelled":
                spec.final_stage, spec.reason = Stage.CANCELLED, CANCEL_REASON
        if d.get("planned_start"):
            d["construction_start"] = _month(d["planned_start"])
            d["construction_end"] = _month(d.get("planned_finish"))

    def money(self, spec: Spec) -> None:
        rng, kind, total = self.rng, spec.kind, spec.total
        big = total >= 20000
        if kind.subject == "private":
            if kind.nature == ConstructionNature.TECH_RENOVATION and rng.random() < 0.6:
                shares = [(FundingSourceKind.SELF, 0.8), (FundingSourceKind.TREASURY_BOND, 0.2)]
            elif rng.random() < 0.35 and not big:
                shares = [(FundingSourceKind.SELF, 1.0)]
            else:
                shares = [(FundingSourceKind.SELF, rng.choice([0.3, 0.4, 0.5, 0.6])), (FundingSourceKind.BANK_LOAN, 0)]
        elif kind.subject == "state":
            shares = [
                (FundingSourceKind.SPECIAL_BOND, rng.choice([0.4, 0.5, 0.6])),
                (FundingSourceKind.BANK_LOAN, rng.choice([0.2, 0.3])),
                (FundingSourceKind.SELF, 0),
            ]
        elif kind.group == "live" and rng.random() < 0.6:
            shares = [
                (FundingSourceKind.CENTRAL_BUDGET, rng.choice([0.3, 0.4])),
                (FundingSourceKind.PROVINCIAL, 0.1),
                (FundingSourceKind.DISTRICT, 0),
            ]
        elif rng.random() < 0.5:
            shares = [(FundingSourceKind.SPECIAL_BOND, rng.choice([0.5, 0.6, 0.7])), (FundingSourceKind.DISTRICT, 0)]
        else:
            shares = [(FundingSourceKind.CITY, rng.choice([0.2, 0.3])), (FundingSourceKind.DISTRICT, 0)]
        spec.funding = _split(total, shares)

    def lists(self, spec: Spec) -> None:
        rng, kind, total, profile = self.rng, spec.kind, spec.total, spec.profile
        if profile in ("conceived", "reserve", "cancelled"):
            spec.levels = ["reserve"]
        else:
            spec.levels = ["district"]
            if total >= 100000:
                spec.levels = ["provincial", "city", "district"]
            elif total >= 30000 and rng.random() < 0.7 or total >= 10000 and rng.random() < 0.15:
                spec.levels = ["city", "district"]
            if total >= 50000 and profile in BUILT and rng.random() < 0.3:
                spec.levels.insert(0, "provincial")
        # Bond and budget lists only once a project is past 谋划/储备 (the funding rows still show the intended mix).
        funding_kinds = (
            {row[0] for row in spec.funding} if profile not in ("conceived", "reserve", "cancelled") else set()
        )
        start = spec.dates.get("actual_start")
        if FundingSourceKind.SPECIAL_BOND in funding_kinds:
            year = start.year if start and start.year >= 2025 else PLAN_YEAR
            batch = "2026年第一批" if year >= PLAN_YEAR else rng.choice(["2025年第一批", "2025年第二批"])
            spec.specials.append(("special_bond", batch))
        if FundingSourceKind.CENTRAL_BUDGET in funding_kinds:
            spec.specials.append(
                ("central_budget", "2026年第一批" if not start or start.year >= 2026 else "2025年第三批")
            )
        if FundingSourceKind.TREASURY_BOND in funding_kinds:
            spec.specials.append(
                ("treasury_bond", "2026年第一批" if not start or start.year >= 2026 else "2025年第二批")
            )
            spec.specials.append(("liangxin", ""))
        elif kind.nature == ConstructionNature.TECH_RENOVATION and rng.random() < 0.5:
            spec.specials.append(("liangxin", ""))
        if kind.group in ("infra", "renewal", "eco") and total >= 8000 and rng.random() < 0.45:
            spec.specials.append(("liangzhong", ""))
        if kind.group in ("opto", "smart", "service"):
            if start and start >= date(2024, 7, 1) and profile in BUILT and rng.random() < 0.5:
                spec.specials.append(("sangeyipi_start", _sangeyipi_batch(start)))
            if profile.startswith("op_"):
                spec.specials.append(("sangeyipi_production", _sangeyipi_batch(spec.dates["actual_finish"])))
            if profile in ("reserve", "conceived") and rng.random() < 0.4:
                spec.specials.append(("sangeyipi_sign", _sangeyipi_batch(date(PLAN_YEAR, 7, 1))))

    def identity(self, spec: Spec) -> None:
        rng, kind, d = self.rng, spec.kind, spec.dates
        prefix = spec.extra.get("prefix")
        if spec.owner_unit_key and spec.owner_unit_key.startswith("enterprise:"):
            prefix = ENTERPRISE_PREFIXES[int(spec.owner_unit_key.split(":")[1])]
        stem = kind.stem.removesuffix("项目").removesuffix("工程")
        ending = ("工程" if kind.stem.endswith("工程") else "项目") + SUFFIX
        phase = "（一期）" if spec.total >= 100000 and kind.group != "renewal" else ""
        name = ""
        for attempt in range(len(SUB_AREAS) + 3):
            if prefix and attempt < 3:
                name = prefix + stem + (phase or ["", "（二期）", "（三期）"][attempt]) + ending
            elif not prefix:
                name = self.area(spec, attempt) + stem + phase + ending
            if name not in self.names:
                break
        self.names.add(name)
        spec.name = name
        # 项目代码: issued before the first approval; 谋划 has none, 储备 half, a few old ones keep the legacy format.
        anchor = d.get("actual_start") or d.get("planned_start") or date(PLAN_YEAR + 1, 6, 1)
        issued = self.past(anchor - timedelta(days=rng.randint(120, 300)))
        if spec.profile == "conceived" or spec.profile in ("reserve", "cancelled") and rng.random() < 0.5:
            return
        legacy = spec.profile in ("c24", "done_25", "op_25") and kind.subject != "private" and rng.random() < 0.7
        if legacy:
            issued = date(rng.choice([2019, 2020]), rng.randint(1, 10), rng.randint(1, 28))
        spec.code_date = issued
        spec.code = _project_code(rng, issued, kind, self.codes, legacy=legacy)

    def area(self, spec: Spec, attempt: int) -> str:
        unit = spec.locality_key
        label = {
            "xijie": "西街",
            "dongjie": "东街",
            "qudong": "渠东",
            "wenhuajie": "文化街",
            "xiangyang": "向阳",
            "hongmen": "洪门镇",
            "xiaodian": "小店镇",
            "hongkai": "红开区",
        }[unit]
        if attempt == 0 and self.rng.random() < 0.5:
            return label
        return label + SUB_AREAS[(attempt + spec.index) % len(SUB_AREAS)]

    def plans(self, spec: Spec) -> None:
        """Annual plans: 2026 for projects in the 2026 list, 2025 for those already building in 2025."""
        rng, d, total, profile = self.rng, spec.dates, spec.total, spec.profile
        start, finish = d.get("actual_start"), d.get("actual_finish") or d.get("planned_finish")
        shares: dict[int, float] = {}
        if profile in BUILT:
            if start.year <= 2025 and (finish is None or finish.year >= 2025):
                shares[2025] = rng.uniform(0.3, 0.5) if start.year == 2025 else rng.uniform(0.2, 0.35)
            if finish is None or finish.year >= PLAN_YEAR:
                if finish and finish.year == PLAN_YEAR:
                    done = sum(shares.values()) + (0.3 if start.year == 2024 else 0)
                    shares[PLAN_YEAR] = max(0.15, min(0.95, 1 - done))
                else:
                    shares[PLAN_YEAR] = rng.uniform(0.25, 0.4) if start.year < PLAN_YEAR else rng.uniform(0.2, 0.35)
        elif profile == "prep26":
            shares[PLAN_YEAR] = rng.uniform(0.03, 0.08)
        targets = {
            2025: ["完成基础及主体结构施工", "完成年度形象进度", "主体工程完成过半"],
            PLAN_YEAR: [
                "主体封顶，开始设备安装",
                "完成主体及二次结构施工",
                "完成年度形象进度",
                "完成主体工程及配套管网",
            ],
        }
        for year, share in shares.items():
            step = 10 if total >= 3000 else 1
            amount = min(_money(float(total) * share, step), total)
            first_month = 1
            if start and start.year == year:
                first_month = start.month
            elif profile == "prep26":
                first_month = d["planned_start"].month
            monthly = _monthly(amount, first_month, rng) if year == PLAN_YEAR and rng.random() < 0.5 else None
            approve = year < PLAN_YEAR or rng.random() < 0.85
            quarter = (d["planned_start"].month - 1) // 3 + 1 if profile == "prep26" and year == PLAN_YEAR else None
            target = "完成前期手续并开工建设" if profile == "prep26" else rng.choice(targets[year])
            if finish and finish.year == year and year == PLAN_YEAR:
                target = "竣工验收并投入使用"
            spec.plans[year] = (amount, monthly, approve, target, quarter)

    def balance_sponsors(self, specs: list[Spec]) -> None:
        """Leaders by portfolio; the 常务副区长 (demo account `baolian`) ends up with 10–20 projects."""
        rng = self.rng
        for spec in specs:
            group, sponsors = spec.kind.group, []
            if spec.profile == "conceived" and rng.random() < 0.5:
                continue
            if group in ("opto", "smart"):
                sponsors.append(ZONE_LIAISON if spec.unit_key == "hongkai" and rng.random() < 0.4 else INDUSTRY_VICE)
            elif group == "service":
                sponsors.append(INDUSTRY_VICE if rng.random() < 0.6 else EXECUTIVE)
            elif group == "live":
                sponsors.append(EXECUTIVE)
            else:
                sponsors.append(URBAN_VICE)
            if spec.total >= 50000:
                sponsors.append(MAYOR)
            if spec.total >= 100000:
                sponsors.append(SECRETARY)
            spec.sponsors = list(dict.fromkeys(sponsors))
        executive = [s for s in specs if EXECUTIVE in s.sponsors]
        bond = [
            s
            for s in specs
            if EXECUTIVE not in s.sponsors
            and s.sponsors
            and any(code in ("special_bond", "central_budget") for code, _ in s.specials)
        ]
        for spec in bond[: max(0, 15 - len(executive))]:
            spec.sponsors.append(EXECUTIVE)
        executive = [s for s in specs if EXECUTIVE in s.sponsors]
        executive.sort(key=lambda s: len(s.sponsors) == 1)  # drop a co-sponsorship before a sole one
        for spec in executive[18:]:
            spec.sponsors.remove(EXECUTIVE)
            if not spec.sponsors:
                spec.sponsors.append(INDUSTRY_VICE if spec.kind.group in GROUP_CHAIN else URBAN_VICE)


# --------------------------------------------------------------------------------------------------- writing


def _approval_steps(spec: Spec, today: date) -> list[tuple[str, str, date | None, str, date | None]]:
    """(item code, status, completed date, permit no, due date) for the items worth recording."""
    kind, d, profile, rng = spec.kind, spec.dates, spec.profile, random.Random(spec.index)
    steps = []
    private = kind.subject == "private"
    renovation = kind.nature in (ConstructionNature.TECH_RENOVATION, ConstructionNature.RECONSTRUCTION)
    small = spec.total < 5000
    seq = 10 + spec.index

    def permit(code: str, day: date) -> str:
        y = day.year
        return {
            "project_approval": (f"红发改备〔{y}〕{seq}号" if private else f"红发改审批〔{y}〕{seq}号"),
            "land_preexam": f"用字第{REGION_CODE}{y}{seq:05d}号",
            "energy_review": f"红发改能评〔{y}〕{seq}号",
            "eia": f"新环红审〔{y}〕{seq}号",
            "land_contract": f"新红土出〔{y}〕{seq}号",
            "land_planning_permit": f"地字第{REGION_CODE}{y}{seq:05d}号",
            "property_certificate": f"豫（{y}）新乡市不动产权第00{31000 + seq}号",
            "works_planning_permit": f"建字第{REGION_CODE}{y}{seq:05d}号",
            "drawing_review": f"HQST{y}-{seq:04d}",
            "construction_permit": f"{REGION_CODE}{day:%Y%m%d}{seq:04d}",
            "completion_acceptance": f"红住建竣备〔{y}〕{seq}号",
        }.get(code, "")

    def done(code: str, day: date) -> None:
        day = min(day, today)
        steps.append((code, ApprovalStatus.DONE, day, permit(code, day), None))

    def na(code: str) -> None:
        steps.append((code, ApprovalStatus.NOT_APPLICABLE, None, "", None))

    def doing(code: str, due: date) -> None:
        steps.append((code, ApprovalStatus.IN_PROGRESS, None, "", due))

    if spec.fast:
        land, permit_day, _start = spec.fast
        done("project_approval", land - timedelta(days=75))
        done("land_preexam", land - timedelta(days=60))
        na("stability_risk")
        done("energy_review", land - timedelta(days=40))
        done("eia", land - timedelta(days=35))
        done("water_soil", land - timedelta(days=30))
        done("land_contract", land)
        done("land_planning_permit", land)
        done("property_certificate", permit_day)
        done("works_planning_permit", permit_day)
        done("drawing_review", permit_day)
        na("tendering")
        done("construction_permit", permit_day)
        doing("utilities", min(permit_day + timedelta(days=60), today + timedelta(days=30)))
        return steps
    if profile in BUILT:
        start = d["actual_start"]
        approved = spec.code_date + timedelta(days=rng.randint(5, 30)) if spec.code_date else start - timedelta(150)
        approved = min(approved, start - timedelta(days=75))
        done("project_approval", approved)
        if renovation:
            na("land_preexam")
        else:
            done("land_preexam", approved + timedelta(days=10))
        if private:
            na("stability_risk")
        else:
            done("stability_risk", approved + timedelta(days=5))
        if small or kind.group in ("renewal", "live"):
            na("energy_review")
        else:
            done("energy_review", approved + timedelta(days=15))
        done("eia", approved + timedelta(days=20))
        if renovation:
            for code in ("water_soil", "land_contract", "land_planning_permit", "property_certificate"):
                na(code)
        else:
            done("water_soil", approved + timedelta(days=22))
            land = approved + timedelta(days=25)
            done("land_contract", land)
            done("land_planning_permit", land + timedelta(days=5))
            done("property_certificate", land + timedelta(days=12))
        permit_day = start - timedelta(days=rng.randint(3, 20))
        if kind.nature == ConstructionNature.TECH_RENOVATION:
            na("works_planning_permit")
            na("drawing_review")
        else:
            done("works_planning_permit", max(approved, permit_day - timedelta(days=20)))
            done("drawing_review", max(approved, permit_day - timedelta(days=8)))
        if private:
            na("tendering")
        else:
            done("tendering", max(approved, permit_day - timedelta(days=6)))
        if kind.nature == ConstructionNature.TECH_RENOVATION:
            na("construction_permit")
        else:
            done("construction_permit", permit_day)
        finish = d.get("actual_finish")
        if finish:
            done("utilities", finish - timedelta(days=20))
            done("completion_acceptance", finish)
        elif start + timedelta(days=90) <= today:
            done("utilities", start + timedelta(days=90))
        else:
            doing("utilities", start + timedelta(days=120))
        return steps
    if profile in ("prep26", "prep27", "susp_prep", "reserve", "cancelled"):
        if not spec.code_date:
            if profile == "reserve":
                doing("project_approval", today + timedelta(days=rng.randint(20, 60)))
            return steps
        approved = spec.code_date + timedelta(days=rng.randint(5, 30))
        if profile in ("reserve", "cancelled"):
            doing("project_approval", today + timedelta(days=rng.randint(-10, 45)))
            return steps
        done("project_approval", approved)
        if not renovation:
            if rng.random() < 0.6:
                done("land_preexam", approved + timedelta(days=15))
            else:
                doing("land_preexam", today + timedelta(days=rng.randint(-15, 30)))
        # Some due dates are already past: the approval-warning list needs overdue items.
        doing("eia", today + timedelta(days=rng.randint(-20, 40)))
        if profile == "prep26" and not renovation:
            doing("land_contract", spec.dates["planned_start"] - timedelta(days=rng.randint(10, 40)))
    return steps


def _units_by_key(context: dict) -> dict:
    from tuijin.org.demo import ENTERPRISES, PLATFORMS

    units = dict(context["units"])
    for i, name in enumerate(PLATFORMS):
        units[f"platform:{i}"] = units[name]
    for i, name in enumerate(ENTERPRISES):
        units[f"enterprise:{i}"] = units[name]
    return units


def _gov_owner(unit, rng: random.Random, cache: dict, used: set[str]) -> tuple[str, str]:
    if unit.pk not in cache:
        name = unit.name
        if unit.unit_type == "subdistrict":
            name = f"新乡市红旗区{unit.name}办事处"
        elif unit.unit_type == "town":
            name = f"新乡市红旗区{unit.name}人民政府"
        elif unit.unit_type == "dev_zone":
            name = f"{unit.name}管理委员会"
        elif unit.name.startswith("区"):
            name = f"新乡市红旗{unit.name}"
        cache[unit.pk] = (name, _credit_code(rng, "11", used))
    return cache[unit.pk]


def _scale(kind: Kind, total: Decimal, rng: random.Random) -> tuple[str, Decimal | None, Decimal | None]:
    t = float(total)
    mu = m2 = None
    if kind.group in ("opto", "smart", "service") and kind.nature in (
        ConstructionNature.NEW,
        ConstructionNature.EXTENSION,
    ):
        mu = round(t / rng.uniform(280, 450))
        m2 = round(mu * 666.7 * rng.uniform(1.1, 1.8), -2)
    elif kind.scale in (_RESETTLE, _SCHOOL, _CLINIC, _SERVICE, _GYM):
        m2 = round(t / rng.uniform(0.35, 0.55), -2)
        mu = round(m2 / 666.7 / rng.uniform(1.5, 2.5))
    elif kind.nature == ConstructionNature.TECH_RENOVATION:
        m2 = round(rng.uniform(8000, 30000), -2)
    text = kind.scale.format(
        mu=mu or 0,
        m2=int(m2 or 0),
        eq=rng.randint(30, 260),
        km=round(t / rng.uniform(2500, 6000), 1),
        n=max(6, int(t / 180)),
        hh=max(200, int(t / 25)),
        seats=rng.choice([1080, 1350, 1620, 2160]),
        beds=rng.choice([60, 80, 120, 200]),
    )
    return text, (_d(mu) if mu else None), (_d(m2) if m2 else None)


def _fields(
    spec: Spec, units: dict, rng: random.Random, owners: dict, used_credit: set, chains: dict, industries, today: date
) -> dict:
    kind, total = spec.kind, spec.total
    unit = units[spec.unit_key]
    owner_unit = units[spec.owner_unit_key] if spec.owner_unit_key else None
    if owner_unit is not None:
        owner_name, credit = owner_unit.name, owner_unit.credit_code
    elif spec.extra.get("gov_owner"):
        owner_name, credit = _gov_owner(unit, rng, owners, used_credit)
    else:
        owner_name, credit = spec.owner_name, spec.owner_credit_code
    scale, mu, m2 = _scale(kind, total, rng)
    industrial = kind.group in ("opto", "smart")
    locality = units[spec.locality_key]
    subject = {
        "private": rng.choice([InvestmentSubject.PRIVATE] * 6 + [InvestmentSubject.MIXED, InvestmentSubject.FOREIGN]),
        "state": InvestmentSubject.STATE,
        "gov": InvestmentSubject.GOVERNMENT,
    }[kind.subject]
    fields = {
        "code": spec.code,
        "name": spec.name,
        "owner_name": owner_name,
        "owner_credit_code": credit,
        "owner_enterprise": owner_unit,
        "scale_content": scale,
        "address": f"{locality.display_name}{rng.choice(ROADS)}{rng.choice(ROAD_PARTS)}（示例地址）",
        "longitude": _d(round(rng.uniform(113.87, 113.99), 6)),
        "latitude": _d(round(rng.uniform(35.26, 35.33), 6)),
        "industry": industries[kind.industry],
        "chain": chains.get(GROUP_CHAIN.get(kind.group, "")),
        "domain": GROUP_DOMAIN[kind.group],
        "construction_nature": kind.nature,
        "investment_subject": subject,
        "responsible_unit": unit,
        "locality": locality,
        "total_investment": total,
        "funding_note": spec.funding_note,
        "is_industrial": industrial,
        "land_area_mu": mu,
        "floor_area_m2": m2,
        "is_demo": True,
        **spec.dates,
    }
    if kind.group in ("opto", "smart", "service"):
        output = total * _d(round(rng.uniform(1.2, 2.6), 2))
        fields.update(
            expected_output=output.quantize(Decimal("1")),
            expected_tax=(output * _d(round(rng.uniform(0.03, 0.06), 3))).quantize(Decimal("1")),
            expected_jobs=max(20, int(total / rng.randint(60, 160))),
        )
    start = spec.dates.get("actual_start")
    if start and start + timedelta(days=45) <= today and rng.random() < 0.85:
        stats_month = _month(start + timedelta(days=31))
        fields.update(stats_status=StatsStatus.COUNTED, stats_month=min(stats_month, _month(today)))
    if spec.fast:
        land, _permit, _start = spec.fast
        fields.update(is_fast_track=True, land_deal_date=land)
    return fields


def _reference():
    from .models import IndustryCategory, IndustryChain, ProjectLevel, SpecialList

    chains = {}
    for order, name in enumerate(CHAINS, start=1):
        chain = IndustryChain.objects.filter(name=name).first()
        if chain is None:
            chain = IndustryChain.objects.create(name=name, sort_order=order)
        chains[name] = chain
    codes = {kind.industry for kind in KINDS}
    industries = {c.code: c for c in IndustryCategory.objects.filter(code__in=codes)}
    missing = codes - set(industries)
    if missing:
        raise RuntimeError(f"示例项目：缺少国民经济行业代码 {sorted(missing)}，请先执行 migrate。")
    levels = {level.code: level for level in ProjectLevel.objects.all()}
    special_lists = {sl.code: sl for sl in SpecialList.objects.all()}
    return chains, industries, levels, special_lists


@transaction.atomic
def load_projects(context: dict, stdout) -> None:
    """Create the demo portfolio (about 120 projects) once; later runs leave it alone."""
    from tuijin.org.demo import LEADERS
    from tuijin.org.models import Person
    from tuijin.users.models import User

    from .models import AnnualPlan, Project
    from .services import (
        FundingRow,
        ProjectInput,
        annual_plan_approve,
        annual_plan_save,
        approval_item_update,
        fast_track_recompute,
        plan_change_request,
        project_create,
        project_transition,
    )

    existing = Project.objects.filter(is_demo=True)
    if existing.exists():
        stdout.write(f"示例项目：已存在 {existing.count()} 个，跳过。")
        return
    today = timezone.localdate()
    rng = random.Random(2026)
    specs = _Planner(rng, today).plan()

    actor = User.objects.get(username="xmb")
    units = _units_by_key(context)
    leader_names = [name for name, *_rest in LEADERS]
    leaders = {p.name: p for p in Person.objects.filter(name__in=leader_names, is_county_leader=True)}
    chains, industries, levels, special_lists = _reference()
    departments = {code: units[name] for code, name in APPROVAL_DEPARTMENTS.items() if name in units}
    owners: dict = {}
    used_credit: set[str] = {u.credit_code for u in units.values() if getattr(u, "credit_code", "")}

    created = []
    for spec in specs:
        fields = _fields(spec, units, rng, owners, used_credit, chains, industries, today)
        create_stage = spec.stage
        if spec.final_stage == Stage.CANCELLED:
            create_stage = Stage.RESERVE
        data = ProjectInput(
            fields=fields,
            levels=[levels[code] for code in spec.levels],
            sponsors=[leaders[name] for name in spec.sponsors if name in leaders],
            special_lists=[(special_lists[code], batch) for code, batch in spec.specials],
            funding=[FundingRow(kind=kind, amount=amount) for kind, amount in spec.funding],
            stage=create_stage,
            message="示例数据",
        )
        project = project_create(actor=actor, data=data)
        items = {item.item_type.code: item for item in project.approval_items.select_related("item_type")}
        for code, status, completed, permit_no, due in _approval_steps(spec, today):
            item = items.get(code)
            if item is None:
                continue
            approval_item_update(
                actor=actor,
                item=item,
                status=status,
                department=departments.get(code),
                due_date=due,
                completed_date=completed,
                permit_no=permit_no,
            )
        for year in sorted(spec.plans):
            amount, monthly, approve, target, quarter = spec.plans[year]
            plan = annual_plan_save(
                actor=actor,
                project=project,
                year=year,
                planned_investment=amount,
                progress_target=target,
                monthly_plan=monthly,
                planned_start_quarter=quarter,
            )
            if approve:
                annual_plan_approve(actor=actor, plan=plan)
        if spec.final_stage:
            project = project_transition(
                actor=actor, project=project, version=project.version, to_stage=spec.final_stage, reason=spec.reason
            )
        if spec.fast:
            fast_track_recompute(project)
        created.append(project)

    changes = 0
    for username, (reason, factor) in CHANGE_REASONS.items():
        requester = User.objects.filter(username=username).first()
        unit = units.get(username)
        plan = (
            AnnualPlan.objects.filter(
                project__is_demo=True,
                project__responsible_unit=unit,
                year=PLAN_YEAR,
                status="approved",
                project__stage=Stage.CONSTRUCTION,
            )
            .order_by("project__name")
            .first()
        )
        if requester is None or plan is None:
            continue
        new_amount = (plan.planned_investment * factor).quantize(Decimal("1"))
        plan_change_request(actor=requester, plan=plan, new_investment=new_amount, reason=reason)
        changes += 1

    counts = dict.fromkeys(Stage.values, 0)
    for stage in Project.objects.filter(is_demo=True).values_list("stage", flat=True):
        counts[stage] += 1
    fast = Project.objects.filter(is_demo=True, is_fast_track=True, ndl_days_to_permit__isnull=False).count()
    plans = AnnualPlan.objects.filter(project__is_demo=True).count()
    summary = "，".join(f"{Stage(value).label} {count}" for value, count in counts.items())
    stdout.write(
        f"示例项目：{len(created)} 个（{summary}）；拿地即开工 {fast} 个；"
        f"年度计划 {plans} 份，待审批调整 {changes} 项。"
    )
    context["demo_projects"] = created
