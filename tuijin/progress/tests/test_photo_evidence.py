"""Site photos as evidence (issue 19 items 9 and 17): the pixel cap, the rendition served instead of the original,
EXIF, the far / early / reused flags, their badges, counts per unit, the backfill command and who may fetch what."""

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image, ImageDraw

from tuijin.progress.models import PendingPhoto, ProgressReport, ReportPhoto
from tuijin.progress.photo_evidence import dhash, hamming, photo_flag_counts, read_evidence
from tuijin.progress.photos import report_photo_add
from tuijin.projects.tests.factories import make_project
from tuijin.utilities.testing.matrix import Case, ViewMatrix

from .factories import make_report
from .test_reporting_loop import form_data

SEP = date(2026, 9, 1)
OCT = date(2026, 10, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")
SITE = (Decimal("35.300000"), Decimal("113.875000"))


# --- pictures built in the test ---------------------------------------------------------------------------------


def bomb_png() -> bytes:
    """144 megapixels in about 17 KB: a one-bit 12000×12000 PNG of a single colour."""
    buffer = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buffer, format="PNG")
    return buffer.getvalue()


def scene(seed: int = 0, size=(1200, 900)) -> Image.Image:
    """A picture with structure (a fractal and two shapes) so that its perceptual hash means something."""
    image = Image.effect_mandelbrot(size, (-2.0 + seed * 0.1, -1.2, 1.0 + seed * 0.1, 1.2), 60).convert("RGB")
    draw = ImageDraw.Draw(image)
    draw.rectangle((100 + seed * 40, 500, 500 + seed * 40, 800), fill=(200, 120, 60))
    draw.ellipse((700, 100 - seed * 10, 1000, 400), fill=(60, 160, 220))
    return image


def jpeg(image: Image.Image, *, quality=90, taken=None, offset=None, gps=None, device=None, orientation=None) -> bytes:
    exif = Image.Exif()
    if device:
        exif[271], exif[272] = device
    if orientation:
        exif[274] = orientation
    if taken:
        sub = exif.get_ifd(0x8769)
        sub[36867] = taken
        if offset:
            sub[36881] = offset
    if gps:
        block = exif.get_ifd(0x8825)
        block[1], block[2], block[3], block[4] = "N", gps[0], "E", gps[1]
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, exif=exif)
    return buffer.getvalue()


