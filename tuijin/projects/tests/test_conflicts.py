"""Issue 12, item 3: concurrent edits of a project or an annual plan never lose input.

The second editor gets the shared conflict page (409) with both versions, and its 以我的内容覆盖保存 form posts the
second editor's values again, over the current version. Funding rows are updated in place.
"""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tuijin.core.conflicts import submitted_rows
from tuijin.core.models import ObjectChange
from tuijin.projects import services
from tuijin.projects.models import AnnualPlan, FundingSource, Project

from .factories import make_project

D = Decimal


@pytest.fixture
def project(world):
    return make_project(unit=world.unit_a, actor=world.office, name="甲街道光电产业园", total="1000.00")


def _form_post(client, url) -> dict:
    """The edit page's form as the browser would post it back (funding rows included for a project)."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["form"]
    data: dict = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else str(value)
    formset = response.context.get("formset")
    if formset is not None:
        management = formset.management_form
        for name in management.fields:
            data[management[name].html_name] = str(management[name].value())
        for sub in formset.forms:
            for name in ("kind", "amount", "note"):
                value = sub[name].value()
                data[sub[name].html_name] = "" if value is None else str(value)
    return data


def _resubmit_form(html: str) -> tuple[str, dict[str, list[str]]]:
    """The conflict page's 以我的内容覆盖保存 form: its action and hidden fields."""
    match = re.search(r'<form method="post" action="([^"]*)" id="tj-conflict-resubmit".*?</form>', html, re.S)
    assert match, "no re-post form on the conflict page"
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', match.group(0)):
        fields.setdefault(unescape(name), []).append(unescape(value))
    return unescape(match.group(1)), fields


def _funding_changes(project):
    content_type = ContentType.objects.get_for_model(FundingSource)
    return ObjectChange.objects.filter(changed_object_type=content_type, related_object_id=project.pk)


def test_project_second_editor_gets_the_conflict_page_and_can_save_over(client, world, project):
    url = reverse("projects:project_edit", args=[project.pk])
    client.force_login(world.office)
    data_a, data_b = _form_post(client, url), _form_post(client, url)
    data_a.update({"address": "A填写的地址", "funding-0-amount": "600.00", "funding_note": "A的说明"})
    assert client.post(url, data_a).status_code == 302
    data_b.update(
        {
            "address": "B填写的地址",
            "funding-1-kind": "bank_loan",
            "funding-1-amount": "400.00",
            "funding_note": "B的说明",
        }
    )
    response = client.post(url, data_b)
    assert response.status_code == 409
    html = response.content.decode()
    # both versions: what A changed (the project and its funding row), and B's values beside the current ones
    assert "A填写的地址" in html and "B填写的地址" in html
    assert "修改 企业自筹 金额（万元）" in html and "1000.00" in html and "600.00" in html
    assert "以我的内容覆盖保存" in html and "载入最新版本重新编辑" in html
    assert "银行贷款 400.00 万元" in html  # B's funding rows in the 您提交的值 column
    assert Project.objects.get(pk=project.pk).address == "A填写的地址"  # nothing of A's overwritten yet
    action, fields = _resubmit_form(html)
    assert action == url
    assert fields["version"] == [str(Project.objects.get(pk=project.pk).version)]
    assert fields["funding-1-amount"] == ["400.00"]
    assert len(fields["csrfmiddlewaretoken"]) == 1  # the page's own token, not the one B posted
    response = client.post(action, fields)
    assert response.status_code == 302
    saved = Project.objects.get(pk=project.pk)
    assert saved.address == "B填写的地址"
    assert sorted(saved.funding_sources.values_list("kind", "amount")) == [
        ("bank_loan", D("400.00")),
        ("self", D("1000.00")),
    ]


def test_conflict_page_of_a_deleted_project_offers_no_resubmit(rf, world, project):
    from tuijin.core.conflicts import conflict_response
    from tuijin.core.exceptions import ConflictError

    request = rf.post("/x/", {"address": "B"})
    request.user = world.office
    response = conflict_response(
        request, ConflictError("已被删除", current=None), title="冲突", rows=[], retry_url="/x/", back_url="/"
    )
    assert response.status_code == 409
    assert "tj-conflict-resubmit" not in response.content.decode()


def _plan(project, world, amount="500.00"):
    return services.annual_plan_save(
        actor=world.office, project=project, year=2026, planned_investment=D(amount), progress_target="主体封顶"
    )


