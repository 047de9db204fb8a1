"""Signing events (签约活动: 三个一批 第N期, 投洽会, 专场签约) and 签约甄别: services, selectors and the lead page's
签约记录 section.

签约甄别 (domain.md §3.10). A lead's signings are `Signing` rows; what each adds to 签约项目数 and 签约金额 is
computed here (`counted_amount`, `counts_project`), never typed:

- **首次签约**: exactly one per lead (a database constraint). It counts the project and its whole total.
- **升格（协议→合同）**: only when the latest signing was a 协议 and this one is a 合同. It counts only the increment,
  this total minus the previous total, never below zero, and not the project again.
- **增资**: the total must exceed the previous total. It counts the increment, not the project again.
- **更换投资方**: the investor must differ from the previous signing's. It counts as a new signing: the project is
  counted again, with its full total.

"The previous signing" is the lead's latest by date (then by id). A signing needs `investment.add_signing` in the
lead's scope; the lead must be at 签约 or later, not 终止, and its 签约 data must not wait for review; the date is not
in the future and not before the previous signing. Each signing writes a `LeadEvent` SIGNING. A further signing on a
signed lead without signing rows first creates its 首次签约 from the lead's own 签约 data (`ensure_first_signing`),
which the lead workflow also calls when the 签约 stage is approved.

Events and their lists (三个一批: 签约一批, 开工一批, 投产一批; `EventListEntry`). An event draws on the leads of its
organiser's district (the county-level region of the organising unit):

- **签约一批**: the signings recorded at this event (amount: the sum of their counted amounts);
- **开工一批**: signed leads (not 终止) that started on or before the event (`start_date ≤ held_on`) and are on no
  other event's 开工 list (amount: the lead's signed total);
- **投产一批**: leads on an EARLIER event's 开工 list (earlier date, or the same date and created before) whose
  `production_date ≤ held_on` and that are on no other 投产 list (amount: the signed total).

A date counts once it is reviewed: a lead whose 开工 (投产) stage data waits for review or was returned is left out of
the 开工 (投产) list until it is approved. `event_lists_preview` computes what generation would add without writing;
`event_lists_generate` writes it in one transaction (idempotent: a second run adds nothing; the database keeps a lead
on at most one 开工 and one 投产 list). The office may remove an entry (`event_entry_remove`); a removed lead is not
added back to that event's list by a later generation. Adding and removing write a `LeadEvent` LISTED.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.locking import bump_version
from tuijin.core.permissions import check_scope
from tuijin.core.scoping import scope_filter

from .choices import (
    SIGNED_OR_LATER,
    ContractKind,
    EventList,
    LeadEventType,
    LeadStage,
    ReviewStatus,
    SigningEventKind,
    SigningKind,
)
from .models import EventListEntry, Lead, LeadEvent, Signing, SigningEvent
from .panels import register_panel
from .services import lead_event_create

__all__ = [
    "EVENT_FIELDS",
    "LIST_ORDER",
    "ListItem",
    "ensure_first_signing",
    "event_create",
    "event_entry_remove",
    "event_list_totals",
    "event_lists",
    "event_lists_generate",
    "event_lists_preview",
    "event_update",
    "events_for_lead",
    "leads_for_signing",
    "listed_detail",
    "previous_signing",
    "signing_counts",
    "signing_detail",
    "signing_form_state",
    "signing_record",
    "signing_totals",
    "signings_panel",
]

EVENT_FIELDS = ["name", "kind", "batch_no", "held_on", "organiser", "note"]
LIST_ORDER = [EventList.SIGNED, EventList.STARTED, EventList.PRODUCING]
ZERO = Decimal("0")
UNREVIEWED = (ReviewStatus.PENDING, ReviewStatus.RETURNED)


def _add(errors: dict[str, list[str]], key: str, message: str) -> None:
    errors.setdefault(key, []).append(str(message))


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _kind_label(kind: str) -> str:
    return str(dict(SigningKind.choices).get(kind, kind))


def _list_label(name: str) -> str:
    return str(dict(EventList.choices).get(name, name))


# --- 签约甄别 -------------------------------------------------------------------------------------------------------


def previous_signing(lead: Lead) -> Signing | None:
    """The lead's latest signing (by date, then id): the one a further signing is compared with."""
    return Signing.objects.filter(lead=lead).order_by("-signed_on", "-pk").first()


