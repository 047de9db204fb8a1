"""The permission-matrix base classes fail where a matrix would otherwise prove nothing."""

from datetime import date

import pytest
from django.urls import reverse

from tuijin.progress.choices import ReportStatus
from tuijin.progress.models import ProgressReport
from tuijin.progress.tests.factories import make_report
from tuijin.projects.tests.factories import make_project
from tuijin.utilities.testing.matrix import REGISTERED_URL_NAMES, Case, PostMatrix, ViewMatrix


def test_a_post_matrix_must_say_how_to_see_its_effect():
    with pytest.raises(TypeError, match="effect"):

        class NoEffect(PostMatrix):
            url_name = "selftest:no-effect"

    REGISTERED_URL_NAMES.discard("selftest:no-effect")


def test_an_unscoped_matrix_must_say_why():
    with pytest.raises(TypeError, match="unscoped_reason"):

        class NoReason(ViewMatrix):
            scoped = False


class _UnitList(ViewMatrix):
    url_name = "org:orgunit_list"  # already covered by org's matrix: registering it again changes nothing
    detail = False


def test_a_scoped_matrix_without_an_out_of_scope_object_fails(client, world):
    case = Case(allowed=world.reporter_a, denied=world.norole, in_scope=world.unit_a)
    with pytest.raises(AssertionError, match="out-of-scope"):
        _UnitList().test_out_of_scope_is_hidden(client, case)


def test_an_object_that_would_not_be_shown_anyway_fails_the_control(client, world):
    # unit B is out of reporter A's scope, but a marker that never appears proves nothing: the control says so
    case = Case(
        allowed=world.reporter_a,
        denied=world.norole,
        in_scope=world.unit_a,
        out_of_scope=world.unit_b,
        marker=lambda unit: unit.name if unit == world.unit_a else "不会出现的名称",
    )
    with pytest.raises(AssertionError, match="control"):
        _UnitList().test_out_of_scope_is_hidden(client, case)


@pytest.fixture
def report(world):
    project = make_project(unit=world.unit_a, actor=world.office, name="自检项目", stage="preparation")
    return make_report(project, date(2026, 10, 1), status="submitted")


class _Review(PostMatrix):
    url_name = "progress:report_review"

    def data(self, obj, matrix):
        return {"version": obj.version, "action": "approve"}

    def effect(self, obj, matrix):
        assert ProgressReport.objects.get(pk=obj.pk).status == ReportStatus.UNIT_APPROVED


class _StaleReview(_Review):
    def data(self, obj, matrix):
        return {"version": obj.version + 5, "action": "approve"}  # refused: a redirect with an error message

    def effect(self, obj, matrix):
        assert ProgressReport.objects.filter(pk=obj.pk).exists()  # a vacuous check: it holds whatever happens


def test_a_refused_action_fails_even_when_it_redirects(client, world, report):
    case = Case(allowed=world.approver_a, denied=world.reporter_a, in_scope=report)
    _Review().test_in_scope_is_200(client, case)  # the real approval passes …
    report.refresh_from_db()
    ProgressReport.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    report.refresh_from_db()
    with pytest.raises(AssertionError, match="refused"):
        _StaleReview().assert_succeeded(
            client.post(reverse("progress:report_review", args=[report.pk]), _StaleReview().data(report, case))
        )
    with pytest.raises(AssertionError, match="holds before"):
        _StaleReview().test_in_scope_is_200(client, case)  # … and an effect that always holds is refused


def test_a_form_shown_again_with_errors_fails(client, world, report):
    class Edit(_Review):
        url_name = "progress:report_edit"
        success_status = 200

    ProgressReport.objects.filter(pk=report.pk).update(status=ReportStatus.DRAFT)
    client.force_login(world.reporter_a)
    response = client.post(reverse("progress:report_edit", args=[report.pk]), {"version": report.version})
    assert response.status_code == 200
    with pytest.raises(AssertionError, match="form was shown again"):
        Edit().assert_succeeded(response)
