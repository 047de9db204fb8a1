"""Plausible input (issue 19 item 12): dates within TUIJIN_DATE_MIN … TUIJIN_DATE_MAX and texts within
TUIJIN_TEXT_MAX_LENGTH, on every model field, plain form field and serializer field, through a form, the API and an
Excel import — each refused with a Chinese message naming the field, nothing the user typed lost."""

import importlib
import pkgutil
from datetime import UTC, date, datetime

import pytest
from django import forms
from django.apps import apps
from django.db import models
from django.test import override_settings
from django.urls import reverse
from rest_framework import serializers

import tuijin
from tuijin.core.bounds import DateBoundsValidator, TextLengthValidator, date_problem, text_problem
from tuijin.progress.models import ProgressReport
from tuijin.projects.excel import parse_workbook
from tuijin.projects.models import Project
from tuijin.projects.tests.factories import make_project
from tuijin.projects.tests.test_excel import assert_refused, row, workbook_bytes


def _tuijin_models():
    return [m for m in apps.get_models(include_auto_created=True) if m.__module__.startswith("tuijin.")]


def test_every_model_date_and_unbounded_text_field_is_bounded():
    checked = 0
    for model in _tuijin_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateField):
                assert any(isinstance(v, DateBoundsValidator) for v in field.validators), field
                checked += 1
            elif isinstance(field, models.TextField) and field.max_length is None:
                assert any(isinstance(v, TextLengthValidator) for v in field.validators), field
                checked += 1
    assert checked > 50


def test_bounds_change_no_migration():
    """The validators are not part of the field's declaration: deconstruct() is unchanged."""
    field = Project._meta.get_field("planned_start")
    assert "validators" not in field.deconstruct()[3]


def _serializer_classes():
    for module in pkgutil.walk_packages(tuijin.__path__, "tuijin."):
        if module.name.endswith(".serializers") and ".tests" not in module.name:
            importlib.import_module(module.name)
    seen, todo = set(), [serializers.Serializer]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen and sub.__module__.startswith("tuijin."):
                seen.add(sub)
            todo.append(sub)
    return sorted(seen, key=lambda c: c.__qualname__)


@pytest.mark.django_db
def test_every_writable_serializer_date_field_is_bounded():
    checked = 0
    for cls in _serializer_classes():
        try:
            fields = cls().fields
        except Exception:  # noqa: BLE001  (a serializer that needs its context is not instantiated alone)
            continue
        for name, field in fields.items():
            if isinstance(field, serializers.DateField | serializers.DateTimeField) and not field.read_only:
                assert any(isinstance(v, DateBoundsValidator) for v in field.validators), f"{cls.__name__}.{name}"
                checked += 1
    assert checked > 5


def test_plain_form_and_serializer_date_fields_are_bounded():
    for field in (forms.DateField(), forms.DateTimeField()):
        with pytest.raises(forms.ValidationError, match="日期须在 1949-10-01 至 2100-12-31 之间"):
            field.clean("9999-12-31")
    assert forms.DateField().clean("2100-12-31") == date(2100, 12, 31)  # the bound itself is accepted
    field = serializers.DateField()
    field.bind("day", serializers.Serializer())
    with pytest.raises(serializers.ValidationError):
        field.run_validation("0001-01-01")
    assert field.run_validation("1949-10-01") == date(1949, 10, 1)


def test_messages_name_the_field_and_the_bound():
    assert (
        date_problem(date(1, 1, 1), "开工日期") == "开工日期须在 1949-10-01 至 2100-12-31 之间（填写的是 0001-01-01）"
    )
    assert date_problem(datetime(2100, 12, 31, 23, 59, tzinfo=UTC), "提交时间") is None
    assert date_problem(date(1949, 9, 30), "开工日期") is not None
    assert text_problem("字" * 20000, "形象进度") is None
    assert text_problem("字" * 20001, "形象进度") == "形象进度不能超过 20,000 个字符（现有 20,001 个），请精简后再提交"


@override_settings(TUIJIN_DATE_MIN="2000-01-01", TUIJIN_DATE_MAX="2030-12-31", TUIJIN_TEXT_MAX_LENGTH=1000)
def test_bounds_are_configurable():
    assert "2000-01-01 至 2030-12-31" in date_problem(date(1999, 12, 31), "开工日期")
    assert text_problem("x" * 1001, "备注") is not None