def signing_counts(
    *, kind: str, previous: Signing | None, contract_kind: str, investor: str, total: Decimal
) -> tuple[Decimal, bool]:
    """(counted_amount, counts_project) of a signing of `kind` after `previous`, or ValidationError (keyed by field)
    when the kind does not apply."""
    errors: dict[str, list[str]] = {}
    if kind == SigningKind.FIRST:
        if previous is not None:
            _add(errors, "kind", _("该招商项目已有首次签约，后续签约请选择升格、增资或更换投资方。"))
        _raise(errors)
        return total, True
    if previous is None:
        _add(errors, "kind", _("该招商项目还没有首次签约，请先登记首次签约。"))
        _raise(errors)
    assert previous is not None
    if kind == SigningKind.UPGRADE:
        if previous.contract_kind != ContractKind.AGREEMENT:
            _add(errors, "kind", _("上一次签约已是合同，不能再升格；追加投资请选择增资。"))
        if contract_kind != ContractKind.CONTRACT:
            _add(errors, "contract_kind", _("升格是由协议转为合同，本次签约须为合同。"))
        _raise(errors)
        return max(total - previous.total, ZERO), False
    if kind == SigningKind.INCREASE:
        if total <= previous.total:
            _add(
                errors,
                "total",
                _("增资后的投资总额须大于上一次签约的%(t)s万元。") % {"t": f"{previous.total:,.2f}"},
            )
        _raise(errors)
        return total - previous.total, False
    if kind == SigningKind.NEW_INVESTOR:
        if investor.strip() == previous.investor.strip():
            _add(errors, "investor", _("更换投资方须填写与上一次签约不同的投资方。"))
        _raise(errors)
        return total, True
    _add(errors, "kind", _("请选择签约类型。"))
    _raise(errors)
    return ZERO, False  # unreachable


def leads_for_signing(user) -> QuerySet:
    """The leads on which `user` may record a signing (`investment.add_signing`, scoped through the lead)."""
    condition = scope_filter(user, Signing, "add", scope_model=Lead)
    if condition is None:
        return Lead.objects.none()
    if condition is True:
        return Lead.objects.all()
    return Lead.objects.filter(pk__in=Lead.objects.filter(condition).values("pk"))


def events_for_lead(user, lead: Lead) -> QuerySet:
    """The events a signing of `lead` may be recorded at: those `user` may see, and every event organised in the
    lead's district (三个一批 and 投洽会 are the district's public occasions; a street's staff record their signings
    at the district's events even though the events' own scope is the organising unit)."""
    district = _county_path(lead.tracking_unit.region.path)
    visible = SigningEvent.objects.restrict(user, "view").values("pk")
    return SigningEvent.objects.filter(Q(pk__in=visible) | Q(organiser__region__path__startswith=district))


def _signed_data_pending(lead: Lead) -> bool:
    return lead.stage == LeadStage.SIGNED and lead.review_status in UNREVIEWED


