"""Turning a key project into an OC4IDS project (Open Contracting for Infrastructure Data Standard, 0.9).

Pure mapping: no query here. `selectors.py` reads the projects and their monthly facts, and this module writes
only what the office made public (`fields.py`). The money on the platform is 万元 (exact `Decimal`, two places);
OC4IDS amounts are in the currency's unit, so an amount is 万元 × 10,000 yuan — always a whole number of yuan —
written as a JSON integer, never through a float.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

__all__ = [
    "OC4IDS_VERSION",
    "SECTOR_BY_DIVISION",
    "STATUS_BY_STAGE",
    "MonthFigures",
    "build_package",
    "build_project",
    "project_id",
    "project_sector",
    "project_status",
    "yuan",
]

OC4IDS_VERSION = "0.9"
CURRENCY = "CNY"
WAN = Decimal(10000)

# 项目阶段 → projectStatus (a closed codelist: identification, preparation, implementation, completion,
# completed, cancelled). 竣工 is the handover (completion); 投产 means the asset is in use and the project closed.
# 暂缓 has no code of its own: a paused project stays in the phase it had reached (started: implementation).
STATUS_BY_STAGE = {
    "conceived": "identification",
    "reserve": "identification",
    "preparation": "preparation",
    "construction": "implementation",
    "completed": "completion",
    "operating": "completed",
    "cancelled": "cancelled",
}

# GB/T 4754-2017 门类 → projectSector (an open codelist), best effort; 大类 with a finer code below.
SECTOR_BY_SECTION = {
    "A": ["economy"],  # 农、林、牧、渔业
    "B": ["naturalResources"],  # 采矿业
    "C": ["economy"],  # 制造业
    "D": ["energy"],  # 电力、热力、燃气及水生产和供应业
    "E": ["economy"],  # 建筑业
    "F": ["economy"],  # 批发和零售业
    "G": ["transport"],  # 交通运输、仓储和邮政业
    "H": ["economy"],  # 住宿和餐饮业
    "I": ["communications"],  # 信息传输、软件和信息技术服务业
    "J": ["economy"],  # 金融业
    "K": ["economy"],  # 房地产业
    "L": ["economy"],  # 租赁和商务服务业
    "M": ["economy"],  # 科学研究和技术服务业
    "N": ["waterAndWaste"],  # 水利、环境和公共设施管理业
    "O": ["economy"],  # 居民服务、修理和其他服务业
    "P": ["education"],  # 教育
    "Q": ["health"],  # 卫生和社会工作
    "R": ["cultureSportsAndRecreation"],  # 文化、体育和娱乐业
    "S": ["governance"],  # 公共管理、社会保障和社会组织
    "T": ["governance"],  # 国际组织
}
SECTOR_BY_DIVISION = {
    "46": ["waterAndWaste"],  # 水的生产和供应业
    "53": ["transport", "transport.rail"],  # 铁路运输业
    "54": ["transport", "transport.road"],  # 道路运输业
    "55": ["transport", "transport.water"],  # 水上运输业
    "56": ["transport", "transport.air"],  # 航空运输业
    "60": ["communications"],  # 邮政业
    "76": ["naturalResources", "naturalResources.floodProtection"],  # 水利管理业
    "77": ["naturalResources"],  # 生态保护和环境治理业
    "78": ["governance"],  # 公共设施管理业
}
# 大类 code ranges of each 门类, for a 大类 stored without its parent.
_SECTION_RANGES = (
    ("A", 1, 5), ("B", 6, 12), ("C", 13, 43), ("D", 44, 46), ("E", 47, 50), ("F", 51, 52), ("G", 53, 60),
    ("H", 61, 62), ("I", 63, 65), ("J", 66, 69), ("K", 70, 70), ("L", 71, 72), ("M", 73, 75), ("N", 76, 79),
    ("O", 80, 82), ("P", 83, 83), ("Q", 84, 85), ("R", 86, 90), ("S", 91, 97), ("T", 98, 98),
)  # fmt: skip

# The scheme of the 统一社会信用代码 in org-id.guide (the State Administration for Market Regulation's register).
CREDIT_CODE_SCHEME = "CN-SAMR"


@dataclass(frozen=True)
class MonthFigures:
    """One month's published figures, read from the facts layer (`facts.ProjectMonth`), never computed here."""

    period: date  # the month's first day
    month_investment: Decimal  # 当月完成（万元）
    cumulative: Decimal  # 累计完成（万元）


