"""Query budgets of the chain map: the 链长 cockpit (the selector the bench calls with 100,000 projects), the map,
the node page, the lists and the index run a fixed number of queries whatever the number of nodes, links, leads,
projects, tickets and 督办 tasks."""

import pytest
from django.urls import reverse

from tuijin.chains import selectors, services
from tuijin.chains.models import ChainProfile
from tuijin.investment.tests.factories import make_lead
from tuijin.projects.tests.factories import make_project
from tuijin.supervision.tests.test_api import make_task
from tuijin.tickets.tests.factories import make_ticket
from tuijin.utilities.testing.queries import count_queries

from .test_map_world import make_chain, make_node

pytestmark = pytest.mark.django_db

COCKPIT_BUDGET = 20


def grow(world, chain, count: int, start: int) -> None:
    """`count` more top-level nodes, each with a sub-link, an enterprise, a lead, a project, a ticket and a task."""
    for i in range(start, start + count):
        node = make_node(chain, f"环节{i}", "midstream")
        child = make_node(chain, f"子环节{i}", parent=node)
        services.enterprise_add(actor=world.office, node=child, data={"name": f"本地企业{i}", "role": "leader"})
        lead = make_lead(actor=world.reporter_a, unit=world.unit_a, name=f"招商项目{i}")
        services.lead_link(actor=world.office, node=child, lead=lead)
        project = make_project(unit=world.unit_a, name=f"链上项目{i}", chain=chain, locality=world.unit_a)
        services.project_link(actor=world.office, node=node, project=project)
        make_ticket(actor=world.reporter_a, project=project, category="labour")
        make_task(world, title=f"督办{i}", projects=[project], leads=[lead])


@pytest.fixture
def chain(world):
    chain = make_chain()
    ChainProfile.objects.create(chain=chain, leader=world.leader_person, lead_unit=world.office_unit, fill_target=3)
    return chain


def _cockpit_queries(chain, user) -> int:
    from tuijin.users.models import User

    user = User.objects.get(pk=user.pk)  # cold: nothing cached on the user object
    with count_queries() as counted:
        data = selectors.cockpit(chain, user)
    assert data["node_total"] > 0
    return counted.count


def test_the_cockpit_runs_a_fixed_number_of_queries(world, chain):
    grow(world, chain, 2, 0)
    small = {u.username: _cockpit_queries(chain, u) for u in (world.office, world.reporter_a, world.leader)}
    grow(world, chain, 6, 2)
    large = {u.username: _cockpit_queries(chain, u) for u in (world.office, world.reporter_a, world.leader)}
    assert small == large, (small, large)
    assert max(large.values()) <= COCKPIT_BUDGET, large
    data = selectors.cockpit(chain, world.office)
    assert data["ticket_total"] == 8 and data["task_total"] == 8 and data["project_total"] == 8
    assert len(data["lead_rows"]) == 8


def _page_queries(client, url) -> int:
    with count_queries() as counted:
        response = client.get(url)
    assert response.status_code == 200
    return counted.count


def test_pages_do_not_grow_with_rows(client, world, chain):
    grow(world, chain, 2, 0)
    client.force_login(world.office)
    child = chain.nodes.filter(parent__isnull=False).first()
    urls = {
        "index": reverse("chains:index"),
        "map": reverse("chains:map", args=[chain.pk]),
        "cockpit": reverse("chains:cockpit", args=[chain.pk]),
        "lists": reverse("chains:lists", args=[chain.pk]),
        "node_list": reverse("chains:node_list") + f"?chain={chain.pk}",
        "map_export": reverse("chains:map_export", args=[chain.pk]),
    }
    small = {key: _page_queries(client, url) for key, url in urls.items()}
    _page_queries(client, reverse("chains:node", args=[child.pk]))  # warms the content-type cache of the history
    node_small = _page_queries(client, reverse("chains:node", args=[child.pk]))
    grow(world, chain, 6, 2)
    large = {key: _page_queries(client, url) for key, url in urls.items()}
    assert small == large, (small, large)
    assert large["map"] <= 15, large
    # a node with more leads and projects on it: the same number of queries
    for i in range(4):
        lead = make_lead(actor=world.reporter_a, unit=world.unit_a, name=f"同环节招商项目{i}")
        services.lead_link(actor=world.office, node=child, lead=lead)
        services.project_link(actor=world.office, node=child, project=make_project(unit=world.unit_a, chain=chain))
    assert _page_queries(client, reverse("chains:node", args=[child.pk])) == node_small
