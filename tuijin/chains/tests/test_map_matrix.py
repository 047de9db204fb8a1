"""Permission matrix of every chain-map page (/chains/) and API route (/api/chains/ chains, nodes, node-enterprises,
status-changes, refresh) (utilities/testing/matrix.py): anonymous → login / 401, no permission → 403, allowed → 200
with the object shown (or the action done), out of scope → 404 or absent, with the control that a user who reaches
the out-of-scope object does get it.

The map itself (chains, nodes, their enterprises, status history, rules) is district-wide catalogue data: ChainNode
and its children declare no `scope_fields`, the permission alone decides, so those rows are `scoped = False`. What is
scoped is what the map links to: leads and projects. Their out-of-scope case is 乙街道's record for 甲街道's users —
absent from the node page, the cockpit and the lists, 404 when linked or unlinked."""

from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tuijin.chains import maintain, services
from tuijin.chains.choices import GapStatus
from tuijin.chains.excel import HEADERS
from tuijin.chains.models import ChainNode, NodeEnterprise, NodeLead, NodeProject
from tuijin.investment.tests.factories import make_lead
from tuijin.projects.choices import Stage
from tuijin.projects.tests.factories import make_project
from tuijin.utilities.excel import workbook_bytes
from tuijin.utilities.testing.matrix import ApiMatrix, ApiPostMatrix, Case, PostMatrix, ViewMatrix

from .test_map_world import fresh, make_chain, make_node

pytestmark = pytest.mark.django_db

CATALOGUE = "the chain map is district-wide catalogue data (ChainNode declares no scope_fields): the permission decides"


def name(obj) -> str:
    return obj.name


@pytest.fixture
def chain(db):
    return make_chain()


@pytest.fixture
def node(chain):
    return make_node(chain, "激光雷达模组", keywords="激光雷达")


@pytest.fixture
def leads(world):
    return (
        make_lead(actor=world.reporter_a, unit=world.unit_a, name="甲街道雷达招商项目"),
        make_lead(actor=world.reporter_b, unit=world.unit_b, name="乙街道雷达招商项目"),
    )


@pytest.fixture
def projects(world, chain):
    return (
        make_project(unit=world.unit_a, name="甲街道光电项目", chain=chain),
        make_project(unit=world.unit_b, name="乙街道光电项目", chain=chain),
    )


@pytest.fixture
def linked_leads(world, node, leads):
    for lead in leads:
        services.lead_link(actor=world.office, node=node, lead=lead)
    return leads


@pytest.fixture
def linked_projects(world, node, projects):
    for project in projects:
        services.project_link(actor=world.office, node=node, project=project)
    return projects


@pytest.fixture
def enterprise(world, node):
    return services.enterprise_add(actor=world.office, node=node, data={"name": "新乡雷达科技有限公司"})


# -- pages: the map (district-wide) ----------------------------------------------------------------------------------


class TestIndex(ViewMatrix):
    url_name = "chains:index"
    detail = False
    scoped = False
    unscoped_reason = CATALOGUE

    @pytest.fixture
    def matrix(self, world, chain, node):
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=chain, marker=name)


class TestMap(ViewMatrix):
    url_name = "chains:map"
    scoped = False
    unscoped_reason = CATALOGUE

    def marker_for(self, case, obj):
        return "激光雷达模组"

    @pytest.fixture
    def matrix(self, world, chain, node):
        return Case(allowed=world.leader, denied=world.sysadmin, in_scope=chain)


class TestMapExport(ViewMatrix):
    url_name = "chains:map_export"
    scoped = False
    unscoped_reason = CATALOGUE

    def marker_for(self, case, obj):
        return "激光雷达模组"

    @pytest.fixture
    def matrix(self, world, chain, node):
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=chain)


class TestNodeList(ViewMatrix):
    url_name = "chains:node_list"
    detail = False
    scoped = False
    unscoped_reason = CATALOGUE

    @pytest.fixture
    def matrix(self, world, node):
        return Case(allowed=world.sponsor, denied=world.norole, in_scope=node, marker=name)


