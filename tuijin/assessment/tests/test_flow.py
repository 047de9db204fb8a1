"""The assessment loop through the pages: publish → a unit appeals a line → the 项目办 accepts → total and rank
change and say so; 容错 neutralises a deduction; versions; refusals in Chinese with nothing lost; the API."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tuijin.assessment import scoring, services
from tuijin.assessment.choices import AdjustmentKind, AppealStatus, RoundStatus
from tuijin.assessment.models import Appeal, Round, ScoreLine, UnitScore
from tuijin.notifications.models import Notification

from .conftest import YEAR

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def published(world, district, quarterly) -> Round:
    round_ = services.round_create(actor=world.office, rubric=quarterly, anchor=date(YEAR, 6, 1))
    return services.round_publish(
        actor=world.office, round_=round_, expected_version=round_.version, appeal_until=date(2099, 1, 1)
    )


def decision(appeal, **fields) -> dict:
    """The appeals page's form for one appeal (its fields prefixed with the appeal's id)."""
    fields.setdefault("version", appeal.version)
    return {"appeal": appeal.pk, **{"a%d-%s" % (appeal.pk, k): v for k, v in fields.items()}}


def test_publishing_freezes_and_tells_the_units(world, district, quarterly, client, django_capture_on_commit_callbacks):
    round_ = services.round_create(actor=world.office, rubric=quarterly, anchor=date(YEAR, 6, 1))
    client.force_login(world.reporter_a)
    # 试算: the unit reads its own lines, not the ranking
    response = client.get(reverse("assessment:round", args=[round_.pk]))
    assert response.status_code == 302 and f"/units/{world.unit_a.pk}/" in response["Location"]
    client.force_login(world.office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessment:round_publish", args=[round_.pk]),
            {"version": round_.version, "appeal_until": "2099-01-01"},
        )
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.status == RoundStatus.PUBLISHED and round_.rubric_version.locked
    a = UnitScore.objects.get(round=round_, unit=world.unit_a)
    assert (a.published_total, a.published_rank) == (D("45.67"), 2)
    assert Notification.objects.filter(user=world.reporter_a, title__contains="考核结果已发布").exists()
    assert not Notification.objects.filter(user=world.reporter_b, title__contains="甲").exists()
    # frozen: a new report does not move a published round
    before = a.total
    services.mark_open_rounds_stale()
    scoring.retotal(round_)
    assert UnitScore.objects.get(pk=a.pk).total == before


def test_a_unit_appeals_the_office_accepts_and_the_rank_changes(world, published, client):
    client.force_login(world.reporter_a)
    url = reverse("assessment:unit_score", args=[published.pk, world.unit_a.pk])
    line = ScoreLine.objects.get(score__round=published, score__unit=world.unit_a, label="投资完成")
    # refused: no reason — the page says so in Chinese and keeps what was typed
    response = client.post(url, {"line": line.pk, "reason": "", "evidence": "区统计局复核函"})
    assert response.status_code == 400
    assert "这个字段是必填项" in response.content.decode() or "必填" in response.content.decode()
    assert "区统计局复核函" in response.content.decode()
    response = client.post(url, {"line": line.pk, "reason": "5月甲续建漏计 2,000 万元", "requested_points": "40"})
    assert response.status_code == 302
    appeal = Appeal.objects.get(line=line)
    # another unit's line cannot be appealed (not offered, and refused if forged)
    other = ScoreLine.objects.get(score__round=published, score__unit=world.unit_b, label="投资完成")
    response = client.post(url, {"line": other.pk, "reason": "x"})
    assert response.status_code == 400 and not Appeal.objects.filter(line=other).exists()

    client.force_login(world.office)
    appeals_url = reverse("assessment:appeals", args=[published.pk])
    response = client.post(appeals_url, decision(appeal, accept="1", reason="核实"))
    assert response.status_code == 400 and "采纳申诉须填写调整后得分" in response.content.decode()
    response = client.post(
        appeals_url,
        decision(appeal, accept="1", points="40", reason="经统计局核实，予以调整"),
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ACCEPTED
    a = UnitScore.objects.get(round=published, unit=world.unit_a)
    b = UnitScore.objects.get(round=published, unit=world.unit_b)
    # 45.67 − 26.67 + 40 = 59: still below 乙's 66 — 乙 stays first
    assert (a.total, a.rank, a.appealed) == (D("59"), 2, True)
    # a second accepted appeal (项目开工 5 → 15) lifts 甲 to 69 > 66
    start = ScoreLine.objects.get(score=a, label="项目开工")
    second = services.appeal_submit(actor=world.reporter_a, line=start, reason="甲新开工二已于6月开工，月报迟报")
    services.appeal_decide(
        actor=world.office, appeal=second, expected_version=second.version, accept=True, reason="属实", points=D("15")
    )
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.total, a.rank, b.rank) == (D("69"), 1, 2)
    # the published ranking says the appeal changed it
    client.force_login(world.reporter_b)
    page = client.get(reverse("assessment:round", args=[published.pk])).content.decode()
    assert "经申诉调整" in page and "发布时 45.67 分、第 2 名" in page
    # the stale version of a decided appeal is a conflict, not a silent overwrite
    client.force_login(world.office)
    third = services.appeal_submit(
        actor=world.reporter_a, line=ScoreLine.objects.get(score=a, label="入库纳统"), reason="x"
    )
    response = client.post(appeals_url, decision(third, version=third.version + 5, accept="0", reason="不予采纳"))
    assert response.status_code == 409


def test_appeals_close_with_the_window(world, published):
    Round.objects.filter(pk=published.pk).update(appeal_until=date(2020, 1, 1))
    line = ScoreLine.objects.filter(score__round=published, score__unit=world.unit_a).first()
    with pytest.raises(Exception, match="申诉期已于 2020-01-01 截止"):
        services.appeal_submit(actor=world.reporter_a, line=line, reason="迟到的申诉")


def test_a_leniency_case_removes_a_deduction_and_says_so(world, district, monthly, client):
    deduction = services.adjustment_create(
        actor=world.office,
        data={
            "rubric": monthly,
            "unit": world.unit_a,
            "occurred_on": date(YEAR, 5, 12),
            "kind": AdjustmentKind.DEDUCTION,
            "category": "上级通报批评",
            "points": D("10"),
            "reason": "市督查通报",
        },
    )
    round_ = services.round_create(actor=world.office, rubric=monthly, anchor=date(YEAR, 5, 1))
    round_ = services.round_publish(actor=world.office, round_=round_, expected_version=round_.version)
    a = UnitScore.objects.get(round=round_, unit=world.unit_a)
    assert a.total == D("8.71")
    client.force_login(world.office)
    response = client.post(
        reverse("assessment:case_list"),
        {
            "matter": "项目推进滞后被通报",
            "unit": world.unit_a.pk,
            "person": "张某",
            "circumstances": "上级规划调整导致用地手续暂停",
            "criteria": ["objective", "reported"],
            "adjustments": [deduction.pk],
        },
    )
    assert response.status_code == 302
    case = deduction.cases.get()
    url = reverse("assessment:case", args=[case.pk])
    response = client.post(url, {"version": case.version, "decision": "reduce", "note": "部分客观"})
    assert response.status_code == 400 and "减轻责任须填写减轻比例" in response.content.decode()
    response = client.post(url, {"version": case.version, "decision": "exempt", "note": "符合容错情形"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.total == D("18.71")  # the published round is re-totalled
    client.force_login(world.reporter_a)
    page = client.get(reverse("assessment:unit_score", args=[round_.pk, world.unit_a.pk])).content.decode()
    assert "容错免责（%s）：原扣 10 分不计" % case.number in page


def test_a_new_version_scores_the_periods_from_its_date(world, district, quarterly, client):
    first = quarterly.versions.get()
    client.force_login(world.office)
    response = client.post(
        reverse("assessment:rubric", args=[quarterly.pk]),
        {"source": first.pk, "effective_from": "2026-04-01", "note": "二季度起调整"},
    )
    assert response.status_code == 302
    second = quarterly.versions.get(number=2)
    second.indicators.filter(code="invest").update(params={"base": 20, "step": 1, "per_step": 1, "min": 0, "max": 40})
    q1 = services.round_create(actor=world.office, rubric=quarterly, anchor=date(YEAR, 2, 1))
    q2 = services.round_create(actor=world.office, rubric=quarterly, anchor=date(YEAR, 5, 1))
    assert (q1.rubric_version.number, q2.rubric_version.number) == (1, 2)
    # Q2 with version 2: 甲 20 + (33.33 − 50) = 3.33 → floor 0 … no: min 0, so 3.33
    line = ScoreLine.objects.get(score__round=q2, score__unit=world.unit_a, label="投资完成")
    assert line.points == D("3.33")
    # the same date twice is refused in Chinese
    response = client.post(
        reverse("assessment:rubric", args=[quarterly.pk]),
        {"source": first.pk, "effective_from": "2026-04-01", "note": "重复"},
    )
    assert response.status_code == 400 and "不能在同一天施行" in response.content.decode()


def test_exports_carry_the_ranking(world, published, client):
    import io

    from docx import Document
    from openpyxl import load_workbook

    client.force_login(world.leader)
    book = load_workbook(io.BytesIO(client.get(reverse("assessment:export_xlsx", args=[published.pk])).content))
    rows = list(book["排名"].iter_rows(values_only=True))
    assert rows[0][:4] == ("分组", "名次", "单位", "总分")
    assert ("街道", 1, "乙街道办事处", 66) == rows[1][:4]
    assert any(r[1] == "未按期开工" and r[4] == -3 for r in book["得分明细"].iter_rows(values_only=True))
    doc = Document(io.BytesIO(client.get(reverse("assessment:export_docx", args=[published.pk])).content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "考核结果通报" in text and "红榜：乙街道办事处" in text


def test_api_appeal_hides_other_units_lines(world, published, client):
    client.force_login(world.reporter_a)
    other = ScoreLine.objects.get(score__round=published, score__unit=world.unit_b, label="投资完成")
    missing = client.post("/api/assessment/appeals/", {"line": 999999, "reason": "x"}, content_type="application/json")
    foreign = client.post(
        "/api/assessment/appeals/", {"line": other.pk, "reason": "x"}, content_type="application/json"
    )
    assert missing.status_code == foreign.status_code == 400
    assert json.loads(missing.content).keys() == json.loads(foreign.content).keys()
    mine = ScoreLine.objects.get(score__round=published, score__unit=world.unit_a, label="投资完成")
    response = client.post(
        "/api/assessment/appeals/", {"line": mine.pk, "reason": "口径"}, content_type="application/json"
    )
    assert response.status_code == 201
    ranking = client.get(f"/api/assessment/rounds/{published.pk}/ranking/").json()
    assert [(r["unit_name"], r["rank"], r["board"]) for r in ranking if r["group"] == "街道"] == [
        ("乙街道办事处", 1, "red"),
        ("甲街道办事处", 2, "red"),
    ]


def test_scores_agree_with_the_dashboard(world, district, quarterly):
    """投资完成率 of each unit equals the dashboard's unit ranking for June (both from the facts layer)."""
    from tuijin.assessment.metrics import METRICS, Span
    from tuijin.dispatch.selectors import dashboard_summary

    measures = METRICS["invest_rate"].compute(
        [world.unit_a.pk, world.unit_b.pk], Span(date(YEAR, 4, 1), date(YEAR, 6, 30))
    )
    summary = dashboard_summary(world.office, YEAR, 6)
    rates = {g.key: g.rate for g in summary.unit_ranking}
    for unit in (world.unit_a, world.unit_b):
        assert measures[unit.pk].value == rates[unit.pk].quantize(D("0.01"))


