"""Issue 13 item 5: the 项目办 configures the approval-item catalogue (with parallel groups) and the industry chains:
validation and uniqueness in Chinese, deactivate instead of deleting rows in use, previews, conflicts, history,
permissions."""

import dataclasses

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tuijin.core.exceptions import ConflictError
from tuijin.org.choices import Role
from tuijin.projects import catalogues
from tuijin.projects.choices import ApprovalPhase
from tuijin.projects.models import ApprovalItemType, IndustryChain
from tuijin.utilities.testing.matrix import Case, PostMatrix, ViewMatrix

from .factories import make_project

PERMS = {
    f"projects.{action}_{model}"
    for action in ("view", "add", "change", "delete")
    for model in ("approvalitemtype", "industrychain")
}
UNSCOPED = "platform-wide catalogue: one list for every district, owned by no unit"


@pytest.fixture(autouse=True)
def _catalogue_permissions(monkeypatch):
    """Grants the 项目办 the catalogue permissions until org/roles.py holds them (then a no-op)."""
    from tuijin.org.roles import ROLE_SPECS

    spec = ROLE_SPECS[Role.PROJECT_OFFICE]
    if not PERMS <= spec.permissions:
        monkeypatch.setitem(
            ROLE_SPECS, Role.PROJECT_OFFICE, dataclasses.replace(spec, permissions=spec.permissions | PERMS)
        )


@pytest.fixture
def chain(db):
    return IndustryChain.objects.create(name="测试光电信息", sort_order=5)


@pytest.fixture
def item_type(db):
    return ApprovalItemType.objects.create(code="test_item", name="测试事项", phase=ApprovalPhase.ENGINEERING)


def approval_data(**extra):
    data = {
        "code": "new_item",
        "name": "新增测试事项",
        "phase": ApprovalPhase.CONSTRUCTION,
        "parallel_group": "",
        "default_department": None,
        "sort_order": 50,
    }
    return {**data, **extra}


# --- services -----------------------------------------------------------------------------------------------------


def test_chain_names_are_required_unique_and_sort_order_checked(world, chain):
    with pytest.raises(ValidationError) as caught:
        catalogues.chain_create(actor=world.office, name="  测试光电信息 ", sort_order="x")
    assert "已有名为“测试光电信息”的产业链" in caught.value.message_dict["name"][0]
    assert "排序请填写 0 到 9999 之间的整数" in caught.value.message_dict["sort_order"][0]
    with pytest.raises(ValidationError, match="请填写产业链名称"):
        catalogues.chain_create(actor=world.office, name=" ", sort_order=1)
    created = catalogues.chain_create(actor=world.office, name=" 新能源 ", sort_order="7")
    assert (created.name, created.sort_order, created.version) == ("新能源", 7, 1)
    with pytest.raises(ValidationError, match="已有名为“测试光电信息”"):
        catalogues.chain_update(actor=world.office, chain=created, version=1, name="测试光电信息", sort_order=1)


def test_approval_codes_and_names_are_unique_and_validated(world, item_type):
    with pytest.raises(ValidationError) as caught:
        catalogues.approval_type_create(actor=world.office, **approval_data(code="Bad Code", name="测试事项", phase=""))
    errors = caught.value.message_dict
    assert (
        "小写字母" in errors["code"][0] and "已有名为“测试事项”" in errors["name"][0] and "阶段" in errors["phase"][0]
    )
    with pytest.raises(ValidationError, match="已被其他事项使用"):
        catalogues.approval_type_create(actor=world.office, **approval_data(code="test_item"))
    new = catalogues.approval_type_create(actor=world.office, **approval_data(parallel_group=" 拿地即开工 "))
    assert new.parallel_group == "拿地即开工" and new.is_active


def test_services_refuse_users_without_the_permission(world, chain):
    with pytest.raises(Exception, match="权限"):
        catalogues.chain_create(actor=world.reporter_a, name="无权产业链", sort_order=1)
    with pytest.raises(Exception, match="权限"):
        catalogues.chain_set_active(actor=world.leader, chain=chain, version=1, active=False)
    assert not IndustryChain.objects.filter(name="无权产业链").exists()
    assert IndustryChain.objects.get(pk=chain.pk).is_active


def test_a_chain_in_use_is_deactivated_not_deleted_and_projects_keep_it(world, chain):
    project = make_project(unit=world.unit_a, actor=world.office, chain=chain)
    with pytest.raises(ValidationError, match="1 个项目使用产业链“测试光电信息”，不能删除；如不再使用，请将其停用"):
        catalogues.chain_delete(actor=world.office, chain=chain)
    catalogues.chain_set_active(actor=world.office, chain=chain, version=1, active=False)
    chain.refresh_from_db()
    project.refresh_from_db()
    assert not chain.is_active and chain.version == 2 and project.chain_id == chain.pk
    unused = IndustryChain.objects.create(name="未使用产业链")
    catalogues.chain_delete(actor=world.office, chain=unused)
    assert not IndustryChain.objects.filter(pk=unused.pk).exists()


