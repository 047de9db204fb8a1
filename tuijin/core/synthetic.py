"""Synthetic data at scale (`tuijin generate_synthetic`): a fictional province with realistic distributions.

What is written, for `projects` projects and the last `months` reporting months (the latest is the month units
report on today, or December of `year` when a past year is asked for):

- a region tree 河洛省 (code 99, fictional) → cities → districts → 街道/镇 (9-digit codes), a province-level project
  office, and per district 区委区政府, 13 区直部门, 街道/镇, one 开发区, two 平台公司 and enterprises (their count
  follows the district's share of the projects); six county leaders (Person + Position) per district;
- accounts: `syn_office` (项目办, region scope over the whole province) and one account per unit, `syn_u0001` …
  (单位填报员 + 单位审核人; 企业用户 for enterprises). The password is TUIJIN_DEMO_PASSWORD, else one random
  password for all of them (printed once) that must be changed at first login. The hash is computed once;
- projects drawn from log-normal sizes (median ≈ 6,000 万元, a few above 10 亿), all lifecycle stages (续建, 新开工,
  竣工, 投产, 前期 — some late to start —, 谋划, 储备, 暂缓, 取消), levels, sponsors, special lists, funding rows that
  add up, 项目代码, the 15 approval items with statuses that match the stage, the change log and timeline entry of
  each project (like `projects_bulk_create`), annual plans for every year the months touch (past years approved,
  the plan year mostly approved as the baseline; 45% with a 12-month curve that sums exactly);
- monthly reports for every month a project is under way (and for most 前期 projects of the plan year), seasonal,
  with the breakdown summing to the month (the check constraint) and a few 核减 corrections. Older months are almost
  all 项目办审核通过; the month before the latest is partly still in review; the latest month is mixed: missing,
  drafts (some returned), submitted, unit- and office-approved. About 6% of the projects under construction stall
  (zero investment in their last 2–4 months); every report of the latest two months has its submit event;
- the warning lights of the latest month (`evaluate_period`, in chunks of 10,000 projects).

Bulk inserts only, in chunks of 2,000 projects, inside one transaction (a failed run leaves nothing behind); on
PostgreSQL the tables are ANALYZEd afterwards, as autovacuum would. The same seed gives the same data (for a fixed
latest month: pass `year` for a past year to be independent of today). Everything is marked `is_demo`; names,
people, enterprises and codes are fictional. A second run refuses (`SyntheticDataExists`).
"""

import math
import random
import secrets
import string
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from tuijin.core.figures_cache import figures_changed

__all__ = [
    "CHUNK",
    "OFFICE_USERNAME",
    "PROVINCE_CODE",
    "USER_PREFIX",
    "SyntheticDataExists",
    "SyntheticResult",
    "generate_synthetic",
    "latest_period",
    "synthetic_exists",
]

PROVINCE_CODE = "99"  # not a real 行政区划代码: the synthetic province never collides with real data or the demo
PROVINCE_NAME = "河洛省"
OFFICE_USERNAME = "syn_office"
USER_PREFIX = "syn_u"
CHUNK = 2000  # projects per bulk chunk
BATCH = 1000  # rows per INSERT statement (SQLite lowers it to its parameter limit)
LIGHT_CHUNK = 10000  # projects per evaluate_period call
SOURCE = "合成数据"

# Seasonal weight of each month for construction investment (Spring Festival low, year-end push).
SEASON = (0.5, 0.4, 0.8, 1.0, 1.1, 1.2, 1.0, 1.0, 1.15, 1.1, 1.1, 1.3)

