"""maintain.py: a node's gap status follows its links without anyone editing it. The work happens when the writing
transaction commits (captured and run here with `django_capture_on_commit_callbacks(execute=True)`); each change of
status is kept with its reason and trigger and told to the chain's 链长 and 牵头部门."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction

from tuijin.chains import maintain, services
from tuijin.chains.choices import GapStatus
from tuijin.chains.models import ChainNode, ChainProfile, NodeStatusChange
from tuijin.investment import services as lead_services
from tuijin.investment.choices import LeadStage
from tuijin.investment.tests.factories import advance, make_lead
from tuijin.notifications.models import Notification
from tuijin.projects import services as project_services
from tuijin.projects.choices import Stage
from tuijin.projects.models import Project
from tuijin.projects.tests.factories import make_project

from .test_map_world import fresh, make_chain, make_node

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a write and run what it left for the commit (the refresh, then its notifications)."""

    def call(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return call


@pytest.fixture
def chain(db):
    return make_chain()


@pytest.fixture
def node(run, chain):
    return run(make_node, chain, "激光雷达模组", keywords="激光雷达 光学")


def transition(run, actor, project, to_stage, **dates):
    project = Project.objects.get(pk=project.pk)
    return run(
        project_services.project_transition,
        actor=actor,
        project=project,
        version=project.version,
        to_stage=to_stage,
        reason="",
        actual_start=dates.get("actual_start", project.actual_start),
        actual_finish=dates.get("actual_finish"),
    )


def test_a_new_node_is_a_gap_with_its_reason(node):
    node = fresh(node)
    assert node.status == GapStatus.GAP
    assert "本地在产主体 0 个" in node.status_reason
    assert node.counts["enterprises"] == 0
    assert not NodeStatusChange.objects.exists()


def test_a_lead_on_a_gap_node_converts_and_reaches_production_and_the_node_turns_weak(world, run, node):
    lead = make_lead(actor=world.reporter_a, unit=world.unit_a, name="激光雷达模组生产线项目")
    run(services.lead_link, actor=world.reporter_a, node=node, lead=lead)
    assert fresh(node).status == GapStatus.GAP and fresh(node).counts["open_leads"] == 1

    lead = run(advance, lead, "started", actor=world.reporter_a, reviewer=world.office)
    assert fresh(node).status == GapStatus.GAP  # under construction: not counted by the default rules
    assert fresh(node).counts["building"] == 1 and fresh(node).counts["open_leads"] == 0

    lead.refresh_from_db()
    project = run(lead_services.lead_to_project, actor=world.office, lead=lead, version=lead.version)
    assert project.stage == Stage.CONSTRUCTION
    assert fresh(node).status == GapStatus.GAP and fresh(node).counts["building"] == 1  # the lead and its project: one

    transition(run, world.office, project, Stage.COMPLETED, actual_finish=date(2025, 12, 20))
    lead.refresh_from_db()
    assert lead.stage == LeadStage.PRODUCING  # 竣工投产: the lead follows its project
    transition(run, world.office, project, Stage.OPERATING)
    node = fresh(node)
    assert node.status == GapStatus.WEAK
    assert node.counts["producing"] == 1 and node.counts["building"] == 0
    assert "已投产项目 1 个" in node.status_reason and "薄弱" in node.status_reason
    assert node.status_since is not None
    changes = list(NodeStatusChange.objects.filter(node=node))
    assert len(changes) == 1
    change = changes[0]
    assert (change.from_status, change.to_status) == (GapStatus.GAP, GapStatus.WEAK)
    assert change.reason == node.status_reason
    assert "激光雷达模组生产线项目" in change.trigger
    assert change.counts["producing"] == 1


def test_a_project_linked_directly_reaches_production(world, run, node):
    project = make_project(unit=world.unit_a, name="光学镜头扩产项目", stage=Stage.PREPARATION)
    run(services.project_link, actor=world.reporter_a, node=node, project=project)
    assert fresh(node).status == GapStatus.GAP
    transition(run, world.office, project, Stage.CONSTRUCTION, actual_start=date(2025, 3, 1))
    transition(run, world.office, project, Stage.COMPLETED, actual_finish=date(2025, 11, 1))
    assert fresh(node).status == GapStatus.GAP
    transition(run, world.office, project, Stage.OPERATING)
    assert fresh(node).status == GapStatus.WEAK
    assert "光学镜头扩产项目" in NodeStatusChange.objects.get(node=node).trigger


def test_enough_local_enterprises_make_a_strong_node_and_removing_one_recomputes(world, run, node):
    rows = [
        run(services.enterprise_add, actor=world.office, node=node, data={"name": f"本地光电企业{i}"}) for i in range(3)
    ]
    node = fresh(node)
    assert node.status == GapStatus.STRONG and node.counts["enterprises"] == 3
    run(services.enterprise_remove, actor=world.office, enterprise=rows[0], version=rows[0].version)
    node = fresh(node)
    assert node.status == GapStatus.WEAK
    latest = NodeStatusChange.objects.filter(node=node).first()
    assert (latest.from_status, latest.to_status) == (GapStatus.STRONG, GapStatus.WEAK)
    assert "移除环节企业「本地光电企业0」" in latest.trigger


def test_suppliers_elsewhere_keep_a_gap(world, run, node):
    run(
        services.enterprise_add,
        actor=world.office,
        node=node,
        data={"name": "外地光学供应商", "role": "supplier", "is_local": False},
    )
    node = fresh(node)
    assert node.status == GapStatus.GAP and node.counts["suppliers"] == 1


def test_unlinking_a_producing_project_turns_the_node_back_to_a_gap(world, run, node):
    project = make_project(
        unit=world.unit_a, stage=Stage.OPERATING, actual_start=date(2024, 1, 1), actual_finish=date(2024, 12, 1)
    )
    run(services.project_link, actor=world.office, node=node, project=project)
    assert fresh(node).status == GapStatus.WEAK
    run(services.project_unlink, actor=world.office, node=node, project=project)
    node = fresh(node)
    assert node.status == GapStatus.GAP
    latest = NodeStatusChange.objects.filter(node=node).first()
    assert latest.to_status == GapStatus.GAP and "取消关联重点项目" in latest.trigger


def test_a_rule_change_recomputes_every_node(world, run, chain, node):
    other = run(make_node, chain, "光学薄膜")
    run(services.enterprise_add, actor=world.office, node=node, data={"name": "本地镀膜企业"})
    assert fresh(node).status == GapStatus.WEAK and fresh(other).status == GapStatus.GAP
    rules = maintain.rules()
    run(services.rules_save, actor=world.office, version=rules.version, data={"strong_min": 1})
    assert fresh(node).status == GapStatus.STRONG
    change = NodeStatusChange.objects.filter(node=node).first()
    assert change.trigger == "判定规则调整" and "达到优势门槛 1" in change.reason
    assert fresh(other).status == GapStatus.GAP  # still nothing local

    run(
        services.rules_save,
        actor=world.office,
        version=rules.version + 1,
        data={"strong_min": 1, "count_building": True},
    )
    project = make_project(unit=world.unit_a, stage=Stage.CONSTRUCTION, actual_start=date(2025, 1, 1))
    run(services.project_link, actor=world.office, node=other, project=project)
    assert fresh(other).status == GapStatus.STRONG  # under construction counts now (and 1 is enough)


def test_a_rolled_back_write_leaves_no_trace(world, run, node):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            services.enterprise_add(actor=world.office, node=node, data={"name": "回滚企业"})
            raise RuntimeError("rolled back")
    maintain.refresh([node.pk])
    assert fresh(node).status == GapStatus.GAP and not NodeStatusChange.objects.exists()


def test_the_chain_leader_and_the_lead_unit_are_told(world, run, chain, node):
    ChainProfile.objects.create(chain=chain, leader=world.leader_person, lead_unit=world.office_unit)
    run(services.enterprise_add, actor=world.office, node=node, data={"name": "本地模组企业"})
    told = Notification.objects.filter(kind="chains")
    assert set(told.values_list("user__username", flat=True)) == {"sponsor", "office"}
    note = told.get(user=world.sponsor)
    assert "激光雷达模组" in note.title and "空白 → 薄弱" in note.title
    assert note.url == node.get_absolute_url() and note.level == "success"
    assert "本地在产企业 1 家" in note.body


def test_no_change_of_status_tells_nobody(world, run, chain, node):
    ChainProfile.objects.create(chain=chain, leader=world.leader_person, lead_unit=world.office_unit)
    run(
        services.enterprise_add,
        actor=world.office,
        node=node,
        data={"name": "外地供应商", "role": "supplier", "is_local": False},
    )
    assert not Notification.objects.filter(kind="chains").exists()


def test_the_daily_job_repairs_what_no_signal_reported(world, run, node, capsys):
    project = make_project(unit=world.unit_a, stage=Stage.CONSTRUCTION, actual_start=date(2025, 1, 1))
    run(services.project_link, actor=world.office, node=node, project=project)
    # a raw update sends no signal: the node does not know
    Project.objects.filter(pk=project.pk).update(stage=Stage.OPERATING, actual_finish=date(2025, 6, 1))
    assert fresh(node).status == GapStatus.GAP
    call_command("refresh_chains")
    assert "缺链状态变化 1 个" in capsys.readouterr().out
    assert fresh(node).status == GapStatus.WEAK
    assert NodeStatusChange.objects.get(node=node).trigger == "每日校核"
    call_command("refresh_chains")
    assert "缺链状态变化 0 个" in capsys.readouterr().out


def test_counts_for_is_a_fixed_number_of_queries(world, run, chain, django_assert_max_num_queries):
    nodes = [run(make_node, chain, f"环节{i}") for i in range(6)]
    for i, n in enumerate(nodes):
        run(services.enterprise_add, actor=world.office, node=n, data={"name": f"企业{i}"})
        lead = make_lead(actor=world.reporter_a, unit=world.unit_a)
        run(services.lead_link, actor=world.office, node=n, lead=lead)
    with django_assert_max_num_queries(5):
        counts = maintain.counts_for(None)
    assert all(c.enterprises == 1 and c.open_leads == 1 for c in counts.values())
    assert ChainNode.objects.filter(status=GapStatus.WEAK).count() == 6