def test_an_approval_item_in_use_cannot_be_deleted_and_deactivation_keeps_existing_items(world, item_type):
    project = make_project(unit=world.unit_a, actor=world.office)
    assert project.approval_items.filter(item_type=item_type).exists()  # active items are generated
    with pytest.raises(ValidationError, match="不能删除；如不再使用，请将其停用"):
        catalogues.approval_type_delete(actor=world.office, item_type=item_type)
    catalogues.approval_type_set_active(actor=world.office, item_type=item_type, version=1, active=False)
    assert project.approval_items.filter(item_type=item_type).exists()
    later = make_project(unit=world.unit_a, actor=world.office)
    assert not later.approval_items.filter(item_type=item_type).exists()


def test_stale_edits_are_conflicts_and_nothing_is_saved(world, chain, item_type):
    catalogues.chain_update(actor=world.office, chain=chain, version=1, name="改名一次", sort_order=5)
    stale = IndustryChain.objects.get(pk=chain.pk)
    with pytest.raises(ConflictError, match="第 1 版，当前为第 2 版"):
        catalogues.chain_update(actor=world.office, chain=stale, version=1, name="迟到的改名", sort_order=5)
    assert IndustryChain.objects.get(pk=chain.pk).name == "改名一次"
    with pytest.raises(ConflictError):
        catalogues.approval_type_set_active(actor=world.office, item_type=item_type, version=7, active=False)
    assert ApprovalItemType.objects.get(pk=item_type.pk).is_active


def test_group_preview_lists_the_items_left_and_joined(world, item_type):
    ApprovalItemType.objects.create(code="g_a", name="甲事项", phase=ApprovalPhase.ENGINEERING, parallel_group="甲组")
    ApprovalItemType.objects.create(code="g_b", name="乙事项", phase=ApprovalPhase.ENGINEERING, parallel_group="乙组")
    ApprovalItemType.objects.create(
        code="g_c", name="停用乙事项", phase=ApprovalPhase.ENGINEERING, parallel_group="乙组", is_active=False
    )
    item_type.parallel_group = "甲组"
    item_type.save()
    preview = catalogues.group_preview(item_type, " 乙组 ")
    assert preview == catalogues.GroupPreview("甲组", "乙组", ["甲事项"], ["乙事项"])
    assert catalogues.group_preview(item_type, "甲组") is None


# --- pages --------------------------------------------------------------------------------------------------------


def office_client(world) -> Client:
    client = Client()
    client.force_login(world.office)
    return client


def test_lists_show_usage_counts(world, chain, item_type, django_assert_max_num_queries):
    make_project(unit=world.unit_a, actor=world.office, chain=chain)
    make_project(unit=world.foreign_unit, actor=world.foreign_office, chain=chain)
    client = office_client(world)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("projects:catalogue_chain_list")).content.decode()
    row = page[page.index(f'id="tj-chain-{chain.pk}"') :]
    assert "测试光电信息" in row[:800] and '<td class="text-end">2</td>' in row[:800]
    with django_assert_max_num_queries(20):
        page = client.get(reverse("projects:catalogue_approval_list")).content.decode()
    row = page[page.index(f'id="tj-approval-{item_type.pk}"') :]
    assert "测试事项" in row[:1200] and '<td class="text-end">2</td>' in row[:1200]


def test_add_form_keeps_everything_typed_on_errors(world, chain):
    client = office_client(world)
    response = client.post(reverse("projects:catalogue_chain_add"), {"name": "测试光电信息", "sort_order": "十"})
    page = response.content.decode()
    assert response.status_code == 200 and "已有名为“测试光电信息”的产业链" in page and "排序请填写" in page
    assert 'value="十"' in page and 'value="测试光电信息"' in page
    assert IndustryChain.objects.filter(name="测试光电信息").count() == 1


def test_deactivation_preview_counts_projects_then_deactivates(world, chain):
    make_project(unit=world.unit_a, actor=world.office, chain=chain)
    client = office_client(world)
    url = reverse("projects:catalogue_chain_toggle", args=[chain.pk])
    page = client.get(url).content.decode()
    assert "1 个项目使用该产业链，停用后新项目不可再选，已有项目保持不变" in page
    assert "删除" not in page  # in use: no delete offered
    response = client.post(url, {"version": 1})
    assert response.status_code == 302
    assert not IndustryChain.objects.get(pk=chain.pk).is_active


