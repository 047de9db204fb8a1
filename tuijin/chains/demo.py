"""Demo 产业链图谱, 链长制 and 政产学研 (tuijin.chains.demo.load_chains, a `tuijin load_demo` step after 督办).

- The demo's three chains (光电信息, 智能制造, 现代服务业) get about 60 nodes: 上游/中游/下游 链环节 with their
  sub-links, keywords (products and technologies, read by the matching) and enterprises: the district's firms
  named in public reports (胜华电缆, 北方仪表, 百合特种光学, 巴山航空, 日升数控, 芯睿电子; only their names come
  from those reports, two of them are 链主), fictional local firms marked 示例, and a few key suppliers outside the
  district.
- Every demo lead and project of a chain is placed on the node its name fits (a project converted from a lead counts
  through its lead). The statuses are then computed by `maintain.refresh` under the office's rules, never typed:
  several 空白, 薄弱 and 优势 nodes; 空白 nodes hold signed or registered leads the office can convert.
- 链长制: a district leader as 链长, a 牵头部门, the 专班 units and this year's 补链 target per chain.
- History: the first computation is dated to the day the map was drawn (last December); three nodes are shown
  leaving 空白 earlier this year (so 补链进度 is not zero), each change with its reason.
- 政产学研: about 40 resources of the five universities (labs, teams, patents, platforms, contacts) whose keywords
  overlap the nodes', a few linked to nodes by hand, and 8 cooperation records (visits, agreements, outcomes) with
  fictional firms, one answering the demo's 用工/人才 ticket.

Rows are written by bulk_create with their change-log rows (the loader is a setup, not a user's edit). Dates are
relative to today and never in the future. Idempotent: each part is skipped when its demo rows exist.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from tuijin.core.changelog import object_changes_bulk_record
from tuijin.core.choices import ChangeAction

from . import maintain
from .choices import CooperationKind, EnterpriseRole, GapStatus, ResourceKind, Segment
from .models import (
    ChainNode,
    ChainProfile,
    Cooperation,
    NodeEnterprise,
    NodeLead,
    NodeProject,
    NodeStatusChange,
    University,
    UniversityResource,
)
from .rules import NodeCounts, judge

__all__ = ["CHAINS", "TREE", "create_nodes", "load_chains"]

MESSAGE = "示例数据"
OPTO, SMART, SERVICE = "光电信息", "智能制造", "现代服务业"
CHAINS = [OPTO, SMART, SERVICE]
PUBLIC = "企业名称据公开报道；所列产品及其他信息为示例"
UP, MID, DOWN = Segment.UPSTREAM, Segment.MIDSTREAM, Segment.DOWNSTREAM


@dataclass(frozen=True)
class Firm:
    name: str
    products: str = ""
    role: str = EnterpriseRole.LOCAL
    location: str = ""  # only for suppliers outside the district
    unit: str = ""  # a key of context["units"] when the firm has a demo enterprise unit
    note: str = ""


@dataclass(frozen=True)
class Link:
    """A 链环节 (top level) or a sub-link; `match` holds fragments of the demo lead and project names it takes."""

    name: str
    keywords: str
    firms: tuple[Firm, ...] = ()
    match: tuple[str, ...] = ()
    children: tuple["Link", ...] = ()
    description: str = ""


def real(name: str, products: str, *, leader: bool = False) -> Firm:
    role = EnterpriseRole.LEADER if leader else EnterpriseRole.LOCAL
    return Firm(name, products, role, note=PUBLIC)


def local(name: str, products: str, unit: str = "") -> Firm:
    return Firm(name, products, unit=unit)


def supplier(name: str, products: str, location: str) -> Firm:
    return Firm(name, products, EnterpriseRole.SUPPLIER, location=location)


# The demo enterprise units of tuijin.org.demo.ENTERPRISES used here (their names are their keys in context["units"])
OPTO_CO = "新乡示例光电科技有限公司（示例）"
SMART_CO = "红旗示例智能装备制造有限公司（示例）"
ECOM_CO = "示例电子商务产业园运营有限公司（示例）"
METER_CO = "示例精密仪表股份有限公司（示例）"
MATERIAL_CO = "示例新材料科技有限公司（示例）"

TREE: dict[str, list[tuple[str, Link]]] = {
    OPTO: [
        (
            UP,
            Link(
                "光学材料",
                "光学材料，光学玻璃，光学薄膜，光纤",
                (local(MATERIAL_CO, "光学功能膜材料", MATERIAL_CO),),
                children=(
                    Link(
                        "光学玻璃",
                        "光学玻璃，玻璃毛坯，熔炼，光学晶体",
                        (supplier("示例光学玻璃股份有限公司（示例）", "光学玻璃毛坯", "湖北省武汉市"),),
                    ),
                    Link(
                        "光学薄膜",
                        "光学薄膜，镀膜，增透膜，滤光片",
                        (local(MATERIAL_CO, "增透膜、滤光片", MATERIAL_CO),),
                        ("光学薄膜",),
                    ),
                    Link(
                        "光纤材料",
                        "光纤预制棒，光纤，光缆，石英材料",
                        (supplier("示例光纤光缆集团有限公司（示例）", "光纤预制棒、光纤", "江苏省苏州市"),),
                        ("光纤预制棒",),
                        description="本区尚无光纤材料企业，重点招引光纤预制棒项目。",
                    ),
                ),
            ),
        ),
        (
            UP,
            Link(
                "光电芯片",
                "光电芯片，电子元器件，芯片封装，封装测试",
                (real("芯睿电子", "电子元器件"),),
                children=(
                    Link(
                        "红外探测器芯片",
                        "红外探测器，红外芯片，热成像芯片，封测",
                        (supplier("示例红外微电子股份有限公司（示例）", "非制冷红外探测器", "陕西省西安市"),),
                        ("红外热成像芯片",),
                    ),
                    Link(
                        "光电芯片封测",
                        "芯片封装，封装测试，光电芯片，可靠性测试",
                        (local("新乡示例微电子封装有限公司（示例）", "光电器件封装"),),
                    ),
                ),
            ),
        ),
        (
            MID,
            Link(
                "光学元件",
                "光学元件，光学镜头，光学镜片，特种光学，精密加工",
                (
                    real("百合特种光学", "特种光学元件", leader=True),
                    local("新乡示例精密光学有限公司（示例）", "光学镜片、棱镜"),
                    local("新乡示例光学仪器有限公司（示例）", "光学组件"),
                ),
                children=(
                    Link(
                        "精密光学镜头",
                        "光学镜头，精密光学镜头，镜头模组，非球面",
                        (local("新乡示例镜头科技有限公司（示例）", "安防、车载镜头"),),
                        ("光学镜头",),
                    ),
                    Link(
                        "特种光学元件",
                        "特种光学元件，棱镜，窗口片，精密光学元件",
                        (real("百合特种光学", "特种光学元件", leader=True),),
                        ("精密光学元件",),
                    ),
                    Link("光学镜片", "光学镜片，镜片，光学冷加工，镀膜", match=("光学镜片",)),
                ),
            ),
        ),
        (
            MID,
            Link(
                "光电器件",
                "光电器件，光电子，传感器，激光，显示模组",
                (local(OPTO_CO, "光电传感器、光电模组", OPTO_CO),),
                ("光电子产业园",),
                children=(
                    Link(
                        "光电传感器",
                        "光电传感器，智能传感，传感器模组，光纤传感",
                        (
                            local(OPTO_CO, "光电传感器模组", OPTO_CO),
                            local("新乡示例传感技术有限公司（示例）", "光纤传感器件"),
                        ),
                        ("光电传感器", "光纤传感"),
                    ),
                    Link(
                        "激光器",
                        "激光器，激光器件，激光显示，光纤激光，激光加工",
                        (supplier("示例激光技术股份有限公司（示例）", "光纤激光器", "湖北省武汉市东湖新技术开发区"),),
                        ("激光显示", "激光器件"),
                    ),
                    Link(
                        "红外热成像模组",
                        "红外热成像，热成像模组，红外测温",
                        (local("新乡示例红外科技有限公司（示例）", "测温模组"),),
                        ("红外热成像模组",),
                    ),
                    Link("Mini LED显示模组", "Mini LED，背光模组，显示模组，LED显示", match=("Mini LED",)),
                ),
            ),
        ),
        (
            MID,
            Link(
                "光电仪器仪表",
                "仪器仪表，光电仪器，计量仪表，检测设备",
                (real("北方仪表", "仪器仪表"), local(METER_CO, "流量计量仪表", METER_CO)),
                ("智能仪器仪表",),
                children=(
                    Link(
                        "测量仪表",
                        "测量仪表，流量计，计量仪表，车辆仪表",
                        (real("北方仪表", "仪器仪表"), local(METER_CO, "流量计量仪表", METER_CO)),
                        ("流量计量仪表",),
                    ),
                    Link(
                        "光电检测设备",
                        "光电检测设备，检测认证，光学检测，在线检测",
                        match=("检测中心",),
                    ),
                ),
            ),
        ),
        (
            DOWN,
            Link(
                "光电应用",
                "光电应用，安防监控，车载光电，光通信，光伏",
                (local("新乡示例光电应用技术有限公司（示例）", "光电应用系统集成"),),
                ("光伏接线盒", "半导体照明"),
                children=(
                    Link(
                        "安防监控",
                        "安防监控，视频监控，图像识别，智能摄像机",
                        (
                            local("新乡示例安防科技有限公司（示例）", "智能摄像机"),
                            local("新乡示例视觉技术有限公司（示例）", "图像识别终端"),
                        ),
                    ),
                    Link("车载光电", "车载摄像头，激光雷达，车载光电，智能驾驶", match=("车载摄像头", "激光雷达")),
                    Link("光通信", "光通信，光模块，光通信器件，光器件", match=("光通信器件产业园",)),
                ),
            ),
        ),
    ],
    SMART: [
        (
            UP,
            Link(
                "核心零部件",
                "核心零部件，数控系统，伺服电机，减速器，液压件，轴承",
                match=("电梯零部件",),
                children=(
                    Link(
                        "数控系统",
                        "数控系统，CNC，运动控制，PLC",
                        (supplier("示例数控系统股份有限公司（示例）", "数控系统", "广东省广州市"),),
                        description="本区尚无数控系统企业，整机企业所需数控系统全部外购。",
                    ),
                    Link(
                        "伺服电机",
                        "伺服电机，伺服驱动，运动控制，电机",
                        (supplier("示例伺服科技有限公司（示例）", "伺服电机及驱动器", "江苏省常州市"),),
                    ),
                    Link(
                        "精密减速器",
                        "精密减速器，RV减速器，谐波减速器，齿轮，传动",
                        (local("新乡示例传动机械有限公司（示例）", "齿轮减速器"),),
                        ("精密减速器",),
                    ),
                    Link(
                        "液压元件",
                        "液压元件，液压件，液压缸，液压泵阀",
                        (local("新乡示例液压件有限公司（示例）", "液压缸"),),
                        ("液压",),
                    ),
                    Link(
                        "轴承",
                        "轴承，精密轴承，高端轴承",
                        (supplier("示例轴承集团有限公司（示例）", "精密轴承", "河南省洛阳市"),),
                        ("轴承",),
                    ),
                ),
            ),
        ),
        (
            UP,
            Link(
                "基础配套",
                "基础配套，电线电缆，铸锻件，机械加工",
                (local("新乡示例机械加工有限公司（示例）", "精密机加工"),),
                children=(
                    Link(
                        "电线电缆",
                        "电线电缆，电力电缆，特种电缆，电缆材料，绝缘材料",
                        (
                            real("胜华电缆", "电线电缆", leader=True),
                            local("新乡示例线缆有限公司（示例）", "控制电缆"),
                            local("新乡示例电缆材料有限公司（示例）", "电缆绝缘料"),
                        ),
                        ("电线电缆",),
                    ),
                    Link(
                        "精密铸锻件",
                        "精密铸件，锻件，铸造，热处理，焊接",
                        (local("新乡示例铸锻有限公司（示例）", "铸钢件"),),
                        ("精密铸件",),
                    ),
                ),
            ),
        ),
        (
            MID,
            Link(
                "智能装备",
                "智能装备，数控机床，工业机器人，输送装备，起重装备，专用设备，增材制造",
                (real("日升数控", "数控装备"), local(SMART_CO, "智能输送装备", SMART_CO)),
                ("增材制造",),
                children=(
                    Link(
                        "数控机床",
                        "数控机床，机床功能部件，数控加工，机床再制造",
                        (real("日升数控", "数控装备"),),
                        ("数控机床",),
                    ),
                    Link(
                        "工业机器人",
                        "工业机器人，机器人集成，机器人整机，智能产线",
                        match=("工业机器人",),
                        description="机器人整机项目在建，本区尚无投产的机器人企业。",
                    ),
                    Link(
                        "智能输送与仓储装备",
                        "智能输送装备，智能仓储，物流装备，输送线",
                        (local(SMART_CO, "智能输送线", SMART_CO),),
                        ("智能输送", "智能仓储"),
                    ),
                    Link(
                        "起重装备",
                        "起重装备，起重机，桥式起重机，数字化车间",
                        (
                            local("新乡示例起重机械有限公司（示例）", "桥式起重机"),
                            local("新乡示例重工有限公司（示例）", "门式起重机"),
                            local("新乡示例起重部件有限公司（示例）", "起重机部件"),
                        ),
                        ("起重装备",),
                    ),
                    Link("专用设备", "专用设备，锂电设备，隔膜设备，非标设备", match=("专用设备",)),
                    Link("环保装备", "环保装备，除尘设备，污水处理设备，环境监测", match=("环保装备",)),
                    Link("农业智能装备", "农业智能装备，智能农机，农机，植保", match=("农业智能装备", "智能农机")),
                ),
            ),
        ),
        (
            MID,
            Link(
                "航空与汽车零部件",
                "航空零部件，汽车零部件，新能源汽车，精密结构件",
                (real("巴山航空", "航空零部件"),),
                children=(
                    Link("航空零部件", "航空零部件，航空材料，精密结构件", (real("巴山航空", "航空零部件"),)),
                    Link(
                        "新能源汽车零部件",
                        "新能源汽车零部件，电机控制器，电机壳体，电池管理系统",
                        (local("新乡示例汽车电子有限公司（示例）", "电机控制器"),),
                        ("电机控制器", "电机壳体", "电池管理"),
                    ),
                ),
            ),
        ),
        (
            DOWN,
            Link(
                "系统集成与服务",
                "系统集成，智能产线集成，工业互联网，智能配电",
                (local("新乡示例智能科技有限公司（示例）", "自动化系统集成"),),
                children=(
                    Link(
                        "智能产线集成",
                        "智能产线集成，自动化产线，数字化车间，系统集成，PLC",
                        (local("新乡示例自动化工程有限公司（示例）", "自动化产线"),),
                    ),
                    Link("工业互联网平台", "工业互联网，标识解析，设备联网，工业软件", match=("工业互联网",)),
                    Link(
                        "智能配电",
                        "智能配电，配电设备，开关柜，电气成套",
                        (
                            local("新乡示例电气成套有限公司（示例）", "开关柜"),
                            local("新乡示例配电设备有限公司（示例）", "箱式变电站"),
                        ),
                        ("智能配电",),
                    ),
                ),
            ),
        ),
    ],
    SERVICE: [
        (
            UP,
            Link(
                "数字基础设施",
                "数字基础设施，数据中心，算力，5G，通信网络",
                children=(
                    Link(
                        "数据中心与算力",
                        "数据中心，算力，服务器，云计算",
                        (supplier("示例服务器有限公司（示例）", "服务器", "河南省郑州市"),),
                        ("算力",),
                    ),
                    Link(
                        "通信网络",
                        "5G，通信网络，基站，光纤宽带",
                        (local("新乡示例通信工程有限公司（示例）", "通信网络工程"),),
                    ),
                ),
            ),
        ),
        (
            MID,
            Link(
                "软件与信息服务",
                "软件，信息服务，大数据，云服务，数字经济",
                (local("新乡示例信息技术有限公司（示例）", "政务信息系统"),),
                ("数字经济产业园",),
                children=(
                    Link(
                        "软件开发与外包",
                        "软件开发，软件外包，信息系统，应用软件",
                        (
                            local("新乡示例软件有限公司（示例）", "行业应用软件"),
                            local("新乡示例数字科技有限公司（示例）", "软件外包"),
                        ),
                        ("软件",),
                    ),
                    Link("大数据与云服务", "大数据，云服务，数据治理，云计算", match=("大数据中心",)),
                ),
            ),
        ),
        (
            MID,
            Link(
                "电子商务",
                "电子商务，电商园区，直播电商，跨境电商，网络零售",
                (
                    local(ECOM_CO, "电商园区运营", ECOM_CO),
                    local("新乡示例网络科技有限公司（示例）", "网络零售"),
                    local("新乡示例电商服务有限公司（示例）", "电商代运营"),
                ),
                children=(
                    Link(
                        "电商产业园",
                        "电商产业园，电子商务，网络零售，电商运营",
                        (local(ECOM_CO, "电商园区运营", ECOM_CO),),
                        ("电商产业园",),
                    ),
                    Link(
                        "直播与跨境电商",
                        "直播电商，跨境电商，直播基地，海外仓",
                        (local("新乡示例直播文化传媒有限公司（示例）", "直播带货"),),
                        ("直播基地",),
                    ),
                ),
            ),
        ),
        (
            DOWN,
            Link(
                "现代物流",
                "现代物流，冷链物流，智慧物流，供应链",
                (local("新乡示例物流有限公司（示例）", "城市配送"),),
                children=(
                    Link(
                        "冷链物流",
                        "冷链物流，冷库，冷链运输，温控",
                        (local("新乡示例冷链有限公司（示例）", "冷链运输"),),
                        ("冷链物流",),
                    ),
                    Link(
                        "智慧物流配送",
                        "智慧物流，物流配送，快递分拨，仓储",
                        (local("新乡示例快运有限公司（示例）", "快递分拨"),),
                        ("智慧物流",),
                    ),
                    Link("供应链服务", "供应链服务，供应链金融，供应链管理", match=("供应链",)),
                ),
            ),
        ),
        (
            DOWN,
            Link(
                "商贸服务",
                "商贸服务，商业综合体，商业街区，人力资源服务",
                (local("新乡示例商业管理有限公司（示例）", "商业运营"),),
                children=(
                    Link(
                        "商业综合体",
                        "商业综合体，购物中心，商务楼宇",
                        (
                            local("新乡示例购物中心有限公司（示例）", "购物中心"),
                            local("新乡示例置业有限公司（示例）", "商务楼宇"),
                        ),
                        ("商务综合体", "商业综合体"),
                    ),
                    Link(
                        "特色商业街区",
                        "特色商业街区，步行街，夜间经济，文旅街区",
                        (
                            local("新乡示例文旅商业有限公司（示例）", "街区运营"),
                            local("新乡示例餐饮管理有限公司（示例）", "特色餐饮"),
                            local("新乡示例老字号商贸有限公司（示例）", "老字号零售"),
                        ),
                        ("商业街区", "文旅街区"),
                    ),
                    Link("人力资源服务", "人力资源服务，人才招聘，劳务派遣，职业培训", match=("人力资源",)),
                ),
            ),
        ),
    ],
}

# 链长制: (链长's name in tuijin.org.demo.LEADERS, 牵头部门, 专班 unit keys, this year's 补链 target, 发展方向)
PROFILES = {
    OPTO: (
        "周立新",
        "区商务局",
        ("区工业和信息化局", "区科学技术局", "区发展和改革委员会", "hongkai"),
        4,
        "依托中德光电产业园、新东光电产业园，补齐光学材料、激光器和光通信环节，做强光学元件和光电仪器仪表。",
    ),
    SMART: (
        "吴承远",
        "区发展和改革委员会",
        ("区工业和信息化局", "区商务局", "区科学技术局", "hongkai", "xiaodian"),
        5,
        "以数控装备、电线电缆为基础，招引数控系统、伺服电机和工业机器人项目，推动企业智能化改造。",
    ),
    SERVICE: (
        "郑海峰",
        "区商务局",
        ("区发展和改革委员会", "区工业和信息化局", "xijie", "dongjie"),
        3,
        "发展电子商务、现代物流和软件信息服务，建设数据中心和算力设施，培育数字经济。",
    ),
}
TASK_FORCE_NOTE = (
    "链长：%(leader)s；牵头部门：%(unit)s；专班办公室设在牵头部门，成员单位按月报送重点企业、项目和短板清单。"
)
# Nodes shown leaving 空白 earlier this year: (chain, node, fraction of the year so far at the first change)
FILLED_THIS_YEAR = [(OPTO, "光电传感器", 0.3), (SMART, "专用设备", 0.5), (SERVICE, "冷链物流", 0.2)]


def _moment(day: date, hour: int = 10) -> datetime:
    """`day` at `hour` o'clock, never later than a few minutes ago."""
    return min(timezone.make_aware(datetime.combine(day, time(hour, 0))), timezone.now() - timedelta(minutes=5))