@transaction.atomic
def ensure_first_signing(*, actor, lead: Lead, event: SigningEvent | None = None) -> Signing | None:
    """The lead's 首次签约 from its own 签约 data (date, 协议/合同, total, investor) when the lead is signed (not 终止),
    its data is not waiting for review, and it has no signing yet; None otherwise. A consequence of an approved 签约
    stage: no permission check of its own (the caller checked its own step). Safe to call twice."""
    if lead.stage not in SIGNED_OR_LATER or lead.review_status in UNREVIEWED:
        return None
    if lead.signed_date is None or lead.signed_total is None or not lead.contract_kind:
        return None
    if Signing.objects.filter(lead=lead).exists():
        return None
    try:
        with transaction.atomic():
            signing = Signing.objects.create(
                lead=lead,
                event=event,
                kind=SigningKind.FIRST,
                signed_on=lead.signed_date,
                contract_kind=lead.contract_kind,
                investor=lead.investor,
                total=lead.signed_total,
                counted_amount=lead.signed_total,
                counts_project=True,
            )
    except IntegrityError:  # recorded at the same moment by someone else
        return None
    _signing_event(actor, signing)
    return signing


def _signing_event(actor, signing: Signing) -> LeadEvent:
    return lead_event_create(
        lead=signing.lead,
        actor=actor,
        type=LeadEventType.SIGNING,
        data={
            "signing": signing.pk,
            "kind": signing.kind,
            "total": str(signing.total),
            "counted": str(signing.counted_amount),
            "counts_project": signing.counts_project,
            "event": signing.event.name if signing.event_id and signing.event else "",
        },
    )


@transaction.atomic
def signing_record(
    *,
    actor,
    lead: Lead,
    kind: str,
    signed_on: date | None,
    contract_kind: str,
    investor: str,
    total: Decimal | None,
    event: SigningEvent | None = None,
    note: str = "",
) -> Signing:
    """Record a signing of `lead` (签约甄别 decides what it counts). ValidationError keyed by field, PermissionDenied
    outside the actor's scope."""
    if actor is not None and not leads_for_signing(actor).filter(pk=lead.pk).exists():
        raise PermissionDenied(_("该招商项目不在您的管理范围内，不能登记签约。"))
    # one signing of a lead at a time: each is compared with the one before it
    Lead.objects.select_for_update().filter(pk=lead.pk).values_list("pk", flat=True).first()
    errors: dict[str, list[str]] = {}
    if lead.stage == LeadStage.TERMINATED:
        raise ValidationError({NON_FIELD_ERRORS: [_("已终止的招商项目不能登记签约。")]})
    if lead.stage not in SIGNED_OR_LATER:
        raise ValidationError({NON_FIELD_ERRORS: [_("招商项目进入签约阶段后才能登记签约。")]})
    if kind not in SigningKind.values:
        _add(errors, "kind", _("请选择签约类型。"))
    if kind != SigningKind.FIRST and _signed_data_pending(lead):
        _add(errors, NON_FIELD_ERRORS, _("签约阶段资料审核通过后才能登记后续签约。"))
    _raise(errors)
    if kind != SigningKind.FIRST and not Signing.objects.filter(lead=lead).exists():
        ensure_first_signing(actor=actor, lead=lead)
    previous = previous_signing(lead)
    investor = (investor or "").strip()
    if not investor and kind != SigningKind.NEW_INVESTOR:
        investor = previous.investor if previous is not None else lead.investor
    if not contract_kind:  # 同上一次 (升格 is to a 合同; a 首次签约 takes the lead's own)
        if kind == SigningKind.UPGRADE:
            contract_kind = ContractKind.CONTRACT
        elif previous is not None:
            contract_kind = previous.contract_kind
        else:
            contract_kind = lead.contract_kind
    today = timezone.localdate()
    if signed_on is None:
        _add(errors, "signed_on", _("请填写签约时间。"))
    elif signed_on > today:
        _add(errors, "signed_on", _("签约时间不能晚于今天。"))
    elif previous is not None and signed_on < previous.signed_on:
        _add(
            errors,
            "signed_on",
            _("签约时间不能早于上一次签约（%(d)s）。") % {"d": previous.signed_on.isoformat()},
        )
    if contract_kind not in ContractKind.values:
        _add(errors, "contract_kind", _("请选择协议或合同。"))
    if not investor:
        _add(errors, "investor", _("请填写投资方。"))
    if total is None:
        _add(errors, "total", _("请填写协议（合同）投资总额。"))
    elif total < 0:
        _add(errors, "total", _("协议（合同）投资总额不能为负数。"))
    if event is not None and actor is not None and not events_for_lead(actor, lead).filter(pk=event.pk).exists():
        _add(errors, "event", _("请从列表中选择签约活动。"))
    _raise(errors)
    assert total is not None and signed_on is not None
    counted, counts_project = signing_counts(
        kind=kind, previous=previous, contract_kind=contract_kind, investor=investor, total=total
    )
    signing = Signing(
        lead=lead,
        event=event,
        kind=kind,
        signed_on=signed_on,
        contract_kind=contract_kind,
        investor=investor[:200],
        total=total,
        counted_amount=counted,
        counts_project=counts_project,
        note=(note or "").strip()[:300],
    )
    try:
        signing.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        _raise({key: [str(m) for m in messages] for key, messages in exc.message_dict.items()})
    try:
        with transaction.atomic():
            signing.save()
    except IntegrityError as exc:  # the 首次签约 constraint, when two people record it at once
        raise ValidationError({"kind": [_("该招商项目已有首次签约，后续签约请选择升格、增资或更换投资方。")]}) from exc
    _signing_event(actor, signing)
    check_scope(actor, signing, "add", message=_("该招商项目不在您的管理范围内，不能登记签约。"))
    return signing


