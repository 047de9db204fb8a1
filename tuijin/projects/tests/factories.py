"""Test helpers: make projects quickly through the real service (history, approval items and events included)."""

from decimal import Decimal
from itertools import count

from tuijin.projects.services import FundingRow, ProjectInput, project_create

__all__ = ["make_project"]

_seq = count(1)


def make_project(*, unit, actor=None, name=None, total="1000.00", sponsors=None, owner_enterprise=None, **fields):
    n = next(_seq)
    data = {
        "name": name or f"测试项目{n}",
        "owner_name": fields.pop("owner_name", f"测试业主{n}有限公司"),
        "responsible_unit": unit,
        "total_investment": Decimal(total),
        "owner_enterprise": owner_enterprise,
        # explicit: the model leaves these blank (未填) unless told
        "domain": "industry",
        "construction_nature": "new",
        "investment_subject": "private",
    }
    stage = fields.pop("stage", None)
    data.update(fields)
    return project_create(
        actor=actor,
        data=ProjectInput(fields=data, sponsors=sponsors, funding=[FundingRow("self", Decimal(total))], stage=stage),
    )
