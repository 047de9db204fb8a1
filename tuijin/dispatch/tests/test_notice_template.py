"""通报模板 (issue 13, item 5): the 项目办 uploads its own Word layout — checked (type, size, macros, placeholders),
previewed on the current period's notice without changing anything, then 启用; 恢复默认 goes back to the built-in
layout. Generation, downloads and publishing use the region's active template."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from tuijin.core.models import ObjectChange
from tuijin.dispatch import notice
from tuijin.dispatch.models import NOTICE_TEMPLATE_MAX_BYTES, NoticeDraft, NoticeTemplate
from tuijin.dispatch.notice_services import (
    BLOCK_DESCRIPTIONS,
    INLINE_DESCRIPTIONS,
    notice_meta_for,
    notice_publish,
    notice_template_active,
    notice_template_check,
    notice_template_upload,
    placeholder_list,
)
from tuijin.org import roles
from tuijin.org.choices import Role
from tuijin.progress.services import period_for_reporting
from tuijin.utilities.testing.matrix import Case, PostMatrix, ViewMatrix

CUSTOM = "本区自定义段落：请各单位对照通报逐项整改。"


def make_docx(*paragraphs: str, header: str = "") -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    if header:
        doc.sections[0].header.paragraphs[0].text = header
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def custom_docx(marker: str = CUSTOM) -> bytes:
    return make_docx(
        "{{标题}}",
        marker,
        "一、总体",
        "{{总体情况}}",
        "二、排名",
        "{{排名}}",
        "三、下一步",
        "{{下一步工作}}",
        "{{发文单位}}　{{日期}}",
        header="{{期号}} {{文号}}",
    )


def docx_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    parts.extend(p.text for s in doc.sections for p in s.header.paragraphs)
    return "\n".join(parts)


def upload(client, content: bytes, name: str = "我的模板.docx"):
    return client.post(reverse("dispatch:notice_template"), {"file": SimpleUploadedFile(name, content)})


def period():
    current = period_for_reporting()
    return current.year, current.month


# --------------------------------------------------------------------------------------------------------------
# Upload, preview, 启用, generation and publishing


def test_roles_grant_the_template_permission():
    assert "dispatch.change_noticetemplate" in roles.ROLE_SPECS[Role.PROJECT_OFFICE].permissions
    assert "dispatch.change_noticetemplate" not in roles.ROLE_SPECS[Role.UNIT_REPORTER].permissions


def test_uploaded_template_is_previewed_then_used_for_the_notice(client, world, dashboard_projects):
    client.force_login(world.office)
    response = upload(client, custom_docx())
    template = NoticeTemplate.objects.get(region=world.district)
    assert response.status_code == 302
    assert response["Location"] == reverse("dispatch:notice_template_preview", args=[template.pk])
    assert not template.is_active and template.uploaded_by == world.office

    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert CUSTOM in text  # the outline of the rendered notice
    assert "{{分类情况}}" in text and "生成的通报将不包含这些内容" in text  # the sections left out, as a warning
    assert notice_template_active(world.district) is None  # previewing activates nothing

    year, month = period()
    preview = client.get(reverse("dispatch:notice_template_preview_docx", args=[template.pk]))
    assert preview.status_code == 200
    previewed = docx_text(b"".join(preview.streaming_content))
    assert CUSTOM in previewed and "{{" not in previewed
    assert notice_template_active(world.district) is None

    activated = client.post(reverse("dispatch:notice_template_activate", args=[template.pk]), {"expected": "0"})
    assert activated.status_code == 302
    template.refresh_from_db()
    assert template.is_active and template.activated_by == world.office

    # The notice as the office downloads it (build_notice → notice_meta_for → the active template).
    data = notice.build_notice(world.office, year, month)
    assert data.meta.template == bytes(template.content)
    assert list(notice.notice_sections(data)) == list(notice.PLACEHOLDERS)  # the documented list is the code's
    generated = docx_text(notice.notice_docx(data))
    overview = notice.notice_sections(data)["总体情况"]
    figures = [b.text for b in overview if isinstance(b, notice.Paragraph)]
    assert CUSTOM in generated
    assert figures and all(line in generated for line in figures)  # the figures fill {{总体情况}}
    assert "甲街道办事处" in generated  # the unit ranking table under {{排名}}
    assert data.issue_label in generated  # the inline {{期号}} in the header
    assert "二、分类推进情况" not in generated  # the built-in headings are gone: the layout is the upload's


def test_publishing_uses_the_active_template(world, dashboard_projects):
    year, month = period()
    template, _report = notice_template_upload(
        actor=world.office, region=world.district, name="layout.docx", content=custom_docx()
    )
    from tuijin.dispatch.notice_services import notice_template_activate

    notice_template_activate(actor=world.office, template=template, expected_active=0)
    NoticeDraft.objects.create(region=world.district, year=year, month=month, next_steps="抓好项目调度。")
    published = notice_publish(actor=world.office, year=year, month=month)
    with published.docx.open("rb") as handle:
        text = docx_text(handle.read())
    assert CUSTOM in text and "抓好项目调度。" in text


def test_preview_of_a_candidate_does_not_change_the_active_template(client, world):
    client.force_login(world.office)
    first, _ = notice_template_upload(
        actor=world.office, region=world.district, name="a.docx", content=custom_docx("模板甲")
    )
    client.post(reverse("dispatch:notice_template_activate", args=[first.pk]), {"expected": "0"})
    upload(client, custom_docx("模板乙"), "b.docx")
    second = NoticeTemplate.objects.get(name="b.docx")
    assert client.get(reverse("dispatch:notice_template_preview", args=[second.pk])).status_code == 200
    content = b"".join(client.get(reverse("dispatch:notice_template_preview_docx", args=[second.pk])).streaming_content)
    assert "模板乙" in docx_text(content)
    assert notice_template_active(world.district) == first
    year, month = period()
    assert "模板甲" in docx_text(notice.notice_docx(notice.build_notice(world.office, year, month)))


def test_reset_goes_back_to_the_builtin_template_and_keeps_the_history(client, world):
    client.force_login(world.office)
    template, _ = notice_template_upload(
        actor=world.office, region=world.district, name="a.docx", content=custom_docx()
    )
    client.post(reverse("dispatch:notice_template_activate", args=[template.pk]), {"expected": "0"})
    year, month = period()
    assert notice_meta_for(world.office, year, month).template == bytes(template.content)

    response = client.post(reverse("dispatch:notice_template_reset"), {"expected": str(template.pk)})
    assert response.status_code == 302
    assert notice_template_active(world.district) is None
    assert notice_meta_for(world.office, year, month).template is None
    generated = docx_text(notice.notice_docx(notice.build_notice(world.office, year, month)))
    assert CUSTOM not in generated and "一、总体情况" in generated  # the built-in layout again
    assert NoticeTemplate.objects.filter(pk=template.pk).exists()  # kept: it can be activated again
    messages = list(
        ObjectChange.objects.filter(changed_object_id=template.pk, changed_object_type__model="noticetemplate")
        .order_by("time", "pk")
        .values_list("message", flat=True)
    )
    assert messages == ["上传通报模板", "启用通报模板", "恢复默认通报模板"]
    page = client.get(reverse("dispatch:notice_template"))
    assert "内置模板" in page.content.decode() and "恢复默认通报模板" in page.content.decode()


def test_activating_over_someone_elses_change_shows_the_conflict_page(client, world):
    client.force_login(world.office)
    first, _ = notice_template_upload(
        actor=world.office, region=world.district, name="a.docx", content=custom_docx("甲")
    )
    second, _ = notice_template_upload(
        actor=world.office, region=world.district, name="b.docx", content=custom_docx("乙")
    )
    client.post(reverse("dispatch:notice_template_activate", args=[first.pk]), {"expected": "0"})
    # A second page, loaded before the first 启用, still believes the built-in template is active.
    response = client.post(reverse("dispatch:notice_template_activate", args=[second.pk]), {"expected": "0"})
    assert response.status_code == 409
    assert "a.docx" in response.content.decode()
    assert notice_template_active(world.district) == first
    again = client.post(reverse("dispatch:notice_template_activate", args=[second.pk]), {"expected": str(first.pk)})
    assert again.status_code == 302 and notice_template_active(world.district) == second


# --------------------------------------------------------------------------------------------------------------
# Refused files and placeholder reports


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _with_macro(content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    entries = {info.filename: source.read(info.filename) for info in source.infolist()}
    entries["word/vbaProject.bin"] = b"\x00macro"
    return _zip(entries)


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("模板.docx", lambda: "这不是Word文件".encode(), "不是有效的 Word 文档"),
        ("模板.txt", lambda: custom_docx(), "请上传 Word 文档（.docx）"),
        ("旧模板.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "不支持旧版 Word（.doc）"),
        ("大模板.docx", lambda: b"PK\x03\x04" + b"\0" * NOTICE_TEMPLATE_MAX_BYTES, "文件超过 2 MB 的上限"),
        ("宏模板.docx", lambda: _with_macro(custom_docx()), "文件包含宏，已拒绝"),
        ("宏模板.docm", lambda: custom_docx(), "启用宏的 Word 文件"),
        ("表格.docx", lambda: _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}), "不是有效的"),
        ("坏模板.docx", lambda: _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<bad"}), "无法打开"),
    ],
)
def test_bad_files_are_refused_with_a_chinese_message(client, world, name, make, message):
    client.force_login(world.office)
    response = upload(client, make(), name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not NoticeTemplate.objects.exists()
    assert response.context["form"].errors["file"]


def test_an_empty_form_asks_for_a_file(client, world):
    client.force_login(world.office)
    response = client.post(reverse("dispatch:notice_template"), {})
    assert "请选择要上传的 .docx 文件" in response.content.decode()


def test_unknown_and_misplaced_placeholders_are_reported():
    report = notice_template_check(
        "t.docx",
        make_docx("{{标题}}", "{{总体状况}}", "本期{{总体情况}}如下", "{{ 年度 }}年", "{{排名}}", header="{{神秘}}"),
    )
    assert ("{{总体状况}}", "{{总体情况}}") in report.unknown
    assert ("{{ 年度 }}", "{{年度}}") in report.unknown
    assert ("{{神秘}}", "") in report.unknown
    assert report.misplaced == ["{{总体情况}}"]
    assert "总体情况" in report.missing and "排名" not in report.missing and "标题" not in report.missing
    text = "\n".join(report.warnings)
    assert "未识别的占位符" in text and "{{总体状况}}（是否应为{{总体情况}}？）" in text
    assert "必须单独占一个段落" in text


def test_unknown_placeholder_shows_on_the_preview(client, world):
    client.force_login(world.office)
    response = upload(client, make_docx("{{标题}}", "{{总体状况}}"))
    page = client.get(response["Location"]).content.decode()
    assert "未识别的占位符" in page and "{{总体状况}}" in page


def test_the_builtin_template_has_every_section():
    report = notice_template_check("notice.docx", notice.notice_template_path().read_bytes())
    assert report.warnings == [] and report.missing == []


def test_placeholder_list_follows_the_code(world):
    items = placeholder_list(world.office)
    blocks = [p.name for p in items if p.kind == "block"]
    inline = [p.name for p in items if p.kind == "inline"]
    assert blocks == list(notice.PLACEHOLDERS)
    assert set(blocks) == set(BLOCK_DESCRIPTIONS) and set(inline) == set(INLINE_DESCRIPTIONS)
    assert all(p.becomes for p in items)
    year = str(period_for_reporting().year)
    assert next(p for p in items if p.name == "年度").example == year


def test_the_page_lists_the_placeholders_and_offers_the_builtin_template(client, world):
    client.force_login(world.office)
    page = client.get(reverse("dispatch:notice_template")).content.decode()
    for name in [*notice.PLACEHOLDERS, *INLINE_DESCRIPTIONS]:
        assert "{{" + name + "}}" in page
    builtin = client.get(reverse("dispatch:notice_template_builtin"))
    assert b"".join(builtin.streaming_content) == notice.notice_template_path().read_bytes()
    assert "通报模板" in client.get(reverse("dispatch:notice")).content.decode()


def test_the_notice_page_hides_the_link_from_readers(client, world):
    client.force_login(world.reporter_a)
    assert "tj-notice-template-link" not in client.get(reverse("dispatch:notice")).content.decode()


# --------------------------------------------------------------------------------------------------------------
# Permission matrices


@pytest.fixture
def templates(world):
    mine, _ = notice_template_upload(
        actor=world.office, region=world.district, name="本区模板.docx", content=custom_docx("本区模板段落")
    )
    foreign, _ = notice_template_upload(
        actor=world.foreign_office,
        region=world.other_district,
        name="邻区模板.docx",
        content=custom_docx("邻区模板段落"),
    )
    return mine, foreign


class _DocxText:
    def text(self, response) -> str:
        content = b"".join(response.streaming_content) if response.streaming else response.content
        return docx_text(content)


class TestNoticeTemplatePageMatrix(ViewMatrix):
    url_name = "dispatch:notice_template"
    detail = False

    @pytest.fixture
    def matrix(self, world, templates):
        mine, foreign = templates
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=mine,
            out_of_scope=foreign,
            marker=lambda t: t.name,
            viewer=world.foreign_office,
        )


class TestNoticeTemplateBuiltinMatrix(ViewMatrix):
    url_name = "dispatch:notice_template_builtin"
    detail = False
    scoped = False
    unscoped_reason = "the built-in layout is one file for every region"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.leader)


class TestNoticeTemplatePreviewMatrix(ViewMatrix):
    url_name = "dispatch:notice_template_preview"

    @pytest.fixture
    def matrix(self, world, templates):
        mine, foreign = templates
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=mine,
            out_of_scope=foreign,
            marker=lambda t: t.name,
            viewer=world.foreign_office,
        )


class TestNoticeTemplatePreviewDocxMatrix(_DocxText, ViewMatrix):
    url_name = "dispatch:notice_template_preview_docx"

    @pytest.fixture
    def matrix(self, world, templates):
        mine, foreign = templates
        return Case(
            allowed=world.office,
            denied=world.sponsor,
            in_scope=mine,
            out_of_scope=foreign,
            marker=lambda t: "本区模板段落" if t.region_id == world.district.pk else "邻区模板段落",
            viewer=world.foreign_office,
        )


class TestNoticeTemplateDownloadMatrix(_DocxText, ViewMatrix):
    url_name = "dispatch:notice_template_download"

    @pytest.fixture
    def matrix(self, world, templates):
        mine, foreign = templates
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=mine,
            out_of_scope=foreign,
            marker=lambda t: "本区模板段落" if t.region_id == world.district.pk else "邻区模板段落",
            viewer=world.foreign_office,
        )


class TestNoticeTemplateActivateMatrix(PostMatrix):
    url_name = "dispatch:notice_template_activate"

    def data(self, obj, matrix):
        return {"expected": "0"}

    def effect(self, obj, matrix):
        obj.refresh_from_db()
        assert obj.is_active

    @pytest.fixture
    def matrix(self, world, templates):
        mine, foreign = templates
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=mine,
            out_of_scope=foreign,
            viewer=world.foreign_office,
        )


class TestNoticeTemplateResetMatrix(PostMatrix):
    url_name = "dispatch:notice_template_reset"
    detail = False
    scoped = False
    unscoped_reason = "恢复默认 acts on the user's own region: no object is named in the request"

    def data(self, obj, matrix):
        return {"expected": str(obj.pk)}

    def effect(self, obj, matrix):
        obj.refresh_from_db()
        assert not obj.is_active

    @pytest.fixture
    def matrix(self, world, templates):
        from tuijin.dispatch.notice_services import notice_template_activate

        mine, _foreign = templates
        notice_template_activate(actor=world.office, template=mine, expected_active=0)
        mine.refresh_from_db()
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=mine)