# --- selectors --------------------------------------------------------------------------------------------------------


def signing_totals(queryset: QuerySet) -> dict[str, Any]:
    """签约项目数 (signings that count the project) and 签约金额 (the sum of counted amounts, 万元) of `queryset`."""
    totals = queryset.order_by().aggregate(
        projects=Count("pk", filter=Q(counts_project=True)),
        amount=Coalesce(Sum("counted_amount"), ZERO),
    )
    return {"projects": totals["projects"], "amount": totals["amount"]}


def event_list_totals(events, entries: QuerySet) -> dict[int, dict[str, dict[str, Any]]]:
    """{event id: {list: {"count", "amount"}}} over `entries` (already scoped) for `events` (one query)."""
    ids = [e.pk for e in events]
    result: dict[int, dict[str, dict[str, Any]]] = {
        pk: {name.value: {"count": 0, "amount": ZERO} for name in LIST_ORDER} for pk in ids
    }
    rows = (
        entries.filter(event_id__in=ids)
        .order_by()
        .values("event_id", "list")
        .annotate(n=Count("pk"), total=Coalesce(Sum("amount"), ZERO))
    )
    for row in rows:
        result[row["event_id"]][row["list"]] = {"count": row["n"], "amount": row["total"]}
    return result


def event_lists(event: SigningEvent, entries: QuerySet) -> list[dict[str, Any]]:
    """The event's three lists as they are (from `entries`, already scoped), each with its rows and totals."""
    rows = list(
        entries.filter(event=event).select_related("lead", "lead__tracking_unit", "lead__chain").order_by("list", "pk")
    )
    # 签约一批: the date of the signing recorded at this event (a lead's first signing may be years earlier)
    signed_here: dict[int, date] = {}
    if any(r.list == EventList.SIGNED for r in rows):
        for lead_id, signed_on in Signing.objects.filter(event=event).values_list("lead_id", "signed_on"):
            signed_here[lead_id] = max(signed_on, signed_here.get(lead_id, signed_on))
    for r in rows:
        r.signed_on = signed_here.get(r.lead_id, r.lead.signed_date) if r.list == EventList.SIGNED else None
    lists = []
    for name in LIST_ORDER:
        items = [r for r in rows if r.list == name]
        lists.append(
            {
                "list": name.value,
                "label": name.label,
                "entries": items,
                "count": len(items),
                "amount": sum((r.amount or ZERO for r in items), ZERO),
            }
        )
    return lists


# --- signing events -------------------------------------------------------------------------------------------------