def test_the_office_writes_a_rubric(world, district, client):
    client.force_login(world.office)
    response = client.post(
        reverse("assessment:rubric_add"),
        {"name": "半年赛马", "code": "half-race", "period_type": "half", "effective_from": "2026-01-01"},
    )
    assert response.status_code == 302
    from tuijin.assessment.models import Rubric

    rubric = Rubric.objects.get(code="half-race")
    version = rubric.versions.get()
    client.post(
        reverse("assessment:config_add", args=[version.pk, "group"]),
        {"name": "街道", "unit_types": ["subdistrict"], "red_count": 1, "black_count": 1, "sort_order": 10},
    )
    group = version.groups.get()
    add = reverse("assessment:config_add", args=[version.pk, "indicator"])
    base = {
        "code": "start",
        "name": "开工",
        "metric": "start_rate",
        "rule_kind": "linear",
        "max_points": "10",
        "weight": "1",
        "no_data": "skip",
        "sort_order": 10,
        "groups": [group.pk],
    }
    # refused in Chinese, nothing lost
    response = client.post(add, {**base, "params": '{"step": 0}'})
    assert response.status_code == 400 and "步长不能为 0" in response.content.decode()
    assert 'value="开工"' in response.content.decode()
    response = client.post(add, {**base, "params": "不是JSON"})
    assert response.status_code == 400 and "须为 JSON 格式" in response.content.decode()
    response = client.post(add, {**base, "params": '{"step": 10, "per_step": 1, "max": 10}'})
    assert response.status_code == 302
    round_ = services.round_create(actor=world.office, rubric=rubric, anchor=date(YEAR, 6, 1))
    a = UnitScore.objects.get(round=round_, unit=world.unit_a)
    assert [(line.label, line.points) for line in a.lines.all()] == [("开工", D("5"))]  # 1/2 = 50 % → 5
    # once published, the version is locked: edits are refused with the reason
    services.round_publish(actor=world.office, round_=round_, expected_version=round_.version)
    indicator = version.indicators.get()
    response = client.post(
        reverse("assessment:config_edit", args=["indicator", indicator.pk]),
        {**base, "params": '{"step": 5, "per_step": 1, "max": 10}', "version_lock": indicator.version},
    )
    assert response.status_code == 400 and "不能再修改" in response.content.decode()


