"""The demo chains and 政产学研 (tuijin.chains.demo.load_chains) after the org, accounts, projects and leads steps:
about 60 nodes with mixed statuses computed by the rules, the 链长制, this year's 补链 history, the university
resources and cooperations; loaded twice (idempotent)."""

from collections import Counter
from datetime import timedelta
from io import StringIO

from django.utils import timezone

from tuijin.chains import maintain
from tuijin.chains.choices import CooperationKind, EnterpriseRole, GapStatus, ResourceKind
from tuijin.chains.demo import CHAINS
from tuijin.chains.matching import split_terms
from tuijin.chains.models import (
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
from tuijin.core import demo as core_demo
from tuijin.investment.choices import LeadStage
from tuijin.investment.services import convertible

STEPS = [
    "tuijin.org.demo.load_org",
    "tuijin.users.demo.load_accounts",
    "tuijin.projects.demo.load_projects",
    "tuijin.investment.demo.load_leads",
    "tuijin.chains.demo.load_chains",
]
REAL_FIRMS = {"胜华电缆", "北方仪表", "百合特种光学", "巴山航空", "日升数控", "芯睿电子"}


def _labour_ticket():
    """The tickets demo's 技术工人招聘难 ticket, raised on a demo project of the 光电信息 chain."""
    from tuijin.projects.models import Project
    from tuijin.tickets.models import Ticket
    from tuijin.users.models import User

    office = User.objects.get(username="xmb")
    project = Project.objects.filter(is_demo=True, chain__name="光电信息", name__contains="激光显示").first()
    today = timezone.localdate()
    return Ticket.objects.create(
        number="GD-DEMO-1",
        source="other",
        project=project,
        category="labour",
        title="技术工人招聘难",
        description="光电器件产线缺少熟练技术工人约40名。",
        raised_by=office,
        raised_unit=office.memberships.first().unit,
        response_due=today,
        resolution_due=today + timedelta(days=15),
    )


def _counts():
    return tuple(
        model.objects.count()
        for model in (
            ChainNode,
            ChainProfile,
            NodeEnterprise,
            NodeLead,
            NodeProject,
            NodeStatusChange,
            UniversityResource,
            UniversityResource.nodes.through,
            Cooperation,
        )
    )


def test_demo_chains(db, monkeypatch):
    # the steps the chains need; the tickets step (and the reports under it) is replaced by its labour ticket
    monkeypatch.setattr(core_demo, "DEMO_STEPS", STEPS[:-1])
    core_demo.run_demo_steps(StringIO())
    ticket = _labour_ticket()
    monkeypatch.setattr(core_demo, "DEMO_STEPS", STEPS)
    out = StringIO()
    core_demo.run_demo_steps(out)
    assert "示例政产学研：高校资源" in out.getvalue()
    _check_nodes()
    _check_statuses_and_history()
    _check_profiles()
    _check_universities(ticket)
    before = _counts()
    out = StringIO()
    core_demo.run_demo_steps(out)  # idempotent
    assert _counts() == before
    assert "示例产业链：已存在" in out.getvalue() and "示例政产学研：已存在" in out.getvalue()


def _check_nodes():
    nodes = list(ChainNode.objects.select_related("chain", "parent"))
    assert 55 <= len(nodes) <= 70
    assert {n.chain.name for n in nodes} == set(CHAINS)
    tops = [n for n in nodes if n.parent_id is None]
    assert all(any(c.parent_id == top.pk for c in nodes) for top in tops)  # every 链环节 has sub-links
    assert {n.segment for n in tops} == {"upstream", "midstream", "downstream"}
    assert all(n.keywords and len(split_terms(n.keywords)) >= 3 for n in nodes)
    assert all(n.parent is None or (n.parent.chain_id == n.chain_id and n.parent.segment == n.segment) for n in nodes)
    firms = NodeEnterprise.objects.all()
    assert REAL_FIRMS <= set(firms.values_list("name", flat=True))
    leaders = set(firms.filter(role=EnterpriseRole.LEADER).values_list("name", flat=True))
    assert 1 <= len(leaders) <= 2 and leaders <= REAL_FIRMS
    suppliers = firms.filter(role=EnterpriseRole.SUPPLIER)
    assert suppliers.count() >= 3 and all(not s.is_local and s.location for s in suppliers)
    assert all("示例" in f.name for f in firms if f.name not in REAL_FIRMS)
    # every link sits on a node of its own chain; converted projects count through their lead
    assert all(link.lead.chain_id == link.node.chain_id for link in NodeLead.objects.select_related("lead", "node"))
    for link in NodeProject.objects.select_related("project", "node"):
        assert link.project.chain_id == link.node.chain_id
        assert not NodeLead.objects.filter(lead__project=link.project).exists()
    assert NodeLead.objects.count() >= 30 and NodeProject.objects.count() >= 60


def _check_statuses_and_history():
    statuses = Counter(ChainNode.objects.values_list("status", flat=True))
    assert all(statuses[s] >= 5 for s in GapStatus.values), statuses
    # the statuses are what the rules compute: recomputing changes nothing
    assert maintain.refresh(None, trigger="校核", notify=False) == 0
    # a 空白 node holds a signed or registered lead the office can convert now
    convertible_gaps = [
        link.node.name
        for link in NodeLead.objects.filter(
            node__status=GapStatus.GAP, lead__stage__in=[LeadStage.SIGNED, LeadStage.REGISTERED]
        ).select_related("lead", "node")
        if convertible(link.lead)[0]
    ]
    assert "光纤材料" in convertible_gaps
    # history: the map's first computation last December, three nodes leaving 空白 this year, none in the future
    now, year = timezone.now(), timezone.localdate().year
    changes = NodeStatusChange.objects.select_related("node")
    assert all(c.time <= now for c in changes)
    this_year = [c for c in changes if timezone.localtime(c.time).year == year]
    left = {c.node.name for c in this_year if c.from_status == GapStatus.GAP and c.to_status != GapStatus.GAP}
    assert left == {"光电传感器", "专用设备", "冷链物流"}
    assert all(c.reason and c.trigger for c in this_year)
    assert all(timezone.localtime(c.time).year == year - 1 for c in changes if c.node.name not in left)
    assert not changes.filter(node__status=GapStatus.GAP).exists()  # nothing ever left 空白 there


def _check_profiles():
    profiles = list(ChainProfile.objects.select_related("chain", "leader", "lead_unit"))
    assert {p.chain.name for p in profiles} == set(CHAINS)
    for profile in profiles:
        assert profile.leader.is_county_leader and profile.lead_unit.name in ("区商务局", "区发展和改革委员会")
        assert 3 <= profile.fill_target <= 5 and profile.task_force.count() >= 4 and profile.summary


def _check_universities(ticket):
    resources = list(UniversityResource.objects.select_related("university"))
    assert 35 <= len(resources) <= 45
    assert {r.university.name for r in resources} == set(University.objects.values_list("name", flat=True))
    assert {r.kind for r in resources} == set(ResourceKind.values)
    node_terms = {t for keywords in ChainNode.objects.values_list("keywords", flat=True) for t in split_terms(keywords)}
    overlapping = [r for r in resources if set(split_terms(r.keywords)) & node_terms]
    assert len(overlapping) >= 30
    assert 5 <= UniversityResource.nodes.through.objects.count() <= 12
    cooperations = list(Cooperation.objects.select_related("node", "ticket"))
    assert len(cooperations) == 8
    assert {c.kind for c in cooperations} == set(CooperationKind.values)
    assert all(c.node and c.enterprise_name and c.happened_on <= timezone.localdate() for c in cooperations)
    linked = [c for c in cooperations if c.ticket_id]
    assert len(linked) == 1 and linked[0].ticket == ticket
    assert linked[0].enterprise_name == ticket.project.owner_name
    assert linked[0].node.project_links.filter(project=ticket.project).exists()