_FIRST = "青临安兴东西南北平宁丰新永长清河泉金龙阳华德广瑞宏嘉和明福康泰顺昌乐源峰川江湖山水林桥城台营庄"
_SECOND = "川阳平安宁江河山州城丰水泉原陵台桥林坪源沟店口集营庄湾岗塘寨铺溪岭滩洲坡"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红娟建国志新海波宁斌峰辉鹏飞晨博文浩宇"
_BRANDS = (
    "启明 恒远 博睿 华拓 晶合 睿光 瀚宇 锐视 天衡 鼎信 领航 星河 嘉禾 宏图 同创 汇智 德润 朗坤 聚力 佳和 新程 明德 "
    "盛达 锦程 华宸 澄远 卓曜 弘毅 沐川 曜阳 景泰 润禾 拓维 青禾 远帆 知行 衡源 合众 北辰 云帆 致远 昊辰 鸿基 安澜"
).split()
_ENTERPRISE_WORDS = ["光电科技", "智能装备", "电子科技", "新材料科技", "精密机械", "信息技术", "供应链管理", "电气科技"]
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
DEPARTMENT_WEIGHTS = {"ndrc": 3, "industry": 3, "housing": 4, "city": 3, "education": 3, "commerce": 2, "science": 1}
APPROVAL_DEPARTMENT = {  # approval item code → department key
    "project_approval": "ndrc",
    "land_preexam": "land",
    "stability_risk": "ndrc",
    "energy_review": "ndrc",
    "eia": "environment",
    "water_soil": "land",
    "land_contract": "land",
    "land_planning_permit": "land",
    "property_certificate": "land",
    "works_planning_permit": "land",
    "drawing_review": "housing",
    "tendering": "housing",
    "construction_permit": "housing",
    "utilities": "service",
    "completion_acceptance": "housing",
}
PERMITS = {
    "project_approval": "发改审批",
    "land_planning_permit": "地字第",
    "works_planning_permit": "建字第",
    "construction_permit": "施工许可",
    "property_certificate": "不动产权第",
}
OPTIONAL_ITEMS = {"stability_risk", "water_soil", "energy_review"}  # often 不涉及
LEADERS = [  # (position, portfolio)
    ("区委书记", ""),
    ("区长", ""),
    ("常务副区长", "发展改革、财政、项目建设"),
    ("副区长", "工业和信息化、科技、招商"),
    ("副区长", "住房和城乡建设、城市管理、自然资源"),
    ("区人大常委会副主任", "联系开发区"),
]
SPONSOR_WEIGHTS = [1, 2, 5, 4, 4, 2]
EXTRA_CHAINS = ["新材料", "生物医药", "新能源"]
GROUPS_BY_UNIT: dict[str, list[tuple[str, float]]] = {
    "dev_zone": [("opto", 4), ("smart", 5), ("service", 1)],
    "subdistrict": [("renewal", 3), ("service", 2.5), ("live", 2), ("infra", 1.5), ("eco", 1)],
    "town": [("smart", 2.5), ("opto", 1), ("infra", 3), ("eco", 1.5), ("live", 1), ("service", 1)],
    "state_platform": [("infra", 4), ("renewal", 3.5), ("live", 1), ("eco", 1.5)],
}
GROUPS_BY_DEPARTMENT: dict[str, list[tuple[str, float]]] = {
    "industry": [("opto", 1), ("smart", 1)],
    "science": [("opto", 1), ("smart", 1)],
    "housing": [("infra", 2), ("renewal", 2), ("eco", 1)],
    "city": [("infra", 2), ("eco", 1), ("renewal", 1)],
    "education": [("live", 1)],
    "commerce": [("service", 1)],
}
DEFAULT_DEPARTMENT_GROUPS: list[tuple[str, float]] = [
    ("infra", 2),
    ("service", 1),
    ("live", 1),
    ("opto", 0.5),
    ("smart", 0.5),
]
PROFILES: list[tuple[str, float]] = [  # (profile, weight %)
    ("continuing", 34),
    ("new", 14),
    ("completed", 8),
    ("operating", 4),
    ("late", 5),
    ("prep", 15),
    ("conceived", 5),
    ("reserve", 9),
    ("suspended", 4),
    ("cancelled", 2),
]
PROGRESS_TEXTS = ["主体结构施工", "钢结构吊装", "设备安装调试", "室外配套施工", "基础工程施工", "装饰装修", "管网敷设"]
PLAN_TEXTS = ["完成主体封顶", "推进设备进场", "开展竣工验收准备", "完成管网敷设", "推进二期基础施工"]
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
SUSPEND_REASONS = ["企业投资计划调整，申请暂缓实施", "项目用地需调整规划指标，暂缓推进", "受市场需求变化影响暂缓建设"]
CANCEL_REASON = "项目选址与国土空间规划管控要求冲突，经研究决定取消"


class SyntheticDataExists(Exception):
    """Synthetic data is already in the database (a second run would duplicate it)."""


@dataclass
class SyntheticResult:
    """What a run wrote: row counts per table, seconds per phase, the latest month, the accounts' password."""

    projects: int
    months: list[date]
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    password: str = ""
    password_shared: bool = False
    lights: dict[str, int] = field(default_factory=dict)

    @property
    def latest(self) -> date:
        return self.months[-1]

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def synthetic_exists() -> bool:
    """True when a synthetic dataset (its office account or its province) is already in the database."""
    from tuijin.org.models import Region
    from tuijin.users.models import User

    return User.objects.filter(username=OFFICE_USERNAME).exists() or Region.objects.filter(code=PROVINCE_CODE).exists()


def latest_period(year: int | None = None, today: date | None = None) -> date:
    """The latest month to report: the month units report on today, or December of a past `year`.

    Raises ValueError (Chinese message) for a year after the current reporting year.
    """
    from tuijin.progress.services import period_for_reporting

    current = period_for_reporting(today)
    if year is None or year == current.year:
        return current
    if year < current.year:
        return date(year, 12, 1)
    raise ValueError(f"年度 {year} 晚于当前填报年度 {current.year}，无法生成该年度的月报。")


# --------------------------------------------------------------------------------------------------------------
# Small helpers


def _add_months(value: date, months: int) -> date:
    index = value.year * 12 + value.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_index(value: date) -> int:
    return value.year * 12 + value.month - 1


def _month_end(value: date) -> date:
    return _add_months(value, 1) - timedelta(days=1)


def _cents(value: int) -> Decimal:
    """Integer cents → an exact two-place Decimal."""
    return Decimal(value).scaleb(-2)


def _day_in(rng: random.Random, month: date, last: date | None = None) -> date:
    end = _month_end(month)
    if last is not None and last < end:
        end = last
    return month + timedelta(days=rng.randint(0, max(0, (end - month).days)))


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _split_cents(total: int, weights: list[float]) -> list[int]:
    """`total` cents split by `weights`, every part ≥ 0 and the parts summing exactly to `total`."""
    whole = sum(weights)
    if whole <= 0:
        return [0] * (len(weights) - 1) + [total]
    parts = [int(total * w / whole) for w in weights]
    parts[max(range(len(weights)), key=lambda i: weights[i])] += total - sum(parts)
    return parts


def _credit_code(body16: str) -> str:
    from tuijin.utilities.codes import credit_code_check_char

    body = ("9" + body16)[:17]
    return body + credit_code_check_char(body)