def _walk(links: tuple[Link, ...] | list[Link], parent: Link | None = None):
    for link in links:
        yield link, parent
        yield from _walk(link.children, link)


def create_nodes(chains: dict[str, Any]) -> dict[tuple[str, str], ChainNode]:
    """The nodes of TREE for these chains ({name: IndustryChain}), without enterprises or links, by bulk_create
    (with their change-log rows). Also used by `make bench`. Returns {(chain name, node name): node}."""
    nodes: dict[tuple[str, str], ChainNode] = {}
    for level in ("top", "child"):
        batch = []
        for chain_name, chain in chains.items():
            for order, (segment, top) in enumerate(TREE.get(chain_name, []), start=1):
                links: list[tuple[Link, Link | None, int]] = [(top, None, order * 100)]
                if level == "child":
                    links = [(child, top, order * 100 + i) for i, child in enumerate(top.children, start=1)]  # type: ignore[misc]
                for link, parent, sort in links:
                    node = ChainNode(
                        chain=chain,
                        parent=nodes[(chain_name, parent.name)] if parent else None,
                        segment=segment,
                        name=link.name,
                        keywords=link.keywords,
                        description=link.description,
                        sort_order=sort,
                    )
                    nodes[(chain_name, link.name)] = node
                    batch.append(node)
        ChainNode.objects.bulk_create(batch, batch_size=500)
        object_changes_bulk_record(batch, ChangeAction.CREATE, MESSAGE)
    return nodes


