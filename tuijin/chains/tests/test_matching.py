"""政产学研 matching (matching.py): the worked example of docs/subsystems/chains-universities.md (score and terms),
the 1-point shared words, gap nodes ranked before 优势 ones, the 技术/人才 category filter, the caller's scope, and
the 诉求 still waiting for a cooperation. Also the helpers the other 政产学研 tests build their data with."""

import pytest

from tuijin.chains import matching
from tuijin.chains.choices import GapStatus, ResourceKind
from tuijin.chains.models import ChainNode, Cooperation, University, UniversityResource
from tuijin.projects.models import IndustryChain
from tuijin.tickets.choices import TicketCategory, TicketStatus
from tuijin.tickets.models import CategorySLA, Ticket
from tuijin.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

EXAMPLE_KEYWORDS = "光学薄膜、智能传感、激光加工"
EXAMPLE_FIELD = "光电检测"


# -- helpers (imported by the other test modules) -------------------------------------------------------------------


def university(name: str = "河南工学院") -> University:
    return University.objects.get(name=name)


def chain(name: str = "光电信息") -> IndustryChain:
    return IndustryChain.objects.get_or_create(name=name)[0]


def node(name: str, keywords: str = "", *, status: str = GapStatus.GAP, chain_name: str = "光电信息") -> ChainNode:
    created = ChainNode.objects.create(chain=chain(chain_name), segment="midstream", name=name, keywords=keywords)
    ChainNode.objects.filter(pk=created.pk).update(status=status)  # the status is computed; set it for the test
    created.refresh_from_db()
    return created


def resource(
    name: str = "光电薄膜与智能传感团队",
    keywords: str = EXAMPLE_KEYWORDS,
    field: str = EXAMPLE_FIELD,
    *,
    kind: str = ResourceKind.TEAM,
    school: str = "河南工学院",
    active: bool = True,
) -> UniversityResource:
    return UniversityResource.objects.create(
        university=university(school), kind=kind, name=name, keywords=keywords, field=field, is_active=active
    )


def tech_category() -> str:
    CategorySLA.objects.get_or_create(category="tech", defaults={"name": "技术攻关", "sort_order": 200})
    return "tech"


def tech_ticket(actor, enterprise, *, title="光学镀膜良率低，寻求技术合作", category=None, **fields) -> Ticket:
    return make_ticket(
        actor=actor,
        enterprise=enterprise,
        title=title,
        category=category or tech_category(),
        description=fields.pop("description", "公司光学薄膜产品镀膜良率不足80%，希望与高校合作改进工艺。"),
        **fields,
    )


# -- the score ------------------------------------------------------------------------------------------------------


def test_the_worked_example_scores_four_on_two_terms():
    """Resource 光学薄膜、智能传感、激光加工 (研究方向 光电检测) × node 光学元件 (光学薄膜, 镀膜, 智能传感器):
    光学薄膜 equals a node term (2), 智能传感 is inside 智能传感器 (2); the shared words 光学, 薄膜, 智能, 传感 are
    inside those terms and do not count again."""
    example = resource()
    target = node("光学元件", "光学薄膜, 镀膜, 智能传感器")
    [match] = matching.resources_for_node(target)
    assert match.resource == example
    assert match.score == 4
    assert match.terms == ("光学薄膜", "智能传感")
    assert match.explanation == "匹配：光学薄膜、智能传感"


def test_shared_words_count_one_each():
    example = matching.resource_profile(UniversityResource(keywords=EXAMPLE_KEYWORDS, field=EXAMPLE_FIELD))
    target = matching.node_profile(ChainNode(name="光学镀膜设备", keywords="真空镀膜, 激光器"))
    assert matching.score(example, target) == (2, ("光学", "激光"))


def test_the_field_is_a_term_and_case_and_width_do_not_matter():
    example = matching.resource_profile(UniversityResource(keywords="ＭＥＭＳ传感器", field="光电检测"))
    assert matching.score(example, matching.node_profile(ChainNode(name="光电检测仪器")))[0] == 2
    assert matching.score(example, matching.node_profile(ChainNode(name="mems传感器封装")))[1] == ("MEMS传感器",)


def test_stopwords_and_single_characters_do_not_count():
    example = matching.resource_profile(UniversityResource(keywords="技术、研究、人才", field="企业服务"))
    target = matching.node_profile(ChainNode(name="技术服务", keywords="研究, 人才"))
    assert matching.score(example, target) == (0, ())
    assert matching.split_terms("光, 光学；薄膜  镀膜/激光") == ["光学", "薄膜", "镀膜", "激光"]


def test_a_ticket_term_is_a_resource_term_found_in_its_text():
    example = resource()
    ticket = Ticket(
        title="光学镀膜良率低，寻求技术合作",
        description="公司光学薄膜产品镀膜良率不足80%，希望与高校合作改进工艺，并培养检测人才。",
        help_requested="对接高校光电团队",
    )
    [match] = matching.resources_for_ticket(ticket)
    assert match.resource == example
    assert (match.score, match.terms) == (4, ("光学薄膜", "光电", "检测"))


