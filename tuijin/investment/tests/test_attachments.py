"""A lead's attachments: the projects' upload checks (content type, extension, size), the stage they are filed
under, the timeline, and a permission matrix for upload, download (only through the scoped view) and delete."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tuijin.investment import results
from tuijin.investment.choices import LeadEventType
from tuijin.investment.models import LeadAttachment, LeadEvent
from tuijin.utilities.testing.matrix import Case, PostMatrix, ViewMatrix

from .factories import advance, make_lead


def pdf(marker: str = "lead-file", name: str = "合同.pdf") -> SimpleUploadedFile:
    body = b"%PDF-1.4\n% " + marker.encode() + b"\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def png(name: str = "现场照片.png") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 10, 10)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def leads(world):
    a = make_lead(actor=world.reporter_a, unit=world.unit_a, name="甲附件项目")
    b = make_lead(actor=world.reporter_b, unit=world.unit_b, name="乙附件项目")
    return a, b


@pytest.fixture
def foreign_lead(world):
    return make_lead(actor=world.foreign_office, unit=world.foreign_unit, name="邻区附件项目")


# --- the service -----------------------------------------------------------------------------------


def test_upload_is_stored_and_on_the_timeline(world, leads):
    lead = advance(leads[0], "signed", actor=world.reporter_a)
    attachment = results.attachment_create(actor=world.reporter_a, lead=lead, uploaded=png(), stage="signed")
    assert attachment.content_type == "image/png" and attachment.extension == ".png"
    assert attachment.original_name == "现场照片.png" and attachment.size > 0 and len(attachment.sha256) == 64
    assert attachment.file.name.endswith(f"{attachment.sha256}.png")  # stored under its hash, not its name
    event = LeadEvent.objects.get(lead=lead, type=LeadEventType.ATTACHMENT)
    assert event.data["name"] == "现场照片.png" and event.data["stage"] == "signed"


@pytest.mark.parametrize(
    ("uploaded", "message"),
    [
        (SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf"), "不支持的文件类型"),  # content decides, not the name
        (SimpleUploadedFile("a.exe", b"MZ\x90\x00"), "不支持的文件类型"),
        (SimpleUploadedFile("合同.docx", pdf().read()), "扩展名与文件内容不符"),  # a PDF named .docx
        (SimpleUploadedFile("空.pdf", b""), "文件为空"),
    ],
)
def test_upload_refuses_a_wrong_file(world, leads, uploaded, message):
    with pytest.raises(ValidationError) as exc:
        results.attachment_create(actor=world.reporter_a, lead=leads[0], uploaded=uploaded, stage="negotiating")
    assert message in " ".join(exc.value.messages)
    assert not LeadAttachment.objects.exists()


def test_upload_refuses_an_oversize_file(world, leads, settings):
    settings.TUIJIN_UPLOAD_MAX_MB = 1
    big = SimpleUploadedFile("大.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        results.attachment_create(actor=world.reporter_a, lead=leads[0], uploaded=big, stage="negotiating")
    assert "1 MB" in exc.value.messages[0]
    assert not LeadAttachment.objects.exists()


def test_stage_must_be_reached(world, leads):
    assert results.attachment_stages(leads[0]) == ["negotiating"]
    with pytest.raises(ValidationError) as exc:
        results.attachment_create(actor=world.reporter_a, lead=leads[0], uploaded=pdf(), stage="started")
    assert "stage" in exc.value.message_dict


def test_upload_out_of_scope_is_refused(world, leads):
    with pytest.raises(PermissionDenied):
        results.attachment_create(actor=world.reporter_a, lead=leads[1], uploaded=pdf(), stage="negotiating")
    assert not LeadAttachment.objects.exists()


def test_delete_needs_the_permission(world, leads):
    attachment = results.attachment_create(actor=world.reporter_a, lead=leads[0], uploaded=pdf(), stage="negotiating")
    with pytest.raises(PermissionDenied):
        results.attachment_delete(actor=world.reporter_a, attachment=attachment)
    assert LeadAttachment.objects.filter(pk=attachment.pk).exists()
    results.attachment_delete(actor=world.office, attachment=attachment)
    assert not LeadAttachment.objects.filter(pk=attachment.pk).exists()


# --- pages -----------------------------------------------------------------------------------------


def test_upload_page_shows_a_refused_file_as_a_message(client, world, leads):
    client.force_login(world.reporter_a)
    url = reverse("investment:attachment_upload", args=[leads[0].pk])
    response = client.post(
        url, {"stage": "negotiating", "file": SimpleUploadedFile("x.pdf", b"GIF89a...")}, follow=True
    )
    assert response.status_code == 200
    assert "附件未上传" in response.content.decode() and "不支持的文件类型" in response.content.decode()
    assert not LeadAttachment.objects.exists()


def test_lead_page_lists_the_attachments(client, world, leads):
    results.attachment_create(actor=world.reporter_a, lead=leads[0], uploaded=pdf(), stage="negotiating")
    client.force_login(world.reporter_a)
    page = client.get(leads[0].get_absolute_url()).content.decode()
    assert "合同.pdf" in page and 'id="tj-attachment-form"' in page
    client.force_login(world.leader)  # reads, does not upload
    page = client.get(leads[0].get_absolute_url()).content.decode()
    assert "合同.pdf" in page and 'id="tj-attachment-form"' not in page


class TestAttachmentUpload(PostMatrix):
    url_name = "investment:attachment_upload"

    def data(self, obj, matrix):
        return {"stage": "negotiating", "file": pdf()}

    def effect(self, obj, matrix):
        assert LeadAttachment.objects.filter(lead=obj, original_name="合同.pdf").exists()

    @pytest.fixture
    def matrix(self, world, leads):
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=leads[0], out_of_scope=leads[1])


def _attachment(actor, lead, marker):
    return results.attachment_create(actor=actor, lead=lead, uploaded=pdf(marker), stage="negotiating")


class TestAttachmentDownload(ViewMatrix):
    url_name = "investment:attachment_download"

    @pytest.fixture
    def matrix(self, world, leads):
        a = _attachment(world.reporter_a, leads[0], "marker-of-a")
        b = _attachment(world.reporter_b, leads[1], "marker-of-b")

        def marker(obj):
            return "marker-of-a" if obj.pk == a.pk else "marker-of-b"

        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=a, out_of_scope=b, marker=marker)

    def test_headers(self, client, matrix):
        client.force_login(matrix.allowed)
        response = client.get(self.url_for(matrix.in_scope))
        assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
        assert "attachment" in response["Content-Disposition"]


class TestAttachmentDelete(PostMatrix):
    url_name = "investment:attachment_delete"

    def effect(self, obj, matrix):
        assert not LeadAttachment.objects.filter(pk=obj.pk).exists()

    @pytest.fixture
    def matrix(self, world, leads, foreign_lead):
        a = _attachment(world.reporter_a, leads[0], "a")
        f = _attachment(world.foreign_office, foreign_lead, "f")
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=a, out_of_scope=f)