def _enterprises(nodes: dict, units: dict) -> list[NodeEnterprise]:
    rows = []
    for chain_name, tops in TREE.items():
        for link, _parent in _walk([top for _segment, top in tops]):
            node = nodes.get((chain_name, link.name))
            if node is None:
                continue
            for firm in link.firms:
                is_supplier = firm.role == EnterpriseRole.SUPPLIER
                rows.append(
                    NodeEnterprise(
                        node=node,
                        name=firm.name,
                        role=firm.role,
                        is_local=not is_supplier,
                        in_production=True,
                        location=firm.location or "新乡市红旗区",
                        products=firm.products,
                        enterprise=units.get(firm.unit) if firm.unit else None,
                        note=firm.note,
                    )
                )
    NodeEnterprise.objects.bulk_create(rows, batch_size=500)
    object_changes_bulk_record(rows, ChangeAction.CREATE, MESSAGE)
    return rows


def _matcher(nodes: dict) -> dict[int, list[tuple[str, ChainNode]]]:
    """{chain id: [(name fragment, node)]} in tree order: the first fragment found in a name wins."""
    found: dict[int, list[tuple[str, ChainNode]]] = defaultdict(list)
    for chain_name, tops in TREE.items():
        for link, _parent in _walk([top for _segment, top in tops]):
            node = nodes.get((chain_name, link.name))
            if node is not None:
                found[node.chain_id].extend((fragment, node) for fragment in link.match)
    return found