class TestNodeAdd(ViewMatrix):
    url_name = "chains:node_add"
    scoped = False
    unscoped_reason = "an empty form for a node of a chain; " + CATALOGUE

    def marker_for(self, case, obj):
        return obj.name  # the chain's name in the title

    @pytest.fixture
    def matrix(self, world, chain):
        # a unit reads the map but does not draw it
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=chain)


class TestNodeEdit(ViewMatrix):
    url_name = "chains:node_edit"
    scoped = False
    unscoped_reason = CATALOGUE

    @pytest.fixture
    def matrix(self, world, node):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=node, marker=name)


class TestNodeDelete(PostMatrix):
    url_name = "chains:node_delete"
    scoped = False
    unscoped_reason = CATALOGUE

    def data(self, obj, matrix):
        return {"version": obj.version}

    def effect(self, obj, matrix):
        assert not ChainNode.objects.filter(pk=obj.pk).exists()

    @pytest.fixture
    def matrix(self, world, node):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=node)


class TestEnterpriseAdd(ViewMatrix):
    url_name = "chains:enterprise_add"
    scoped = False
    unscoped_reason = CATALOGUE

    @pytest.fixture
    def matrix(self, world, node):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=node, marker=name)


class TestEnterpriseEdit(ViewMatrix):
    url_name = "chains:enterprise_edit"
    scoped = False
    unscoped_reason = CATALOGUE

    @pytest.fixture
    def matrix(self, world, enterprise):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=enterprise, marker=name)


class TestEnterpriseDelete(PostMatrix):
    url_name = "chains:enterprise_delete"
    scoped = False
    unscoped_reason = CATALOGUE

    def data(self, obj, matrix):
        return {"version": obj.version}

    def effect(self, obj, matrix):
        assert not NodeEnterprise.objects.filter(pk=obj.pk).exists()

    @pytest.fixture
    def matrix(self, world, enterprise):
        return Case(allowed=world.office, denied=world.leader, in_scope=enterprise)


class TestProfile(ViewMatrix):
    url_name = "chains:profile"
    scoped = False
    unscoped_reason = "the 链长制 of a chain: " + CATALOGUE

    @pytest.fixture
    def matrix(self, world, chain):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=chain, marker=name)


class TestRules(ViewMatrix):
    url_name = "chains:rules"
    detail = False
    scoped = False
    unscoped_reason = "one row of thresholds for the whole installation"

    def marker_for(self, case, obj):
        return "缺链判定规则"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a)


class TestImport(ViewMatrix):
    url_name = "chains:import"
    detail = False
    scoped = False
    unscoped_reason = "the upload form; " + CATALOGUE

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a)


class TestImportTemplate(ViewMatrix):
    url_name = "chains:import_template"
    detail = False
    scoped = False
    unscoped_reason = "an empty template"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.leader)


class TestImportApply(PostMatrix):
    """确认导入 applies the preview kept in the session: the fetch uploads the file, then confirms."""

    url_name = "chains:import_apply"
    detail = False
    scoped = False
    unscoped_reason = "it writes the rows previewed in the user's session; " + CATALOGUE

    def fetch(self, client, matrix, obj):
        book = openpyxl.Workbook()
        book.active.append(HEADERS)
        book.active.append([obj.name, "", "上游", "导入的光学材料", "玻璃", ""])
        upload = SimpleUploadedFile("n.xlsx", workbook_bytes(book))
        preview = client.post(reverse("chains:import"), {"file": upload})
        token = preview.context.get("token", "") if preview.status_code == 200 and preview.context else ""
        return client.post(self.url_for(obj), {"token": token})

    def effect(self, obj, matrix):
        assert ChainNode.objects.get(chain=obj, name="导入的光学材料").segment == "upstream"

    @pytest.fixture
    def matrix(self, world, chain):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=chain)