def test_an_exemption_excuses_a_unit_from_an_indicator(world, district, quarterly, client):
    version = quarterly.versions.get()
    client.force_login(world.office)
    indicator = version.indicators.get(code="late")
    response = client.post(
        reverse("assessment:config_add", args=[version.pk, "exemption"]),
        {
            "indicator": indicator.pk,
            "unit": world.unit_a.pk,
            "starts": "2026-04-01",
            "ends": "2026-03-01",
            "reason": "x",
        },
    )
    assert response.status_code == 400 and "截止日期不能早于起始日期" in response.content.decode()
    response = client.post(
        reverse("assessment:config_add", args=[version.pk, "exemption"]),
        {"indicator": indicator.pk, "unit": world.unit_a.pk, "starts": "2026-04-01", "reason": "项目用地被上级收回"},
    )
    assert response.status_code == 302
    round_ = services.round_create(actor=world.office, rubric=quarterly, anchor=date(YEAR, 6, 1))
    line = ScoreLine.objects.get(score__round=round_, score__unit=world.unit_a, label="未按期开工")
    # 不计分: 0 points, out of 可得分, and the reason on the line
    assert (line.status, line.points, line.max_points) == ("exempt", D("0"), None)
    assert line.explanation == "免考：项目用地被上级收回，本项不计分"
    assert UnitScore.objects.get(round=round_, unit=world.unit_a).total == D("48.67")  # 45.67 + 3


