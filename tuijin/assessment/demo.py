"""Demo 考核评价 (tuijin.assessment.demo.load_assessment, the last `tuijin load_demo` step: it reads everyone's
figures).

- The two shipped rubrics are narrowed to the demo district (红旗区).
- 项目建设季度考评: last quarter published with its appeal window still open, and the current quarter 试算中.
- 重点项目月度积分: the month before last published and 定稿, last month published; bonuses (集中开工活动) and
  deductions (上级通报批评) entered with evidence; one deduction excused by a decided 容错免责 case, another case
  waiting for a decision.
- 西街 (the `xijie` account) has appealed one line of last quarter's score: the 项目办 has it on its to-do list.

Idempotent: skipped when any round exists.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tuijin.core.periods import add_months

from . import services
from .choices import AdjustmentKind, CaseDecision
from .models import Round, Rubric, ScoreLine, UnitScore


def load_assessment(context: dict, stdout) -> None:
    if Round.objects.exists():
        stdout.write("示例考核：已存在，跳过。")
        return
    _load(context, stdout)


def _user(username: str):
    from tuijin.users.models import User

    return User.objects.filter(username=username).first()


@transaction.atomic
def _load(context: dict, stdout) -> None:
    today = timezone.localdate()
    region = context.get("region")
    if region is not None:
        Rubric.objects.filter(region__isnull=True).update(region=region)
    units = context.get("units", {})
    office = _user("xmb")
    quarterly = Rubric.objects.get(code="quarterly")
    monthly = Rubric.objects.get(code="monthly-points")
    this_month = today.replace(day=1)
    last_month = add_months(this_month, -1)
    month_before = add_months(this_month, -2)

    def adjust(unit_key, when, kind, category, points, reason, evidence=""):
        unit = units.get(unit_key)
        if unit is None or office is None:
            return None
        return services.adjustment_create(
            actor=office,
            data={
                "rubric": monthly,
                "unit": unit,
                "occurred_on": when,
                "kind": kind,
                "category": category,
                "points": Decimal(points),
                "reason": reason,
                "evidence": evidence,
            },
        )

    adjust(
        "xijie",
        last_month + timedelta(days=9),
        AdjustmentKind.BONUS,
        "集中开工活动",
        "30",
        "参加全市集中开工（示例数据）",
        "新政办〔%d〕示例号" % today.year,
    )
    criticism = adjust(
        "dongjie",
        last_month + timedelta(days=4),
        AdjustmentKind.DEDUCTION,
        "上级通报批评",
        "10",
        "市督查通报项目推进滞后（示例数据）",
    )
    pending = adjust(
        "hongkai",
        month_before + timedelta(days=14),
        AdjustmentKind.DEDUCTION,
        "督查发现问题",
        "5",
        "省督查发现问题整改不到位（示例数据）",
    )

    # monthly: the month before last 定稿, last month published
    for month, close in ((month_before, True), (last_month, False)):
        round_ = services.round_create(actor=office, rubric=monthly, anchor=month)
        round_ = services.round_publish(
            actor=office, round_=round_, expected_version=round_.version, appeal_until=today + timedelta(days=5)
        )
        if close:
            services.round_close(actor=office, round_=round_, expected_version=round_.version)

    if criticism is not None and office is not None:
        case = services.case_create(
            actor=office,
            data={
                "matter": "项目推进滞后被市督查通报（示例数据）",
                "unit": criticism.unit,
                "person": "示例当事人",
                "circumstances": "上级国土空间规划调整，项目用地手续暂停两个月，非主观不作为。",
                "criteria": ["objective", "reported"],
            },
            adjustments=[criticism],
        )
        services.case_decide(
            actor=office,
            case=case,
            expected_version=case.version,
            decision=CaseDecision.EXEMPT,
            note="符合“因客观原因未达预期”情形，予以容错免责。",
        )
    if pending is not None and office is not None:
        services.case_create(
            actor=office,
            data={
                "matter": "整改不到位被省督查指出（示例数据）",
                "unit": pending.unit,
                "person": "",
                "circumstances": "整改方案已按程序集体研究，进度受施工季节影响。",
                "criteria": ["procedure"],
            },
            adjustments=[pending],
        )

    # quarterly: last quarter published (appeal window open), this quarter 试算中
    last_quarter = add_months(this_month, -3)
    published = services.round_create(actor=office, rubric=quarterly, anchor=last_quarter)
    published = services.round_publish(
        actor=office, round_=published, expected_version=published.version, appeal_until=today + timedelta(days=5)
    )
    services.round_create(actor=office, rubric=quarterly, anchor=this_month)  # three months on: another quarter
    xijie, reporter = units.get("xijie"), _user("xijie")
    if xijie is not None and reporter is not None:
        score = UnitScore.objects.filter(round=published, unit=xijie).first()
        line = ScoreLine.objects.filter(score=score, label="投资完成").first() if score else None
        if line is not None:
            services.appeal_submit(
                actor=reporter,
                line=line,
                reason="9月一个续建项目月报因系统维护迟报，完成额未计入（示例数据）。",
                evidence="区统计局核实函（示例）",
            )
    stdout.write("示例考核：%d 个考核期。" % Round.objects.count())