# -- pages: what the map links to (scoped) --------------------------------------------------------------------------


class TestNode(ViewMatrix):
    """The node page lists the leads the user may see: 乙's lead is absent for 甲's unit."""

    url_name = "chains:node"
    detail = False

    def url_for(self, obj=None):
        return reverse(self.url_name, args=[self.node.pk])

    @pytest.fixture
    def matrix(self, world, node, linked_leads):
        self.node = node
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=linked_leads[0],
            out_of_scope=linked_leads[1],
            marker=name,
        )


class TestNodeProjects(ViewMatrix):
    """…and the projects the user may see."""

    url_name = "chains:node"
    detail = False

    def url_for(self, obj=None):
        return reverse(self.url_name, args=[self.node.pk])

    @pytest.fixture
    def matrix(self, world, node, linked_projects):
        self.node = node
        return Case(
            allowed=world.reporter_a,
            denied=world.sysadmin,
            in_scope=linked_projects[0],
            out_of_scope=linked_projects[1],
            marker=name,
            viewer=world.reporter_b,
        )


class TestCockpit(ViewMatrix):
    """The cockpit lists the chain's 督办 tasks the user may see."""

    url_name = "chains:cockpit"
    detail = False

    def url_for(self, obj=None):
        return reverse(self.url_name, args=[self.chain.pk])

    @pytest.fixture
    def matrix(self, world, chain, projects):
        from tuijin.supervision.tests.test_api import make_task

        self.chain = chain
        a = make_task(world, world.unit_a, "甲街道光电项目供电督办", projects=[projects[0]])
        b = make_task(world, world.unit_b, "乙街道光电项目用地督办", projects=[projects[1]])
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=a,
            out_of_scope=b,
            marker=lambda t: t.title,
            viewer=world.reporter_b,
        )


class TestLists(ViewMatrix):
    url_name = "chains:lists"
    detail = False

    def url_for(self, obj=None):
        return reverse(self.url_name, args=[self.chain.pk])

    @pytest.fixture
    def matrix(self, world, chain, projects):
        self.chain = chain
        return Case(
            allowed=world.reporter_a,
            denied=world.norole,
            in_scope=projects[0],
            out_of_scope=projects[1],
            marker=name,
            viewer=world.reporter_b,
        )


class TestListsExport(ViewMatrix):
    url_name = "chains:lists_export"
    detail = False

    def url_for(self, obj=None):
        return reverse(self.url_name, args=[self.chain.pk])

    @pytest.fixture
    def matrix(self, world, chain, projects):
        self.chain = chain
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=projects[0],
            out_of_scope=projects[1],
            marker=name,
            viewer=world.reporter_b,
        )


class TestLeadStart(ViewMatrix):
    url_name = "chains:lead_start"
    scoped = False
    unscoped_reason = "an empty lead form for a node; the tracking units offered are the user's (test_map_views)"

    @pytest.fixture
    def matrix(self, world, node):
        # the district leader reads the map but registers no lead
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=node, marker=name)


class _LinkPost(PostMatrix):
    """POST to a node's link URL with the target's id; the target out of scope is 404 and nothing changes."""

    def url_for(self, obj=None):
        return reverse(self.url_name, args=[self.node.pk])

    def data(self, obj, matrix):
        return {"target": obj.pk}


class TestLeadLink(_LinkPost):
    url_name = "chains:lead_link"

    def effect(self, obj, matrix):
        assert NodeLead.objects.get(lead_id=obj.pk).node_id == self.node.pk

    @pytest.fixture
    def matrix(self, world, node, leads):
        self.node = node
        return Case(
            allowed=world.reporter_a,
            denied=world.leader,
            in_scope=leads[0],
            out_of_scope=leads[1],
            viewer=world.reporter_b,
        )