def _place(name: str, fragments: list[tuple[str, ChainNode]]) -> ChainNode | None:
    return next((node for fragment, node in fragments if fragment in name), None)


def _links(nodes: dict) -> tuple[int, int]:
    """Every demo lead and project of the chains on the node its name fits; a converted project through its lead."""
    from tuijin.investment.models import Lead
    from tuijin.projects.models import Project

    fragments = _matcher(nodes)
    chain_ids = list(fragments)
    lead_rows, from_leads = [], set()
    for lead in (
        Lead.objects.filter(is_demo=True, chain_id__in=chain_ids)
        .order_by("pk")
        .only("pk", "name", "chain_id", "project_id")
    ):
        if lead.project_id:
            from_leads.add(lead.project_id)
        node = _place(lead.name, fragments[lead.chain_id])
        if node is not None:
            lead_rows.append(NodeLead(node=node, lead=lead))
    project_rows = []
    for project in (
        Project.objects.filter(is_demo=True, chain_id__in=chain_ids).order_by("pk").only("pk", "name", "chain_id")
    ):
        if project.pk in from_leads:
            continue
        node = _place(project.name, fragments[project.chain_id])
        if node is not None:
            project_rows.append(NodeProject(node=node, project=project))
    NodeLead.objects.bulk_create(lead_rows, batch_size=500)
    NodeProject.objects.bulk_create(project_rows, batch_size=500)
    return len(lead_rows), len(project_rows)


