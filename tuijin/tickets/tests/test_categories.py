"""Issue 13 item 5: the 项目办 configures the ticket categories themselves (not only their limits): add a category,
rename it, reorder it, deactivate it. New tickets (form, portal, API) offer only active categories; old tickets keep
theirs and show its current name everywhere (page, table, export, API, dashboard, notice)."""

import dataclasses
import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tuijin.core.history import object_history
from tuijin.org.choices import Role
from tuijin.projects.tests.factories import make_project
from tuijin.tickets import selectors, services
from tuijin.tickets.models import CategorySLA, Ticket
from tuijin.utilities.testing.matrix import Case, ViewMatrix
from tuijin.workdays.services import add_workdays

from .factories import make_ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")
RAISED = date(2025, 3, 3)  # a Monday; March 2025 has no holidays
JSON = {"content_type": "application/json", "HTTP_ACCEPT": "application/json"}
PERMS = {"tickets.add_categorysla", "tickets.change_categorysla", "tickets.view_categorysla"}


@pytest.fixture(autouse=True)
def _category_permissions(monkeypatch):
    """org/roles.py grants the 项目办 view/change_categorysla but (so far) not add_categorysla: granted here."""
    from tuijin.org.roles import ROLE_SPECS

    spec = ROLE_SPECS[Role.PROJECT_OFFICE]
    if not PERMS <= spec.permissions:
        monkeypatch.setitem(
            ROLE_SPECS, Role.PROJECT_OFFICE, dataclasses.replace(spec, permissions=spec.permissions | PERMS)
        )


def at(day: date, hour: int = 10):
    return time_machine.travel(datetime.combine(day, time(hour), tzinfo=SHANGHAI), tick=False)


@pytest.fixture
def project(world):
    return make_project(
        unit=world.unit_a, actor=world.office, name="甲街道类别项目", owner_enterprise=world.enterprise_a
    )


@pytest.fixture
def office(world):
    client = Client()
    client.force_login(world.office)
    return client


def add(**fields) -> dict:
    data = {"name": "桥梁通行", "category": "", "sort_order": "", "response_days": 2}
    data |= {"resolution_days": 8, "escalation_step_days": 2}
    return {**data, **fields}


def edit(row: CategorySLA, **fields) -> dict:
    data = {n: getattr(row, n) for n in ("name", "sort_order", *services.SLA_FIELDS)}
    data |= {"version": row.version, "confirm": "1"}
    if row.is_active:
        data["is_active"] = "on"
    data |= fields
    return {k: v for k, v in data.items() if v is not None}


def row_of(page: str, marker: str) -> str:
    part = page[page.index(marker) :]
    return part[: part.index("</tr>")]


# --- adding -----------------------------------------------------------------------------------------------------


def test_an_added_category_is_offered_accepted_by_the_api_and_drives_the_deadline(world, project, office):
    response = office.post(reverse("tickets:sla_add"), add(category="bridge", sort_order=5), follow=True)
    assert response.status_code == 200
    assert "已新增工单类别“桥梁通行”（代码 bridge）" in response.content.decode()
    row = CategorySLA.objects.get(category="bridge")
    assert (row.name, row.sort_order, row.is_active, row.response_days, row.resolution_days) == (
        "桥梁通行",
        5,
        True,
        2,
        8,
    )
    assert selectors.active_category_choices()[0] == ("bridge", "桥梁通行")  # sort order 5: before 用地 (10)

    reporter = Client()
    reporter.force_login(world.reporter_a)
    page = reporter.get(reverse("tickets:ticket_add")).content.decode()
    assert '<option value="bridge">桥梁通行</option>' in page
    form = {"source": "meeting", "category": "bridge", "title": "便桥限行", "description": "施工便桥限行"}
    with at(RAISED):
        assert reporter.post(reverse("tickets:ticket_add"), dict(form, project=project.pk)).status_code == 302
        api = reporter.post(
            reverse("tickets-api:ticket-list"),
            {"category": "bridge", "title": "便桥限重", "description": "限重20吨", "project": project.pk},
            **JSON,
        )
    assert api.status_code == 201, api.content
    assert api.json()["category_display"] == "桥梁通行"
    for ticket in Ticket.objects.filter(category="bridge"):
        assert ticket.response_due == add_workdays(RAISED, 2)
        assert ticket.resolution_due == add_workdays(RAISED, 8) == date(2025, 3, 13)