def _clean_event(event: SigningEvent) -> None:
    errors: dict[str, list[str]] = {}
    if event.kind == SigningEventKind.THREE_BATCHES and event.batch_no is None:
        _add(errors, "batch_no", _("“三个一批”活动须填写期次（第几期）。"))
    if not (event.name or "").strip() and event.kind == SigningEventKind.THREE_BATCHES and event.batch_no:
        event.name = _("“三个一批”第%(n)d期") % {"n": event.batch_no}
    event.name = (event.name or "").strip()
    try:
        event.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            for message in messages:
                if key == "name" and not event.name:
                    message = _("请填写活动名称。")
                _add(errors, key, message)
    if not errors and event.batch_no is not None:
        clash = SigningEvent.objects.filter(kind=event.kind, batch_no=event.batch_no).exclude(pk=event.pk)
        if clash.exists():
            _add(
                errors,
                "batch_no",
                _("“%(k)s”第%(n)d期已存在。") % {"k": event.get_kind_display(), "n": event.batch_no},
            )
    _raise(errors)


def _save_event(event: SigningEvent) -> None:
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError as exc:  # the (kind, 期次) constraint, when two people save the same one at once
        raise ValidationError({"batch_no": [_("该类活动的这一期次已存在。")]}) from exc


@transaction.atomic
def event_create(*, actor, data: dict[str, Any]) -> SigningEvent:
    """A new signing event (`investment.add_signingevent`; the organiser in the actor's scope)."""
    event = SigningEvent(**{k: v for k, v in data.items() if k in EVENT_FIELDS})
    if "is_demo" in data:
        event.is_demo = bool(data["is_demo"])
    _clean_event(event)
    _save_event(event)
    check_scope(actor, event, "add", message=_("组织单位不在您的管理范围内。"))
    return event


@transaction.atomic
def event_update(*, actor, event: SigningEvent, version, data: dict[str, Any]) -> SigningEvent:
    """Edit an event (`investment.change_signingevent`), optimistically locked."""
    check_scope(actor, event, "change", message=_("该签约活动不在您的管理范围内。"))
    for key, value in data.items():
        if key in EVENT_FIELDS:
            setattr(event, key, value)
    _clean_event(event)
    try:
        with transaction.atomic():
            bump_version(event, expected_version=version)
    except IntegrityError as exc:
        raise ValidationError({"batch_no": [_("该类活动的这一期次已存在。")]}) from exc
    check_scope(actor, event, "change", message=_("组织单位不在您的管理范围内。"))
    return event


# --- the lists ------------------------------------------------------------------------------------------------------


@dataclass
class ListItem:
    """A lead that generation would put on a list, with its amount (万元) and why."""

    list: str
    lead: Lead
    amount: Decimal | None
    note: str = ""


def _county_path(path: str) -> str:
    """A region path cut after its county-level (6-digit) code: the district an event draws on."""
    parts = [p for p in path.split("/") if p]
    for i, code in enumerate(parts):
        if len(code) >= 6:
            return "/".join(parts[: i + 1]) + "/"
    return path


def _district_leads(event: SigningEvent) -> QuerySet:
    path = _county_path(event.organiser.region.path)
    return Lead.objects.filter(tracking_unit__region__path__startswith=path)


def _removed(event: SigningEvent, name: str) -> set[int]:
    """Leads the office removed from this event's list: generation does not add them back."""
    rows = LeadEvent.objects.filter(
        type=LeadEventType.LISTED, data__event=event.pk, data__list=str(name), data__removed=True
    ).values_list("lead_id", flat=True)
    return set(rows)


def _earlier(event: SigningEvent) -> Q:
    return Q(event__held_on__lt=event.held_on) | Q(event__held_on=event.held_on, event__pk__lt=event.pk)