def _profiles(chains: dict, units: dict) -> None:
    from tuijin.org.models import Person

    names = [spec[0] for spec in PROFILES.values()]
    people = {p.name: p for p in Person.objects.filter(name__in=names, is_county_leader=True)}
    for chain_name, (leader, unit_key, task_force, target, summary) in PROFILES.items():
        chain = chains.get(chain_name)
        if chain is None or ChainProfile.objects.filter(chain=chain).exists():
            continue
        person, unit = people.get(leader), units.get(unit_key)
        profile = ChainProfile.objects.create(
            chain=chain,
            leader=person,
            lead_unit=unit,
            fill_target=target,
            summary=summary,
            task_force_note=TASK_FORCE_NOTE
            % {"leader": person.name if person else "—", "unit": unit.display_name if unit else "—"},
        )
        profile.task_force.set([units[key] for key in task_force if key in units])


def _history(nodes: dict, today: date) -> int:
    """Date the first computation to the day the map was drawn (1 December last year) and show three nodes leaving
    空白 earlier this year, with the events that moved them. Returns the number of nodes shown filled this year."""
    ids = [node.pk for node in nodes.values()]
    drawn = _moment(date(today.year - 1, 12, 1), 9)
    NodeStatusChange.objects.filter(node_id__in=ids).update(time=drawn)
    ChainNode.objects.filter(pk__in=ids).exclude(status=GapStatus.GAP).update(status_since=drawn)
    current = maintain.rules()
    jan1 = date(today.year, 1, 1)
    elapsed = max((today - jan1).days, 2)
    filled = 0
    for chain_name, node_name, fraction in FILLED_THIS_YEAR:
        node = nodes.get((chain_name, node_name))
        if node is None:
            continue
        node.refresh_from_db(fields=["status", "status_reason", "counts"])
        if node.status == GapStatus.GAP:
            continue
        events = _events(node)
        first, last = events[0], events[-1]
        # the first event alone: one producing project (or lead) or one local firm
        alone = NodeCounts(producing=1) if first[1] else NodeCounts(enterprises=1)
        verdict = judge(
            alone,
            strong_min=current.strong_min,
            count_building=current.count_building,
            strong_requires_leader=current.strong_requires_leader,
        )
        steps = [(fraction, verdict.status, verdict.reason, alone.as_dict(), first[0])]
        if verdict.status != node.status:
            steps.append(((fraction + 1) / 2, node.status, node.status_reason, node.counts, last[0]))
        else:
            steps = [(fraction, node.status, node.status_reason, node.counts, first[0])]
        rows: list[NodeStatusChange] = []
        before: str = GapStatus.GAP
        for share, status, reason, counts, trigger in steps:
            moment = _moment(jan1 + timedelta(days=max(1, int(elapsed * share))))
            rows.append(
                NodeStatusChange(
                    node=node,
                    time=moment,
                    from_status=before,
                    to_status=status,
                    reason=reason[:300],
                    trigger=trigger[:200],
                    counts=counts,
                )
            )
            before = status
        NodeStatusChange.objects.filter(node=node).delete()
        NodeStatusChange.objects.bulk_create(rows)
        ChainNode.objects.filter(pk=node.pk).update(status_since=rows[-1].time)
        filled += 1
    return filled


