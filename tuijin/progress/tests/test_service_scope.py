"""report_get_or_create checks role and scope (a real out-of-scope project; nothing is created), a report's save is
locked by core.locking and recorded in the history, and a photo's upload error lands on the photo field by code."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tuijin.core.exceptions import ConflictError
from tuijin.core.models import AuditEvent, ObjectChange
from tuijin.progress import services
from tuijin.progress.models import ProgressReport
from tuijin.projects.tests.factories import make_project

OCT = date(2026, 10, 1)
FIGURES = {
    "month_investment": Decimal("10"),
    "construction_install": Decimal("10"),
    "equipment": Decimal("0"),
    "other_cost": Decimal("0"),
}


def test_report_for_an_out_of_scope_project_is_refused_and_not_created(world):
    other = make_project(unit=world.unit_b)
    with pytest.raises(PermissionDenied):
        services.report_get_or_create(actor=world.reporter_a, project=other, period=OCT)
    with pytest.raises(PermissionDenied):  # in view scope, but a leader does not fill reports
        services.report_get_or_create(actor=world.leader, project=other, period=OCT)
    assert not ProgressReport.objects.exists()
    report = services.report_get_or_create(actor=world.reporter_b, project=other, period=OCT)
    with pytest.raises(PermissionDenied):  # an existing report is not handed out either
        services.report_get_or_create(actor=world.reporter_a, project=other, period=OCT)
    assert services.report_get_or_create(actor=world.reporter_b, project=other, period=OCT) == report


def test_report_open_page_refuses_with_an_audited_404(client, world):
    other = make_project(unit=world.unit_b)
    client.force_login(world.reporter_a)
    assert client.post(reverse("progress:report_open", args=[other.pk, 2026, 10])).status_code == 404
    assert AuditEvent.objects.get(event_type="access_denied").detail["reason"] == "out_of_scope"
    assert not ProgressReport.objects.exists()


def test_save_is_locked_and_recorded(world):
    project = make_project(unit=world.unit_a)
    report = services.report_get_or_create(actor=world.reporter_a, project=project, period=OCT)
    stale = ProgressReport.objects.get(pk=report.pk)
    services.report_save(actor=world.reporter_a, report=report, version=1, data=dict(FIGURES))
    with pytest.raises(ConflictError):
        services.report_save(
            actor=world.reporter_a, report=stale, version=1, data=dict(FIGURES, month_investment=11, equipment=1)
        )
    change = ObjectChange.objects.filter(changed_object_id=report.pk, postchange_data__version=2).get()
    assert change.prechange_data["version"] == 1 and Decimal(change.postchange_data["month_investment"]) == 10


def test_a_bad_photo_is_shown_on_the_photo_field(client, world):
    project = make_project(unit=world.unit_a)
    report = services.report_get_or_create(actor=world.reporter_a, project=project, period=OCT)
    client.force_login(world.reporter_a)
    form = {k: str(v) for k, v in FIGURES.items()}
    form.update(
        version=report.version,
        funds_arrived="0",
        physical_progress="施工",
        photo=SimpleUploadedFile("a.jpg", b"not an image"),
    )
    for prefix in ("problems-TOTAL_FORMS", "problems-INITIAL_FORMS"):
        form[prefix] = "0"
    response = client.post(reverse("progress:report_edit", args=[report.pk]), form)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["photo"] and "不支持的文件类型" in errors["photo"][0]
    assert ProgressReport.objects.get(pk=report.pk).version == 1  # rolled back with the photo