def event_lists_preview(event: SigningEvent, *, leads: QuerySet | None = None) -> dict[str, list[ListItem]]:
    """What `event_lists_generate` would add to each list now (nothing is written). `leads` narrows the candidates
    (a user's scope)."""
    candidates = _district_leads(event)
    if leads is not None:
        candidates = candidates.filter(pk__in=leads.values("pk"))
    on_this = defaultdict(set)
    for name, lead_id in EventListEntry.objects.filter(event=event).values_list("list", "lead_id"):
        on_this[name].add(lead_id)
    preview: dict[str, list[ListItem]] = {name.value: [] for name in LIST_ORDER}

    # 签约一批: the signings recorded at this event
    amounts: dict[int, Decimal] = defaultdict(lambda: ZERO)
    kinds: dict[int, list[str]] = defaultdict(list)
    signed = Signing.objects.filter(event=event, lead__in=candidates.values("pk")).order_by("signed_on", "pk")
    for signing in signed:
        amounts[signing.lead_id] += signing.counted_amount
        kinds[signing.lead_id].append(_kind_label(signing.kind))
    skip = on_this[EventList.SIGNED] | _removed(event, EventList.SIGNED)
    signed_leads = Lead.objects.filter(pk__in=[pk for pk in amounts if pk not in skip]).select_related("tracking_unit")
    for lead in sorted(signed_leads, key=lambda lead: lead.pk):
        preview[EventList.SIGNED].append(ListItem(EventList.SIGNED, lead, amounts[lead.pk], "、".join(kinds[lead.pk])))

    # 开工一批: signed leads that started by the event, on no other 开工 list
    started = (
        candidates.filter(stage__in=SIGNED_OR_LATER, start_date__isnull=False, start_date__lte=event.held_on)
        .exclude(stage=LeadStage.STARTED, review_status__in=UNREVIEWED)
        .exclude(event_entries__list=EventList.STARTED)
        .exclude(pk__in=_removed(event, EventList.STARTED))
        .select_related("tracking_unit")
        .order_by("start_date", "pk")
    )
    for lead in started:
        note = _("开工 %(d)s") % {"d": lead.start_date.isoformat()}
        preview[EventList.STARTED].append(ListItem(EventList.STARTED, lead, lead.signed_total, note))

    # 投产一批: leads on an earlier event's 开工 list that produced by the event, on no other 投产 list
    earlier_started = EventListEntry.objects.filter(list=EventList.STARTED).filter(_earlier(event)).values("lead_id")
    producing = (
        candidates.filter(
            pk__in=earlier_started,
            stage__in=SIGNED_OR_LATER,
            production_date__isnull=False,
            production_date__lte=event.held_on,
        )
        .exclude(stage=LeadStage.PRODUCING, review_status__in=UNREVIEWED)
        .exclude(event_entries__list=EventList.PRODUCING)
        .exclude(pk__in=_removed(event, EventList.PRODUCING))
        .select_related("tracking_unit")
        .order_by("production_date", "pk")
    )
    for lead in producing:
        note = _("投产 %(d)s") % {"d": lead.production_date.isoformat()}
        preview[EventList.PRODUCING].append(ListItem(EventList.PRODUCING, lead, lead.signed_total, note))
    return preview


def _generation_scope(actor) -> QuerySet | None:
    if actor is None:
        return None
    condition = scope_filter(actor, EventListEntry, "add", scope_model=Lead)
    if condition is None:
        return Lead.objects.none()
    if condition is True:
        return None
    return Lead.objects.filter(condition)