def _base36(value: int, width: int) -> str:
    chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while value:
        value, digit = divmod(value, 36)
        out = chars[digit] + out
    return out.rjust(width, "0")[-width:]


def _random_password() -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(14))
        if any(c.isupper() for c in body) and any(c.islower() for c in body) and any(c.isdigit() for c in body):
            return f"{body[:7]}-{body[7:]}"


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


# --------------------------------------------------------------------------------------------------------------
# Organisation


@dataclass
class _District:
    index: int
    name: str  # "青川区"
    code: str
    region: Any
    weight: float
    gov: Any = None
    departments: dict[str, Any] = field(default_factory=dict)
    localities: list[Any] = field(default_factory=list)  # 街道/镇 units
    zone: Any = None
    platforms: list[Any] = field(default_factory=list)
    enterprises: list[Any] = field(default_factory=list)
    leaders: list[Any] = field(default_factory=list)
    responsible: list[tuple[Any, float]] = field(default_factory=list)
    reporters: dict[int, Any] = field(default_factory=dict)  # unit pk → user


@dataclass
class _Org:
    province: Any
    office_unit: Any
    office: Any
    districts: list[_District]
    password: str
    shared: bool
    users: int = 0
    units: int = 0


def _build_org(rng: random.Random, projects: int, now: datetime) -> _Org:
    from tuijin.org.choices import RegionLevel, Role, UnitType
    from tuijin.org.models import Membership, OrgUnit, Person, Position, Region
    from tuijin.users.models import User, normalize_username

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
        districts.append(_District(d, name, code, region, rng.lognormvariate(0, 0.5)))
    Region.objects.bulk_create(district_regions, batch_size=BATCH)
    weight_sum = sum(d.weight for d in districts)

    town_regions: list[tuple[_District, Any, str]] = []
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

    children: list[tuple[_District, str, Any]] = []  # (district, role key, unit)
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
                name = f"{stem}{rng.choice(_BRANDS)}{rng.choice(_ENTERPRISE_WORDS)}有限公司"
                if name in names.used:
                    name = f"{stem}{names.place()}{rng.choice(_ENTERPRISE_WORDS)}有限公司"
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

    # Responsible-unit weights per district (enterprises own projects; they are not responsible units).
    for district in districts:
        pairs: list[tuple[Any, float]] = [(district.zone, 25.0)]
        pairs += [(u, 3.0) for u in district.platforms] + [(u, 1.0) for u in district.localities]
        pairs += [(u, 3.0 * DEPARTMENT_WEIGHTS.get(k, 0.3)) for k, u in district.departments.items()]
        # Normalise: departments 30%, localities 30%, zone 25%, platforms 15%.
        shares = {"department": 30.0, "locality": 30.0, "zone": 25.0, "platform": 15.0}
        kinds = {
            id(district.zone): "zone",
            **{id(u): "platform" for u in district.platforms},
            **{id(u): "locality" for u in district.localities},
            **{id(u): "department" for u in district.departments.values()},
        }
        totals: dict[str, float] = {}
        for unit, weight in pairs:
            totals[kinds[id(unit)]] = totals.get(kinds[id(unit)], 0.0) + weight
        district.responsible = [(u, w * shares[kinds[id(u)]] / totals[kinds[id(u)]]) for u, w in pairs]

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

    # Accounts: one hash for all (hashing thousands of passwords would dominate a small run).
    shared = settings.TUIJIN_DEMO_PASSWORD
    password = shared or _random_password()
    hashed = make_password(password)

    def account(username: str, display: str) -> Any:
        return User(
            username=username,
            username_normalized=normalize_username(username),
            display_name=display[:50],
            password=hashed,
            password_changed_at=now,
            must_change_password=not shared,
            is_demo=True,
        )

    office = account(OFFICE_USERNAME, "合成项目办")
    accounts: list[tuple[Any, Any, list[Any]]] = [(office, office_unit, [Role.PROJECT_OFFICE])]
    seq = 0
    for district, _key, unit in children:
        seq += 1
        roles = [Role.ENTERPRISE] if unit.unit_type == UnitType.ENTERPRISE else [Role.UNIT_REPORTER, Role.UNIT_APPROVER]
        user = account(f"{USER_PREFIX}{seq:04d}", f"{unit.short_name or unit.name}填报员")
        accounts.append((user, unit, roles))
        district.reporters[unit.pk] = user
    User.objects.bulk_create([a[0] for a in accounts], batch_size=BATCH)
    Membership.objects.bulk_create(
        [Membership(user=user, unit=unit, role=role) for user, unit, roles in accounts for role in roles],
        batch_size=BATCH,
    )
    return _Org(
        province=province,
        office_unit=office_unit,
        office=office,
        districts=districts,
        password=password,
        shared=bool(shared),
        users=len(accounts),
        units=len(all_units),
    )


# --------------------------------------------------------------------------------------------------------------
# Projects


@dataclass
class _Reference:
    kinds_by_group: dict[str, list[Any]]
    industries: dict[str, Any]
    chains: dict[str, Any]
    levels: dict[str, Any]
    special_lists: list[Any]
    item_types: list[Any]


