"""The 新乡市红旗区 demo organisation: regions, units and fictional leaders (the accounts: `tuijin.users.demo`).

Real unit names come from public sources (shared/reference/domain.md §4); every person and enterprise is fictional
and marked 示例. Idempotent: objects are matched by their natural keys and left alone when present.
"""

from tuijin.utilities.codes import credit_code_check_char

from .choices import RegionLevel, UnitType
from .models import OrgUnit, Person, Position, Region
from .services import org_unit_set_path

__all__ = ["ENTERPRISES", "LEADERS", "PLATFORMS", "STREETS", "TOWNS", "load_org"]

STREETS = [
    ("西街", "410702001", "xijie"),
    ("东街", "410702002", "dongjie"),
    ("渠东", "410702003", "qudong"),
    ("文化街", "410702005", "wenhuajie"),
    ("向阳小区", "410702004", "xiangyang"),
]
TOWNS = [("洪门镇", "410702100", "hongmen"), ("小店镇", "410702101", "xiaodian")]
DEPARTMENTS = [
    "区发展和改革委员会",
    "区工业和信息化局",
    "区商务局",
    "区财政局",
    "区住房和城乡建设局",
    "区科学技术局",
    "区统计局",
    "区城市管理局",
    "区教育体育文化旅游局",
    "区应急管理局",
    "区优化营商环境服务中心",
    "新乡市自然资源和规划局红旗分局",
    "新乡市生态环境局红旗分局",
]
SHORT = {
    "区发展和改革委员会": "区发改委",
    "区工业和信息化局": "区工信局",
    "区住房和城乡建设局": "区住建局",
    "区教育体育文化旅游局": "区教体文旅局",
    "区优化营商环境服务中心": "区营商环境服务中心",
    "新乡市自然资源和规划局红旗分局": "自然资源红旗分局",
    "新乡市生态环境局红旗分局": "生态环境红旗分局",
}
PLATFORMS = ["红旗区城乡建设投资集团有限公司（示例）", "红旗区产业发展投资有限公司（示例）"]
ENTERPRISES = [
    "新乡示例光电科技有限公司（示例）",
    "红旗示例智能装备制造有限公司（示例）",
    "示例电子商务产业园运营有限公司（示例）",
    "示例精密仪表股份有限公司（示例）",
    "示例新材料科技有限公司（示例）",
]
UNIVERSITIES = ["新乡医学院", "河南科技学院", "河南工学院", "新乡学院", "新乡职业技术学院"]
LEADERS = [  # (fictional name, position, portfolio, county-level leader)
    ("周立新", "区委书记", "", True),
    ("吴承远", "区长", "", True),
    ("郑海峰", "常务副区长", "发展改革、财政、项目建设", True),
    ("冯雅琴", "副区长", "工业和信息化、科技、招商", True),
    ("褚国平", "副区长", "住房和城乡建设、城市管理、自然资源", True),
    ("卫晓明", "区人大常委会副主任", "联系红开区", True),
]


def _demo_credit_code(seed: int) -> str:
    body = f"91410702MA{seed:07d}"[:17]
    body = body.replace("O", "0").replace("I", "1")
    return body + credit_code_check_char(body)


def _unit(name, unit_type, region, parent=None, short_name="", credit_code="", sort_order=100, is_demo=False):
    unit = OrgUnit.objects.filter(region=region, name=name).first()
    if unit is None:
        unit = OrgUnit(
            name=name,
            unit_type=unit_type,
            region=region,
            parent=parent,
            short_name=short_name,
            credit_code=credit_code,
            sort_order=sort_order,
            is_demo=is_demo,
        )
        unit.full_clean(exclude=["path"])
        unit.save()
    org_unit_set_path(unit)
    return unit


def _region(name, code, level, parent=None):
    region = Region.objects.filter(code=code).first()
    if region is None:
        region = Region.objects.create(name=name, code=code, level=level, parent=parent)
    return region


def load_org(context: dict, stdout) -> None:
    henan = _region("河南省", "41", RegionLevel.PROVINCE)
    xinxiang = _region("新乡市", "4107", RegionLevel.CITY, henan)
    hongqi = _region("红旗区", "410702", RegionLevel.COUNTY, xinxiang)
    gov = _unit("红旗区委区政府", UnitType.PARTY_GOV, hongqi, short_name="区委区政府", sort_order=1)
    units = {"gov": gov}
    for i, name in enumerate(DEPARTMENTS):
        units[name] = _unit(name, UnitType.DEPARTMENT, hongqi, gov, SHORT.get(name, ""), sort_order=10 + i)
    for i, (name, code, key) in enumerate(STREETS):
        region = _region(f"{name}街道", code, RegionLevel.TOWN, hongqi)
        units[key] = _unit(f"{name}街道", UnitType.SUBDISTRICT, region, gov, name, sort_order=40 + i)
    for i, (name, code, key) in enumerate(TOWNS):
        region = _region(name, code, RegionLevel.TOWN, hongqi)
        units[key] = _unit(name, UnitType.TOWN, region, gov, name, sort_order=50 + i)
    units["hongkai"] = _unit("新乡红旗区先进制造业开发区", UnitType.DEV_ZONE, hongqi, gov, "红开区", sort_order=60)
    for i, name in enumerate(PLATFORMS):
        units[name] = _unit(
            name,
            UnitType.STATE_PLATFORM,
            hongqi,
            gov,
            credit_code=_demo_credit_code(100 + i),
            sort_order=70 + i,
            is_demo=True,
        )
    for i, name in enumerate(ENTERPRISES):
        units[name] = _unit(
            name, UnitType.ENTERPRISE, hongqi, credit_code=_demo_credit_code(200 + i), sort_order=200 + i, is_demo=True
        )
    for i, name in enumerate(UNIVERSITIES):
        units[name] = _unit(name, UnitType.UNIVERSITY, hongqi, sort_order=300 + i)
    people = {}
    for rank, (name, title, portfolio, county) in enumerate(LEADERS):
        person = Person.objects.filter(name=name, unit=gov).first()
        if person is None:
            person = Person.objects.create(name=name, unit=gov, is_county_leader=county, is_demo=True)
            Position.objects.create(person=person, title=title, unit=gov, portfolio=portfolio, rank=rank)
        people[title] = person
    context.update(region=hongqi, units=units, people=people)