def yuan(wan: Decimal) -> int:
    """万元 (two decimal places) → whole yuan, exactly."""
    amount = Decimal(wan) * WAN
    if amount != amount.to_integral_value():
        raise ValueError(f"{wan} 万元 is not a whole number of yuan")
    return int(amount)


def _value(wan: Decimal) -> dict[str, Any]:
    return {"amount": yuan(wan), "currency": CURRENCY}


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _datetime(day: date, end: bool = False) -> str:
    """A date as OC4IDS's date-time: the start of the day (or its last second) in the platform's time zone."""
    moment = datetime.combine(day, time(23, 59, 59) if end else time(0, 0), tzinfo=_tz())
    return moment.isoformat()


def _month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def project_id(prefix: str, code: str) -> str:
    """The OC4IDS project identifier: the registered prefix and the 项目代码."""
    return f"{prefix}-{code}"


def project_status(stage: str, *, started: bool) -> str:
    if stage == "suspended":
        return "implementation" if started else "preparation"
    return STATUS_BY_STAGE[stage]


def project_sector(industry) -> list[str]:
    """The projectSector codes of a 国民经济行业 (大类 or 门类); [] when none is recorded."""
    if industry is None:
        return []
    code = str(industry.code)
    if code in SECTOR_BY_DIVISION:
        return list(SECTOR_BY_DIVISION[code])
    section = code if code.isalpha() else None
    if section is None and getattr(industry, "parent", None) is not None and str(industry.parent.code).isalpha():
        section = str(industry.parent.code)
    if section is None and code.isdigit():
        number = int(code[:2])
        section = next((s for s, low, high in _SECTION_RANGES if low <= number <= high), None)
    return list(SECTOR_BY_SECTION.get(section or "", []))


def _organization(prefix: str, kind: str, pk: Any, name: str, role: str, credit_code: str = "") -> dict[str, Any]:
    party: dict[str, Any] = {"id": f"{prefix}-{kind}-{pk}", "name": name, "roles": [role]}
    if credit_code:
        party["id"] = f"{CREDIT_CODE_SCHEME}-{credit_code}"
        party["identifier"] = {"scheme": CREDIT_CODE_SCHEME, "id": credit_code, "legalName": name}
    return party