# -- ranking --------------------------------------------------------------------------------------------------------


def test_gap_nodes_rank_before_strong_ones():
    example = resource()
    strong = node("光学薄膜", "光学薄膜, 智能传感, 激光加工", status=GapStatus.STRONG)  # 6 points, but 优势
    weak = node("光学镀膜设备", "真空镀膜, 激光器", status=GapStatus.WEAK)  # 2 points
    gap = node("光学元件", "光学薄膜, 智能传感器", status=GapStatus.GAP)  # 4 points
    node("精密数控机床", "数控系统")  # no match: not listed
    example.nodes.add(gap)
    ranked = matching.nodes_for_resource(example)
    assert [(m.node, m.score) for m in ranked] == [(gap, 4), (weak, 2), (strong, 6)]
    assert [m.is_gap for m in ranked] == [True, True, False]
    assert [m.linked for m in ranked] == [True, False, False]
    assert [m.node for m in matching.nodes_for_resource(example, limit=1)] == [gap]


def test_resources_are_ranked_by_score_and_inactive_ones_left_out():
    best = resource()
    other = resource("激光加工实验室", "激光加工、激光器", "", kind=ResourceKind.LAB, school="河南科技学院")
    resource("旧团队", EXAMPLE_KEYWORDS, EXAMPLE_FIELD, school="新乡学院", active=False)
    target = node("光学元件", "光学薄膜, 智能传感器, 激光加工")
    ranked = matching.resources_for_node(target)
    assert [(m.resource, m.score) for m in ranked] == [(best, 6), (other, 2)]


# -- 技术/人才 诉求 ---------------------------------------------------------------------------------------------------


def test_only_open_tech_and_talent_tickets_of_the_callers_scope(world):
    example = resource()
    tech = tech_ticket(world.reporter_a, world.enterprise_a)
    talent = tech_ticket(
        world.reporter_a, world.enterprise_a, title="急需光学薄膜工艺人才", category=TicketCategory.LABOUR
    )
    tech_ticket(world.reporter_a, world.enterprise_a, title="光学薄膜厂房用地", category=TicketCategory.LAND)
    tech_ticket(world.reporter_a, world.enterprise_a, title="光学薄膜已解决", status=TicketStatus.RESOLVED)
    other_unit = tech_ticket(world.reporter_b, world.enterprise_b, title="乙街道光学薄膜诉求")
    assert set(matching.talent_categories()) >= {"tech", "labour"}
    assert "land" not in matching.talent_categories()
    found = matching.tickets_for_resource(example, world.reporter_a)
    assert {m.ticket for m in found} == {tech, talent}
    assert all(m.score >= 2 and "光学薄膜" in m.terms for m in found)
    assert {m.ticket for m in matching.tickets_for_resource(example, world.reporter_b)} == {other_unit}
    assert {m.ticket for m in matching.tickets_for_resource(example, world.office)} == {tech, talent, other_unit}
    assert {m.ticket for m in matching.tickets_for_resource(example, world.ent_user_b)} == {other_unit}  # its own
    assert matching.tickets_for_resource(example, world.sysadmin) == []  # no permission to read 诉求


def test_a_category_named_like_tech_counts_when_the_office_adds_it(world):
    resource()
    CategorySLA.objects.create(category="rd_help", name="研发合作", sort_order=300)
    ticket = tech_ticket(world.reporter_a, world.enterprise_a, category="rd_help")
    assert "rd_help" in matching.talent_categories()
    assert [m.ticket for m in matching.tickets_for_resource(UniversityResource.objects.get(), world.reporter_a)] == [
        ticket
    ]


def test_pending_tickets_need_a_strong_match_and_no_cooperation(world):
    example = resource()
    waiting = tech_ticket(world.reporter_a, world.enterprise_a)
    served = tech_ticket(world.reporter_a, world.enterprise_a, title="光学薄膜检测合作")
    tech_ticket(world.reporter_a, world.enterprise_a, title="厂区绿化", description="厂区绿化提升改造")
    Cooperation.objects.create(
        resource=example,
        kind="visit",
        happened_on="2026-01-05",
        enterprise_name="甲企业有限公司",
        ticket=served,
        summary="走访对接",
    )
    pending = matching.pending_tickets(world.reporter_a)
    assert [p.ticket for p in pending] == [waiting]
    assert pending[0].resources[0].resource == example and pending[0].score >= matching.STRONG_SCORE
    assert matching.pending_tickets(world.reporter_b) == []


def test_matching_reads_the_resources_once(world, django_assert_max_num_queries):
    for i in range(30):
        resource(f"团队{i}", f"光学薄膜{i}、智能传感、激光加工", "光电检测")
    target = node("光学元件", "光学薄膜, 智能传感器")
    with django_assert_max_num_queries(1):
        assert len(matching.resources_for_node(target, limit=5)) == 5
    for _i in range(5):
        tech_ticket(world.reporter_a, world.enterprise_a)
    with django_assert_max_num_queries(3):
        assert len(matching.pending_tickets(world.reporter_a)) == 5
