"""纳统 Excel: the template lists the month's projects; an import is checked row by row (errors in Chinese, the
locked figure refused with the service's message, nothing written), previewed, then confirmed in one transaction."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tuijin.funds import stats_excel
from tuijin.funds.models import StatsFigure
from tuijin.utilities.excel import workbook_bytes

from .test_stats import APR, building, bureau, enter, login, report

D = Decimal


def xlsx(rows, header=True) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    if header:
        sheet.append(stats_excel.HEADERS)
    for row in rows:
        sheet.append(row)
    return workbook_bytes(book)


@pytest.mark.django_db
def test_template_lists_the_months_projects(world):
    user = bureau(world)
    project = building(world, name="模板项目")
    report(project, APR, "10")
    enter(user, project, APR, "8")
    book = openpyxl.load_workbook(io.BytesIO(stats_excel.template_xlsx(user, APR)))
    rows = list(book.active.iter_rows(values_only=True))
    assert list(rows[0]) == stats_excel.HEADERS
    assert rows[1][:4] == (project.code, "模板项目", 8, "是")


@pytest.mark.django_db
def test_import_row_errors_in_chinese_and_nothing_written(world):
    user = bureau(world)
    good = building(world, name="好项目")
    locked = building(world, name="已报送项目")
    other = building(world, name="邻区项目")
    other.responsible_unit = world.foreign_unit
    other.save()
    enter(user, locked, APR, "5", submit=True)
    data = xlsx(
        [
            [good.code, "", 12.5, "是", ""],
            ["NOPE-1", "", 1, "是", ""],
            [good.code, "", 3, "否", ""],
            [locked.code, "", 7, "是", ""],
            [other.code, "", 7, "是", ""],
            [building(world).code, "", -1, "是", ""],
            [building(world).code, "", "abc", "是", ""],
            [building(world).code, "", 1, "也许", ""],
        ]
    )
    check = stats_excel.import_check(actor=user, month=APR, data=data)
    messages = dict(check.errors)
    assert not check.ok
    assert [r.code for r in check.rows] == [good.code]
    assert messages[3] == "第3行：项目代码“NOPE-1”不存在或不在您的管理范围内。"
    assert messages[4] == "第4行：项目代码“%s”与第2行重复。" % good.code
    assert messages[5].startswith("第5行：2025-04 的统计口径数据已于") and "已锁定" in messages[5]
    assert "不存在或不在您的管理范围内" in messages[6]
    assert messages[7] == "第7行：当月统计口径投资不能为负数。"
    assert messages[8] == "第8行：当月统计口径投资须为数字（万元），收到“abc”。"
    assert messages[9] == "第9行：是否入库请填“是”或“否”，收到“也许”。"
    assert StatsFigure.objects.count() == 1  # the dry run kept nothing


@pytest.mark.django_db
def test_import_refused_for_non_bureau_and_bad_files(world):
    project = building(world)
    check = stats_excel.import_check(actor=world.office, month=APR, data=xlsx([[project.code, "", 1, "是", ""]]))
    assert check.errors == [(2, "第2行：只有统计局可以录入统计口径数据。")]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        stats_excel.import_check(actor=bureau(world), month=APR, data=b"not a workbook")


@pytest.mark.django_db
def test_preview_then_confirm_through_the_pages(client, world):
    user = bureau(world)
    a = building(world, name="导入甲")
    b = building(world, name="导入乙")
    enter(user, b, APR, "1")  # entered, not submitted: the import replaces it
    login(client, user)
    assert client.get(reverse("stats:template"), {"month": "2025-04"}).status_code == 200
    bad = client.post(
        reverse("stats:import") + "?month=2025-04",
        {"month": "2025-04", "file": SimpleUploadedFile("s.xlsx", xlsx([["X", "", 1, "是", ""]]))},
    )
    assert bad.status_code == 400 and "不存在或不在您的管理范围内" in bad.content.decode()
    data = xlsx([[a.code, "", 100, "是", "联网直报"], [b.code, "", 0, "否", ""]])
    preview = client.post(
        reverse("stats:import") + "?month=2025-04", {"month": "2025-04", "file": SimpleUploadedFile("s.xlsx", data)}
    )
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "2 行可导入" in text and "确认导入" in text
    assert StatsFigure.objects.get(project=b).stats_investment == D("1")  # preview wrote nothing
    token = preview.context["token"]
    done = client.post(reverse("stats:import_apply"), {"token": token})
    assert done.status_code == 302
    assert StatsFigure.objects.get(project=a).stats_investment == D("100")
    assert StatsFigure.objects.get(project=a).note == "联网直报"
    assert StatsFigure.objects.get(project=b).stats_investment == D("0")
    # the preview is used once
    again = client.post(reverse("stats:import_apply"), {"token": token})
    assert again.status_code == 302 and StatsFigure.objects.count() == 2


@pytest.mark.django_db
def test_confirm_refused_when_a_row_was_submitted_meanwhile(world):
    user = bureau(world)
    a = building(world)
    b = building(world)
    data = xlsx([[a.code, "", 10, "是", ""], [b.code, "", 20, "是", ""]])
    check = stats_excel.import_check(actor=user, month=APR, data=data)
    assert check.ok
    enter(user, b, APR, "5", submit=True)
    from tuijin.core.exceptions import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        stats_excel.import_apply(actor=user, check=check)
    assert refused.value.message.startswith("第3行（%s）：" % b.code)
    assert "未导入任何数据" in refused.value.message
    assert not StatsFigure.objects.filter(project=a).exists()  # all or nothing