def test_a_blank_code_is_generated_and_the_order_defaults_to_last(world, office):
    office.post(reverse("tickets:sla_add"), add())
    row = CategorySLA.objects.get(name="桥梁通行")
    assert row.category.startswith("c") and len(row.category) <= 20
    assert row.sort_order > max(CategorySLA.objects.exclude(pk=row.pk).values_list("sort_order", flat=True))
    assert selectors.active_category_choices()[-1] == (row.category, "桥梁通行")


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"name": "  用地 "}, "name", "已有名为“用地”的工单类别"),
        ({"name": ""}, "name", "请填写类别名称"),
        ({"category": "land"}, "category", "类别代码“land”已被使用"),
        ({"category": "桥梁"}, "category", "类别代码须以小写英文字母开头"),
        ({"category": "new"}, "category", "不能为 new、add"),
        ({"response_days": 0}, "response_days", "首次响应时限至少为 1 个工作日"),
        ({"response_days": 9, "resolution_days": 8}, "response_days", "不能长于办结时限"),
    ],
)
def test_adding_is_validated_in_chinese_and_keeps_the_input(world, office, fields, field, text):
    before = CategorySLA.objects.count()
    response = office.post(reverse("tickets:sla_add"), add(**fields))
    assert response.status_code == 200
    page = response.content.decode()
    assert text in page
    assert field in response.context["form"].errors
    assert CategorySLA.objects.count() == before
    if "name" not in fields:
        assert 'value="桥梁通行"' in page  # what was typed is shown again
    with pytest.raises(ValidationError) as caught:
        services.category_add(actor=world.office, **_service_args(fields))
    assert text in " ".join(caught.value.message_dict[field])


def _service_args(fields) -> dict:
    data = add(**fields)
    return {
        "name": data["name"],
        "code": data["category"],
        "sort_order": None,
        "response_days": data["response_days"],
        "resolution_days": data["resolution_days"],
        "escalation_step_days": data["escalation_step_days"],
    }


def test_a_deactivated_name_is_still_taken(world):
    land = CategorySLA.objects.get(category="land")
    services.category_sla_set(actor=world.office, **_limits(land), is_active=False)
    with pytest.raises(ValidationError, match="已有名为“用地”的工单类别"):
        services.category_add(actor=world.office, **_service_args({"name": "用地"}))


def test_adding_needs_the_permission(world):
    client = Client()
    client.force_login(world.reporter_a)
    assert client.post(reverse("tickets:sla_add"), add()).status_code == 403
    with pytest.raises(Exception, match="权限"):
        services.category_add(actor=world.reporter_a, **_service_args({}))
    assert not CategorySLA.objects.filter(name="桥梁通行").exists()


# --- renaming, reordering, deactivating -------------------------------------------------------------------------


def _limits(row: CategorySLA) -> dict:
    return {"category": row.category, "version": row.version, **{n: getattr(row, n) for n in services.SLA_FIELDS}}


