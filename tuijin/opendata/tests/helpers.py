"""A small portfolio for the export tests: coded projects in 甲 and 乙 of the district and one in the neighbouring
district, built through the project services (tuijin.projects.tests.factories) with reports through the progress
factory, so the facts layer holds their months."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from django.utils import timezone

from tuijin.org.models import Person
from tuijin.progress.tests.factories import make_report
from tuijin.projects.models import IndustryCategory, Project
from tuijin.projects.tests.factories import make_project

__all__ = ["SECRET_PHONE", "coded", "industry", "last_month", "portfolio"]

SECRET_PHONE = "13800138000"
_codes = count(1)


def last_month() -> date:
    first = timezone.localdate().replace(day=1)
    return (first.replace(day=1) - timedelta(days=1)).replace(day=1)


def industry(code: str, name: str, section: str, section_name: str) -> IndustryCategory:
    parent, _ = IndustryCategory.objects.get_or_create(code=section, defaults={"name": section_name})
    found, _ = IndustryCategory.objects.get_or_create(code=code, defaults={"name": name, "parent": parent})
    return found


def coded(unit, name: str, total: str = "1000", **fields) -> Project:
    project = make_project(unit=unit, name=name, total=total, **fields)
    Project.objects.filter(pk=project.pk).update(code=f"2403-410702-04-01-{next(_codes):05d}X")
    return Project.objects.get(pk=project.pk)


def portfolio(world) -> dict[str, Project]:
    """甲's road project under construction (every field filled, two reported months), 乙's 前期 school, a project
    without a 项目代码, and the neighbouring district's project."""
    month = last_month()
    before = (month - timedelta(days=1)).replace(day=1)
    sponsor = Person.objects.create(name="包联副区长", unit=world.gov, is_county_leader=True, phone=SECRET_PHONE)
    road = coded(
        world.unit_a,
        "甲街道快速路改造工程",
        total="12345.67",
        stage="construction",
        actual_start=before,
        planned_start=before,
        planned_finish=date(month.year + 2, 6, 30),
        scale_content="改造道路 5.2 公里，新建桥梁 2 座",
        address="甲街道人民路与建设路交叉口",
        longitude=Decimal("113.926512"),
        latitude=Decimal("35.303004"),
        industry=industry("54", "道路运输业", "G", "交通运输、仓储和邮政业"),
        owner_name="甲城投建设有限公司",
        owner_credit_code="91410702MA0000009J",
        remarks="内部备注：征迁尚有两户未签约",
        funding_note="内部资金说明",
        sponsors=[sponsor],
    )
    make_report(road, before, amount="1200.50", status="office_approved")
    make_report(road, month, amount="800.25", status="submitted")
    school = coded(
        world.unit_b,
        "乙街道第二小学",
        total="3000",
        stage="preparation",
        industry=industry("83", "教育", "P", "教育"),
    )
    uncoded = make_project(unit=world.unit_a, name="甲街道未赋码项目", stage="preparation")
    foreign = coded(world.foreign_unit, "邻区产业园项目", total="500")
    return {"road": road, "school": school, "uncoded": uncoded, "foreign": foreign}