def _events(node: ChainNode) -> list[tuple[str, bool]]:
    """What made the node present, oldest first, as (trigger text, is a project or lead): its leads and projects
    that reached production, then its local firms."""
    from tuijin.investment.choices import LeadStage

    events = [
        (f"招商项目「{name}」：{LeadStage(stage).label}", True)
        for name, stage in node.lead_links.filter(lead__stage__in=maintain.LEAD_PRODUCING)
        .order_by("lead__production_date", "lead_id")
        .values_list("lead__name", "lead__stage")
    ]
    events += [
        (f"项目「{name}」：投产", True)
        for name in node.project_links.filter(project__stage__in=maintain.PRODUCING_STAGES)
        .order_by("project_id")
        .values_list("project__name", flat=True)
    ]
    firms = node.enterprises.filter(is_local=True, in_production=True).order_by("pk").values_list("name", flat=True)
    events += [(f"环节企业「{name}」变更", False) for name in firms]
    return events or [(MESSAGE, False)]


# -- 政产学研 ---------------------------------------------------------------------------------------------------------

MED, TECH, ENG, XXU, VOC = "新乡医学院", "河南科技学院", "河南工学院", "新乡学院", "新乡职业技术学院"
LAB, TEAM, PATENT, PLATFORM, CONTACT = (
    ResourceKind.LAB,
    ResourceKind.TEAM,
    ResourceKind.PATENT,
    ResourceKind.PLATFORM,
    ResourceKind.CONTACT,
)


@dataclass(frozen=True)
class Resource:
    university: str
    kind: str
    name: str
    field: str
    keywords: str
    contact: str = ""
    nodes: tuple[tuple[str, str], ...] = ()  # (chain, node) linked by hand


RESOURCES = [
    # 新乡医学院
    Resource(
        MED, LAB, "医学影像与光学成像实验室", "医学光学成像", "光学成像，医学影像，精密光学镜头，图像处理", "刘老师"
    ),
    Resource(MED, TEAM, "医疗器械研发团队", "医疗器械", "医疗器械，智能传感，可穿戴设备，光电传感器", "陈老师"),
    Resource(MED, TEAM, "生物医药创新团队", "生物医药", "生物医药，药物研发，检验检测", "王老师"),
    Resource(MED, PATENT, "一种便携式血氧光电检测装置", "医用光电检测", "光电检测设备，光电传感器，血氧监测"),
    Resource(MED, PLATFORM, "医药健康大数据平台", "健康医疗大数据", "大数据，健康医疗，云服务，数据治理", "赵老师"),
    Resource(MED, LAB, "医用材料检测实验室", "医用材料", "医疗器械，材料检测，生物相容性", "孙老师"),
    Resource(MED, CONTACT, "科技处成果转化联络人", "成果转化", "成果转化，医疗器械，生物医药", "李老师"),
    # 河南科技学院
    Resource(
        TECH,
        LAB,
        "光电子材料实验室",
        "光电子材料",
        "光学薄膜，光电子材料，镀膜，光学玻璃",
        "周老师",
        ((OPTO, "光学薄膜"),),
    ),
    Resource(
        TECH,
        TEAM,
        "智能传感与检测团队",
        "智能传感",
        "智能传感，光电传感器，光电检测设备，物联网",
        "吴老师",
        ((OPTO, "光电传感器"),),
    ),
    Resource(TECH, TEAM, "激光加工技术团队", "激光加工", "激光器，激光加工，精密加工", "郑老师"),
    Resource(TECH, LAB, "农业装备智能化实验室", "智能农机", "农业智能装备，智能农机，植保，智能控制", "冯老师"),
    Resource(TECH, PATENT, "一种光学薄膜厚度在线检测方法", "光学检测", "光学薄膜，在线检测，光学检测"),
    Resource(TECH, PLATFORM, "光电工程技术研究中心", "光电器件", "光电器件，光学元件，光学镜片，红外热成像", "褚老师"),
    Resource(TECH, TEAM, "农村电商研究团队", "电子商务", "电子商务，直播电商，网络零售", "卫老师"),
    Resource(TECH, CONTACT, "科技处校地合作联络人", "校地合作", "校地合作，成果转化，光电信息", "蒋老师"),
    # 河南工学院
    Resource(
        ENG,
        LAB,
        "智能制造实验室",
        "智能制造",
        "智能产线集成，工业机器人，数控系统，PLC",
        "沈老师",
        ((SMART, "智能产线集成"),),
    ),
    Resource(
        ENG,
        TEAM,
        "数控技术与装备团队",
        "数控技术",
        "数控机床，数控系统，伺服电机，运动控制",
        "韩老师",
        ((SMART, "数控系统"),),
    ),
    Resource(
        ENG, TEAM, "电缆材料与工艺团队", "电缆材料", "电线电缆，电缆材料，绝缘材料", "杨老师", ((SMART, "电线电缆"),)
    ),
    Resource(ENG, LAB, "精密传动测试实验室", "传动测试", "精密减速器，齿轮，传动，可靠性测试", "朱老师"),
    Resource(ENG, PATENT, "一种电缆绝缘层挤出温控装置", "电缆工艺", "电线电缆，挤出，温控"),
    Resource(ENG, PATENT, "一种工业机器人末端快换装置", "机器人", "工业机器人，末端执行器，智能产线"),
    Resource(ENG, PLATFORM, "液压与气动技术服务平台", "液压技术", "液压元件，液压件，气动，检测", "秦老师"),
    Resource(ENG, TEAM, "焊接与铸造工艺团队", "材料成型", "精密铸件，焊接，热处理，铸造", "尤老师"),
    Resource(ENG, CONTACT, "产学研合作办公室联络人", "产学研合作", "校企合作，智能制造，技术服务", "许老师"),
    # 新乡学院
    Resource(XXU, TEAM, "软件工程团队", "软件工程", "软件开发，软件外包，信息系统，应用软件", "何老师"),
    Resource(XXU, LAB, "电子商务实验室", "电子商务", "电子商务，直播电商，跨境电商，网络零售", "吕老师"),
    Resource(
        XXU,
        TEAM,
        "物流与供应链研究团队",
        "物流管理",
        "冷链物流，供应链服务，智慧物流，仓储",
        "施老师",
        ((SERVICE, "冷链物流"),),
    ),
    Resource(XXU, LAB, "大数据与人工智能实验室", "大数据", "大数据，云服务，数据中心，人工智能，图像识别", "张老师"),
    Resource(XXU, PATENT, "一种冷链运输温度监测终端", "冷链监测", "冷链物流，温控，智能传感"),
    Resource(XXU, PLATFORM, "大学生创新创业孵化基地", "创新创业", "电子商务，软件开发，创业孵化", "孔老师"),
    Resource(XXU, TEAM, "机器视觉团队", "机器视觉", "安防监控，图像识别，视频监控", "曹老师"),
    Resource(XXU, CONTACT, "科研处联络人", "校地合作", "校地合作，数字经济，软件", "严老师"),
    # 新乡职业技术学院
    Resource(
        VOC,
        PLATFORM,
        "技能人才培训基地",
        "技能人才培训",
        "技能人才，订单式培训，数控机床，电工，光电器件装调",
        "华老师",
        ((OPTO, "光电器件"),),
    ),
    Resource(VOC, TEAM, "直播电商人才培训团队", "电商人才", "直播电商，电子商务，技能人才", "金老师"),
    Resource(VOC, LAB, "工业机器人实训中心", "机器人实训", "工业机器人，智能产线集成，实训，技能人才", "魏老师"),
    Resource(VOC, TEAM, "新能源汽车技术服务团队", "汽车技术", "新能源汽车零部件，电池管理系统，电机控制器", "陶老师"),
    Resource(VOC, PLATFORM, "现代物流实训基地", "物流实训", "智慧物流，仓储，物流配送，技能人才", "姜老师"),
    Resource(VOC, TEAM, "光电产品装调培训团队", "光电装调", "光电器件，装调，光学元件，技能人才", "戚老师"),
    Resource(VOC, CONTACT, "招生就业处校企合作联络人", "校企合作", "校企合作，订单式培训，技能人才", "谢老师"),
]