def upload(content: bytes, name="site.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def add(world, report, content, name="site.jpg") -> ReportPhoto:
    return report_photo_add(actor=world.office, report=report, uploaded=upload(content, name))


@pytest.fixture
def site_a(world):
    return make_project(
        unit=world.unit_a, actor=world.office, name="甲街道标准厂房", latitude=SITE[0], longitude=SITE[1]
    )


@pytest.fixture
def site_b(world):
    return make_project(unit=world.unit_b, actor=world.office, name="乙街道物流园")


# --- item 9: the pixel cap ----------------------------------------------------------------------------------------


def test_a_17_kb_png_of_144_megapixels_is_refused_before_decoding(world, site_a):
    content = bomb_png()
    assert len(content) < 20 * 1024
    report = make_report(site_a, OCT)
    with pytest.raises(ValidationError) as caught:
        add(world, report, content, "bomb.png")
    message = caught.value.messages[0]
    assert "12000×12000 像素" in message and "144 百万像素" in message and "40 百万像素的上限" in message
    assert not ReportPhoto.objects.exists()


def test_the_form_refuses_the_bomb_on_the_photo_field_and_keeps_nothing(client, world, site_a):
    client.force_login(world.reporter_a)
    url = reverse("progress:report_open", args=[site_a.pk, 2026, 10])
    page = client.post(url, form_data(0, photo=upload(bomb_png(), "bomb.png"))).content.decode()
    assert "40 百万像素的上限" in page and "请重新选择" in page
    assert not PendingPhoto.objects.exists() and not ReportPhoto.objects.exists()


def test_between_the_cap_and_twice_it_the_size_is_named(settings):
    from tuijin.utilities.uploads import check_upload

    settings.TUIJIN_IMAGE_MAX_MEGAPIXELS = 1
    buffer = io.BytesIO()
    Image.new("RGB", (1500, 1000)).save(buffer, format="PNG")
    with pytest.raises(ValidationError) as caught:
        check_upload(upload(buffer.getvalue(), "wide.png"), {"image/png": (".png",)})
    assert "1500×1000 像素" in caught.value.messages[0] and "1 百万像素的上限" in caught.value.messages[0]
    settings.TUIJIN_IMAGE_MAX_MEGAPIXELS = 2
    assert check_upload(upload(buffer.getvalue(), "wide.png"), {"image/png": (".png",)}).size > 0


# --- item 9: the rendition is what pages show ---------------------------------------------------------------------


def test_the_rendition_is_served_inline_and_the_original_only_as_a_download(client, world, site_a):
    original = jpeg(
        scene(size=(3000, 2000)),
        gps=((35.0, 18.0, 0.0), (113.0, 52.0, 30.0)),
        device=("HUAWEI", "Mate 60"),
        orientation=6,
    )
    photo = add(world, make_report(site_a, OCT), original)
    assert (photo.width, photo.height) == (3000, 2000)
    client.force_login(world.reporter_a)

    shown = client.get(reverse("progress:photo", args=[photo.pk]))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert "attachment" not in shown.get("Content-Disposition", "")
    body = b"".join(shown.streaming_content)
    assert body != original
    with Image.open(io.BytesIO(body)) as rendition:
        # orientation 6 applied (portrait), long side 1600, no EXIF (no GPS, no device) in what the page serves
        assert rendition.size == (1067, 1600)
        assert not rendition.getexif()

    thumb = b"".join(client.get(reverse("progress:photo_thumb", args=[photo.pk])).streaming_content)
    with Image.open(io.BytesIO(thumb)) as small:
        assert max(small.size) == 320

    download = client.get(reverse("progress:photo_original", args=[photo.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == original

    page = client.get(reverse("progress:report", args=[photo.report_id])).content.decode()
    assert reverse("progress:photo_thumb", args=[photo.pk]) in page
    assert reverse("progress:photo_original", args=[photo.pk]) in page


def test_deleting_a_photo_removes_its_rendition_and_thumbnail(
    client, world, site_a, django_capture_on_commit_callbacks
):
    photo = add(world, make_report(site_a, OCT), jpeg(scene()))
    storage = photo.file.storage
    paths = [photo.file.name, photo.rendition.name, photo.thumbnail.name]
    assert all(storage.exists(p) for p in paths)
    client.force_login(world.reporter_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("progress:photo_delete", args=[photo.pk]))
    assert not any(storage.exists(p) for p in paths)


# --- item 17: EXIF ------------------------------------------------------------------------------------------------


def test_exif_time_gps_and_device_are_read(world, site_a):
    content = jpeg(
        scene(), taken="2026:10:15 09:30:00", gps=((35.0, 18.0, 0.0), (113.0, 52.0, 30.0)), device=("HUAWEI", "Mate 60")
    )
    photo = add(world, make_report(site_a, OCT), content)
    assert photo.taken_at == datetime(2026, 10, 15, 9, 30, tzinfo=SHANGHAI)
    assert (photo.latitude, photo.longitude) == (Decimal("35.300000"), Decimal("113.875000"))
    assert (photo.camera_make, photo.camera_model) == ("HUAWEI", "Mate 60")
    assert len(photo.phash) == 16 and photo.evidence_checked_at is not None
    assert not (photo.flag_far or photo.flag_early or photo.flag_reused)


def test_an_exif_zone_offset_is_honoured():
    evidence = read_evidence(jpeg(scene(), taken="2026:10:15 01:30:00", offset="+00:00"))
    assert evidence.taken_at == datetime(2026, 10, 15, 9, 30, tzinfo=SHANGHAI)


def test_no_exif_is_noted_not_flagged(client, world, site_a):
    photo = add(world, make_report(site_a, OCT), jpeg(scene()))
    assert photo.flag_details == [] and not photo.flag_early
    client.force_login(world.reporter_a)
    page = client.get(reverse("progress:report", args=[photo.report_id])).content.decode()
    assert "无拍摄信息（EXIF）" in page and "tj-photo-flags-summary" not in page


# --- item 17: the flags -------------------------------------------------------------------------------------------


def test_a_photo_taken_far_from_the_project_is_flagged(client, world, site_a, site_b):
    # 35°24'38.16" N is 0.1106° north of the site: 12.3 km
    far = add(world, make_report(site_a, OCT), jpeg(scene(), gps=((35.0, 24.0, 38.16), (113.0, 52.0, 30.0))))
    near = add(world, far.report, jpeg(scene(2), gps=((35.0, 18.0, 20.0), (113.0, 52.0, 30.0))))
    # a project without coordinates is never flagged for distance
    elsewhere = add(world, make_report(site_b, OCT), jpeg(scene(4), gps=((30.0, 0.0, 0.0), (100.0, 0.0, 0.0))))
    assert far.flag_far and far.flag_details == [{"code": "far", "km": 12.3}]
    assert not near.flag_far and not elsewhere.flag_far

    client.force_login(world.approver_a)
    page = client.get(reverse("progress:report", args=[far.report_id])).content.decode()
    assert "拍摄地点距项目 12.3 公里" in page
    assert "2 张现场照片中有 1 张需要核实" in page


def test_a_photo_taken_long_before_the_reporting_month_is_flagged(client, world, site_a):
    report = make_report(site_a, OCT)
    old = add(world, report, jpeg(scene(), taken="2026:03:02 10:00:00"))
    recent = add(world, report, jpeg(scene(2), taken="2026:09:20 10:00:00"))
    assert old.flag_early and old.flag_details == [{"code": "early", "taken": "2026-03-02", "period": "2026-10-01"}]
    assert not recent.flag_early

    # the reporter sees it too, on the form, as a warning (the photo is kept)
    client.force_login(world.reporter_a)
    page = client.get(reverse("progress:report_edit", args=[report.pk])).content.decode()
    assert "拍摄于 2026-03-02，早于填报月份（2026年10月）" in page


def test_the_same_file_reused_in_another_project_is_flagged_and_named_only_to_who_may_see_it(
    client, world, site_a, site_b
):
    content = jpeg(scene())
    first = add(world, make_report(site_a, SEP), content)
    again_same_report = add(world, first.report, content)
    reused = add(world, make_report(site_b, OCT), content)
    assert not first.flag_reused and not again_same_report.flag_reused
    assert reused.flag_reused
    assert reused.flag_details[0]["code"] == "duplicate" and reused.flag_details[0]["project"] == site_a.pk

    client.force_login(world.office)  # district-wide: may see 甲街道's project, which is named and linked
    page = client.get(reverse("progress:report", args=[reused.report_id])).content.decode()
    assert "与 甲街道标准厂房 2026年9月 的照片相同" in page
    assert reverse("progress:report", args=[first.report_id]) in page

    client.force_login(world.reporter_b)  # 乙街道 only: told that it is a reuse, not whose project it was
    page = client.get(reverse("progress:report", args=[reused.report_id])).content.decode()
    assert "与 其他单位的项目 2026年9月 的照片相同" in page and "甲街道标准厂房" not in page


def test_a_resized_recompressed_copy_is_a_near_duplicate_across_projects(world, site_a, site_b):
    first = add(world, make_report(site_a, SEP), jpeg(scene()))
    copy = add(world, make_report(site_b, OCT), jpeg(scene().resize((1000, 750)), quality=70))
    other = add(world, copy.report, jpeg(scene(3)))
    assert copy.flag_reused and copy.flag_details[0]["code"] == "similar"
    assert copy.flag_details[0]["distance"] <= 6 and copy.flag_details[0]["photo"] == first.pk
    assert not other.flag_reused


def test_reusing_last_months_photo_in_the_same_project_is_flagged(client, world, site_a):
    add(world, make_report(site_a, SEP), jpeg(scene()))
    reused = add(world, make_report(site_a, OCT), jpeg(scene(), quality=60))
    assert reused.flag_reused
    client.force_login(world.reporter_a)
    page = client.get(reverse("progress:report", args=[reused.report_id])).content.decode()
    assert "与 本项目 2026年9月 的照片近似重复" in page


def test_dhash_is_stable_under_resizing_and_separates_different_pictures():
    a, b = dhash(scene()), dhash(scene(3))
    assert hamming(a, dhash(scene().resize((600, 450)))) <= 2
    assert hamming(a, b) > 10
    assert dhash(Image.new("RGB", (50, 50))) == ""  # a uniform picture has no usable hash


def test_flag_counts_per_unit_for_a_month_follow_the_scope(world, site_a, site_b):
    report_a = make_report(site_a, OCT)
    add(world, report_a, jpeg(scene(), taken="2026:01:05 10:00:00"))
    add(world, report_a, jpeg(scene(3)))
    add(world, make_report(site_b, OCT), jpeg(scene()))  # a copy of 甲's first: reused
    counts = photo_flag_counts(world.office, OCT)
    assert counts[world.unit_a.pk].photos == 2 and counts[world.unit_a.pk].flagged == 1
    assert counts[world.unit_a.pk].early == 1 and counts[world.unit_a.pk].reused == 0
    assert counts[world.unit_b.pk].reused == 1 and counts[world.unit_b.pk].flagged == 1
    assert set(photo_flag_counts(world.reporter_a, OCT)) == {world.unit_a.pk}
    assert photo_flag_counts(world.office, SEP) == {}


# --- backfill -----------------------------------------------------------------------------------------------------


def test_the_command_backfills_photos_stored_before(world, site_a, site_b):
    content = jpeg(scene(), taken="2026:01:05 10:00:00", device=("Xiaomi", "14"))
    reports = [make_report(site_a, SEP), make_report(site_b, OCT)]
    legacy = []
    for report in reports:
        photo = ReportPhoto(
            report=report,
            original_name="old.jpg",
            content_type="image/jpeg",
            size=len(content),
            sha256="ab" * 32,
            uploaded_by=world.office,
        )
        photo.file.save("old.jpg", ContentFile(content), save=False)
        photo.save()
        legacy.append(photo)
    out = io.StringIO()
    call_command("photo_evidence", stdout=out)
    assert "checked 2 photos (2 flagged" in out.getvalue()
    first, second = (ReportPhoto.objects.get(pk=p.pk) for p in legacy)
    assert first.rendition and first.thumbnail and first.phash and first.camera_model == "14"
    assert first.flag_early and not first.flag_reused
    assert second.flag_reused and second.flag_details[-1]["photo"] == first.pk

    out = io.StringIO()
    call_command("photo_evidence", stdout=out)
    assert "checked 0 photos" in out.getvalue()


def test_a_legacy_photo_above_the_cap_is_never_shown_inline(client, world, site_a):
    content = bomb_png()
    photo = ReportPhoto(
        report=make_report(site_a, OCT),
        original_name="bomb.png",
        content_type="image/png",
        size=len(content),
        sha256="cd" * 32,
        uploaded_by=world.office,
    )
    photo.file.save("bomb.png", ContentFile(content), save=False)
    photo.save()
    client.force_login(world.reporter_a)
    assert client.get(reverse("progress:photo", args=[photo.pk])).status_code == 404  # before the backfill
    call_command("photo_evidence", stdout=io.StringIO())
    photo.refresh_from_db()
    assert (photo.width, photo.height) == (12000, 12000) and not photo.rendition
    assert client.get(reverse("progress:photo", args=[photo.pk])).status_code == 404
    assert client.get(reverse("progress:photo_original", args=[photo.pk])).status_code == 200


# --- permission matrices: another unit cannot fetch the thumbnail or the original (the rendition: test_views) ------


@pytest.fixture
def two_photos(world):
    a = make_project(unit=world.unit_a, actor=world.office, name="甲街道照片项目")
    b = make_project(unit=world.unit_b, actor=world.office, name="乙街道照片项目")
    return [add(world, make_report(p, OCT, status="submitted"), jpeg(scene(i))) for i, p in enumerate((a, b))]


class TestPhotoThumb(ViewMatrix):
    url_name = "progress:photo_thumb"

    @pytest.fixture
    def matrix(self, world, two_photos):
        return Case(
            allowed=world.reporter_a,
            denied=world.auditadmin,
            in_scope=two_photos[0],
            out_of_scope=two_photos[1],
            marker=lambda _: "",
        )


class TestPhotoOriginal(ViewMatrix):
    url_name = "progress:photo_original"

    @pytest.fixture
    def matrix(self, world, two_photos):
        return Case(
            allowed=world.reporter_a,
            denied=world.auditadmin,
            in_scope=two_photos[0],
            out_of_scope=two_photos[1],
            marker=lambda _: "",
        )


def test_another_unit_gets_404_for_the_rendition_thumbnail_and_original(client, world, two_photos):
    client.force_login(world.reporter_b)
    for name in ("progress:photo", "progress:photo_thumb", "progress:photo_original"):
        assert client.get(reverse(name, args=[two_photos[0].pk])).status_code == 404
        assert client.get(reverse(name, args=[two_photos[1].pk])).status_code == 200
    assert ProgressReport.objects.count() == 2