def _reference() -> _Reference:
    from tuijin.projects.demo import CHAINS, KINDS
    from tuijin.projects.models import ApprovalItemType, IndustryCategory, IndustryChain, ProjectLevel, SpecialList

    chains = {}
    for order, name in enumerate(CHAINS + EXTRA_CHAINS, start=1):
        chain = IndustryChain.objects.filter(name=name).first()
        if chain is None:
            chain = IndustryChain.objects.create(name=name, sort_order=order)
        chains[name] = chain
    kinds_by_group: dict[str, list[Any]] = {}
    for kind in KINDS:
        kinds_by_group.setdefault(kind.group, []).append(kind)
    codes = {kind.industry for kind in KINDS}
    industries = {c.code: c for c in IndustryCategory.objects.filter(code__in=codes)}
    return _Reference(
        kinds_by_group=kinds_by_group,
        industries=industries,
        chains=chains,
        levels={level.code: level for level in ProjectLevel.objects.all()},
        special_lists=list(SpecialList.objects.all()),
        item_types=list(ApprovalItemType.objects.filter(is_active=True).order_by("sort_order", "code")),
    )


@dataclass
class _Spec:
    """What the reports, plans and items of one project are drawn from (kept only for its chunk)."""

    project: Any
    district: _District
    profile: str
    group: str
    start: date | None  # actual start
    finish: date | None  # actual finish
    planned_start: date | None
    planned_finish: date | None
    stop: date | None = None  # last month with reports (suspended)
    stall: int = 0  # trailing months without investment
    pace: float = 1.0
    prep_reports: bool = False
    plans: dict[int, tuple[int, list[int] | None]] = field(default_factory=dict)  # year → (cents, curve cents)


