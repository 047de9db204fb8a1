"""The organisation of the synthetic dataset (a step of `tuijin generate_synthetic`, see `tuijin.core.synthetic`).

A region tree 河洛省 (code 99, fictional) → cities → districts (one per 1,000 projects, at most 120) → 街道/镇
(9-digit codes); a province-level project office; per district 区委区政府, 13 区直部门, its 街道/镇, one 开发区, two
平台公司 and enterprises (their count follows the district's share of the projects); six county leaders (Person +
Position) per district. Units are inserted in bulk, level by level (a child's path needs its parent's primary key).
Every unit, person and enterprise is fictional and marked `is_demo`. The accounts are `tuijin.users.synthetic`'s.
"""

import math
import random
from dataclasses import dataclass, field
from typing import Any

from tuijin.core.synthetic import BATCH, PROVINCE_CODE, PROVINCE_NAME, SyntheticRun, SyntheticStep
from tuijin.utilities.codes import credit_code_check_char

from .choices import RegionLevel, UnitType
from .models import OrgUnit, Person, Position, Region

__all__ = ["BRANDS", "ENTERPRISE_WORDS", "District", "OrgStep", "SyntheticOrg", "synthetic_org"]

_FIRST = "青临安兴东西南北平宁丰新永长清河泉金龙阳华德广瑞宏嘉和明福康泰顺昌乐源峰川江湖山水林桥城台营庄"
_SECOND = "川阳平安宁江河山州城丰水泉原陵台桥林坪源沟店口集营庄湾岗塘寨铺溪岭滩洲坡"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红娟建国志新海波宁斌峰辉鹏飞晨博文浩宇"
BRANDS = (
    "启明 恒远 博睿 华拓 晶合 睿光 瀚宇 锐视 天衡 鼎信 领航 星河 嘉禾 宏图 同创 汇智 德润 朗坤 聚力 佳和 新程 明德 "
    "盛达 锦程 华宸 澄远 卓曜 弘毅 沐川 曜阳 景泰 润禾 拓维 青禾 远帆 知行 衡源 合众 北辰 云帆 致远 昊辰 鸿基 安澜"
).split()
ENTERPRISE_WORDS = ["光电科技", "智能装备", "电子科技", "新材料科技", "精密机械", "信息技术", "供应链管理", "电气科技"]
# (full name after the district name, short name after the district name, key)
DEPARTMENTS = [
    ("发展和改革委员会", "发改委", "ndrc"),
    ("工业和信息化局", "工信局", "industry"),
    ("商务局", "商务局", "commerce"),
    ("财政局", "财政局", "finance"),
    ("住房和城乡建设局", "住建局", "housing"),
    ("科学技术局", "科技局", "science"),
    ("统计局", "统计局", "stats"),
    ("城市管理局", "城管局", "city"),
    ("教育体育文化旅游局", "教体文旅局", "education"),
    ("应急管理局", "应急局", "emergency"),
    ("优化营商环境服务中心", "营商环境中心", "service"),
    ("自然资源分局", "自然资源分局", "land"),
    ("生态环境分局", "生态环境分局", "environment"),
]
LEADERS = [  # (position, portfolio)
    ("区委书记", ""),
    ("区长", ""),
    ("常务副区长", "发展改革、财政、项目建设"),
    ("副区长", "工业和信息化、科技、招商"),
    ("副区长", "住房和城乡建设、城市管理、自然资源"),
    ("区人大常委会副主任", "联系开发区"),
]


def _credit_code(body16: str) -> str:
    body = ("9" + body16)[:17]
    return body + credit_code_check_char(body)


