"""Issue 19 item 6: a crafted zip header (the central directory's "version needed" byte set to 0x9A, or a local
header's flag byte) gave a 500 on project import and attachments and a traceback on the CLI. Every such file is now
one clean Chinese refusal."""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tuijin.projects.constants import ATTACHMENT_TYPES
from tuijin.utilities.excel import open_xlsx
from tuijin.utilities.uploads import check_upload


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["项目名称", "总投资"])
    book.active.append(["测试项目", 100])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _crafted(signature: bytes, offset: int = 6, value: int = 0x9A) -> bytes:
    data = bytearray(_xlsx())
    at = data.find(signature)
    assert at >= 0
    data[at + offset] = value
    return bytes(data)


CRAFTED = {
    "central-version-needed": lambda: _crafted(b"PK\x01\x02"),
    # a member's central header flags claiming "compressed patched data" / "strong encryption": zipfile raises
    # NotImplementedError only when that member is read, i.e. mid-import before the fix
    "central-patched": lambda: _crafted(b"PK\x01\x02", offset=8, value=0x20),
    "central-strong-encryption": lambda: _crafted(b"PK\x01\x02", offset=8, value=0x40),
}


@pytest.mark.parametrize("kind", list(CRAFTED))
def test_open_xlsx_refuses_a_crafted_header_in_chinese(kind):
    with pytest.raises(ValidationError) as caught:
        wb = open_xlsx(CRAFTED[kind]())
        for sheet in wb.worksheets:  # read_only workbooks read lazily: the failure must not wait until here
            list(sheet.iter_rows(values_only=True))
    assert any("文件" in message for message in caught.value.messages)


@pytest.mark.parametrize("kind", ["central-version-needed"])
def test_attachment_check_refuses_a_crafted_header_in_chinese(kind):
    upload = SimpleUploadedFile("表.xlsx", CRAFTED[kind](), content_type="application/octet-stream")
    with pytest.raises(ValidationError) as caught:
        check_upload(upload, ATTACHMENT_TYPES)
    assert "文件" in caught.value.messages[0]


def test_project_import_answers_a_crafted_file_with_a_form_error(client, world):
    client.force_login(world.office)
    upload = SimpleUploadedFile("项目.xlsx", CRAFTED["central-version-needed"](), content_type="application/zip")
    response = client.post(reverse("projects:project_import"), {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "文件已损坏，无法打开" in page or "文件不是有效的 Excel" in page


def test_cli_import_refuses_a_crafted_file_without_a_traceback(world, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "项目.xlsx"
    path.write_bytes(CRAFTED["central-patched"]())
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_projects", str(path), "--user", world.office.username, stderr=err, stdout=io.StringIO())
    assert "未导入任何数据" in str(caught.value) and "文件" in err.getvalue()