# ---------------------------------------------------------------------------------------------------------------
# Through a form, the API and an import
# ---------------------------------------------------------------------------------------------------------------


def _report_form(**extra):
    return {
        "version": "0",
        "month_investment": "120.50",
        "construction_install": "100.50",
        "equipment": "20.00",
        "other_cost": "0",
        "funds_arrived": "50",
        "physical_progress": "基础施工",
        "next_month_plan": "主体结构施工（用户输入保留）",
        "problems-TOTAL_FORMS": "0",
        "problems-INITIAL_FORMS": "0",
        "save": "1",
        **extra,
    }


@pytest.mark.django_db
def test_form_refuses_year_0001_and_keeps_the_input(client, world):
    project = make_project(unit=world.unit_a, actor=world.office, name="日期边界项目", stage="preparation")
    client.force_login(world.reporter_a)
    url = reverse("progress:report_open", args=[project.pk, 2026, 10])
    response = client.post(url, _report_form(is_started="on", started_on="0001-01-01"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "开工日期须在 1949-10-01 至 2100-12-31 之间" in page or "日期须在 1949-10-01 至 2100-12-31 之间" in page
    assert "主体结构施工（用户输入保留）" in page and "120.50" in page
    assert not ProgressReport.objects.filter(project=project).exists()


@pytest.mark.django_db
def test_form_refuses_an_oversized_text_and_keeps_the_other_input(client, world):
    project = make_project(unit=world.unit_a, actor=world.office, name="长文本项目", stage="preparation")
    client.force_login(world.reporter_a)
    url = reverse("progress:report_open", args=[project.pk, 2026, 10])
    response = client.post(url, _report_form(physical_progress="长" * 1_000_000))
    page = response.content.decode()
    assert response.status_code == 200
    assert "形象进度不能超过 20,000 个字符（现有 1,000,000 个）" in page
    assert "主体结构施工（用户输入保留）" in page
    assert not ProgressReport.objects.filter(project=project).exists()


@pytest.mark.django_db
def test_a_10_mb_body_is_refused_with_a_chinese_413(client, world):
    project = make_project(unit=world.unit_a, actor=world.office, name="超大请求项目", stage="preparation")
    client.force_login(world.office)
    url = f"/api/projects/projects/{project.pk}/"
    response = client.patch(
        url, {"remark": "字" * (10 * 1024 * 1024)}, content_type="application/json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 413 and "提交的内容过大" in response.json()["detail"]
    page = client.post(
        reverse("progress:report_open", args=[project.pk, 2026, 10]),
        _report_form(physical_progress="字" * (10 * 1024 * 1024)),
    )
    assert page.status_code == 413 and "提交的内容过大" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_api_patch_refuses_implausible_dates(client, world, day):
    project = make_project(unit=world.unit_a, actor=world.office, name="接口日期项目", stage="preparation")
    client.force_login(world.office)
    url = f"/api/projects/projects/{project.pk}/"
    response = client.patch(url, {"land_deal_date": day}, content_type="application/json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 400, response.content
    assert "土地成交/出让合同日期须在 1949-10-01 至 2100-12-31 之间" in str(response.json()["land_deal_date"])
    assert Project.objects.get(pk=project.pk).version == 1


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_import_row_refuses_implausible_dates(world, day):
    from tuijin.projects.models import IndustryChain

    IndustryChain.objects.get_or_create(name="光电信息")
    report = parse_workbook(workbook_bytes([row(**{"土地成交日期": day})]), actor=world.office)
    assert_refused(report, world.office, row=2, column="土地成交日期", text="须在 1949-10-01 至 2100-12-31 之间")


@pytest.mark.django_db
def test_import_row_refuses_an_oversized_text_cell(world):
    from tuijin.projects.models import IndustryChain

    IndustryChain.objects.get_or_create(name="光电信息")
    report = parse_workbook(workbook_bytes([row(**{"建设规模及内容": "长" * 30000})]), actor=world.office)
    assert_refused(report, world.office, row=2, column="建设规模及内容", text="不能超过 20,000 个字符")