class _Names:
    """Unique fictional two-character place names and person names, drawn from the run's generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def place(self) -> str:
        for _attempt in range(200):
            name = self.rng.choice(_FIRST) + self.rng.choice(_SECOND)
            if name not in self.used:
                self.used.add(name)
                return name
        name = self.rng.choice(_FIRST) + self.rng.choice(_SECOND) + self.rng.choice(_SECOND)
        self.used.add(name)
        return name

    def person(self) -> str:
        given = self.rng.choice(_GIVEN) + (self.rng.choice(_GIVEN) if self.rng.random() < 0.7 else "")
        return self.rng.choice(_SURNAMES) + given


@dataclass
class District:
    """One district of the synthetic province and the units and leaders the later steps draw from."""

    index: int
    name: str  # "青川区"
    code: str
    region: Any
    weight: float  # its share of the projects (log-normal)
    gov: Any = None
    departments: dict[str, Any] = field(default_factory=dict)  # DEPARTMENTS key → unit
    localities: list[Any] = field(default_factory=list)  # 街道/镇 units
    zone: Any = None
    platforms: list[Any] = field(default_factory=list)
    enterprises: list[Any] = field(default_factory=list)
    leaders: list[Any] = field(default_factory=list)  # Person, in LEADERS order


@dataclass
class SyntheticOrg:
    """What `OrgStep` publishes in `run.shared["org"]`."""

    province: Any
    office_unit: Any  # the province-level project office
    districts: list[District]
    units: list[Any]  # every unit below the district governments, and the enterprises, in creation order


def synthetic_org(run: SyntheticRun) -> SyntheticOrg:
    """The organisation written by `OrgStep` earlier in the run."""
    return run.shared["org"]


class OrgStep(SyntheticStep):
    """Regions, units and county leaders."""

    def exists(self) -> bool:
        return Region.objects.filter(code=PROVINCE_CODE).exists()

    def setup(self, run: SyntheticRun) -> None:
        org, unit_count = _build_org(run.rng, run.projects)
        run.shared["org"] = org
        run.count("units", unit_count)
        run.count("districts", len(org.districts))


def _build_org(rng: random.Random, projects: int) -> tuple[SyntheticOrg, int]:
    names = _Names(rng)
    n_districts = max(1, min(120, math.ceil(projects / 1000)))
    n_cities = max(1, math.ceil(n_districts / 6))

    province = Region(name=PROVINCE_NAME, code=PROVINCE_CODE, level=RegionLevel.PROVINCE, path=f"{PROVINCE_CODE}/")
    province.save()  # Region.save() sets the path
    cities = []
    for c in range(n_cities):
        code = f"{PROVINCE_CODE}{c + 1:02d}"
        cities.append(Region(name=f"{names.place()}市", code=code, level=RegionLevel.CITY, parent=province))
        cities[-1].path = f"{province.path}{code}/"
    Region.objects.bulk_create(cities, batch_size=BATCH)
    district_regions, districts = [], []
    for d in range(n_districts):
        city = cities[d % n_cities]
        code = f"{city.code}{d // n_cities + 1:02d}"
        name = names.place() + ("区" if rng.random() < 0.7 else "县")
        region = Region(name=name, code=code, level=RegionLevel.COUNTY, parent=city, path=f"{city.path}{code}/")
        district_regions.append(region)
        districts.append(District(d, name, code, region, rng.lognormvariate(0, 0.5)))
    Region.objects.bulk_create(district_regions, batch_size=BATCH)
    weight_sum = sum(d.weight for d in districts)

    town_regions: list[tuple[District, Any, str]] = []
    for district in districts:
        n_streets, n_towns = 4 + rng.randint(0, 4), 1 + rng.randint(0, 3)
        for t in range(n_streets + n_towns):
            is_street = t < n_streets
            place = names.place()
            code = f"{district.code}{(t + 1) if is_street else (100 + t - n_streets):03d}"
            label = f"{place}街道" if is_street else f"{place}镇"
            region = Region(
                name=label,
                code=code,
                level=RegionLevel.TOWN,
                parent=district.region,
                path=f"{district.region.path}{code}/",
            )
            town_regions.append((district, region, UnitType.SUBDISTRICT if is_street else UnitType.TOWN))
    Region.objects.bulk_create([r for _d, r, _t in town_regions], batch_size=BATCH)

    # Units, level by level (a child's path needs its parent's primary key).
    office_unit = OrgUnit(
        name=f"{PROVINCE_NAME}发展和改革委员会（重点项目办公室）",
        short_name="省重点项目办",
        unit_type=UnitType.DEPARTMENT,
        region=province,
        sort_order=1,
        is_demo=True,
    )
    govs = [
        OrgUnit(
            name=f"{d.name}委{d.name}政府",
            short_name=f"{d.name}委{d.name[-1]}政府",
            unit_type=UnitType.PARTY_GOV,
            region=d.region,
            sort_order=1,
            is_demo=True,
        )
        for d in districts
    ]
    OrgUnit.objects.bulk_create([office_unit, *govs], batch_size=BATCH)
    for unit in [office_unit, *govs]:
        unit.path = f"{unit.pk}/"
    for district, gov in zip(districts, govs, strict=True):
        district.gov = gov

    children: list[tuple[District, str, Any]] = []  # (district, role key, unit)
    enterprise_seq = 0
    for district in districts:
        stem = district.name[:-1]
        for order, (full, short, key) in enumerate(DEPARTMENTS):
            unit = OrgUnit(
                name=f"{district.name}{full}",
                short_name=f"{stem}{short}",
                unit_type=UnitType.DEPARTMENT,
                region=district.region,
                parent=district.gov,
                sort_order=10 + order,
                is_demo=True,
            )
            children.append((district, f"dept:{key}", unit))
    for order, (district, region, unit_type) in enumerate(town_regions):
        unit = OrgUnit(
            name=region.name,
            short_name=region.name.removesuffix("街道"),
            unit_type=unit_type,
            region=region,
            parent=district.gov,
            sort_order=40 + order % 40,
            is_demo=True,
        )
        children.append((district, "locality", unit))
    for district in districts:
        stem = district.name[:-1]
        zone = OrgUnit(
            name=f"{district.name}{names.place()}先进制造业开发区",
            short_name=f"{stem}开发区",
            unit_type=UnitType.DEV_ZONE,
            region=district.region,
            parent=district.gov,
            sort_order=60,
            is_demo=True,
        )
        children.append((district, "zone", zone))
        for p, platform in enumerate(("城乡建设投资集团有限公司", "产业发展投资有限公司")):
            enterprise_seq += 1
            unit = OrgUnit(
                name=f"{district.name}{platform}",
                unit_type=UnitType.STATE_PLATFORM,
                region=district.region,
                parent=district.gov,
                credit_code=_credit_code(f"1{district.code}MA{enterprise_seq:07d}"),
                sort_order=70 + p,
                is_demo=True,
            )
            children.append((district, "platform", unit))
        expected = projects * district.weight / weight_sum
        for e in range(max(3, min(60, round(expected / 12)))):
            enterprise_seq += 1
            name = ""
            while not name or name in names.used:
                name = f"{stem}{rng.choice(BRANDS)}{rng.choice(ENTERPRISE_WORDS)}有限公司"
                if name in names.used:
                    name = f"{stem}{names.place()}{rng.choice(ENTERPRISE_WORDS)}有限公司"
            names.used.add(name)
            unit = OrgUnit(
                name=name,
                unit_type=UnitType.ENTERPRISE,
                region=district.region,
                credit_code=_credit_code(f"1{district.code}MA{enterprise_seq:07d}"),
                sort_order=200 + e,
                is_demo=True,
            )
            children.append((district, "enterprise", unit))
    OrgUnit.objects.bulk_create([u for _d, _k, u in children], batch_size=BATCH)
    for district, key, unit in children:
        unit.path = f"{unit.parent.path}{unit.pk}/" if unit.parent is not None else f"{unit.pk}/"
        if key.startswith("dept:"):
            district.departments[key[5:]] = unit
        elif key == "locality":
            district.localities.append(unit)
        elif key == "zone":
            district.zone = unit
        elif key == "platform":
            district.platforms.append(unit)
        else:
            district.enterprises.append(unit)
    all_units = [office_unit, *govs, *(u for _d, _k, u in children)]
    OrgUnit.objects.bulk_update(all_units, ["path"], batch_size=BATCH)

    # County leaders.
    people, positions = [], []
    for district in districts:
        for rank, (title, portfolio) in enumerate(LEADERS):
            person = Person(name=names.person(), unit=district.gov, is_county_leader=True, is_demo=True)
            people.append(person)
            positions.append((person, title, district.gov, portfolio, rank))
            district.leaders.append(person)
    Person.objects.bulk_create(people, batch_size=BATCH)
    Position.objects.bulk_create(
        [Position(person=p, title=t, unit=u, portfolio=f, rank=r) for p, t, u, f, r in positions], batch_size=BATCH
    )

    org = SyntheticOrg(
        province=province,
        office_unit=office_unit,
        districts=districts,
        units=[u for _d, _k, u in children],
    )
    return org, len(all_units)