def test_the_office_is_told_of_an_appeal_and_the_unit_of_the_decision(
    world, published, django_capture_on_commit_callbacks
):
    line = ScoreLine.objects.get(score__round=published, score__unit=world.unit_a, label="投资完成")
    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.appeal_submit(actor=world.reporter_a, line=line, reason="漏计")
    assert Notification.objects.filter(user=world.office, title__startswith="考核申诉待审核").exists()
    assert not Notification.objects.filter(user=world.foreign_office, title__startswith="考核申诉").exists()
    from tuijin.assessment.attention import assessment_attention

    assert [i.count for i in assessment_attention(world.office) if i.title == "考核申诉待审核"] == [1]
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_decide(
            actor=world.office, appeal=appeal, expected_version=appeal.version, accept=False, reason="依据不足"
        )
    assert Notification.objects.filter(user=world.reporter_a, title="申诉未采纳：投资完成").exists()
    assert not [i for i in assessment_attention(world.office) if i.title == "考核申诉待审核"]


def test_a_signing_makes_open_rounds_stale_once_per_transaction(
    world, district, quarterly, django_capture_on_commit_callbacks
):
    """招商 records are not in the facts layer: a signing (or a 督办 task, a fund application) marks the open
    rounds stale on commit, and a transaction writing many rows marks them once, not once per row. (The test runs
    in one transaction, so the first change below is the transaction's first.)"""
    from django.db import transaction

    from tuijin.assessment import apps
    from tuijin.investment.choices import LeadStage, SigningKind
    from tuijin.investment.tests.test_kpis import make, sign

    round_ = services.round_create(actor=world.office, rubric=quarterly, anchor=date(YEAR, 6, 1))
    published_round = services.round_create(actor=world.office, rubric=quarterly, anchor=date(YEAR, 3, 1))
    services.round_publish(
        actor=world.office, round_=published_round, expected_version=published_round.version, appeal_until=None
    )
    Round.objects.filter(pk=round_.pk).update(stale=False)

    def stale_callbacks(callbacks) -> int:
        return len([c for c in callbacks if getattr(c, "owner", None) is apps._stale_after_commit])

    # a change rolled back with its savepoint leaves nothing behind, and does not swallow the next change's mark
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                make("回滚的线索", world.unit_a, LeadStage.SIGNED, signed_date=date(YEAR, 5, 1))
                raise RuntimeError
        except RuntimeError:
            pass
    assert stale_callbacks(callbacks) == 0
    round_.refresh_from_db()
    assert not round_.stale
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        lead = make("氢能装备项目", world.unit_a, LeadStage.SIGNED, signed_date=date(YEAR, 5, 1))
        for n in range(5):
            sign(lead, SigningKind.FIRST if n == 0 else SigningKind.INCREASE, date(YEAR, 5, 1 + n), "100", "100")
    assert stale_callbacks(callbacks) == 1, callbacks
    round_.refresh_from_db()
    published_round.refresh_from_db()
    assert round_.stale and not published_round.stale


def test_lines_are_written_in_the_site_language_whoever_computes(world, district, quarterly):
    """An office user reading in English recomputes a round: the stored lines stay Chinese for every reader."""
    from django.utils import translation

    with translation.override("en"):
        round_ = services.round_create(actor=world.office, rubric=quarterly, anchor=date(YEAR, 6, 1))
        services.round_recompute(actor=world.office, round_=round_)
    explanations = list(ScoreLine.objects.filter(score__round=round_).values_list("explanation", flat=True))
    assert explanations and all("weight" not in e and "points" not in e for e in explanations), explanations[:3]
    assert all("分" in e for e in explanations if e)