def test_plan_second_editor_gets_the_conflict_page_and_can_save_over(client, world, project):
    _plan(project, world)
    url = reverse("projects:plan_edit", args=[project.pk, 2026])
    client.force_login(world.office)
    data_a, data_b = _form_post(client, url), _form_post(client, url)
    data_a.update({"planned_investment": "600.00"})
    assert client.post(url, data_a).status_code == 302
    data_b.update({"planned_investment": "700.00", "progress_target": "B的目标"})
    response = client.post(url, data_b)
    assert response.status_code == 409
    html = response.content.decode()
    assert "500.00" in html and "600.00" in html and "700.00" in html and "B的目标" in html
    assert AnnualPlan.objects.get(project=project, year=2026).planned_investment == D("600.00")
    action, fields = _resubmit_form(html)
    assert client.post(action, fields).status_code == 302
    plan = AnnualPlan.objects.get(project=project, year=2026)
    assert (plan.planned_investment, plan.progress_target) == (D("700.00"), "B的目标")


def test_plan_created_by_someone_else_meanwhile_is_a_conflict_not_an_overwrite(client, world, project):
    url = reverse("projects:plan_edit", args=[project.pk, 2026])
    client.force_login(world.office)
    data_b = _form_post(client, url)  # opened before the plan existed
    _plan(project, world, "500.00")
    data_b.update({"planned_investment": "800.00"})
    response = client.post(url, data_b)
    assert response.status_code == 409
    assert AnnualPlan.objects.get(project=project, year=2026).planned_investment == D("500.00")
    action, fields = _resubmit_form(response.content.decode())
    assert client.post(action, fields).status_code == 302
    assert AnnualPlan.objects.get(project=project, year=2026).planned_investment == D("800.00")


def test_plan_approved_meanwhile_carries_the_input_to_an_adjustment_request(client, world, project):
    plan = _plan(project, world)
    url = reverse("projects:plan_edit", args=[project.pk, 2026])
    client.force_login(world.office)
    data_b = _form_post(client, url)
    services.annual_plan_approve(actor=world.office, plan=plan)
    data_b.update({"planned_investment": "900.00"})
    response = client.post(url, data_b)
    assert response.status_code == 409
    html = response.content.decode()
    assert "转为调整申请" in html and "900.00" in html
    action, fields = _resubmit_form(html)
    assert action == reverse("projects:plan_change_request", args=[plan.pk])
    response = client.post(action, fields)
    assert response.status_code == 200  # the adjustment form, the reason still to fill in, the amount kept
    assert response.context["form"]["new_investment"].value() == "900.00"


def test_plan_edit_out_of_scope_is_404_also_for_a_post(client, world, project):
    other = make_project(unit=world.unit_b, actor=world.office, name="乙街道项目")
    client.force_login(world.reporter_a)
    url = reverse("projects:plan_edit", args=[other.pk, 2026])
    assert client.post(url, {"planned_investment": "1", "version": "1"}).status_code == 404


def test_funding_rows_are_updated_in_place_and_unchanged_rows_write_no_history(world, project):
    row = project.funding_sources.get()
    before = _funding_changes(project).count()

    def update(funding):
        current = Project.objects.get(pk=project.pk)
        return services.project_update(
            actor=world.office,
            project=current,
            version=current.version,
            data=services.ProjectInput(fields={"funding_note": "说明"}, funding=funding),
        )

    update([services.FundingRow("self", D("1000.0"))])  # the same row, written differently
    assert _funding_changes(project).count() == before
    assert list(project.funding_sources.values_list("pk", flat=True)) == [row.pk]
    update([services.FundingRow("self", D("700.00")), services.FundingRow("bank_loan", D("300.00"))])
    assert project.funding_sources.get(kind="self").pk == row.pk  # changed in place, not deleted and re-added
    changes = list(_funding_changes(project).order_by("pk")[before:])
    assert [c.action for c in changes] == ["update", "create"]
    update([services.FundingRow("bank_loan", D("300.00"))])
    assert list(_funding_changes(project).order_by("pk").values_list("action", flat=True))[-1] == "delete"
    assert list(project.funding_sources.values_list("kind", flat=True)) == ["bank_loan"]


def test_submitted_rows_lists_only_real_differences_with_labels_and_choice_names(world, project):
    project.total_investment = D("260.50")
    project.construction_nature = "new"
    data = {
        "total_investment": D("260.5"),
        "construction_nature": "extension",
        "is_industrial": True,
        "responsible_unit": world.unit_b,
        "address": "",
    }
    fields = ["total_investment", "construction_nature", "is_industrial", "responsible_unit", "address"]
    rows = submitted_rows(project, data, fields)
    assert ("建设性质", "新建", "扩建") in rows
    assert ("工业项目", "否", "是") in rows
    assert ("责任单位", str(world.unit_a), world.unit_b.name) in rows
    assert not any(label.startswith("总投资") for label, _now, _mine in rows)  # 260.50 == 260.5
    assert len(rows) == 3