@transaction.atomic
def event_lists_generate(*, actor, event: SigningEvent) -> dict[str, int]:
    """Write the event's lists (what `event_lists_preview` shows) in one transaction; {list: number added}.
    Needs `investment.add_eventlistentry` and the event in the actor's scope; the event must have been held."""
    if actor is not None:
        if not actor.has_perm("investment.add_eventlistentry"):
            raise PermissionDenied(_("您没有生成签约活动名单的权限。"))
        check_scope(actor, event, "change", message=_("该签约活动不在您的管理范围内。"))
    event = SigningEvent.objects.select_for_update().select_related("organiser__region").get(pk=event.pk)
    if event.held_on > timezone.localdate():
        raise ValidationError({NON_FIELD_ERRORS: [_("活动尚未举办，举办后才能生成名单。")]})
    preview = event_lists_preview(event, leads=_generation_scope(actor))
    added: dict[str, int] = {}
    for name in LIST_ORDER:
        items = preview[name.value]
        for item in items:
            EventListEntry.objects.create(event=event, list=name.value, lead=item.lead, amount=item.amount)
            lead_event_create(
                lead=item.lead,
                actor=actor,
                type=LeadEventType.LISTED,
                data={"event": event.pk, "event_name": event.name, "list": name.value, "amount": _text(item.amount)},
            )
        added[name.value] = len(items)
    return added


def _text(value: Decimal | None) -> str:
    return "" if value is None else str(value)


@transaction.atomic
def event_entry_remove(*, actor, entry: EventListEntry) -> None:
    """Take a lead off an event's list (`investment.delete_eventlistentry` in the lead's scope). Later generation does
    not add it back to that list."""
    check_scope(actor, entry, "delete", message=_("该名单条目不在您的管理范围内。"))
    event, lead, name = entry.event, entry.lead, entry.list
    entry.delete()
    lead_event_create(
        lead=lead,
        actor=actor,
        type=LeadEventType.LISTED,
        data={"event": event.pk, "event_name": event.name, "list": name, "removed": True},
    )


def signing_detail(data: dict) -> str:
    """A SIGNING timeline entry as one line of text."""
    text = _("%(k)s，总额 %(t)s 万元，计入签约额 %(c)s 万元") % {
        "k": _kind_label(data.get("kind", "")),
        "t": data.get("total", ""),
        "c": data.get("counted", ""),
    }
    return text + (f" · {data['event']}" if data.get("event") else "")


def listed_detail(data: dict) -> str:
    """A LISTED timeline entry as one line of text."""
    text = f"{data.get('event_name', '')} · {_list_label(data.get('list', ''))}"
    return text + (_("（已移出）") if data.get("removed") else "")


# --- the lead page's 签约记录 section --------------------------------------------------------------------------------


def signing_form_state(lead: Lead, *, values: dict | None = None, errors: dict | None = None) -> dict[str, Any]:
    """What the record form shows: defaults from the latest signing, or exactly what was posted with its errors."""
    if values is None:
        previous = previous_signing(lead)
        values = {
            "kind": SigningKind.FIRST if previous is None else "",
            "signed_on": "",
            "contract_kind": "",
            "investor": "",
            "total": "",
            "event": "",
            "note": "",
        }
    errors = dict(errors or {})
    return {"values": values, "errors": errors, "non_field": errors.pop(NON_FIELD_ERRORS, [])}


def signings_panel(user, lead: Lead, state: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The 签约记录 section (order 20): the lead's signings, what each counts, and a form for a further one."""
    if not user.has_perm("investment.view_signing"):
        return None
    signings = list(Signing.objects.restrict(user, "view").filter(lead=lead).select_related("event"))
    if not signings and lead.stage not in SIGNED_OR_LATER:
        return None  # nothing signed yet, nothing to record
    can_add = (
        lead.stage in SIGNED_OR_LATER
        and user.has_perm("investment.add_signing")
        and leads_for_signing(user).filter(pk=lead.pk).exists()
    )
    events = list(events_for_lead(user, lead).order_by("-held_on", "-pk")[:50]) if can_add else []
    return {
        "template": "investment/panels/signings.html",
        "order": 20,
        "key": "signings",
        "lead": lead,
        "signings": signings,
        "totals": {
            "projects": sum(1 for s in signings if s.counts_project),
            "amount": sum((s.counted_amount for s in signings), ZERO),
        },
        "can_add": can_add,
        "kinds": SigningKind.choices,
        "contract_kinds": ContractKind.choices,
        "events": events,
        "form": state or signing_form_state(lead),
    }


register_panel(signings_panel)
