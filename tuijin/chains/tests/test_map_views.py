"""Chain-map pages: each renders for the roles that may see it (403 for the others); the map, node page, cockpit and
lists show what the map holds; refused input is shown again (400) in Chinese with what was typed; a stale version is
the conflict page (409); linking a lead or project outside the user's scope is 404; a lead started from a node is
one transaction; the exports neutralise formulas; the import previews its row errors and writes all or nothing; the
home page's to-do counts equal the list it links to; query budgets do not grow with rows."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tuijin.chains import services
from tuijin.chains.attention import chains_attention
from tuijin.chains.choices import GapStatus
from tuijin.chains.excel import HEADERS
from tuijin.chains.models import ChainNode, ChainProfile, NodeEnterprise, NodeLead, NodeProject
from tuijin.core.models import AuditEvent
from tuijin.investment.models import Lead
from tuijin.investment.tests.factories import make_lead
from tuijin.org.choices import Role
from tuijin.projects.choices import Stage
from tuijin.projects.tests.factories import make_project
from tuijin.utilities.excel import workbook_bytes
from tuijin.utilities.testing.matrix import xlsx_text
from tuijin.utilities.testing.world import make_user

from .test_map_world import fresh, make_chain, make_node

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return call


@pytest.fixture
def chain(db):
    return make_chain()


@pytest.fixture
def nodes(run, chain):
    """光学元件 (上游) with its sub-link 镜头, 激光雷达模组 (中游), 车载应用 (下游)."""
    optics = run(make_node, chain, "光学元件", "upstream", keywords="光学 镜片")
    lens = run(make_node, chain, "镜头", parent=optics)
    lidar = run(make_node, chain, "激光雷达模组", "midstream")
    car = run(make_node, chain, "车载应用", "downstream")
    return optics, lens, lidar, car


@pytest.fixture
def staff(world):
    return make_user("zs_a", role=Role.INVESTMENT_STAFF, unit=world.unit_a)


def test_pages_render_for_readers_and_refuse_the_others(client, world, chain, nodes):
    optics, lens, *_ = nodes
    pages = [
        reverse("chains:index"),
        reverse("chains:map", args=[chain.pk]),
        reverse("chains:cockpit", args=[chain.pk]),
        reverse("chains:lists", args=[chain.pk]),
        reverse("chains:node", args=[lens.pk]),
        reverse("chains:node_list") + "?status=gap",
    ]
    for user in (world.office, world.reporter_a, world.leader, world.sponsor):
        client.force_login(user)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, (user.username, url, response.status_code)
    for user in (world.ent_user_a, world.sysadmin, world.norole):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 403, (user.username, url)


def test_the_map_shows_the_tree_the_table_and_the_legend(client, world, run, chain, nodes):
    optics, lens, lidar, car = nodes
    run(services.enterprise_add, actor=world.office, node=lidar, data={"name": "本地雷达企业"})
    client.force_login(world.reporter_a)
    response = client.get(reverse("chains:map", args=[chain.pk]))
    html = response.content.decode()
    tree = response.context["tree"]
    data = tree["echarts"]
    assert [s["name"] for s in data["children"]] == ["上游", "中游", "下游"]
    upstream = data["children"][0]["children"][0]
    assert upstream["name"] == "光学元件" and upstream["children"][0]["name"] == "镜头"
    assert upstream["children"][0]["url"] == reverse("chains:node", args=[lens.pk])
    midstream = data["children"][1]["children"][0]
    assert midstream["itemStyle"]["color"] == "#f0ad4e" and midstream["status"] == "薄弱"
    assert "企业1" in midstream["counts"]
    assert tree["counts"] == {"gap": 3, "weak": 1, "strong": 0}
    assert 'id="tj-chain-data"' in html and "echarts.min.js" in html
    assert 'id="tj-chain-legend"' in html and "tj-gap-weak" in html
    table = html[html.index('id="tj-chain-table"') :]
    for node in nodes:
        assert f'data-node="{node.pk}"' in table
    assert "size: A4 landscape" in html  # prints on one landscape page
    assert 'id="tj-node-add"' not in html  # the unit reads the map, it does not draw it
    client.force_login(world.office)
    assert 'id="tj-node-add"' in client.get(reverse("chains:map", args=[chain.pk])).content.decode()


def test_the_node_page_shows_status_history_and_only_the_records_in_scope(client, world, run, chain, nodes):
    lidar = nodes[2]
    lead_a = make_lead(actor=world.reporter_a, unit=world.unit_a, name="甲街道雷达项目")
    lead_b = make_lead(actor=world.reporter_b, unit=world.unit_b, name="乙街道雷达项目")
    run(services.lead_link, actor=world.office, node=lidar, lead=lead_a)
    run(services.lead_link, actor=world.office, node=lidar, lead=lead_b)
    project = make_project(
        unit=world.unit_b,
        name="乙街道投产项目",
        stage=Stage.OPERATING,
        actual_start=date(2024, 1, 1),
        actual_finish=date(2024, 10, 1),
    )
    run(services.project_link, actor=world.office, node=lidar, project=project)

    client.force_login(world.reporter_a)
    response = client.get(reverse("chains:node", args=[lidar.pk]))
    html = response.content.decode()
    assert "甲街道雷达项目" in html and "乙街道雷达项目" not in html and "乙街道投产项目" not in html
    assert response.context["hidden_leads"] == 1 and response.context["hidden_projects"] == 1
    # the counts are the district's: the status basis
    assert 'id="tj-node-status-badge">薄弱' in html.replace('class="badge fs-6 tj-gap-weak" ', "")
    assert "已投产项目 1 个" in html
    assert ".tj-gap-weak { background: #f0ad4e" in html  # the badges have their colours
    history = response.context["status_history"]
    assert [(h.from_status, h.to_status) for h in history] == [(GapStatus.GAP, GapStatus.WEAK)]
    # the history says what kind of change it was; the name of a project out of the unit's scope is not shown
    assert 'id="tj-node-history"' in html and "<td>关联重点项目</td>" in html
    assert 'id="tj-node-universities"' in html  # the 政产学研 panel
    assert "node_matches" in response.context
    # the unit may link its own leads, not start or draw
    assert 'id="tj-lead-link"' in html and 'id="tj-node-edit"' not in html

    client.force_login(world.office)
    html = client.get(reverse("chains:node", args=[lidar.pk])).content.decode()
    assert "乙街道雷达项目" in html and "乙街道投产项目" in html
    assert "关联重点项目「乙街道投产项目」" in html


def test_node_forms_refuse_bad_input_in_chinese_and_keep_it(client, world, chain, nodes):
    optics, lens, lidar, car = nodes
    client.force_login(world.office)
    url = reverse("chains:node_add", args=[chain.pk])
    response = client.post(url, {"name": "激光雷达模组", "segment": "midstream", "sort_order": 100})
    assert response.status_code == 400
    assert "该产业链已有同名环节" in response.content.decode()
    assert 'value="激光雷达模组"' in response.content.decode()
    response = client.post(url, {"name": "", "segment": "upstream", "sort_order": 100})
    assert response.status_code == 400 and "请填写环节名称" in response.content.decode()

    other = make_node(make_chain("智能制造"), "机器人本体")
    response = client.post(url, {"name": "跨链子环节", "segment": "upstream", "parent": other.pk, "sort_order": 1})
    assert response.status_code == 400 and not ChainNode.objects.filter(name="跨链子环节").exists()

    response = client.post(url, {"name": "非球面镜片", "segment": "downstream", "parent": optics.pk, "sort_order": 5})
    created = ChainNode.objects.get(name="非球面镜片")
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert created.parent == optics and created.segment == "upstream"  # a sub-link sits where its parent sits

    edit = reverse("chains:node_edit", args=[optics.pk])
    response = client.post(
        edit, {"name": "光学元件", "segment": "upstream", "parent": lens.pk, "sort_order": 1, "version": optics.version}
    )
    assert response.status_code == 400  # its own sub-link cannot be its parent
    response = client.post(
        edit, {"name": "光学器件", "segment": "midstream", "sort_order": 1, "version": optics.version}
    )
    assert response.status_code == 302
    assert fresh(optics).name == "光学器件" and fresh(lens).segment == "midstream"  # the sub-links follow
    response = client.post(
        edit, {"name": "光学元件2", "segment": "midstream", "sort_order": 1, "version": optics.version}
    )
    assert response.status_code == 409 and "光学元件2" in response.content.decode()
    assert fresh(optics).name == "光学器件"

    delete = reverse("chains:node_delete", args=[optics.pk])
    response = client.post(delete, {"version": fresh(optics).version}, follow=True)
    assert "该环节还有下级环节" in response.content.decode() and ChainNode.objects.filter(pk=optics.pk).exists()
    response = client.post(reverse("chains:node_delete", args=[car.pk]), {"version": car.version})
    assert response.status_code == 302 and not ChainNode.objects.filter(pk=car.pk).exists()

    client.force_login(world.reporter_a)
    assert client.get(url).status_code == 403
    assert client.post(reverse("chains:node_delete", args=[lidar.pk]), {"version": lidar.version}).status_code == 403


def test_enterprises_add_edit_remove_with_locking(client, world, run, nodes):
    lidar = nodes[2]
    client.force_login(world.office)
    add = reverse("chains:enterprise_add", args=[lidar.pk])
    response = client.post(add, {"name": "区外链主", "role": "leader", "is_local": ""})
    assert response.status_code == 400 and "链主企业应为本地企业" in response.content.decode()
    response = client.post(add, {"name": "", "role": "local"})
    assert response.status_code == 400 and "请填写企业名称" in response.content.decode()
    response = client.post(
        add, {"name": "新乡雷达科技", "role": "leader", "is_local": "on", "in_production": "on", "credit_code": "123"}
    )
    assert response.status_code == 400 and 'value="新乡雷达科技"' in response.content.decode()
    response = client.post(add, {"name": "新乡雷达科技", "role": "leader", "is_local": "on", "in_production": "on"})
    assert response.status_code == 302
    row = NodeEnterprise.objects.get(name="新乡雷达科技")
    edit = reverse("chains:enterprise_edit", args=[row.pk])
    response = client.post(
        edit,
        {"name": "新乡雷达科技股份", "role": "leader", "is_local": "on", "in_production": "on", "version": row.version},
    )
    assert response.status_code == 302
    response = client.post(edit, {"name": "旧版本的名称", "role": "leader", "is_local": "on", "version": row.version})
    assert response.status_code == 409 and "旧版本的名称" in response.content.decode()
    remove = reverse("chains:enterprise_delete", args=[row.pk])
    response = client.post(remove, {"version": row.version}, follow=True)
    assert "未移除" in response.content.decode() and NodeEnterprise.objects.filter(pk=row.pk).exists()
    response = client.post(remove, {"version": row.version + 1})
    assert response.status_code == 302 and not NodeEnterprise.objects.filter(pk=row.pk).exists()


def test_linking_leads_and_projects_respects_scope_and_one_node_per_lead(client, world, run, nodes, staff):
    optics, lens, lidar, car = nodes
    mine = make_lead(actor=staff, unit=world.unit_a, name="甲街道镜头项目")
    theirs = make_lead(actor=world.reporter_b, unit=world.unit_b, name="乙街道镜头项目")
    client.force_login(staff)
    link = reverse("chains:lead_link", args=[lens.pk])
    assert client.post(link, {"target": theirs.pk}).status_code == 404
    assert not NodeLead.objects.exists()
    response = client.post(link, {"target": mine.pk}, follow=True)
    assert "已关联本环节" in response.content.decode()
    assert NodeLead.objects.get(lead=mine).node == lens
    response = client.post(reverse("chains:lead_link", args=[lidar.pk]), {"target": mine.pk}, follow=True)
    assert "已关联环节“镜头”" in response.content.decode() and NodeLead.objects.get(lead=mine).node == lens
    assert client.post(reverse("chains:lead_unlink", args=[lens.pk, theirs.pk])).status_code == 404
    response = client.post(reverse("chains:lead_unlink", args=[lens.pk, mine.pk]))
    assert response.status_code == 302 and not NodeLead.objects.exists()

    project_b = make_project(unit=world.unit_b, name="乙街道项目")
    project_a = make_project(unit=world.unit_a, name="甲街道项目")
    client.force_login(world.reporter_a)
    plink = reverse("chains:project_link", args=[lens.pk])
    assert client.post(plink, {"target": project_b.pk}).status_code == 404
    assert client.post(plink, {"target": project_a.pk}).status_code == 302
    assert NodeProject.objects.filter(node=lens, project=project_a).exists()
    assert client.post(reverse("chains:project_unlink", args=[lens.pk, project_b.pk])).status_code == 404
    client.force_login(world.leader)  # reads every node, links nothing
    assert client.post(reverse("chains:project_unlink", args=[lens.pk, project_a.pk])).status_code == 403


def test_a_lead_started_from_a_node_is_created_and_linked_in_one_step(client, world, run, chain, nodes, staff):
    lidar = nodes[2]
    client.force_login(staff)
    url = reverse("chains:lead_start", args=[lidar.pk])
    page = client.get(url)
    assert page.status_code == 200 and "光电信息" in page.content.decode()
    response = client.post(url, {"name": "", "investor": "某光学集团", "tracking_unit": world.unit_a.pk})
    assert response.status_code == 400 and "请填写项目名称" in response.content.decode()
    assert 'value="某光学集团"' in response.content.decode() and not Lead.objects.exists()
    other = make_chain("智能制造")
    response = client.post(
        url,
        {
            "name": "激光雷达整机项目",
            "investor": "某光学集团",
            "tracking_unit": world.unit_a.pk,
            "planned_investment": "3亿元",
            "chain": other.pk,  # ignored: the node's chain
        },
    )
    lead = Lead.objects.get(name="激光雷达整机项目")
    assert response.status_code == 302 and response["Location"] == lead.get_absolute_url()
    assert lead.chain == chain and lead.tracking_unit == world.unit_a and lead.stage == "negotiating"
    assert NodeLead.objects.get(lead=lead).node == lidar
    # outside the unit's scope: refused, nothing created (neither the lead nor the link)
    response = client.post(url, {"name": "乙街道的项目", "investor": "某集团", "tracking_unit": world.unit_b.pk})
    assert response.status_code == 400 and not Lead.objects.filter(name="乙街道的项目").exists()
    assert NodeLead.objects.count() == 1
    client.force_login(world.leader)
    assert client.get(url).status_code == 403


def test_profile_and_rules(client, world, run, chain, nodes):
    client.force_login(world.office)
    url = reverse("chains:profile", args=[chain.pk])
    response = client.post(
        url,
        {
            "leader": world.leader_person.pk,
            "lead_unit": world.office_unit.pk,
            "task_force": [world.unit_a.pk, world.unit_b.pk],
            "fill_target": "-1",
            "version": 0,
        },
    )
    assert response.status_code == 400
    response = client.post(
        url,
        {
            "leader": world.leader_person.pk,
            "lead_unit": world.office_unit.pk,
            "task_force": [world.unit_a.pk, world.unit_b.pk],
            "fill_target": 3,
            "version": 0,
        },
    )
    assert response.status_code == 302
    profile = ChainProfile.objects.get(chain=chain)
    assert profile.leader == world.leader_person and profile.fill_target == 3 and profile.task_force.count() == 2
    response = client.post(url, {"leader": world.leader_person.pk, "fill_target": 5, "version": 0})
    assert response.status_code == 409
    html = client.get(reverse("chains:cockpit", args=[chain.pk])).content.decode()
    assert "测试副区长" in html and "甲街道办事处" in html

    lidar = nodes[2]
    run(services.enterprise_add, actor=world.office, node=lidar, data={"name": "本地企业甲"})
    rules = reverse("chains:rules")
    html = client.get(rules).content.decode()
    assert "本地在产主体不少于 3 个" in html and 'id="tj-rules-form"' in html
    response = client.post(rules, {"strong_min": 0, "version": 1})
    assert response.status_code == 400 and "优势门槛至少为 1" in response.content.decode()
    response = client.post(rules, {"strong_min": 1, "version": 1})
    assert response.status_code == 302
    client.force_login(world.reporter_a)
    assert client.get(rules).status_code == 403
    client.force_login(world.office)
    assert client.post(rules, {"strong_min": 2, "version": 1}).status_code == 409


def test_saving_the_rules_recomputes_every_node(client, world, run, nodes, django_capture_on_commit_callbacks):
    lidar = nodes[2]
    run(services.enterprise_add, actor=world.office, node=lidar, data={"name": "本地企业甲"})
    assert fresh(lidar).status == GapStatus.WEAK
    client.force_login(world.office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("chains:rules"), {"strong_min": 1, "version": 1})
    assert response.status_code == 302
    assert fresh(lidar).status == GapStatus.STRONG


def test_cockpit_and_lists_are_generated_from_the_map(client, world, run, chain, nodes):
    from tuijin.supervision.tests.test_api import make_task  # noqa: PLC0415

    optics, lens, lidar, car = nodes
    ChainProfile.objects.create(chain=chain, leader=world.leader_person, lead_unit=world.office_unit, fill_target=4)
    run(
        services.enterprise_add,
        actor=world.office,
        node=lidar,
        data={"name": "雷达链主公司", "role": "leader", "products": "激光雷达"},
    )
    run(
        services.enterprise_add,
        actor=world.office,
        node=car,
        data={"name": "外地整车厂", "role": "supplier", "is_local": False},
    )
    lead = make_lead(actor=world.reporter_a, unit=world.unit_a, name="甲街道镜头招商项目")
    run(services.lead_link, actor=world.office, node=lens, lead=lead)
    project = make_project(unit=world.unit_a, name="甲街道光电产业园项目", chain=chain, locality=world.unit_a)
    task = make_task(world, title="协调光电产业园用电", projects=[project])
    client.force_login(world.office)
    context = client.get(reverse("chains:cockpit", args=[chain.pk])).context
    assert context["status_counts"] == {"gap": 3, "weak": 1, "strong": 0}
    assert context["filled"] == 1 and context["fill_target"] == 4 and context["fill_pct"] == 25
    assert [n.name for n in context["filled_nodes"]] == ["激光雷达模组"]
    assert [(r.node.name, r.total) for r in context["lead_rows"]] == [("镜头", 1)]
    assert context["lead_rows"][0].path == "光学元件/镜头"
    assert [t.pk for t in context["tasks"]] == [task.pk] and context["task_total"] == 1

    response = client.get(reverse("chains:lists", args=[chain.pk]))
    context = response.context
    assert [m.title for m in context["matters"]] == [f"{task.number} 协调光电产业园用电"]
    assert [(p.name, p.projects) for p in context["parks"]] == [("甲街道办事处", 1)]
    names = [e.name for e in context["enterprises"]]
    assert names[0] == "雷达链主公司" and "外地整车厂" in names and project.owner_name in names
    assert [p.name for p in context["projects"]] == ["甲街道光电产业园项目"]
    assert [lead.name for lead in context["leads"]] == ["甲街道镜头招商项目"]
    assert [s.title for s in context["shortages"]][:3] == ["光学元件", "镜头", "车载应用"]

    client.force_login(world.reporter_b)  # the unit of 乙 sees none of 甲's records
    context = client.get(reverse("chains:lists", args=[chain.pk])).context
    assert context["projects"] == [] and context["leads"] == [] and context["matters"] == []
    context = client.get(reverse("chains:cockpit", args=[chain.pk])).context
    assert context["status_counts"]["weak"] == 1  # the counts are district-wide
    assert context["lead_rows"] == [] and context["tasks"] == []


def test_exports_are_audited_and_neutralise_formulas(client, world, run, chain, nodes):
    lidar = nodes[2]
    run(services.enterprise_add, actor=world.office, node=lidar, data={"name": '=HYPERLINK("x")', "products": "+1"})
    services.node_update(
        actor=world.office, node=fresh(lidar), version=fresh(lidar).version, data={"keywords": "=cmd|'/c calc'!A1"}
    )
    client.force_login(world.office)
    response = client.get(reverse("chains:map_export", args=[chain.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    values = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "'=cmd|'/c calc'!A1" in values and "光学元件/镜头" in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    response = client.get(reverse("chains:lists_export", args=[chain.pk]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["重点事项", "重点园区", "重点企业", "重点项目", "重点创新平台", "重点短板需求"]
    text = xlsx_text(response.content)
    assert "'=HYPERLINK" in text and "\n=" not in text
    assert AuditEvent.objects.filter(event_type="export").count() == 2
    client.force_login(world.ent_user_a)
    assert client.get(reverse("chains:map_export", args=[chain.pk])).status_code == 403


def _upload(rows, headers=HEADERS):
    book = openpyxl.Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    return SimpleUploadedFile("nodes.xlsx", workbook_bytes(book))


def test_import_previews_row_errors_and_writes_all_or_nothing(client, world, run, chain, nodes):
    client.force_login(world.office)
    url = reverse("chains:import")
    bad = _upload(
        [
            ["光电信息", "", "上游", "光学材料", "玻璃 晶体", ""],
            ["不存在的链", "", "上游", "某环节", "", ""],
            ["光电信息", "不存在/路径", "", "孤儿", "", ""],
            ["光电信息", "", "左游", "错链位", "", ""],
            ["光电信息", "", "", "缺链位", "", ""],
            ["光电信息", "", "上游", "光学材料", "", ""],
        ]
    )
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    messages = [m for _line, m in response.context["check"].errors]
    assert any("第3行" in m and "不存在的链" in m for m in messages)
    assert any("第4行" in m and "上级环节“不存在/路径”" in m for m in messages)
    assert any("第5行" in m and "链位应为" in m for m in messages)
    assert any("第6行" in m and "一级环节请填写链位" in m for m in messages)
    assert any("第7行" in m and "与第2行重复" in m for m in messages)
    assert "token" not in response.context and not ChainNode.objects.filter(name="光学材料").exists()

    good = _upload(
        [
            ["光电信息", "", "上游", "光学材料", "玻璃 晶体", "新增一级环节"],
            ["光电信息", "光学材料", "", "光学玻璃", "玻璃", ""],
            ["光电信息", "光学元件/镜头", "", "手机镜头", "", ""],
            ["光电信息", "光学元件", "", "镜头", "镜头 模组", "更新已有环节"],
        ]
    )
    response = client.post(url, {"file": good})
    assert response.status_code == 200 and response.context["check"].ok
    token = response.context["token"]
    response = client.post(reverse("chains:import_apply"), {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("chains:map", args=[chain.pk])
    glass = ChainNode.objects.get(name="光学玻璃")
    assert glass.parent.name == "光学材料" and glass.segment == "upstream"
    assert ChainNode.objects.get(name="手机镜头").parent == nodes[1]
    assert fresh(nodes[1]).keywords == "镜头 模组"
    assert client.post(reverse("chains:import_apply"), {"token": token}).status_code == 302  # the token is spent
    assert ChainNode.objects.filter(name="光学玻璃").count() == 1

    template = client.get(reverse("chains:import_template") + f"?chain={chain.pk}")
    assert (
        "光学元件" in xlsx_text(template.content)
        and "填写说明" in openpyxl.load_workbook(io.BytesIO(template.content)).sheetnames
    )
    client.force_login(world.reporter_a)
    assert client.get(url).status_code == 403


def test_the_todo_counts_equal_the_list_it_links_to(client, world, run, chain, nodes, staff):
    optics, lens, lidar, car = nodes
    lead = make_lead(actor=world.reporter_a, unit=world.unit_a)
    run(services.lead_link, actor=world.office, node=lens, lead=lead)
    items = chains_attention(world.office)
    assert [i.title for i in items] == ["3 个空白环节尚无在谈项目"]
    client.force_login(world.office)
    response = client.get(items[0].url)
    assert response.context["total"] == 3
    assert ".tj-gap-gap { background: #d9534f" in response.content.decode()
    assert {n.name for n in response.context["nodes"]} == {"光学元件", "激光雷达模组", "车载应用"}
    assert chains_attention(world.reporter_a) == []  # neither a map keeper nor the lead unit
    ChainProfile.objects.create(chain=chain, lead_unit=world.unit_a)
    items = chains_attention(world.reporter_a)
    assert items and items[0].url.endswith(f"&chain={chain.pk}")
    assert chains_attention(world.ent_user_a) == []
