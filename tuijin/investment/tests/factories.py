"""Test helpers: leads made and moved through the real services (history, timeline, review included)."""

from datetime import date
from decimal import Decimal
from itertools import count

from tuijin.investment import services
from tuijin.investment.choices import PIPELINE, LeadStage
from tuijin.investment.models import Lead
from tuijin.utilities.codes import credit_code_check_char

__all__ = ["CREDIT_CODE", "STAGE_DATA", "advance", "make_lead"]

_seq = count(1)
_CODE = "91410702MA0000009"
CREDIT_CODE = _CODE + credit_code_check_char(_CODE)

# Valid data for every stage (a real check character in the credit code).
STAGE_DATA = {
    "signed_date": date(2025, 3, 1),
    "contract_kind": "contract",
    "signed_total": Decimal("50000"),
    "phase1_investment": Decimal("20000"),
    "registered_name": "新乡测试光电科技有限公司",
    "credit_code": CREDIT_CODE,
    "registered_date": date(2025, 4, 1),
    "start_date": date(2025, 5, 1),
    "production_date": date(2025, 9, 1),
    "reached_date": date(2026, 3, 1),
}


def make_lead(*, actor, unit, name=None, **fields) -> Lead:
    n = next(_seq)
    data = {
        "name": name or f"测试招商项目{n}",
        "investor": fields.pop("investor", f"测试投资集团{n}有限公司"),
        "tracking_unit": unit,
        "planned_investment": fields.pop("planned_investment", Decimal("30000")),
    }
    data.update(fields)
    return services.lead_create(actor=actor, data=data)


def advance(lead: Lead, to: str, *, actor, reviewer=None, approve=True) -> Lead:
    """Submit `lead` to stage `to` with valid data (one step); approve it when a reviewer is given."""
    lead.refresh_from_db()
    if to != lead.stage:
        assert PIPELINE.index(LeadStage(to)) > PIPELINE.index(LeadStage(lead.stage))
    lead = services.lead_submit_stage(actor=actor, lead=lead, version=lead.version, to_stage=to, data=dict(STAGE_DATA))
    if reviewer is not None and approve:
        lead = services.lead_review(actor=reviewer, lead=lead, version=lead.version, approve=True)
    return lead