class TestProjectLink(_LinkPost):
    url_name = "chains:project_link"

    def effect(self, obj, matrix):
        assert NodeProject.objects.filter(node=self.node, project_id=obj.pk).exists()

    @pytest.fixture
    def matrix(self, world, node, projects):
        self.node = node
        return Case(
            allowed=world.reporter_a,
            denied=world.leader,
            in_scope=projects[0],
            out_of_scope=projects[1],
            viewer=world.reporter_b,
        )


class _UnlinkPost(PostMatrix):
    def url_for(self, obj=None):
        return reverse(self.url_name, args=[self.node.pk, obj.pk])


class TestLeadUnlink(_UnlinkPost):
    url_name = "chains:lead_unlink"

    def effect(self, obj, matrix):
        assert not NodeLead.objects.filter(lead_id=obj.pk).exists()

    @pytest.fixture
    def matrix(self, world, node, linked_leads):
        self.node = node
        return Case(
            allowed=world.reporter_a,
            denied=world.leader,
            in_scope=linked_leads[0],
            out_of_scope=linked_leads[1],
            viewer=world.reporter_b,
        )


class TestProjectUnlink(_UnlinkPost):
    url_name = "chains:project_unlink"

    def effect(self, obj, matrix):
        assert not NodeProject.objects.filter(node=self.node, project_id=obj.pk).exists()

    @pytest.fixture
    def matrix(self, world, node, linked_projects):
        self.node = node
        return Case(
            allowed=world.reporter_a,
            denied=world.leader,
            in_scope=linked_projects[0],
            out_of_scope=linked_projects[1],
            viewer=world.reporter_b,
        )


# -- API ------------------------------------------------------------------------------------------------------------


class TestApiChainList(ApiMatrix):
    url_name = "chains-api:chain-list"
    detail = False
    scoped = False
    unscoped_reason = CATALOGUE

    @pytest.fixture
    def matrix(self, world, chain, node):
        return Case(allowed=world.reporter_a, denied=world.sysadmin, in_scope=chain, marker=name)


class TestApiChainDetail(ApiMatrix):
    url_name = "chains-api:chain-detail"
    scoped = False
    unscoped_reason = CATALOGUE

    @pytest.fixture
    def matrix(self, world, chain):
        return Case(allowed=world.leader, denied=world.norole, in_scope=chain, marker=name)


class TestApiNodeList(ApiMatrix):
    url_name = "chains-api:node-list"
    detail = False
    scoped = False
    unscoped_reason = CATALOGUE

    @pytest.fixture
    def matrix(self, world, node):
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=node, marker=name)


class TestApiNodeDetail(ApiMatrix):
    url_name = "chains-api:node-detail"
    scoped = False
    unscoped_reason = CATALOGUE

    @pytest.fixture
    def matrix(self, world, node):
        return Case(allowed=world.reporter_a, denied=world.norole, in_scope=node, marker=name)