def _merged(parties: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per party id: a unit that is both the responsible unit and the owner has both roles."""
    by_id: dict[str, dict[str, Any]] = {}
    for party in parties:
        found = by_id.get(party["id"])
        if found is None:
            by_id[party["id"]] = party
        else:
            found["roles"] = [*found["roles"], *(r for r in party["roles"] if r not in found["roles"])]
    return list(by_id.values())


def _place(project) -> str:
    """The region the works are in: the 属地's, else the 区外属地 text, else the responsible unit's."""
    if project.locality_id:
        return project.locality.region.name
    if (project.locality_text or "").strip():
        return project.locality_text.strip()
    return project.responsible_unit.region.name if project.responsible_unit_id else ""


def _location(project) -> dict[str, Any] | None:
    address = (project.address or "").strip()
    has_point = project.longitude is not None and project.latitude is not None
    if not address and not has_point:
        return None
    location: dict[str, Any] = {"id": "1"}
    if address:
        location["description"] = address
        region = _place(project)
        location["address"] = {
            "streetAddress": address,
            "countryName": "中国",
            **({"region": region} if region else {}),
        }
    if has_point:
        # GeoJSON order: longitude, then latitude (WGS84 decimal degrees).
        location["geometry"] = {"type": "Point", "coordinates": [float(project.longitude), float(project.latitude)]}
    return location


def _metrics(months: Iterable[MonthFigures], public: frozenset[str]) -> list[dict[str, Any]]:
    observations: list[dict[str, Any]] = []
    for row in months:
        period = {"startDate": _datetime(row.period), "endDate": _datetime(_month_end(row.period), end=True)}
        stamp = f"{row.period:%Y-%m}"
        if "month_investment" in public:
            observations.append(
                {
                    "id": f"{stamp}-month",
                    "period": period,
                    "value": _value(row.month_investment),
                    "notes": "当月完成投资",
                }
            )
        if "cumulative_investment" in public:
            observations.append(
                {
                    "id": f"{stamp}-cumulative",
                    "period": period,
                    "value": _value(row.cumulative),
                    "notes": "累计完成投资",
                }
            )
    if not observations:
        return []
    return [
        {
            "id": "financialProgress",
            "title": "完成投资",
            "description": "月度调度中已报月份的完成投资（人民币元）：当月完成与开工以来累计完成。",
            "observations": observations,
        }
    ]


def build_project(project, *, prefix: str, public: frozenset[str], months: Iterable[MonthFigures] = ()) -> dict:
    """The OC4IDS project for `project` (which must have a 项目代码), with only the public fields."""
    data: dict[str, Any] = {"id": project_id(prefix, project.code), "title": project.name}
    if getattr(project, "last_updated", None):
        data["updated"] = timezone.localtime(project.last_updated).isoformat()
    if "description" in public and (project.scale_content or "").strip():
        data["description"] = project.scale_content.strip()
    if "status" in public:
        data["status"] = project_status(project.stage, started=project.actual_start is not None)
    if "period" in public:
        period = {}
        if project.planned_start:
            period["startDate"] = _datetime(project.planned_start)
        if project.planned_finish:
            period["endDate"] = _datetime(project.planned_finish, end=True)
        if period:
            data["period"] = period
    if "sector" in public:
        sector = project_sector(project.industry)
        if sector:
            data["sector"] = sector
    if "location" in public:
        location = _location(project)
        if location:
            data["locations"] = [location]
    if "budget" in public and project.total_investment is not None:
        data["budget"] = {"amount": _value(project.total_investment)}
    parties = []
    if "responsible_unit" in public and project.responsible_unit_id:
        unit = project.responsible_unit
        parties.append(_organization(prefix, "unit", unit.pk, unit.name, "publicAuthority", unit.credit_code))
    if "owner" in public and (project.owner_name or "").strip():
        parties.append(
            _organization(
                prefix, "owner", project.pk, project.owner_name.strip(), "projectOwner", project.owner_credit_code
            )
        )
    if parties:
        data["parties"] = _merged(parties)
    metrics = _metrics(months, public)
    if metrics:
        data["metrics"] = metrics
    return data


def build_package(
    projects: Iterable[dict],
    *,
    uri: str,
    publisher_name: str,
    publisher_uri: str = "",
    license: str = "",
    published: datetime | None = None,
) -> dict[str, Any]:
    """The OC4IDS project package around already-built projects."""
    publisher: dict[str, Any] = {"name": publisher_name}
    if publisher_uri:
        publisher["uri"] = publisher_uri
    package: dict[str, Any] = {
        "uri": uri,
        "publishedDate": timezone.localtime(published or timezone.now()).isoformat(),
        "version": OC4IDS_VERSION,
        "publisher": publisher,
        "projects": list(projects),
    }
    if license:
        package["license"] = license
    return package


def public_months(rows: Iterable[Mapping[str, Any]]) -> list[MonthFigures]:
    """MonthFigures from facts rows (dicts with period, month_investment, cumulative)."""
    return [MonthFigures(r["period"], r["month_investment"], r["cumulative"]) for r in rows]
