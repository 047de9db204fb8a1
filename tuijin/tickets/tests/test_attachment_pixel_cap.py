"""Ticket attachments go through the same image pixel cap as report photos (issue 19 item 9)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tuijin.tickets.forms import checked_attachment


def test_a_17_kb_png_of_144_megapixels_is_refused_as_a_ticket_attachment():
    buffer = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buffer, format="PNG")
    with pytest.raises(ValidationError) as caught:
        checked_attachment(SimpleUploadedFile("scan.png", buffer.getvalue()))
    assert "12000×12000 像素" in caught.value.messages[0] and "40 百万像素的上限" in caught.value.messages[0]


def test_an_ordinary_photo_is_still_accepted():
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), "gray").save(buffer, format="JPEG")
    assert checked_attachment(SimpleUploadedFile("site.jpg", buffer.getvalue())).content_type == "image/jpeg"
