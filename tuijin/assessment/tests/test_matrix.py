"""Permission matrix of every 考核评价 page (/assessment/) and API route (/api/assessment/)
(utilities/testing/matrix.py).

A unit's score lines are the unit's: 甲's reporter reads 甲's lines, and 乙's are 404 (the out-of-scope object). The
ranking of a published round is readable by every role holding `view_round` — units see each other's totals and
ranks there, by design (红黑榜 are published) — so pages about the round as a whole are declared unscoped. "No
permission" is the enterprise user (no assessment permission) for reading, and 甲's reporter for the 项目办's
pages and actions."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tuijin.assessment import services
from tuijin.assessment.choices import AdjustmentKind, AppealStatus, CaseDecision, RoundStatus
from tuijin.assessment.models import Adjustment, Appeal, LeniencyCase, Round, Rubric, ScoreLine, UnitScore
from tuijin.utilities.testing.matrix import ApiMatrix, ApiPostMatrix, Case, PostMatrix, ViewMatrix

from .conftest import YEAR

pytestmark = pytest.mark.django_db

ROUND = "考核期属于全区的考核办法（不属于某个单位）；排名公开发布，单位的得分明细另有范围控制"
OFFICE = "项目办的页面，面向全区"


@pytest.fixture
def published(world, district, quarterly) -> Round:
    round_ = services.round_create(actor=world.office, rubric=quarterly, anchor=date(YEAR, 6, 1))
    return services.round_publish(
        actor=world.office, round_=round_, expected_version=round_.version, appeal_until=date(2099, 1, 1)
    )


def score_of(round_, unit) -> UnitScore:
    return UnitScore.objects.get(round=round_, unit=unit)


def line_of(round_, unit, label="投资完成") -> ScoreLine:
    return ScoreLine.objects.get(score__round=round_, score__unit=unit, label=label)


def appeal_on(world, round_, unit, user) -> Appeal:
    return services.appeal_submit(actor=user, line=line_of(round_, unit), reason="序时进度口径有误")


def unit_name(obj) -> str:
    return obj.unit.name if hasattr(obj, "unit") else obj.name


# -- pages ------------------------------------------------------------------------------------------------------


class TestIndex(ViewMatrix):
    url_name = "assessment:index"
    detail = False
    scoped = False
    unscoped_reason = ROUND

    @pytest.fixture
    def matrix(self, world, published):
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=published, marker=lambda r: r.label)


class TestRound(ViewMatrix):
    url_name = "assessment:round"
    scoped = False
    unscoped_reason = ROUND

    @pytest.fixture
    def matrix(self, world, published):
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=published, marker=lambda r: r.label)


class TestUnitScore(ViewMatrix):
    url_name = "assessment:unit_score"

    def url_for(self, obj=None) -> str:
        return reverse(self.url_name, args=[obj.round_id, obj.unit_id])

    @pytest.fixture
    def matrix(self, world, published):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=score_of(published, world.unit_a),
            out_of_scope=score_of(published, world.unit_b),
            marker=unit_name,
        )


class TestAppeals(ViewMatrix):
    url_name = "assessment:appeals"
    scoped = False
    unscoped_reason = OFFICE

    @pytest.fixture
    def matrix(self, world, published):
        appeal_on(world, published, world.unit_a, world.reporter_a)
        return Case(
            allowed=world.office, denied=world.reporter_a, in_scope=published, marker=lambda r: "序时进度口径有误"
        )


class TestRubric(ViewMatrix):
    url_name = "assessment:rubric"
    scoped = False
    unscoped_reason = "考核办法是全区的"

    @pytest.fixture
    def matrix(self, world, quarterly):
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=quarterly, marker=lambda r: r.name)


def _adjustment(world, unit, category="上级通报批评") -> Adjustment:
    return services.adjustment_create(
        actor=world.office,
        data={
            "rubric": Rubric.objects.get(code="monthly-points"),
            "unit": unit,
            "occurred_on": date(YEAR, 5, 1),
            "kind": AdjustmentKind.DEDUCTION,
            "category": category,
            "points": Decimal("5"),
            "reason": "通报",
        },
    )


class TestAdjustments(ViewMatrix):
    url_name = "assessment:adjustment_list"
    detail = False

    @pytest.fixture
    def matrix(self, world, district):
        a = _adjustment(world, world.unit_a, "甲的扣分事项")
        b = _adjustment(world, world.unit_b, "乙的扣分事项")
        return Case(
            allowed=world.reporter_a, denied=world.ent_user_a, in_scope=a, out_of_scope=b, marker=lambda x: x.category
        )


def _case(world, unit, matter) -> LeniencyCase:
    return services.case_create(
        actor=world.office, data={"matter": matter, "unit": unit, "circumstances": "客观原因"}, adjustments=[]
    )


class TestCases(ViewMatrix):
    url_name = "assessment:case_list"
    detail = False

    @pytest.fixture
    def matrix(self, world, district):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=_case(world, world.unit_a, "甲的案例"),
            out_of_scope=_case(world, world.unit_b, "乙的案例"),
            marker=lambda c: c.matter,
        )


class TestCase(ViewMatrix):
    url_name = "assessment:case"

    @pytest.fixture
    def matrix(self, world, district):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=_case(world, world.unit_a, "甲的案例"),
            out_of_scope=_case(world, world.unit_b, "乙的案例"),
            marker=lambda c: c.matter,
        )


class _Export(ViewMatrix):
    scoped = False
    unscoped_reason = ROUND

    def text(self, response) -> str:
        if response.status_code != 200:
            return super().text(response)
        if self.url_name.endswith("xlsx"):
            from tuijin.utilities.testing.matrix import xlsx_text

            return xlsx_text(response.content)
        import io

        from docx import Document

        doc = Document(io.BytesIO(response.content))
        cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in doc.paragraphs] + cells)

    @pytest.fixture
    def matrix(self, world, published):
        return Case(
            allowed=world.reporter_a, denied=world.ent_user_a, in_scope=published, marker=lambda r: "乙街道办事处"
        )


class TestExportXlsx(_Export):
    url_name = "assessment:export_xlsx"


class TestExportDocx(_Export):
    url_name = "assessment:export_docx"


# -- actions ----------------------------------------------------------------------------------------------------


class TestRecompute(PostMatrix):
    url_name = "assessment:round_recompute"
    scoped = False
    unscoped_reason = OFFICE

    @pytest.fixture
    def matrix(self, world, district, quarterly):
        round_ = services.round_create(actor=world.office, rubric=quarterly, anchor=date(YEAR, 6, 1))
        UnitScore.objects.filter(round=round_).delete()
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=round_)

    def effect(self, obj, matrix):
        assert UnitScore.objects.filter(round=obj).exists()


class TestPublish(PostMatrix):
    url_name = "assessment:round_publish"
    scoped = False
    unscoped_reason = OFFICE

    def data(self, obj, matrix):
        return {"version": obj.version, "appeal_until": "2099-01-01"}

    @pytest.fixture
    def matrix(self, world, district, quarterly):
        round_ = services.round_create(actor=world.office, rubric=quarterly, anchor=date(YEAR, 6, 1))
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=round_)

    def effect(self, obj, matrix):
        assert Round.objects.get(pk=obj.pk).status == RoundStatus.PUBLISHED


class TestClose(PostMatrix):
    url_name = "assessment:round_close"
    scoped = False
    unscoped_reason = OFFICE

    def data(self, obj, matrix):
        return {"version": Round.objects.get(pk=obj.pk).version}

    @pytest.fixture
    def matrix(self, world, published):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=published)

    def effect(self, obj, matrix):
        assert Round.objects.get(pk=obj.pk).status == RoundStatus.CLOSED


class TestWithdraw(PostMatrix):
    url_name = "assessment:adjustment_withdraw"

    def data(self, obj, matrix):
        return {"version": obj.version, "reason": "录入有误"}

    @pytest.fixture
    def matrix(self, world, district):
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=_adjustment(world, world.unit_a),
            out_of_scope=_adjustment(world, world.foreign_unit),
            viewer=world.foreign_office,
        )

    def effect(self, obj, matrix):
        assert Adjustment.objects.get(pk=obj.pk).withdrawn


# -- API --------------------------------------------------------------------------------------------------------


class TestApiRounds(ApiMatrix):
    url_name = "assessment-api:round-list"
    detail = False
    scoped = False
    unscoped_reason = ROUND

    @pytest.fixture
    def matrix(self, world, published):
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=published, marker=lambda r: r.label)


class TestApiRound(ApiMatrix):
    url_name = "assessment-api:round-detail"
    scoped = False
    unscoped_reason = ROUND

    @pytest.fixture
    def matrix(self, world, published):
        return Case(allowed=world.reporter_a, denied=world.ent_user_a, in_scope=published, marker=lambda r: r.label)


class TestApiRanking(ApiMatrix):
    url_name = "assessment-api:round-ranking"
    scoped = False
    unscoped_reason = ROUND

    @pytest.fixture
    def matrix(self, world, published):
        return Case(
            allowed=world.reporter_a, denied=world.ent_user_a, in_scope=published, marker=lambda r: "乙街道办事处"
        )


class TestApiScores(ApiMatrix):
    url_name = "assessment-api:score-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, published):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=score_of(published, world.unit_a),
            out_of_scope=score_of(published, world.unit_b),
            marker=unit_name,
        )


class TestApiScore(ApiMatrix):
    url_name = "assessment-api:score-detail"

    @pytest.fixture
    def matrix(self, world, published):
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=score_of(published, world.unit_a),
            out_of_scope=score_of(published, world.unit_b),
            marker=unit_name,
        )


class TestApiAppeals(ApiMatrix):
    url_name = "assessment-api:appeal-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, published):
        a = appeal_on(world, published, world.unit_a, world.reporter_a)
        b = appeal_on(world, published, world.unit_b, world.reporter_b)
        return Case(
            allowed=world.reporter_a,
            denied=world.ent_user_a,
            in_scope=a,
            out_of_scope=b,
            marker=lambda x: '"id":%d' % x.pk,
        )


class TestApiAppeal(ApiMatrix):
    url_name = "assessment-api:appeal-detail"

    @pytest.fixture
    def matrix(self, world, published):
        a = appeal_on(world, published, world.unit_a, world.reporter_a)
        b = appeal_on(world, published, world.unit_b, world.reporter_b)
        return Case(
            allowed=world.reporter_a, denied=world.ent_user_a, in_scope=a, out_of_scope=b, marker=lambda x: x.reason
        )


class TestApiDecide(ApiPostMatrix):
    url_name = "assessment-api:appeal-decide"
    scoped = False
    unscoped_reason = OFFICE

    def extra_headers(self) -> dict:
        return {"HTTP_ACCEPT": "application/json", "HTTP_IF_MATCH": '"1"'}

    def data(self, obj, matrix):
        return {"accept": True, "reason": "口径核实有误", "points": "30"}

    @pytest.fixture
    def matrix(self, world, published):
        a = appeal_on(world, published, world.unit_a, world.reporter_a)
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=a)

    def effect(self, obj, matrix):
        assert Appeal.objects.get(pk=obj.pk).status == AppealStatus.ACCEPTED


def test_case_decision_codes_are_known():
    assert {c for c, _ in CaseDecision.choices} == {"pending", "exempt", "reduce", "deny"}


# -- the office writes rubrics ------------------------------------------------------------------------------------


class TestRubricAdd(ViewMatrix):
    url_name = "assessment:rubric_add"
    detail = False
    scoped = False
    unscoped_reason = OFFICE

    @pytest.fixture
    def matrix(self, world, quarterly):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=quarterly, marker=lambda r: "首版施行日期")


class TestConfigAdd(ViewMatrix):
    url_name = "assessment:config_add"
    scoped = False
    unscoped_reason = OFFICE

    def url_for(self, obj=None) -> str:
        return reverse(self.url_name, args=[obj.pk, "indicator"])

    @pytest.fixture
    def matrix(self, world, quarterly):
        version = quarterly.versions.get()
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=version, marker=lambda v: "计分参数")


class TestConfigEdit(ViewMatrix):
    url_name = "assessment:config_edit"
    scoped = False
    unscoped_reason = OFFICE

    def url_for(self, obj=None) -> str:
        return reverse(self.url_name, args=["indicator", obj.pk])

    @pytest.fixture
    def matrix(self, world, quarterly):
        indicator = quarterly.versions.get().indicators.get(code="invest")
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=indicator, marker=lambda i: i.name)
