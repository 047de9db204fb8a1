"""高校资源 in Excel: the export opened with openpyxl (formula injection neutralised), the template, a round trip
(export → edit → import → preview → confirm), the row errors in Chinese, and the upload checks (type by content,
size)."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tuijin.chains import excel_universities
from tuijin.chains.excel_universities import HEADERS
from tuijin.chains.models import UniversityResource
from tuijin.core.models import AuditEvent
from tuijin.utilities.excel import workbook_bytes

from .test_matching import node, resource

pytestmark = pytest.mark.django_db


def book(response) -> openpyxl.Workbook:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def upload(rows, *, name="resources.xlsx") -> SimpleUploadedFile:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    return SimpleUploadedFile(name, workbook_bytes(wb))


def row(name="红外光学团队", **values) -> list:
    cells = {
        "高校": "河南工学院",
        "类别": "科研团队",
        "名称": name,
        "研究方向": "精密光学",
        "关键词": "红外镜头，光学薄膜",
        "简介": "",
        "联系人": "李老师",
        "联系电话": "13800000000",
        "服务环节": "",
        "是否有效": "是",
    } | values
    return [cells[h] for h in HEADERS]


def test_export_is_neutralised_and_has_the_import_columns(client, world):
    gap = node("光学元件", "光学薄膜")
    dangerous = resource('=HYPERLINK("http://x","点我")', "光学薄膜", "+1+1")
    dangerous.nodes.add(gap)
    client.force_login(world.office)
    sheet = book(client.get(reverse("chains:resource_export"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert rows[1][0] == "河南工学院" and rows[1][1] == "科研团队"
    assert rows[1][2] == '\'=HYPERLINK("http://x","点我")' and rows[1][3] == "'+1+1"
    assert rows[1][8] == "光电信息/光学元件" and rows[1][9] == "是"
    assert all(cell.data_type != "f" for r in sheet.iter_rows() for cell in r)
    assert AuditEvent.objects.filter(event_type="export", detail__what="chains.universityresource").exists()


def test_template_lists_the_allowed_values(client, world):
    node("光学元件")
    client.force_login(world.office)
    wb = book(client.get(reverse("chains:resource_template")))
    assert [c.value for c in wb["高校资源"][1]] == HEADERS
    notes = "\n".join(str(c) for r in wb["填写说明"].iter_rows(values_only=True) for c in r if c)
    assert "新乡医学院" in notes and "实验室" in notes and "光电信息/光学元件" in notes


def test_round_trip_export_edit_import(client, world):
    gap = node("光学元件", "光学薄膜")
    kept = resource()
    client.force_login(world.office)
    wb = book(client.get(reverse("chains:resource_export")))
    sheet = wb.active
    sheet.cell(row=2, column=4, value="精密光学检测")  # 研究方向 changed
    sheet.cell(row=2, column=9, value="光电信息/光学元件")  # now serves the node
    sheet.append(row())  # a new one
    response = client.post(
        reverse("chains:resource_import"), {"file": SimpleUploadedFile("edited.xlsx", workbook_bytes(wb))}
    )
    assert response.status_code == 200
    check = response.context["check"]
    assert check.ok and (check.created, check.updated) == (1, 1)
    page = response.content.decode()
    assert "新增 1 条，更新 1 条" in page and "tj-import-confirm" in page
    assert UniversityResource.objects.count() == 1  # nothing written by the preview
    response = client.post(reverse("chains:resource_import_apply"), {"token": response.context["token"]})
    assert response.status_code == 302 and response["Location"] == reverse("chains:resource_list")
    kept.refresh_from_db()
    assert kept.field == "精密光学检测" and list(kept.nodes.all()) == [gap] and kept.version == 2
    new = UniversityResource.objects.get(name="红外光学团队")
    assert new.keywords == "红外镜头、光学薄膜" and new.contact_name == "李老师"
    assert AuditEvent.objects.filter(event_type="import", detail__created=1, detail__updated=1).exists()
    # the same file again: nothing changed, so nothing to import
    response = client.post(
        reverse("chains:resource_import"), {"file": SimpleUploadedFile("again.xlsx", workbook_bytes(wb))}
    )
    assert not response.context["check"].rows


def test_row_errors_in_chinese_and_nothing_written(client, world):
    node("光学元件")
    resource()
    rows = [
        row("甲", 高校="郑州大学"),
        row("乙", 类别="研究所"),
        row("", 关键词=""),
        row("丙", 服务环节="光电信息/不存在的环节"),
        row("丁", 是否有效="也许"),
        row("戊", 关键词="", 研究方向=""),
        row("光电薄膜与智能传感团队"),  # an update of the existing one: allowed
        row("己"),
        row("己"),
    ]
    client.force_login(world.office)
    response = client.post(reverse("chains:resource_import"), {"file": upload(rows)})
    assert response.status_code == 400
    messages = [m for _line, m in response.context["check"].errors]
    assert messages == [
        "第2行：高校“郑州大学”不在名单中。",
        "第3行：类别“研究所”无效，可填：实验室、科研团队、专利、创新平台、联络人。",
        "第4行：请填写名称。",
        "第5行：服务环节“光电信息/不存在的环节”不存在。",
        "第6行：是否有效请填“是”或“否”，收到“也许”。",
        "第7行：请填写关键词或研究方向，匹配按它们进行。",
        "第10行：与第9行是同一资源（高校、类别、名称相同）。",
    ]
    assert "tj-import-confirm" not in response.content.decode()
    assert UniversityResource.objects.count() == 1


def test_formula_cells_and_bad_files_are_refused(client, world):
    client.force_login(world.office)
    response = client.post(reverse("chains:resource_import"), {"file": upload([row(简介="=1+1")])})
    assert response.context["check"].errors == [(2, "第2行：单元格含公式，请粘贴为数值后再导入。")]
    fake = SimpleUploadedFile("resources.xlsx", b"name,keywords\n")
    response = client.post(reverse("chains:resource_import"), {"file": fake})
    assert response.status_code == 400 and "不支持的文件类型（按文件内容识别）" in response.content.decode()
    response = client.post(reverse("chains:resource_import"), {})
    assert response.status_code == 400 and "请选择要上传的 Excel 文件。" in response.content.decode()


def test_a_too_large_file_is_refused(world):
    from django.core.exceptions import ValidationError

    big = upload([row()])
    big.size = excel_universities.MAX_MB * 1024 * 1024 + 1
    with pytest.raises(ValidationError) as caught:
        excel_universities.import_check(actor=world.office, uploaded=big)
    assert caught.value.messages == ["文件超过 5 MB 的上限。"]


def test_a_stale_preview_is_refused(client, world):
    client.force_login(world.office)
    response = client.post(reverse("chains:resource_import_apply"), {"token": "nope"}, follow=True)
    assert "导入预览已失效，请重新上传文件。" in response.content.decode()