class TestApiNodeHistory(ApiMatrix):
    url_name = "chains-api:node-history"
    scoped = False
    unscoped_reason = CATALOGUE

    def marker_for(self, case, obj):
        return "本地在产企业 1 家"

    @pytest.fixture
    def matrix(self, world, node, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            services.enterprise_add(actor=world.office, node=node, data={"name": "本地企业"})
        return Case(allowed=world.reporter_a, denied=world.norole, in_scope=node)


class TestApiEnterpriseList(ApiMatrix):
    url_name = "chains-api:node-enterprise-list"
    detail = False
    scoped = False
    unscoped_reason = CATALOGUE

    @pytest.fixture
    def matrix(self, world, enterprise):
        return Case(allowed=world.reporter_a, denied=world.sysadmin, in_scope=enterprise, marker=name)


class TestApiEnterpriseDetail(ApiMatrix):
    url_name = "chains-api:node-enterprise-detail"
    scoped = False
    unscoped_reason = CATALOGUE

    @pytest.fixture
    def matrix(self, world, enterprise):
        return Case(allowed=world.leader, denied=world.norole, in_scope=enterprise, marker=name)


class TestApiStatusChanges(ApiMatrix):
    url_name = "chains-api:status-change-list"
    detail = False
    scoped = False
    unscoped_reason = CATALOGUE

    def marker_for(self, case, obj):
        return "本地在产企业 1 家"

    @pytest.fixture
    def matrix(self, world, node, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            services.enterprise_add(actor=world.office, node=node, data={"name": "本地企业"})
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=node)


class _ApiLink(ApiPostMatrix):
    field = ""

    def url_for(self, obj=None):
        return reverse(self.url_name, args=[self.node.pk])

    def data(self, obj, matrix):
        return {self.field: obj.pk}


class TestApiLinkLead(_ApiLink):
    url_name = "chains-api:node-link-lead"
    field = "lead"

    def effect(self, obj, matrix):
        assert NodeLead.objects.get(lead_id=obj.pk).node_id == self.node.pk

    @pytest.fixture
    def matrix(self, world, node, leads):
        self.node = node
        return Case(
            allowed=world.reporter_a,
            denied=world.norole,
            in_scope=leads[0],
            out_of_scope=leads[1],
            viewer=world.reporter_b,
        )


class TestApiUnlinkLead(_ApiLink):
    url_name = "chains-api:node-unlink-lead"
    field = "lead"

    def effect(self, obj, matrix):
        assert not NodeLead.objects.filter(lead_id=obj.pk).exists()

    @pytest.fixture
    def matrix(self, world, node, linked_leads):
        self.node = node
        # the district leader reads the node but links nothing: the service's 403
        return Case(
            allowed=world.reporter_a,
            denied=world.leader,
            in_scope=linked_leads[0],
            out_of_scope=linked_leads[1],
            viewer=world.reporter_b,
        )


class TestApiLinkProject(_ApiLink):
    url_name = "chains-api:node-link-project"
    field = "project"

    def effect(self, obj, matrix):
        assert NodeProject.objects.filter(node=self.node, project_id=obj.pk).exists()

    @pytest.fixture
    def matrix(self, world, node, projects):
        self.node = node
        return Case(
            allowed=world.reporter_a,
            denied=world.sysadmin,
            in_scope=projects[0],
            out_of_scope=projects[1],
            viewer=world.reporter_b,
        )


class TestApiUnlinkProject(_ApiLink):
    url_name = "chains-api:node-unlink-project"
    field = "project"

    def effect(self, obj, matrix):
        assert not NodeProject.objects.filter(node=self.node, project_id=obj.pk).exists()

    @pytest.fixture
    def matrix(self, world, node, linked_projects):
        self.node = node
        return Case(
            allowed=world.reporter_a,
            denied=world.leader,
            in_scope=linked_projects[0],
            out_of_scope=linked_projects[1],
            viewer=world.reporter_b,
        )


class TestApiRefresh(ApiPostMatrix):
    url_name = "chains-api:refresh-list"
    detail = False
    scoped = False
    unscoped_reason = "recomputes every node of the installation (the rules are one row)"

    def effect(self, obj, matrix):
        assert fresh(obj).status == GapStatus.WEAK

    @pytest.fixture
    def matrix(self, world, node):
        project = make_project(
            unit=world.unit_a, stage=Stage.OPERATING, actual_start=date(2024, 1, 1), actual_finish=date(2024, 9, 1)
        )
        services.project_link(actor=world.office, node=node, project=project)  # no commit here: not yet recomputed
        assert fresh(node).status == GapStatus.GAP
        # a unit reads the map but does not recompute it
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=node)


def test_refresh_answers_the_number_of_changes(client, world, node):
    project = make_project(
        unit=world.unit_a, stage=Stage.OPERATING, actual_start=date(2024, 1, 1), actual_finish=date(2024, 9, 1)
    )
    services.project_link(actor=world.office, node=node, project=project)
    client.force_login(world.office)
    response = client.post(reverse("chains-api:refresh-list"), content_type="application/json")
    assert response.json() == {"changed": 1}
    assert maintain.refresh(None) == 0