class _Generator:
    """Draws and writes the projects and everything under them, chunk by chunk, from one seeded generator."""

    def __init__(self, rng: random.Random, org: _Org, ref: _Reference, months: list[date], now: datetime):
        self.rng = rng
        self.org = org
        self.ref = ref
        self.months = months
        self.first, self.latest = months[0], months[-1]
        self.year = self.latest.year
        self.years = list(range(self.first.year, self.year + 1))
        self.now = now
        self.today = timezone.localtime(now).date()
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.district_weights = [d.weight for d in org.districts]
        self.counts: dict[str, int] = {}
        self.lights_ids: list[int] = []

    def _count(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    # --- one project ---------------------------------------------------------------------------------------------

    def _timeline(self, profile: str) -> tuple[str, date | None, date | None, date | None, date | None, str]:
        """(stage, actual start, actual finish, planned start, planned finish, stage reason)."""
        from tuijin.projects.choices import Stage

        rng, first, latest, year = self.rng, self.first, self.latest, self.year
        planned_start: date | None
        planned_finish: date | None
        jan = date(year, 1, 1)
        duration = max(6, int(rng.lognormvariate(math.log(24), 0.45)))
        if profile in ("continuing", "new", "completed", "operating", "suspended_built"):
            if profile == "continuing":
                lo = _month_index(first) - 30
                hi = max(lo, _month_index(jan) - 1)
                start_month = _add_months(date(lo // 12, lo % 12 + 1, 1), rng.randint(0, hi - lo))
            elif profile == "new":
                start_month = _add_months(jan, rng.randint(0, latest.month - 1))
            elif profile == "completed":
                lo = _month_index(first) - 24
                start_month = _add_months(date(lo // 12, lo % 12 + 1, 1), rng.randint(0, max(0, 20)))
            elif profile == "operating":
                lo = _month_index(first) - 30
                start_month = _add_months(date(lo // 12, lo % 12 + 1, 1), rng.randint(0, 18))
            else:
                lo = _month_index(first) - 12
                start_month = _add_months(date(lo // 12, lo % 12 + 1, 1), rng.randint(0, 12))
            if start_month > latest:
                start_month = latest
            start = _day_in(rng, start_month, self.today)
            planned_start = start + timedelta(days=rng.randint(-90, 40))
            if profile == "new" and planned_start.year != year:
                planned_start = start
            planned_finish = _add_months(start_month, duration) + timedelta(days=rng.randint(0, 27))
            finish = None
            stage = Stage.CONSTRUCTION
            reason = ""
            if profile in ("completed", "operating"):
                earliest = max(_add_months(start_month, 3), first if profile == "completed" else start_month)
                latest_finish = latest if profile == "completed" else _add_months(latest, -2)
                if earliest > latest_finish:
                    earliest = latest_finish
                span = _month_index(latest_finish) - _month_index(earliest)
                finish_month = _add_months(earliest, rng.randint(0, max(0, span)))
                finish = max(start, _day_in(rng, finish_month, self.today))
                planned_finish = finish + timedelta(days=rng.randint(-60, 60))
                stage = Stage.COMPLETED if profile == "completed" else Stage.OPERATING
            elif profile == "continuing" and planned_finish <= _month_end(latest):
                planned_finish = _add_months(latest, rng.randint(1, 18)) + timedelta(days=rng.randint(0, 27))
            elif profile == "suspended_built":
                stage, reason = Stage.SUSPENDED, rng.choice(SUSPEND_REASONS)
            return stage, start, finish, planned_start, planned_finish, reason
        # Not started.
        if profile == "late":
            planned_month = _add_months(jan, rng.randint(0, latest.month - 1))
            planned_start = _day_in(rng, planned_month)
            stage, reason = Stage.PREPARATION, ""
        elif profile == "prep":
            planned_month = _add_months(latest, rng.randint(1, 14))
            planned_start = _day_in(rng, planned_month)
            stage, reason = Stage.PREPARATION, ""
        elif profile == "suspended":
            planned_start = _day_in(rng, _add_months(latest, rng.randint(-6, 12)))
            stage, reason = Stage.SUSPENDED, rng.choice(SUSPEND_REASONS)
        elif profile == "cancelled":
            planned_start = _day_in(rng, _add_months(latest, rng.randint(-6, 12)))
            stage, reason = Stage.CANCELLED, CANCEL_REASON
        else:  # conceived / reserve
            planned_start = _day_in(rng, _add_months(latest, rng.randint(6, 30))) if rng.random() < 0.5 else None
            stage, reason = (Stage.CONCEIVED if profile == "conceived" else Stage.RESERVE), ""
        planned_finish = _add_months(planned_start, duration) if planned_start else None
        return stage, None, None, planned_start, planned_finish, reason

    def _project(self, index: int) -> tuple[Any, _Spec, list[Any], list[Any], list[Any], list[Any]]:
        from tuijin.projects.choices import (
            ConstructionNature,
            FundingSourceKind,
            InvestmentSubject,
            Stage,
            StatsStatus,
        )
        from tuijin.projects.demo import GROUP_CHAIN, GROUP_DOMAIN
        from tuijin.projects.models import FundingSource, Project, ProjectSpecialList

        rng = self.rng
        district = rng.choices(self.org.districts, weights=self.district_weights)[0]
        unit = rng.choices([u for u, _w in district.responsible], weights=[w for _u, w in district.responsible])[0]
        if unit.unit_type in GROUPS_BY_UNIT:
            group = _weighted(rng, GROUPS_BY_UNIT[unit.unit_type])
        else:
            key = next((k for k, u in district.departments.items() if u is unit), "")
            group = _weighted(rng, GROUPS_BY_DEPARTMENT.get(key, DEFAULT_DEPARTMENT_GROUPS))
        kind = rng.choice(self.ref.kinds_by_group[group])
        locality = unit if unit in district.localities else rng.choice(district.localities)
        median = math.sqrt(kind.size[0] * kind.size[1]) * 0.6
        total_wan = max(200.0, rng.lognormvariate(math.log(median), 1.0))
        total = int(round(total_wan)) * 100 if total_wan >= 1000 else int(round(total_wan * 100))

        profile = _weighted(rng, PROFILES)
        if profile == "suspended" and rng.random() < 0.5:
            profile = "suspended_built"
        stage, start, finish, planned_start, planned_finish, reason = self._timeline(profile)
        industrial = group in ("opto", "smart")
        enterprise = rng.choice(district.enterprises) if industrial and rng.random() < 0.45 else None
        if enterprise is not None:
            owner, credit = enterprise.name, enterprise.credit_code
        elif kind.subject == "private" or group == "service":
            owner, credit = f"{district.name[:-1]}{rng.choice(_BRANDS)}{rng.choice(_ENTERPRISE_WORDS)}有限公司", ""
        elif kind.subject == "state":
            owner, credit = rng.choice(district.platforms).name, ""
        else:
            owner, credit = unit.name, ""
        subject = {
            "private": rng.choice(
                [InvestmentSubject.PRIVATE] * 6 + [InvestmentSubject.MIXED, InvestmentSubject.FOREIGN]
            ),
            "state": InvestmentSubject.STATE,
            "gov": InvestmentSubject.GOVERNMENT,
        }[kind.subject]
        code = None
        if profile not in ("conceived", "reserve") or rng.random() < 0.3:
            issued = max(date(2020, 11, 1), _add_months(start or planned_start or self.latest, -rng.randint(3, 12)))
            issued = min(issued, self.latest)
            dd = {"opto": "04", "smart": "04", "service": "07"}.get(group, "03")
            tt = "02" if kind.nature == ConstructionNature.TECH_RENOVATION else "01"
            code = f"{issued:%y%m}-{district.code}-{dd}-{tt}-{_base36(index, 6)}"
        mu = Decimal(max(5, int(total / 100 / rng.uniform(80, 300))))
        m2 = Decimal(int(mu * Decimal(rng.uniform(400, 900))))
        values = {
            "mu": mu,
            "m2": m2,
            "eq": rng.randint(20, 300),
            "km": round(rng.uniform(0.8, 12), 1),
            "n": rng.randint(8, 60),
            "hh": rng.randint(300, 3000),
            "seats": rng.choice([540, 720, 900, 1080, 1350]),
            "beds": rng.choice([60, 100, 150, 200]),
        }
        stats_status, stats_month = StatsStatus.NOT_COUNTED, None
        if start is not None and rng.random() < 0.85:
            candidate = _add_months(start.replace(day=1), rng.randint(1, 3))
            if candidate <= self.latest:
                stats_status, stats_month = StatsStatus.COUNTED, candidate
        fields = {
            "code": code,
            "name": f"{locality.short_name or locality.name}{kind.stem}",
            "owner_name": owner,
            "owner_credit_code": credit,
            "owner_enterprise": enterprise,
            "scale_content": kind.scale.format(**values) if kind.scale else "",
            "address": f"{locality.name}{rng.choice(['经三路', '纬五路', '创业大道', '科技路', '滨河路', '兴业路'])}"
            f"{rng.choice(['东段', '西段', '北侧', '南侧'])}",
            "longitude": Decimal(f"{110 + district.index % 7 + rng.uniform(0, 0.9):.6f}"),
            "latitude": Decimal(f"{31 + district.index % 5 + rng.uniform(0, 0.9):.6f}"),
            "industry": self.ref.industries.get(kind.industry),
            "chain": self.ref.chains.get(GROUP_CHAIN.get(group, "")),
            "domain": GROUP_DOMAIN[group],
            "construction_nature": kind.nature,
            "investment_subject": subject,
            "responsible_unit": unit,
            "locality": locality,
            "total_investment": _cents(total),
            "construction_start": planned_start.replace(day=1) if planned_start else None,
            "construction_end": planned_finish.replace(day=1) if planned_finish else None,
            "planned_start": planned_start,
            "planned_finish": planned_finish,
            "actual_start": start,
            "actual_finish": finish,
            "is_industrial": industrial,
            "land_area_mu": mu,
            "floor_area_m2": m2,
            "stats_status": stats_status,
            "stats_month": stats_month,
            "stage": stage,
            "stage_reason": reason,
            "is_demo": True,
        }
        if industrial or group == "service":
            output = int(total / 100 * rng.uniform(1.2, 2.6))
            fields.update(
                expected_output=Decimal(output),
                expected_tax=Decimal(int(output * rng.uniform(0.03, 0.06))),
                expected_jobs=max(20, int(total / 100 / rng.randint(60, 160))),
            )
        project = Project(**fields)
        spec = _Spec(project, district, profile, group, start, finish, planned_start, planned_finish)
        if profile == "suspended_built":
            spec.stop = _add_months(self.latest, -rng.randint(1, 6))
        if stage == Stage.CONSTRUCTION and rng.random() < 0.06:
            spec.stall = rng.randint(2, 4)
        spec.pace = rng.lognormvariate(0, 0.35)
        spec.prep_reports = profile in ("late", "prep") and rng.random() < 0.6

        # Relations (their project ids are set after the projects are inserted).
        planned = stage not in (Stage.CONCEIVED, Stage.RESERVE, Stage.CANCELLED)
        levels = []
        if planned:
            levels.append(self.ref.levels["district"])
            roll = rng.random()
            if roll < 0.03:
                levels.append(self.ref.levels["provincial"])
            elif roll < 0.18:
                levels.append(self.ref.levels["city"])
        elif stage == Stage.RESERVE:
            levels.append(self.ref.levels["reserve"])
        sponsors = []
        if planned and rng.random() < 0.35:
            sponsors.append(rng.choices(district.leaders, weights=SPONSOR_WEIGHTS)[0])
        specials = []
        if planned and rng.random() < 0.08:
            special = rng.choice(self.ref.special_lists)
            batch = f"{self.year}年第{rng.randint(1, 4)}批" if special.has_batch else ""
            specials.append(ProjectSpecialList(project=project, special_list=special, batch=batch))
        kinds = {
            "private": [(FundingSourceKind.SELF, 0.6), (FundingSourceKind.BANK_LOAN, 0.4)],
            "state": [(FundingSourceKind.SELF, 0.3), (FundingSourceKind.BANK_LOAN, 0.4)],
            "gov": [(FundingSourceKind.DISTRICT, 0.3), (FundingSourceKind.CENTRAL_BUDGET, 0.2)],
        }[kind.subject]
        if kind.subject != "private":
            kinds = [*kinds, (FundingSourceKind.SPECIAL_BOND, 0.5)]
        n_rows = rng.randint(1, len(kinds))
        parts = _split_cents(total // 100, [w * rng.uniform(0.6, 1.4) for _k, w in kinds[:n_rows]])
        # Whole 万元 per row; the cents of the total go to the first row, so the rows add up to the total.
        funding = [
            FundingSource(project=project, kind=k, amount=_cents(p * 100 + (total % 100 if i == 0 else 0)))
            for i, ((k, _w), p) in enumerate(zip(kinds[:n_rows], parts, strict=True))
        ]
        return project, spec, levels, sponsors, specials, funding

    # --- plans ---------------------------------------------------------------------------------------------------

    def _active_months(self, spec: _Spec, year: int) -> list[int]:
        """Months (1–12) of `year` the project is expected to invest in."""
        begin = spec.start or spec.planned_start
        end = spec.finish or spec.planned_finish
        if begin is None:
            return []
        months = []
        for m in range(1, 13):
            first = date(year, m, 1)
            if first < begin.replace(day=1) or (end is not None and first > end.replace(day=1)):
                continue
            months.append(m)
        return months

    def _plans(self, spec: _Spec) -> list[Any]:
        from tuijin.projects.choices import PlanStatus, Stage
        from tuijin.projects.models import AnnualPlan

        rng, project = self.rng, spec.project
        if project.stage in (Stage.CONCEIVED, Stage.RESERVE, Stage.CANCELLED):
            return []
        total = int(project.total_investment * 100)
        plans = []
        for year in self.years:
            active = self._active_months(spec, year)
            if not active:
                continue
            if spec.start is None and (spec.planned_start is None or spec.planned_start.year != year):
                continue  # 前期 projects get a plan for their planned start year only
            begin = spec.start or spec.planned_start
            end = spec.finish or spec.planned_finish
            assert begin is not None and end is not None  # noqa: S101 - set for every planned project
            span = max(1, _month_index(end) - _month_index(begin) + 1)
            share = min(1.0, len(active) / span * rng.uniform(0.75, 1.25))
            if spec.start is None:
                share *= rng.uniform(0.3, 0.8)
            wan = max(10, int(total / 100 * share))
            cents = wan * 100
            curve = None
            if rng.random() < 0.45:
                weights = [SEASON[m - 1] * rng.uniform(0.8, 1.2) if m in active else 0.0 for m in range(1, 13)]
                curve = _split_cents(cents, weights)
            spec.plans[year] = (cents, curve)
            approved = year < self.year or rng.random() < 0.88
            amount = _cents(cents)
            curve_text = [str(_cents(v)) for v in curve] if curve is not None else None
            approved_at = None
            if approved:
                day = date(year, rng.randint(1, 3), rng.randint(1, 28))
                approved_at = datetime(day.year, day.month, day.day, 10, 0, tzinfo=self.tz)
                approved_at = min(approved_at, self.now)
            plans.append(
                AnnualPlan(
                    project=project,
                    year=year,
                    planned_investment=amount,
                    progress_target=rng.choice(PLAN_TEXTS) if spec.start else "完成前期手续并开工建设",
                    monthly_plan=curve_text,
                    planned_start_quarter=(begin.month - 1) // 3 + 1 if begin.year == year else None,
                    status=PlanStatus.APPROVED if approved else PlanStatus.DRAFT,
                    baseline_investment=amount if approved else None,
                    baseline_monthly_plan=curve_text if approved else None,
                    baseline_approved_at=approved_at,
                    baseline_approved_by=self.org.office if approved else None,
                )
            )
        return plans

    # --- approval items ------------------------------------------------------------------------------------------

    def _items(self, spec: _Spec) -> list[Any]:
        from tuijin.projects.choices import ApprovalStatus, Stage
        from tuijin.projects.models import ApprovalItem

        rng, project, types = self.rng, spec.project, self.ref.item_types
        n = len(types)
        built = spec.start is not None
        if built:
            done_upto = n - 1 if spec.finish is not None else n - 2 + (1 if rng.random() < 0.5 else 0)
        elif project.stage in (Stage.PREPARATION, Stage.SUSPENDED):
            done_upto = rng.randint(0, n - 4)
        else:
            done_upto = rng.randint(0, 2) if rng.random() < 0.4 else 0
        anchor = spec.start or min(self.today, _month_end(self.latest))
        items = []
        for order, item_type in enumerate(types):
            department = spec.district.departments.get(APPROVAL_DEPARTMENT.get(item_type.code, "ndrc"))
            status, completed, permit, due = ApprovalStatus.PENDING, None, "", None
            if item_type.code in OPTIONAL_ITEMS and rng.random() < 0.3:
                status = ApprovalStatus.NOT_APPLICABLE
            elif order < done_upto or (built and order < n - 2):
                status = ApprovalStatus.DONE
                if item_type.code == "completion_acceptance" and spec.finish is not None:
                    completed = spec.finish
                else:
                    completed = anchor - timedelta(days=(n - order) * rng.randint(4, 15))
                completed = min(completed, self.today)
                prefix = PERMITS.get(item_type.code)
                if prefix:
                    permit = f"{prefix}{spec.district.code}{completed.year}{rng.randint(1, 99999):05d}号"
            elif order == done_upto:
                status = ApprovalStatus.IN_PROGRESS
                due = self.latest + timedelta(days=rng.randint(-30, 90))
            else:
                due = self.latest + timedelta(days=rng.randint(30, 365)) if rng.random() < 0.5 else None
            items.append(
                ApprovalItem(
                    project=project,
                    item_type=item_type,
                    status=status,
                    department=department,
                    due_date=due,
                    completed_date=completed,
                    permit_no=permit,
                )
            )
        return items

    # --- reports -------------------------------------------------------------------------------------------------

    def _status(self, month: date) -> str | None:
        """A report's workflow state by the age of its month (None: not reported)."""
        from tuijin.progress.choices import ReportStatus

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
        nxt = _add_months(month, 1)
        moment = datetime(nxt.year, nxt.month, min(day, 28), hour, self.rng.randint(0, 59), tzinfo=self.tz)
        return min(moment, self.now - timedelta(hours=1))

    def _reports(self, spec: _Spec) -> list[Any]:
        from tuijin.progress.choices import ReportStatus
        from tuijin.progress.models import ProgressReport

        rng, project = self.rng, spec.project
        reporter = spec.district.reporters.get(project.responsible_unit.pk)
        office = self.org.office
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
        stall_from = _add_months(self.latest, -(spec.stall - 1)) if spec.stall else None
        industrial = spec.group in ("opto", "smart")
        total = int(project.total_investment * 100)
        month = first
        while month <= last:
            status = self._status(month)
            if status is None:
                month = _add_months(month, 1)
                continue
            amount = 0
            if started:
                plan = spec.plans.get(month.year)
                active = self._active_months(spec, month.year) or [month.month]
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
                month_investment=_cents(amount),
                construction_install=_cents(install),
                equipment=_cents(equipment),
                other_cost=_cents(other),
                funds_arrived=_cents(max(0, int(amount * rng.uniform(0.5, 1.1)))),
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
            month = _add_months(month, 1)
        return reports

    # --- a chunk ---------------------------------------------------------------------------------------------------

    def chunk(self, start: int, size: int) -> None:
        from tuijin.core.changelog import object_changes_bulk_record
        from tuijin.core.choices import ChangeAction
        from tuijin.progress.choices import ReportEventType, ReportStatus
        from tuijin.progress.models import ProgressReport, ReportEvent, ReportProblem
        from tuijin.projects.choices import ProjectEventType
        from tuijin.projects.models import (
            AnnualPlan,
            ApprovalItem,
            FundingSource,
            Project,
            ProjectEvent,
            ProjectSpecialList,
        )

        rows = [self._project(start + i) for i in range(size)]
        projects = [r[0] for r in rows]
        Project.objects.bulk_create(projects, batch_size=BATCH)
        self.lights_ids += [p.pk for p in projects]
        levels, sponsors, specials, funding = [], [], [], []
        for project, _spec, lv, sp, sl, fu in rows:
            levels += [Project.levels.through(project_id=project.pk, projectlevel_id=level.pk) for level in lv]
            sponsors += [Project.sponsors.through(project_id=project.pk, person_id=person.pk) for person in sp]
            for entry in sl:
                entry.project = project
            specials += sl
            for row in fu:
                row.project = project
            funding += fu
        Project.levels.through.objects.bulk_create(levels, batch_size=BATCH)
        Project.sponsors.through.objects.bulk_create(sponsors, batch_size=BATCH)
        ProjectSpecialList.objects.bulk_create(specials, batch_size=BATCH)
        FundingSource.objects.bulk_create(funding, batch_size=BATCH)
        object_changes_bulk_record(projects, ChangeAction.CREATE, SOURCE)
        ProjectEvent.objects.bulk_create(
            [
                ProjectEvent(project=p, actor=self.org.office, type=ProjectEventType.CREATED, data={"source": SOURCE})
                for p in projects
            ],
            batch_size=BATCH,
        )
        items, plans = [], []
        for _project, spec, *_rest in rows:
            items += self._items(spec)
            plans += self._plans(spec)
        ApprovalItem.objects.bulk_create(items, batch_size=BATCH)
        AnnualPlan.objects.bulk_create(plans, batch_size=BATCH)
        reports = []
        for _project, spec, *_rest in rows:
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
                        actor=self.org.office,
                        data={"reason": report.return_reason},
                        created=self.now,
                    )
                )
        ReportEvent.objects.bulk_create(events, batch_size=BATCH)
        ReportProblem.objects.bulk_create(problems, batch_size=BATCH)
        for name, n in (
            ("projects", len(projects)),
            ("levels", len(levels)),
            ("sponsors", len(sponsors)),
            ("special_lists", len(specials)),
            ("funding_sources", len(funding)),
            ("change_log", len(projects)),
            ("project_events", len(projects)),
            ("approval_items", len(items)),
            ("annual_plans", len(plans)),
            ("reports", len(reports)),
            ("report_events", len(events)),
            ("report_problems", len(problems)),
        ):
            self._count(name, n)


# --------------------------------------------------------------------------------------------------------------
# The run


def _analyze() -> None:
    """PostgreSQL: refresh the planner statistics after a bulk load (what autovacuum would do soon after)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def generate_synthetic(
    *,
    projects: int,
    months: int,
    seed: int,
    year: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> SyntheticResult:
    """Write the synthetic dataset (see the module docstring); raises SyntheticDataExists on a second run and
    ValueError for arguments out of range. `progress` receives one line per phase / chunk."""
    from tuijin.progress.services import reporting_period_get
    from tuijin.progress.warnings import evaluate_period
    from tuijin.projects.models import Project

    if projects < 1:
        raise ValueError("项目数须为正整数。")
    if not 1 <= months <= 120:
        raise ValueError("月数须在 1 到 120 之间。")
    say = progress or (lambda _line: None)
    latest = latest_period(year)
    periods = [_add_months(latest, -k) for k in range(months - 1, -1, -1)]
    result = SyntheticResult(projects=projects, months=periods, seed=seed)
    rng = random.Random(seed)
    now = timezone.now()

    with transaction.atomic():
        if synthetic_exists():
            raise SyntheticDataExists(
                "数据库中已存在合成数据（syn_office 账户或河洛省区划），拒绝重复生成；请在新的空数据库中运行。"
            )
        began = time.perf_counter()
        org = _build_org(rng, projects, now)
        ref = _reference()
        for period in periods:
            reporting_period_get(period)
        result.seconds["org"] = time.perf_counter() - began
        result.counts.update(units=org.units, users=org.users, districts=len(org.districts))
        say(
            f"组织机构：{len(org.districts)} 个区县，{org.units} 个单位，{org.users} 个账户"
            f"（{result.seconds['org']:.1f} 秒）"
        )

        began = time.perf_counter()
        generator = _Generator(rng, org, ref, periods, now)
        for start in range(0, projects, CHUNK):
            size = min(CHUNK, projects - start)
            generator.chunk(start, size)
            say(f"项目 {start + size:,}/{projects:,}（{time.perf_counter() - began:.1f} 秒）")
        result.seconds["projects"] = time.perf_counter() - began
        result.counts.update(generator.counts)

        began = time.perf_counter()
        _analyze()  # planner statistics for the fresh rows (ANALYZE sees this transaction's own inserts)
        ids = sorted(generator.lights_ids)
        colors: dict[str, int] = {}
        for lo in range(0, len(ids), LIGHT_CHUNK):
            part = ids[lo : lo + LIGHT_CHUNK]
            evaluated = evaluate_period(latest, projects=Project.objects.filter(pk__gte=part[0], pk__lte=part[-1]))
            for color, n in evaluated.colors.items():
                colors[color] = colors.get(color, 0) + n
        result.lights = colors
        result.counts["lights"] = sum(colors.values())
        result.seconds["lights"] = time.perf_counter() - began
        say(f"预警灯：{latest:%Y-%m}，{colors}（{result.seconds['lights']:.1f} 秒）")

    began = time.perf_counter()
    _analyze()
    result.seconds["analyze"] = time.perf_counter() - began
    result.password, result.password_shared = org.password, org.shared
    figures_changed(None)  # everything above was bulk-written, without signals: facts rebuilt, cache stale
    return result