def test_renaming_shows_the_new_name_on_old_tickets_everywhere(world, project, office):
    with at(RAISED):
        ticket = make_ticket(actor=world.office, project=project, category="land", title="老工单")
    land = CategorySLA.objects.get(category="land")
    response = office.post(reverse("tickets:sla_edit", args=["land"]), edit(land, name="土地要素"), follow=True)
    assert "已保存工单类别“土地要素”" in response.content.decode()

    assert "土地要素" in office.get(ticket.get_absolute_url()).content.decode()
    listing = office.get(reverse("tickets:ticket_list")).content.decode()
    assert "土地要素" in row_of(listing, ticket.number)
    api = office.get(reverse("tickets-api:ticket-detail", args=[ticket.pk]), HTTP_ACCEPT="application/json")
    assert api.json()["category_display"] == "土地要素"
    export = office.get(reverse("tickets:ticket_export"))
    sheet = load_workbook(io.BytesIO(export.content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert "土地要素" in cells and "用地" not in cells
    with at(date(2025, 3, 20)):
        notice = selectors.notice_problems(world.office, 2025, 3)
        stats = selectors.ticket_stats(world.office, 2025, 3)
    assert [r.category for r in notice] == ["土地要素"]
    assert [r.label for r in stats.by_category] == ["土地要素"]
    assert ticket.category == Ticket.objects.get(pk=ticket.pk).category == "land"  # the code on the ticket stays


def test_reordering_changes_the_offer_order(world):
    other = CategorySLA.objects.get(category="other")
    services.category_sla_set(actor=world.office, **_limits(other), sort_order=1)
    assert selectors.active_category_choices()[0] == ("other", "其他")
    assert selectors.categories()[0].category == "other"


def test_deactivating_a_category_in_use(world, project, office):
    with at(RAISED):
        old = make_ticket(actor=world.office, project=project, category="gas", title="燃气老工单")
    gas = CategorySLA.objects.get(category="gas")
    preview = office.post(reverse("tickets:sla_edit", args=["gas"]), edit(gas, is_active=None, confirm=None))
    preview_page = preview.content.decode()
    assert 'id="tj-category-deactivate"' in preview_page and "停用" in row_of(preview_page, 'id="tj-category-state"')
    assert CategorySLA.objects.get(category="gas").is_active  # the preview saved nothing
    data = edit(gas)
    del data["is_active"]
    assert office.post(reverse("tickets:sla_edit", args=["gas"]), data).status_code == 302
    gas.refresh_from_db()
    assert not gas.is_active and CategorySLA.objects.filter(category="gas").exists()  # kept, not deleted

    reporter = Client()
    reporter.force_login(world.reporter_a)
    form_page = reporter.get(reverse("tickets:ticket_add")).content.decode()
    assert 'value="gas"' not in form_page and 'value="land"' in form_page
    refused = reporter.post(
        reverse("tickets:ticket_add"),
        {"source": "meeting", "category": "gas", "title": "燃气", "description": "接入", "project": project.pk},
    )
    assert refused.status_code == 200 and "该工单类别不存在或已停用" in refused.content.decode()
    api = reporter.post(
        reverse("tickets-api:ticket-list"),
        {"category": "gas", "title": "燃气", "description": "接入", "project": project.pk},
        **JSON,
    )
    assert api.status_code == 400
    assert "工单类别“gas”不存在或已停用" in api.json()["category"][0]
    unknown = reporter.post(
        reverse("tickets-api:ticket-list"),
        {"category": "nosuch", "title": "x", "description": "y", "project": project.pk},
        **JSON,
    )
    assert unknown.status_code == 400 and "不存在或已停用" in unknown.json()["category"][0]
    with pytest.raises(ValidationError, match="不存在或已停用"):
        make_ticket(actor=world.office, project=project, category="gas")
    assert Ticket.objects.filter(category="gas").count() == 1

    assert "燃气" in office.get(old.get_absolute_url()).content.decode()  # the old ticket still shows its name
    api_old = office.get(reverse("tickets-api:ticket-detail", args=[old.pk]), HTTP_ACCEPT="application/json")
    assert api_old.json()["category_display"] == "燃气"
    listing = office.get(reverse("tickets:ticket_list"), {"category": "gas"}).content.decode()
    assert old.number in listing and "燃气（已停用）" in listing  # still findable by its category
    sla_list = office.get(reverse("tickets:sla_list")).content.decode()
    assert "已停用" in row_of(sla_list, 'id="tj-sla-gas"')

    data = edit(gas, is_active="on")  # active again
    assert office.post(reverse("tickets:sla_edit", args=["gas"]), data).status_code == 302
    assert ("gas", "燃气") in selectors.active_category_choices()


def test_the_last_active_category_cannot_be_deactivated(world):
    CategorySLA.objects.exclude(category="other").update(is_active=False)
    other = CategorySLA.objects.get(category="other")
    with pytest.raises(ValidationError, match="至少要保留一个启用的工单类别"):
        services.category_sla_set(actor=world.office, **_limits(other), is_active=False)
    assert CategorySLA.objects.get(category="other").is_active


def test_renaming_to_a_taken_name_is_refused_before_the_preview(world, office):
    land = CategorySLA.objects.get(category="land")
    data = edit(land, name="规划")
    del data["confirm"]
    response = office.post(reverse("tickets:sla_edit", args=["land"]), data)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="tj-sla-form"' in page
    assert "已有名为“规划”的工单类别" in page and 'value="规划"' in page
    assert CategorySLA.objects.get(category="land").name == "用地"
    response = office.post(reverse("tickets:sla_edit", args=["land"]), edit(land, name=" "))
    assert "请填写类别名称" in response.content.decode()


def test_a_report_problem_goes_to_the_active_category_of_its_name(world):
    assert services.problem_category("用地") == "land"
    land = CategorySLA.objects.get(category="land")
    services.category_sla_set(actor=world.office, **_limits(land), name="土地要素")
    assert services.problem_category("土地要素") == "land"
    assert services.problem_category("用地") == "land"  # the built-in name still finds the renamed category
    land.refresh_from_db()
    services.category_sla_set(actor=world.office, **_limits(land), is_active=False)
    assert services.problem_category("用地") == "other"  # deactivated: not used for a new ticket


# --- history and conflicts --------------------------------------------------------------------------------------


def test_adding_and_editing_are_in_the_history(world, office):
    office.post(reverse("tickets:sla_add"), add(category="bridge"))
    row = CategorySLA.objects.get(category="bridge")
    office.post(reverse("tickets:sla_edit", args=["bridge"]), edit(row, name="桥梁与通行"))
    entries = object_history(row)
    assert len(entries) == 2 and all(e.user_name == world.office.username for e in entries)
    page = office.get(reverse("tickets:sla_edit", args=["bridge"])).content.decode()
    assert 'id="tj-history"' in page and "桥梁与通行" in page


def test_a_stale_rename_gets_the_conflict_page(world):
    from tuijin.org.choices import Role
    from tuijin.utilities.testing.world import make_user

    land = CategorySLA.objects.get(category="land")
    first, second = Client(), Client()
    first.force_login(make_user("office2", role=Role.PROJECT_OFFICE, unit=world.office_unit))
    second.force_login(world.office)
    assert first.post(reverse("tickets:sla_edit", args=["land"]), edit(land, name="土地")).status_code == 302
    response = second.post(reverse("tickets:sla_edit", args=["land"]), edit(land, name="用地保障"))
    assert response.status_code == 409
    page = response.content.decode()
    assert "工单类别“土地”已被他人修改" in page and "用地保障" in page
    assert CategorySLA.objects.get(category="land").name == "土地"


# --- permissions ------------------------------------------------------------------------------------------------


class TestCategoryAdd(ViewMatrix):
    url_name = "tickets:sla_add"
    detail = False
    scoped = False
    unscoped_reason = "district-wide configuration: one catalogue of ticket categories, owned by no unit"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a)