@dataclass(frozen=True)
class Coop:
    resource: str  # the resource's name
    kind: str
    days_ago: int
    enterprise: str
    node: tuple[str, str]
    summary: str
    outcome: str = ""
    amount: int | None = None
    unit: str = ""  # the enterprise's demo unit key
    ticket: bool = False  # the demo's 技术工人招聘难 ticket


COOPERATIONS = [
    Coop(
        "光电子材料实验室",
        CooperationKind.VISIT,
        160,
        MATERIAL_CO,
        (OPTO, "光学薄膜"),
        "区商务局组织企业走访实验室，对接增透膜镀膜工艺改进需求。",
        unit=MATERIAL_CO,
    ),
    Coop(
        "智能传感与检测团队",
        CooperationKind.AGREEMENT,
        120,
        OPTO_CO,
        (OPTO, "光电传感器"),
        "签订光电传感器模组可靠性提升技术开发协议，期限两年。",
        "已完成第一阶段样品测试。",
        80,
        OPTO_CO,
    ),
    Coop(
        "一种便携式血氧光电检测装置",
        CooperationKind.OUTCOME,
        75,
        OPTO_CO,
        (OPTO, "光电检测设备"),
        "专利许可企业实施，联合开发便携式光电检测产品。",
        "样机通过检测，计划明年小批量生产。",
        50,
        OPTO_CO,
    ),
    Coop(
        "数控技术与装备团队",
        CooperationKind.AGREEMENT,
        140,
        "新乡示例传动机械有限公司（示例）",
        (SMART, "数控系统"),
        "共建数控系统应用联合实验室，开展国产数控系统适配。",
        "完成两台机床数控系统适配改造。",
        120,
    ),
    Coop(
        "电缆材料与工艺团队",
        CooperationKind.OUTCOME,
        90,
        "新乡示例电缆材料有限公司（示例）",
        (SMART, "电线电缆"),
        "低烟无卤绝缘料配方成果转化。",
        "新配方投入试生产，良品率提高约3个百分点。",
        60,
    ),
    Coop(
        "物流与供应链研究团队",
        CooperationKind.VISIT,
        45,
        "新乡示例冷链有限公司（示例）",
        (SERVICE, "冷链物流"),
        "研究团队走访企业，调研冷链仓储温控和路径优化需求。",
    ),
    Coop(
        "电子商务实验室",
        CooperationKind.AGREEMENT,
        30,
        ECOM_CO,
        (SERVICE, "电商产业园"),
        "签订校企合作协议，实验室入驻电商产业园开展直播运营实训。",
        unit=ECOM_CO,
    ),
    Coop(
        "技能人才培训基地",
        CooperationKind.AGREEMENT,
        8,
        "",
        (OPTO, "激光器"),
        "回应企业用工诉求，开设光电器件装调订单班，首期40人。",
        "首期学员已开课。",
        ticket=True,
    ),
]


