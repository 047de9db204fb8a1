"""Demo signings and signing events (tuijin.investment.demo_signing.load_signings, a `tuijin load_demo` step after
tuijin.investment.demo.load_leads).

- the 首次签约 of every demo lead at 签约 or later whose 签约 data is approved (`signing.ensure_first_signing`, from
  the lead's own date, 协议/合同, total and investor);
- two “三个一批” events (第N期, N counted quarterly from 2021-07, the first about eleven months ago, the second about
  two months ago) and one 投洽会 about seven months ago, organised by 区商务局, all marked 示例;
- one 升格（协议→合同） (at the second event), one 增资 (at the 投洽会) and one 更换投资方 (at the first event),
  recorded through `signing.signing_record`, so 签约甄别 computes what each counts;
- the lists generated: the two “三个一批” events in date order, so the second event's 投产一批 is drawn from the
  first event's 开工一批; the 投洽会 last, so its lists hold what was signed there (its 开工/投产 candidates are
  already on the “三个一批” lists).

Nothing is dated in the future. Idempotent: skipped when demo events exist.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from tuijin.users.models import User

from . import signing
from .choices import SIGNED_OR_LATER, ContractKind, ReviewStatus, SigningEventKind, SigningKind
from .models import Lead, Signing, SigningEvent

__all__ = ["load_signings"]


def batch_number(day: date) -> int:
    """The 期次 of a quarterly “三个一批” event held on `day` (the first was held in July 2021)."""
    return (day.year - 2021) * 4 + (day.month - 7) // 3 + 1


def _held_on(today: date, days_ago: int) -> date:
    day = today - timedelta(days=days_ago)
    return min(day.replace(day=10), today)


@transaction.atomic
def load_signings(context: dict, stdout) -> None:
    if SigningEvent.objects.filter(is_demo=True).exists():
        stdout.write("示例签约活动已存在，跳过。")
        return
    office = User.objects.get(username="xmb")
    units = context.get("units", {})
    organiser = units.get("区商务局") or office.memberships.select_related("unit").first().unit
    today = timezone.localdate()
    leads = list(Lead.objects.filter(is_demo=True, stage__in=SIGNED_OR_LATER).order_by("pk"))
    for lead in leads:
        signing.ensure_first_signing(actor=office, lead=lead)  # none when the lead workflow already made it
    firsts = list(Signing.objects.filter(lead__in=leads, kind=SigningKind.FIRST))

    first_day, expo_day, second_day = _held_on(today, 330), _held_on(today, 210), _held_on(today, 60)
    first = signing.event_create(
        actor=office,
        data={
            "name": f"红旗区“三个一批”第{batch_number(first_day)}期项目建设活动（示例）",
            "kind": SigningEventKind.THREE_BATCHES,
            "batch_no": batch_number(first_day),
            "held_on": first_day,
            "organiser": organiser,
            "note": "集中签约、集中开工、集中投产",
            "is_demo": True,
        },
    )
    expo = signing.event_create(
        actor=office,
        data={
            "name": "中国（河南）国际投资贸易洽谈会红旗区专场（示例）",
            "kind": SigningEventKind.EXPO,
            "batch_no": None,
            "held_on": expo_day,
            "organiser": organiser,
            "note": "",
            "is_demo": True,
        },
    )
    second = signing.event_create(
        actor=office,
        data={
            "name": f"红旗区“三个一批”第{batch_number(second_day)}期项目建设活动（示例）",
            "kind": SigningEventKind.THREE_BATCHES,
            "batch_no": batch_number(second_day),
            "held_on": second_day,
            "organiser": organiser,
            "note": "",
            "is_demo": True,
        },
    )

    by_lead = {s.lead_id: s for s in firsts}
    approved = [lead for lead in leads if lead.pk in by_lead and lead.review_status == ReviewStatus.APPROVED]
    agreements = [lead for lead in approved if by_lead[lead.pk].contract_kind == ContractKind.AGREEMENT]
    contracts = [lead for lead in approved if by_lead[lead.pk].contract_kind == ContractKind.CONTRACT]
    further = []
    if agreements:  # 升格: 协议 → 合同, 20% more
        lead = agreements[0]
        total = (by_lead[lead.pk].total * Decimal("1.2")).quantize(Decimal("1"))
        further.append((lead, SigningKind.UPGRADE, second, total, "", "协议项目转为合同项目"))
    if contracts:  # 增资: 30% more
        lead = contracts[0]
        total = (by_lead[lead.pk].total * Decimal("1.3")).quantize(Decimal("1"))
        further.append((lead, SigningKind.INCREASE, expo, total, "", "二期扩产追加投资"))
    if len(contracts) > 1:  # 更换投资方: a new investor takes the project over
        lead = contracts[1]
        further.append(
            (
                lead,
                SigningKind.NEW_INVESTOR,
                first,
                by_lead[lead.pk].total,
                "示例产业发展基金有限公司（示例）",
                "原投资方退出",
            )
        )
    for lead, kind, event, total, investor, note in further:
        signing.signing_record(
            actor=office,
            lead=lead,
            kind=kind,
            signed_on=event.held_on,
            contract_kind="",
            investor=investor,
            total=total,
            event=event,
            note=note,
        )
    added = {}
    # the two “三个一批” events in date order (the second's 投产一批 comes from the first's 开工一批); the 投洽会 last,
    # so its lists keep only what was signed there
    for event in (first, second, expo):
        counts = signing.event_lists_generate(actor=office, event=event)
        added[event.name] = counts
    stdout.write(
        f"示例签约记录：首次签约 {len(firsts)} 条，后续签约 {len(further)} 条；"
        f"签约活动 3 个，名单 {sum(sum(c.values()) for c in added.values())} 条"
        f"（共 {Signing.objects.filter(lead__is_demo=True).count()} 条签约记录）。"
    )
