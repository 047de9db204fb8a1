"""Honest blanks (issue 13 §4) end to end in the projects app: 未填 stays blank, 约 amounts, dates known only to the
month or the year, 备注, 区外属地, a deactivated chain refused — in the form, the pages, Excel and the API."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tuijin.projects.choices import DatePrecision
from tuijin.projects.excel import apply_import, export_projects_xlsx, parse_workbook
from tuijin.projects.models import AnnualPlan, IndustryChain, Project
from tuijin.projects.services import ProjectInput, annual_plan_save, project_create, project_update

from .factories import make_project
from .test_excel import row, workbook_bytes

API = "/api/projects/projects/"


@pytest.fixture
def chain(db):
    return IndustryChain.objects.create(name="光电信息")


@pytest.fixture
def office(world, chain):
    return world.office


def form_data(world, **extra) -> dict:
    data = {
        "name": "留白项目",
        "owner_name": "留白业主有限公司",
        "responsible_unit": world.unit_a.pk,
        "stats_status": "not_counted",
        "funding-TOTAL_FORMS": "0",
        "funding-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def blank_row(**values) -> dict:
    """A valid import row that leaves the three choices and 总投资 blank (and lists no funding to sum)."""
    base = row(**{"投资领域": None, "建设性质": None, "投资主体": None, "总投资（万元）": None, "资金来源": None})
    base.update(values)
    return base


def messages_of(report) -> str:
    return "\n".join(f"{e['row']} {e['column']} {e['message']}" for e in report.errors)


# ---------------------------------------------------------------------------------------------------------------
# The form and the pages
# ---------------------------------------------------------------------------------------------------------------


def test_new_project_form_preselects_no_choice(client, world):
    client.force_login(world.office)
    body = client.get(reverse("projects:project_add")).content.decode()
    for name in ("domain", "construction_nature", "investment_subject"):
        select = body.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        assert '<option value="" selected>（未填）</option>' in select, name
        assert select.count("selected") == 1


def test_form_blanks_stay_blank_and_show_as_unknown(client, world):
    client.force_login(world.office)
    response = client.post(reverse("projects:project_add"), form_data(world))
    assert response.status_code == 302, response.content.decode()[:3000]
    project = Project.objects.get(name="留白项目")
    assert (project.domain, project.construction_nature, project.investment_subject) == ("", "", "")
    assert project.total_investment is None and project.total_investment_approx is False
    body = client.get(project.get_absolute_url()).content.decode()
    for marker in ("tj-domain", "tj-construction-nature", "tj-investment-subject", "tj-total-investment"):
        element = body.split(f'id="{marker}"', 1)[1].split("</dd>", 1)[0].split("</p>", 1)[0]
        assert '<span class="text-muted tj-unknown">未填</span>' in element, marker
        assert "产业" not in element and "新建" not in element and "民营" not in element and "0.00" not in element


def test_form_reads_an_approximate_total_and_partial_dates(client, world):
    client.force_login(world.office)
    response = client.post(
        reverse("projects:project_add"),
        form_data(
            world,
            total_investment="约20亿元",
            planned_start="2022年开工",
            planned_finish="2024年3月",
            remarks="数据来自公开报道",
            locality_text="新乡市牧野区",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    project = Project.objects.get(name="留白项目")
    assert project.total_investment == Decimal("200000.00") and project.total_investment_approx is True
    assert (project.planned_start, project.planned_start_precision) == (date(2022, 1, 1), DatePrecision.YEAR)
    assert (project.planned_finish, project.planned_finish_precision) == (date(2024, 3, 1), DatePrecision.MONTH)
    assert project.remarks == "数据来自公开报道" and project.locality_text == "新乡市牧野区"

    body = client.get(project.get_absolute_url()).content.decode()
    assert "约 200,000.00 万元（约 20.00 亿元）" in body
    assert "2022年 / 2024年3月" in body
    assert "数据来自公开报道" in body and "新乡市牧野区" in body

    listing = client.get(reverse("projects:project_list")).content.decode()
    assert "约 200,000.00" in listing

    edit = client.get(reverse("projects:project_edit", args=[project.pk])).content.decode()
    assert 'value="2022年"' in edit and 'value="2024年3月"' in edit and 'value="约 200,000.00"' in edit


def test_form_refuses_a_bad_amount_and_keeps_the_input(client, world):
    client.force_login(world.office)
    response = client.post(
        reverse("projects:project_add"), form_data(world, total_investment="二十亿", planned_start="明年")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "“二十亿”不是金额" in body and "“明年”不是有效日期" in body
    assert 'value="二十亿"' in body and not Project.objects.filter(name="留白项目").exists()


def test_locality_and_outside_locality_are_exclusive(world):
    with pytest.raises(ValidationError) as info:
        make_project(unit=world.unit_a, actor=world.office, locality=world.unit_a, locality_text="新乡市牧野区")
    assert "只能填一个" in str(info.value.message_dict["locality_text"])


def test_a_finish_that_may_precede_the_start_asks_for_the_day(world):
    with pytest.raises(ValidationError) as info:
        make_project(
            unit=world.unit_a,
            actor=world.office,
            planned_start=date(2024, 3, 15),
            planned_finish=date(2024, 3, 1),
            planned_finish_precision=DatePrecision.MONTH,
        )
    assert "无法判断先后" in str(info.value.message_dict["planned_finish"])
    # a year-only start before a dated finish in that year is fine
    project = make_project(
        unit=world.unit_a,
        actor=world.office,
        planned_start=date(2024, 6, 30),
        planned_start_precision=DatePrecision.YEAR,
        planned_finish=date(2024, 3, 15),
    )
    assert project.planned_start == date(2024, 1, 1)


def test_sorting_by_total_puts_unknown_totals_last(client, world):
    known = make_project(unit=world.unit_a, actor=world.office, name="已知总投资", total="5.00")
    unknown = project_create(
        actor=world.office,
        data=ProjectInput(fields={"name": "未知总投资", "owner_name": "某业主", "responsible_unit": world.unit_a}),
    )
    assert unknown.total_investment is None
    client.force_login(world.office)
    for sort in ("total", "-total"):
        body = client.get(reverse("projects:project_list"), {"sort": sort}).content.decode()
        assert body.index(known.name) < body.index(unknown.name), sort
    for ordering in ("total_investment", "-total_investment"):  # the API too, on SQLite as on PostgreSQL
        names = [row["name"] for row in client.get(API, {"ordering": ordering}).json()["results"]]
        assert names.index(known.name) < names.index(unknown.name), ordering


def test_history_names_the_new_fields(client, world):
    project = make_project(unit=world.unit_a, actor=world.office, name="改为约数")
    project_update(
        actor=world.office,
        project=project,
        version=project.version,
        data=ProjectInput(
            fields={
                "total_investment": Decimal("1000.00"),
                "total_investment_approx": True,
                "actual_start": date(2024, 1, 1),
                "actual_start_precision": DatePrecision.YEAR,
                "remarks": "估算",
            }
        ),
    )
    client.force_login(world.office)
    body = client.get(project.get_absolute_url()).content.decode()
    history = body.split("变更历史", 1)[1]
    assert "总投资为约数" in history and "实际开工日期精度" in history and "备注" in history


# ---------------------------------------------------------------------------------------------------------------
# Excel import / export
# ---------------------------------------------------------------------------------------------------------------


def test_import_blank_cells_never_become_defaults(office):
    report = parse_workbook(workbook_bytes([blank_row()]), actor=office)
    assert not report.errors, messages_of(report)
    apply_import(report, actor=office)
    project = Project.objects.get()
    assert (project.domain, project.construction_nature, project.investment_subject) == ("", "", "")
    assert project.total_investment is None and not project.total_investment_approx


def test_import_blank_on_update_keeps_known_values_and_unknown_word_clears(office):
    apply_import(parse_workbook(workbook_bytes([row()]), actor=office), actor=office)
    project = Project.objects.get()
    assert (project.domain, project.total_investment) == ("industry", Decimal("10000.55"))

    report = parse_workbook(workbook_bytes([blank_row()]), actor=office)
    assert not report.errors, messages_of(report)
    apply_import(report, actor=office)
    project.refresh_from_db()
    assert (project.domain, project.investment_subject, project.total_investment) == (
        "industry",
        "private",
        Decimal("10000.55"),
    )

    cleared = blank_row(**{"投资领域": "未填", "投资主体": "未填", "总投资（万元）": "未填"})
    report = parse_workbook(workbook_bytes([cleared]), actor=office)
    assert not report.errors, messages_of(report)
    apply_import(report, actor=office)
    project.refresh_from_db()
    assert (project.domain, project.investment_subject, project.total_investment) == ("", "", None)
    assert project.construction_nature == "new"  # left blank: kept


def test_import_reads_estimates_partial_dates_remarks_and_outside_locality(office):
    values = {
        "总投资（万元）": "约20亿元",
        "资金来源": None,
        "计划开工日期": "2022年开工",
        "计划竣工日期": "2024年3月",
        "实际开工日期": "2022年",
        "属地": None,
        "区外属地": "新乡市牧野区",
        "备注": "总投资为公开报道的估算",
    }
    report = parse_workbook(workbook_bytes([row(**values)]), actor=office)
    assert not report.errors, messages_of(report)
    apply_import(report, actor=office)
    project = Project.objects.get()
    assert (project.total_investment, project.total_investment_approx) == (Decimal("200000.00"), True)
    assert (project.planned_start, project.planned_start_precision) == (date(2022, 1, 1), DatePrecision.YEAR)
    assert (project.planned_finish, project.planned_finish_precision) == (date(2024, 3, 1), DatePrecision.MONTH)
    assert (project.actual_start, project.actual_start_precision) == (date(2022, 1, 1), DatePrecision.YEAR)
    assert project.locality_id is None and project.locality_text == "新乡市牧野区"
    assert project.remarks == "总投资为公开报道的估算"


@pytest.mark.parametrize(
    ("values", "column", "text"),
    [
        ({"总投资（万元）": "很多"}, "总投资（万元）", "“很多”不是金额"),
        ({"总投资（万元）": "20000元"}, "总投资（万元）", "万元或亿元"),
        ({"总投资（万元）": "-5"}, "总投资（万元）", "不能为负数"),
        ({"计划开工日期": "明年"}, "计划开工日期", "“明年”不是有效日期"),
        ({"计划竣工日期": "2024年13月"}, "计划竣工日期", "不是有效日期"),
        ({"实际开工日期": "1800年"}, "实际开工日期", "年份不在"),
        ({"实际竣工日期": "2024-02-30"}, "实际竣工日期", "不是有效日期"),
        ({"区外属地": "新乡市牧野区"}, "区外属地", "只能填一个"),
        ({"区外属地": "长" * 101}, "区外属地", "100"),
        ({"投资领域": "交通"}, "投资领域", "“交通”不是可选值"),
    ],
)
def test_a_bad_cell_in_each_new_column_names_row_and_column(office, values, column, text):
    report = parse_workbook(
        workbook_bytes([row(), row(**{"项目代码": "2403-410702-04-01-00003C", **values})]), actor=office
    )
    errors = [(e["row"], e["column"]) for e in report.errors]
    assert (3, column) in errors and all(r == 3 for r, _c in errors), messages_of(report)
    assert any(text in e["message"] for e in report.errors), messages_of(report)


def test_import_refuses_a_deactivated_chain(office, chain):
    chain.is_active = False
    chain.save()
    report = parse_workbook(workbook_bytes([row()]), actor=office)
    assert [(e["row"], e["column"]) for e in report.errors] == [(2, "主导产业/产业链")]
    assert "已停用" in report.errors[0]["message"]


def test_import_keeps_a_deactivated_chain_a_project_already_has(office, chain):
    apply_import(parse_workbook(workbook_bytes([row()]), actor=office), actor=office)
    chain.is_active = False
    chain.save()
    report = parse_workbook(workbook_bytes([row(**{"备注": "只改备注"})]), actor=office)
    assert not report.errors, messages_of(report)


def test_import_without_the_new_optional_columns_still_works(office):
    apply_import(parse_workbook(workbook_bytes([row(**{"备注": "保留"})]), actor=office), actor=office)

    def drop_new_columns(workbook):
        sheet = workbook["项目"]
        for title in ("备注", "区外属地"):
            titles = [cell.value for cell in sheet[1]]
            sheet.delete_cols(titles.index(title) + 1)

    report = parse_workbook(workbook_bytes([row()], edit=drop_new_columns), actor=office)
    assert not report.errors, messages_of(report)
    assert report.unchanged == 1
    assert Project.objects.get().remarks == "保留"


def _fields(project: Project) -> dict:
    names = [
        "domain",
        "construction_nature",
        "investment_subject",
        "total_investment",
        "total_investment_approx",
        "planned_start",
        "planned_start_precision",
        "planned_finish",
        "planned_finish_precision",
        "actual_start",
        "actual_start_precision",
        "actual_finish",
        "actual_finish_precision",
        "remarks",
        "locality_id",
        "locality_text",
        "version",
    ]
    return {name: getattr(project, name) for name in names}


def test_export_then_import_is_unchanged_with_blanks_estimates_and_partial_dates(office, world):
    rows = [
        blank_row(
            **{
                "计划开工日期": "2022年",
                "计划竣工日期": "2024年3月",
                "实际开工日期": "2023年5月",
                "属地": None,
                "区外属地": "新乡市牧野区",
                "备注": "公开资料\n第二行",
            }
        ),
        row(
            **{
                "项目代码": "2403-410702-04-01-00003C",
                "项目名称": "约数项目",
                "总投资（万元）": "约20亿元",
                "资金来源": None,
                "实际开工日期": date(2024, 4, 1),
            }
        ),
    ]
    apply_import(parse_workbook(workbook_bytes(rows), actor=office), actor=office)
    before = {p.pk: _fields(p) for p in Project.objects.all()}
    assert len(before) == 2

    data = export_projects_xlsx(Project.objects.all())
    sheet = openpyxl.load_workbook(io.BytesIO(data))["项目"]
    titles = [cell.value for cell in sheet[1]]
    cells = {
        (sheet.cell(row=r, column=titles.index("项目名称*") + 1).value, title): sheet.cell(
            row=r, column=titles.index(title) + 1
        ).value
        for r in range(2, sheet.max_row + 1)
        for title in titles
    }
    blank_name = "甲街道智能制造产业园"
    assert cells[(blank_name, "计划开工日期")] == "2022年" and cells[(blank_name, "计划竣工日期")] == "2024年3月"
    assert cells[(blank_name, "投资领域")] is None and cells[(blank_name, "总投资（万元）")] is None
    assert cells[(blank_name, "区外属地")] == "新乡市牧野区"
    assert cells[("约数项目", "总投资（万元）")] == "约200000.00"

    report = parse_workbook(data, actor=office)
    assert not report.errors, messages_of(report)
    assert report.unchanged == 2 and report.to_update == 0 and report.to_create == 0
    apply_import(report, actor=office)
    assert {p.pk: _fields(p) for p in Project.objects.all()} == before


# ---------------------------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------------------------


def api_payload(world, **extra) -> dict:
    data = {"name": "接口留白项目", "owner_name": "接口业主有限公司", "responsible_unit": world.unit_a.pk}
    data.update(extra)
    return data


def test_api_accepts_unknowns_and_never_defaults(client, world):
    client.force_login(world.office)
    response = client.post(
        API,
        api_payload(world, domain=None, construction_nature="", total_investment=None),
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["domain"], body["construction_nature"], body["investment_subject"]) == ("", "", "")
    assert body["total_investment"] is None and body["total_investment_approx"] is False
    project = Project.objects.get(pk=body["id"])
    assert (project.domain, project.total_investment) == ("", None)


def test_api_reads_estimates_and_partial_dates(client, world):
    client.force_login(world.office)
    response = client.post(
        API,
        api_payload(
            world,
            total_investment="约20亿元",
            planned_start="2022年",
            planned_finish="2024-03",
            actual_start="2023-05-01",
            actual_start_precision="month",
            remarks="接口备注",
            locality_text="新乡市牧野区",
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["total_investment"] == "200000.00" and body["total_investment_approx"] is True
    assert (body["planned_start"], body["planned_start_precision"]) == ("2022-01-01", "year")
    assert (body["planned_finish"], body["planned_finish_precision"]) == ("2024-03-01", "month")
    assert (body["actual_start"], body["actual_start_precision"]) == ("2023-05-01", "month")
    assert body["remarks"] == "接口备注" and body["locality_text"] == "新乡市牧野区"

    url = f"{API}{body['id']}/"
    patched = client.patch(url, {"planned_start": "2022-06-15"}, content_type="application/json", HTTP_IF_MATCH='"1"')
    assert patched.status_code == 200, patched.json()
    assert (patched.json()["planned_start"], patched.json()["planned_start_precision"]) == ("2022-06-15", "day")


def test_api_refuses_bad_values_in_chinese(client, world):
    client.force_login(world.office)
    response = client.post(
        API, api_payload(world, total_investment="很多", planned_start="明年"), content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert "不是金额" in str(body["total_investment"]) and "不是有效日期" in str(body["planned_start"])


def test_api_refuses_a_deactivated_chain(client, world, chain):
    chain.is_active = False
    chain.save()
    client.force_login(world.office)
    response = client.post(API, api_payload(world, chain=chain.pk), content_type="application/json")
    assert response.status_code == 400 and "已停用" in str(response.json()["chain"])
    assert not Project.objects.filter(name="接口留白项目").exists()


# ---------------------------------------------------------------------------------------------------------------
# Annual plan months
# ---------------------------------------------------------------------------------------------------------------


def test_plan_months_are_saved_and_a_finish_before_the_start_is_refused(client, world):
    project = make_project(unit=world.unit_a, actor=world.office)
    with pytest.raises(ValidationError) as info:
        annual_plan_save(
            actor=world.office,
            project=project,
            year=2026,
            planned_investment=Decimal("100"),
            planned_start_month=9,
            planned_finish_month=3,
        )
    assert "不能早于计划开工月份" in str(info.value.message_dict["planned_finish_month"])
    assert not AnnualPlan.objects.exists()

    client.force_login(world.office)
    url = reverse("projects:plan_edit", args=[project.pk, 2026])
    bad = client.post(url, {"planned_investment": "100", "planned_start_month": "9", "planned_finish_month": "3"})
    assert bad.status_code == 200 and "不能早于计划开工月份" in bad.content.decode()
    ok = client.post(url, {"planned_investment": "100", "planned_start_month": "3", "planned_finish_month": "9"})
    assert ok.status_code == 302
    plan = AnnualPlan.objects.get()
    assert (plan.planned_start_month, plan.planned_finish_month) == (3, 9)

    # saving again without the months (another caller) keeps them
    annual_plan_save(actor=world.office, project=project, year=2026, planned_investment=Decimal("120"))
    plan.refresh_from_db()
    assert (plan.planned_start_month, plan.planned_finish_month) == (3, 9)


def test_plan_api_takes_the_months(client, world):
    project = make_project(unit=world.unit_a, actor=world.office)
    client.force_login(world.office)
    url = "/api/projects/plans/"
    bad = client.post(
        url,
        {
            "project": project.pk,
            "year": 2026,
            "planned_investment": "100",
            "planned_start_month": 9,
            "planned_finish_month": 3,
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "不能早于计划开工月份" in str(bad.json()["planned_finish_month"])
    ok = client.post(
        url,
        {
            "project": project.pk,
            "year": 2026,
            "planned_investment": "100",
            "planned_start_month": 4,
            "planned_finish_month": 11,
        },
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.json()
    assert (ok.json()["planned_start_month"], ok.json()["planned_finish_month"]) == (4, 11)


def test_form_refuses_an_actual_finish_that_may_precede_the_start(client, world):
    client.force_login(world.office)
    response = client.post(
        reverse("projects:project_add"), form_data(world, actual_start="2024-03-15", actual_finish="2024年3月")
    )
    assert response.status_code == 200
    assert "实际竣工日期不能早于实际开工日期" in response.content.decode()
    assert not Project.objects.filter(name="留白项目").exists()


def test_a_transition_date_is_a_whole_day(world):
    project = make_project(
        unit=world.unit_a,
        actor=world.office,
        planned_start=date(2024, 1, 1),
        planned_start_precision=DatePrecision.YEAR,
    )
    from tuijin.projects.services import project_transition

    project = project_transition(
        actor=world.office,
        project=project,
        version=project.version,
        to_stage="construction",
        actual_start=date(2024, 4, 2),
    )
    project.refresh_from_db()
    assert (project.actual_start, project.actual_start_precision) == (date(2024, 4, 2), DatePrecision.DAY)
    assert project.planned_start_precision == DatePrecision.YEAR  # untouched


def test_list_filters_projects_whose_domain_is_unknown(client, world):
    make_project(unit=world.unit_a, actor=world.office, name="已填领域")
    make_project(unit=world.unit_a, actor=world.office, name="未填领域", domain="")
    client.force_login(world.office)
    body = client.get(reverse("projects:project_list"), {"domain": "none"}).content.decode()
    assert "未填领域" in body and "已填领域" not in body
