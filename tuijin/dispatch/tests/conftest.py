"""Fixtures shared by the dispatch tests."""

from decimal import Decimal

import pytest

from tuijin.progress.models import ProgressReport
from tuijin.progress.services import period_for_reporting
from tuijin.projects.models import AnnualPlan, Project

D = Decimal


@pytest.fixture
def dashboard_projects(world):
    """One project per street, in the annual list of the default period's year, with some progress."""
    period = period_for_reporting()
    made = []
    for unit, name in ((world.unit_a, "甲街道驾驶舱测试项目"), (world.unit_b, "乙街道驾驶舱测试项目")):
        project = Project.objects.create(name=name, owner_name="x", total_investment=D(1000), responsible_unit=unit)
        AnnualPlan.objects.create(project=project, year=period.year, planned_investment=D(100))
        ProgressReport.objects.create(
            project=project, period=period, status="submitted", month_investment=D(10), construction_install=D(10)
        )
        made.append(project)
    return made