def test_parallel_group_change_is_previewed_before_saving(world, item_type):
    ApprovalItemType.objects.create(code="g_a", name="甲事项", phase=ApprovalPhase.ENGINEERING, parallel_group="甲组")
    client = office_client(world)
    url = reverse("projects:catalogue_approval_edit", args=[item_type.pk])
    data = {**approval_data(code="test_item", name="测试事项", parallel_group="甲组"), "default_department": ""}
    page = client.post(url, {**data, "version": 1}).content.decode()
    assert "将与以下事项并联办理：甲事项" in page and 'name="confirm"' in page
    assert ApprovalItemType.objects.get(pk=item_type.pk).parallel_group == ""  # not saved yet
    response = client.post(url, {**data, "version": 1, "confirm": "1", "previewed_group": "甲组"})
    assert response.status_code == 302
    saved = ApprovalItemType.objects.get(pk=item_type.pk)
    assert saved.parallel_group == "甲组" and saved.phase == ApprovalPhase.CONSTRUCTION and saved.version == 2
    page = client.get(url).content.decode()
    assert 'id="tj-history"' in page and "甲组" in page[page.index('id="tj-history"') :]


def test_stale_page_save_shows_the_conflict_page(world, chain):
    catalogues.chain_update(actor=world.office, chain=chain, version=1, name="他人改名", sort_order=5)
    client = office_client(world)
    response = client.post(
        reverse("projects:catalogue_chain_edit", args=[chain.pk]), {"name": "我的改名", "sort_order": 9, "version": 1}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "我的改名" in page and "他人改名" in page
    assert IndustryChain.objects.get(pk=chain.pk).name == "他人改名"


# --- permission matrices ------------------------------------------------------------------------------------------


class _Unscoped:
    scoped = False
    unscoped_reason = UNSCOPED


class TestChainList(_Unscoped, ViewMatrix):
    url_name = "projects:catalogue_chain_list"
    detail = False

    @pytest.fixture
    def matrix(self, world, chain):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=chain)


class TestChainAdd(_Unscoped, ViewMatrix):
    url_name = "projects:catalogue_chain_add"
    detail = False

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.leader)


class TestChainEdit(_Unscoped, ViewMatrix):
    url_name = "projects:catalogue_chain_edit"

    @pytest.fixture
    def matrix(self, world, chain):
        return Case(allowed=world.office, denied=world.leader, in_scope=chain)


class TestChainToggle(_Unscoped, ViewMatrix):
    url_name = "projects:catalogue_chain_toggle"

    @pytest.fixture
    def matrix(self, world, chain):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=chain)


class TestChainDelete(_Unscoped, PostMatrix):
    url_name = "projects:catalogue_chain_delete"

    def effect(self, obj, matrix):
        assert not IndustryChain.objects.filter(pk=obj.pk).exists()

    @pytest.fixture
    def matrix(self, world, chain):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=chain)


class TestApprovalList(_Unscoped, ViewMatrix):
    url_name = "projects:catalogue_approval_list"
    detail = False

    @pytest.fixture
    def matrix(self, world, item_type):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=item_type)


class TestApprovalAdd(_Unscoped, ViewMatrix):
    url_name = "projects:catalogue_approval_add"
    detail = False

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.leader)


class TestApprovalEdit(_Unscoped, ViewMatrix):
    url_name = "projects:catalogue_approval_edit"

    @pytest.fixture
    def matrix(self, world, item_type):
        return Case(allowed=world.office, denied=world.leader, in_scope=item_type)


class TestApprovalToggle(_Unscoped, ViewMatrix):
    url_name = "projects:catalogue_approval_toggle"

    @pytest.fixture
    def matrix(self, world, item_type):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=item_type)


class TestApprovalDelete(_Unscoped, PostMatrix):
    url_name = "projects:catalogue_approval_delete"

    def effect(self, obj, matrix):
        assert not ApprovalItemType.objects.filter(pk=obj.pk).exists()

    @pytest.fixture
    def matrix(self, world, item_type):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=item_type)


def test_edit_form_keeps_a_default_department_outside_the_users_scope(world, item_type):
    item_type.default_department = world.foreign_unit
    item_type.save()
    page = office_client(world).get(reverse("projects:catalogue_approval_edit", args=[item_type.pk])).content.decode()
    assert f'<option value="{world.foreign_unit.pk}" selected>' in page


def test_project_form_offers_active_chains_and_keeps_a_project_s_own(world):
    from tuijin.projects.forms import ProjectForm
    from tuijin.projects.models import IndustryChain, Project

    active = IndustryChain.objects.create(name="在用产业链")
    retired = IndustryChain.objects.create(name="已停用产业链", is_active=False)
    offered = set(ProjectForm(user=world.office).fields["chain"].queryset)
    assert active in offered and retired not in offered
    project = Project.objects.create(
        name="老项目", owner_name="x", total_investment=1, responsible_unit=world.unit_a, chain=retired
    )
    assert retired in set(ProjectForm(instance=project, user=world.office).fields["chain"].queryset)