def _universities(nodes: dict, units: dict, today: date) -> tuple[int, int]:
    names = [f"{spec.name}（示例）" for spec in RESOURCES]
    if UniversityResource.objects.filter(name__in=names).exists():
        return 0, 0
    universities = {u.name: u for u in University.objects.all()}
    rows, wanted = [], []
    for i, spec in enumerate(RESOURCES):
        university = universities.get(spec.university)
        if university is None:
            continue
        resource = UniversityResource(
            university=university,
            kind=spec.kind,
            name=f"{spec.name}（示例）",
            field=spec.field,
            keywords=spec.keywords,
            description=f"{spec.field}方向的{ResourceKind(spec.kind).label}（示例）。",
            contact_name=f"{spec.contact}（示例）" if spec.contact else "",
            contact_phone=f"0373-30{i:05d}" if spec.contact else "",
        )
        rows.append(resource)
        wanted.append(spec)
    UniversityResource.objects.bulk_create(rows, batch_size=500)
    object_changes_bulk_record(rows, ChangeAction.CREATE, MESSAGE)
    through = UniversityResource.nodes.through
    through.objects.bulk_create(
        [
            through(universityresource_id=resource.pk, chainnode_id=nodes[key].pk)
            for resource, spec in zip(rows, wanted, strict=True)
            for key in spec.nodes
            if key in nodes
        ]
    )
    by_name = {r.name: r for r in rows}
    ticket = _labour_ticket()
    cooperations = []
    for item in COOPERATIONS:
        resource_row = by_name.get(f"{item.resource}（示例）")
        if resource_row is None:
            continue
        name, unit = item.enterprise, units.get(item.unit) if item.unit else None
        linked = ticket if item.ticket else None
        node = nodes.get(item.node)
        if item.ticket:
            if ticket is None:
                continue
            name = (ticket.project.owner_name if ticket.project_id else "") or str(ticket.enterprise or "")
            unit = ticket.enterprise
            on = NodeProject.objects.filter(project_id=ticket.project_id).values_list("node", flat=True).first()
            node = ChainNode.objects.filter(pk=on).first() if on else nodes.get(item.node)
        cooperations.append(
            Cooperation(
                resource=resource_row,
                kind=item.kind,
                happened_on=today - timedelta(days=item.days_ago),
                enterprise_name=name,
                enterprise=unit,
                node=node,
                ticket=linked,
                summary=item.summary,
                outcome=item.outcome,
                amount=Decimal(item.amount) if item.amount is not None else None,
            )
        )
    Cooperation.objects.bulk_create(cooperations)
    object_changes_bulk_record(cooperations, ChangeAction.CREATE, MESSAGE)
    return len(rows), len(cooperations)


def _labour_ticket():
    """The demo's 技术工人招聘难 ticket (用工/人才), when the tickets demo ran."""
    from tuijin.tickets.choices import TicketCategory
    from tuijin.tickets.models import Ticket

    return (
        Ticket.objects.filter(category=TicketCategory.LABOUR, title="技术工人招聘难", raised_by__is_demo=True)
        .select_related("project", "enterprise")
        .order_by("pk")
        .first()
    )


def load_chains(context: dict, stdout) -> None:
    names = [f"{spec.name}（示例）" for spec in RESOURCES]
    if ChainNode.objects.filter(chain__name__in=CHAINS, resources__name__in=names).exists():  # both parts done
        stdout.write("示例产业链：已存在，跳过。示例政产学研：已存在，跳过。")
        return
    _load(context, stdout)


@transaction.atomic
def _load(context: dict, stdout) -> None:
    from tuijin.projects.models import IndustryChain

    today = timezone.localdate()
    units = context.get("units", {})
    chains = {c.name: c for c in IndustryChain.objects.filter(name__in=CHAINS)}
    if not chains:
        stdout.write("示例产业链：未找到示例产业链，跳过。")
        return
    existing = ChainNode.objects.filter(chain__in=chains.values()).select_related("chain")
    if existing.exists():
        stdout.write("示例产业链：已存在，跳过。")
        nodes = {(n.chain.name, n.name): n for n in existing}
        built = False
    else:
        nodes = create_nodes(chains)
        enterprises = len(_enterprises(nodes, units))
        leads, projects = _links(nodes)
        _profiles(chains, units)
        built = True
    resources, cooperations = _universities(nodes, units, today)
    if resources and not built:
        maintain.refresh(None, trigger=MESSAGE, notify=False)  # the resource counts
    if built:
        maintain.refresh(None, trigger=MESSAGE, notify=False)  # computed by the rules, never typed
        filled = _history(nodes, today)
        statuses = dict.fromkeys(GapStatus.values, 0)
        for status in ChainNode.objects.filter(chain__in=chains.values()).values_list("status", flat=True):
            statuses[status] += 1
        labels = "，".join(f"{GapStatus(k).label} {v}" for k, v in statuses.items())
        stdout.write(
            f"示例产业链：{len(chains)} 条，环节 {len(nodes)} 个（{labels}），环节企业 {enterprises} 家，"
            f"关联招商项目 {leads} 个、重点项目 {projects} 个，今年补链 {filled} 个环节。"
        )
    if resources:
        stdout.write(f"示例政产学研：高校资源 {resources} 项，合作记录 {cooperations} 条。")
    else:
        stdout.write("示例政产学研：已存在，跳过。")
