"""The demo leads (tuijin.investment.demo.load_leads) after the org, accounts and projects demo steps: every stage,
every review state and size band, three converted leads linked to demo projects; loaded twice (idempotent)."""

from collections import Counter
from io import StringIO

import pytest

from tuijin.core import demo as core_demo
from tuijin.investment.choices import LeadStage, ReviewStatus, SizeBand
from tuijin.investment.models import Lead, LeadEvent
from tuijin.investment.selectors import band_condition, with_amount

STEPS = ["tuijin.investment.demo.load_leads"]  # the chains are created when the projects step has not run


@pytest.fixture
def demo_steps(monkeypatch):
    """Until the step is registered in DEMO_STEPS, run it after the steps it needs."""
    base = [s for s in core_demo.DEMO_STEPS if s.startswith(("tuijin.org.", "tuijin.users."))]
    steps = [*base, *STEPS] if "tuijin.investment.demo.load_leads" not in core_demo.DEMO_STEPS else core_demo.DEMO_STEPS
    monkeypatch.setattr(core_demo, "DEMO_STEPS", steps)


def test_demo_leads(db, demo_steps):
    core_demo.run_demo_steps(StringIO())
    leads = Lead.objects.all()
    assert 35 <= leads.count() <= 45 and all(lead.is_demo for lead in leads)
    stages = Counter(leads.values_list("stage", flat=True))
    assert set(stages) == set(LeadStage.values)
    reviews = Counter(leads.exclude(stage=LeadStage.NEGOTIATING).values_list("review_status", flat=True))
    assert (
        reviews[ReviewStatus.PENDING] >= 1
        and reviews[ReviewStatus.RETURNED] >= 1
        and reviews[ReviewStatus.APPROVED] > 10
    )
    assert {c.name for lead in leads.select_related("chain") if (c := lead.chain)} == {
        "光电信息",
        "智能制造",
        "现代服务业",
    }
    for band in SizeBand.values:
        assert with_amount(leads).filter(band_condition(band)).exists(), band
    converted = leads.filter(project__isnull=False).select_related("project")
    assert converted.count() == 3 and all(lead.project.is_demo for lead in converted)
    assert all(lead.termination_reason for lead in leads.filter(stage=LeadStage.TERMINATED))
    assert all("示例" in lead.investor for lead in leads)
    counts = (leads.count(), LeadEvent.objects.count())
    core_demo.run_demo_steps(StringIO())  # idempotent
    assert (Lead.objects.count(), LeadEvent.objects.count()) == counts
