"""签约甄别 and signing events (tuijin.investment.signing): each counting rule with amounts computed by hand
(首次签约, 升格, 增资, 更换投资方) and the refusals, the first signing taken from the lead, events (期次 unique per
kind, locking, scope), and the lists: 签约一批 from the event's signings, 开工一批 once per lead, 投产一批 only from
EARLIER 开工 lists, idempotent generation, removal, the district an event draws on; the demo step."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tuijin.core.exceptions import ConflictError
from tuijin.investment import services, signing
from tuijin.investment.choices import EventList, LeadEventType, SigningKind
from tuijin.investment.models import EventListEntry, LeadEvent, Signing, SigningEvent

from .factories import STAGE_DATA, make_lead

D = Decimal


def signed_lead(world, *, unit=None, actor=None, kind="agreement", total="30000", name=None, investor=None, **dates):
    """A lead of `unit` (default 甲街道) signed on 2025-03-01 and approved by the office; `dates` move it further
    (start_date, production_date … with the stage named by `to`)."""
    unit = unit or world.unit_a
    actor = actor or (world.reporter_a if unit == world.unit_a else world.reporter_b)
    reviewer = world.foreign_office if unit == world.foreign_unit else world.office
    if unit == world.foreign_unit:
        actor = world.foreign_office
    fields = {"investor": investor} if investor else {}
    lead = make_lead(actor=actor, unit=unit, name=name, **fields)
    to = dates.pop("to", "signed")
    data = {**STAGE_DATA, "signed_date": date(2025, 3, 1), "contract_kind": kind, "signed_total": D(total)}
    data["phase1_investment"] = None
    data.update(dates)
    data = {k: v for k, v in data.items() if v is not None}
    lead = services.lead_submit_stage(actor=actor, lead=lead, version=lead.version, to_stage=to, data=data)
    return services.lead_review(actor=reviewer, lead=lead, version=lead.version, approve=True)


def record(world, lead, kind, total, *, on=date(2025, 6, 1), contract_kind="", investor="", event=None, actor=None):
    return signing.signing_record(
        actor=actor or world.reporter_a,
        lead=lead,
        kind=kind,
        signed_on=on,
        contract_kind=contract_kind,
        investor=investor,
        total=D(total),
        event=event,
    )


def make_event(world, *, held_on, batch_no=None, kind="three_batches", organiser=None, actor=None, name=""):
    return signing.event_create(
        actor=actor or world.office,
        data={
            "name": name,
            "kind": kind,
            "batch_no": batch_no,
            "held_on": held_on,
            "organiser": organiser or world.office_unit,
        },
    )


def _errors(exc) -> dict:
    return exc.value.message_dict


# --- 签约甄别 -------------------------------------------------------------------------------------------------------


def test_first_signing_counts_the_project_and_its_total(world):
    lead = signed_lead(world, total="30000")
    signing.ensure_first_signing(actor=world.office, lead=lead)  # (lead_review may already have called it)
    first = Signing.objects.get(lead=lead)
    assert (first.kind, first.total, first.counted_amount, first.counts_project) == (
        SigningKind.FIRST,
        D("30000"),
        D("30000"),
        True,
    )
    assert (first.signed_on, first.contract_kind, first.investor) == (date(2025, 3, 1), "agreement", lead.investor)
    assert LeadEvent.objects.filter(lead=lead, type=LeadEventType.SIGNING).count() == 1
    assert signing.ensure_first_signing(actor=world.office, lead=lead) is None  # safe to call twice
    assert Signing.objects.filter(lead=lead).count() == 1


def test_first_signing_waits_for_review_and_needs_a_signed_lead(world):
    talking = make_lead(actor=world.reporter_a, unit=world.unit_a)
    assert signing.ensure_first_signing(actor=None, lead=talking) is None
    pending = make_lead(actor=world.reporter_a, unit=world.unit_a)
    pending = services.lead_submit_stage(
        actor=world.reporter_a, lead=pending, version=pending.version, to_stage="signed", data=dict(STAGE_DATA)
    )
    assert signing.ensure_first_signing(actor=None, lead=pending) is None
    assert not Signing.objects.exists()


def test_one_first_signing_per_lead(world):
    lead = make_lead(actor=world.reporter_a, unit=world.unit_a)
    lead = services.lead_submit_stage(  # 签约 submitted, not yet reviewed: no 首次签约 is derived from it
        actor=world.reporter_a, lead=lead, version=lead.version, to_stage="signed", data=dict(STAGE_DATA)
    )
    first = record(world, lead, SigningKind.FIRST, "30000", on=date(2025, 3, 1), contract_kind="agreement")
    assert (first.counted_amount, first.counts_project) == (D("30000"), True)
    with pytest.raises(ValidationError) as exc:
        record(world, lead, SigningKind.FIRST, "40000", contract_kind="agreement")
    assert "kind" in _errors(exc)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database constraint behind it
        Signing.objects.create(
            lead=lead,
            kind=SigningKind.FIRST,
            signed_on=date(2025, 3, 2),
            contract_kind="agreement",
            investor="x",
            total=D(1),
            counted_amount=D(1),
            counts_project=True,
        )


def test_upgrade_counts_only_the_increment(world):
    lead = signed_lead(world, kind="agreement", total="30000")
    upgrade = record(world, lead, SigningKind.UPGRADE, "50000")  # the 首次签约 is created from the lead first
    assert Signing.objects.filter(lead=lead, kind=SigningKind.FIRST, counted_amount=D("30000")).exists()
    assert upgrade.contract_kind == "contract"  # 升格 is to a 合同
    assert (upgrade.counted_amount, upgrade.counts_project) == (D("20000"), False)  # 50000 − 30000
    assert upgrade.investor == lead.investor


def test_upgrade_to_a_lower_total_counts_nothing(world):
    lead = signed_lead(world, kind="agreement", total="30000")
    upgrade = record(world, lead, SigningKind.UPGRADE, "25000", contract_kind="contract")
    assert (upgrade.counted_amount, upgrade.counts_project) == (D("0"), False)


def test_upgrade_refused_after_a_contract_or_to_an_agreement(world):
    contract = signed_lead(world, kind="contract", total="50000")
    with pytest.raises(ValidationError) as exc:
        record(world, contract, SigningKind.UPGRADE, "80000")
    assert "kind" in _errors(exc)
    agreement = signed_lead(world, kind="agreement", total="30000")
    with pytest.raises(ValidationError) as exc:
        record(world, agreement, SigningKind.UPGRADE, "80000", contract_kind="agreement")
    assert "contract_kind" in _errors(exc)
    assert Signing.objects.exclude(kind=SigningKind.FIRST).count() == 0


def test_increase_counts_the_increment_and_must_exceed(world):
    lead = signed_lead(world, kind="contract", total="50000")
    increase = record(world, lead, SigningKind.INCREASE, "80000")
    assert (increase.counted_amount, increase.counts_project, increase.contract_kind) == (D("30000"), False, "contract")
    with pytest.raises(ValidationError) as exc:
        record(world, lead, SigningKind.INCREASE, "80000", on=date(2025, 7, 1))  # equal to the previous total
    assert "total" in _errors(exc)
    assert Signing.objects.filter(lead=lead).count() == 2


def test_increase_inherits_the_contract_kind():
    assert signing.signing_counts(
        kind=SigningKind.INCREASE,
        previous=Signing(total=D("100"), contract_kind="contract", investor="a"),
        contract_kind="contract",
        investor="a",
        total=D("130.5"),
    ) == (D("30.5"), False)


def test_change_of_investor_is_a_new_signing(world):
    lead = signed_lead(world, kind="contract", total="50000", investor="原投资集团有限公司")
    change = record(
        world, lead, SigningKind.NEW_INVESTOR, "60000", investor="新投资集团有限公司", contract_kind="contract"
    )
    assert (change.counted_amount, change.counts_project, change.investor) == (D("60000"), True, "新投资集团有限公司")
    with pytest.raises(ValidationError) as exc:
        record(world, lead, SigningKind.NEW_INVESTOR, "70000", investor=" 新投资集团有限公司 ", on=date(2025, 7, 1))
    assert "investor" in _errors(exc)
    with pytest.raises(ValidationError) as exc:
        record(world, lead, SigningKind.NEW_INVESTOR, "70000", on=date(2025, 7, 1))  # no investor given
    assert "investor" in _errors(exc)


def test_totals_over_a_whole_history_by_hand(world):
    """30000 协议 → 升格 50000 (+20000) → 增资 80000 (+30000) → 更换投资方 90000 (+90000, a project again); a second
    lead: 首次 12000. 签约项目数 = 1 + 1 + 1 = 3; 签约金额 = 30000 + 20000 + 30000 + 90000 + 12000 = 182000."""
    lead = signed_lead(world, kind="agreement", total="30000")
    record(world, lead, SigningKind.UPGRADE, "50000", on=date(2025, 4, 1))
    record(world, lead, SigningKind.INCREASE, "80000", on=date(2025, 5, 1))
    record(world, lead, SigningKind.NEW_INVESTOR, "90000", on=date(2025, 6, 1), investor="接盘投资有限公司")
    other = signed_lead(world, kind="contract", total="12000")
    signing.ensure_first_signing(actor=None, lead=other)
    amounts = list(Signing.objects.filter(lead=lead).values_list("counted_amount", flat=True))
    assert amounts == [D("30000"), D("20000"), D("30000"), D("90000")]
    assert signing.signing_totals(Signing.objects.all()) == {"projects": 3, "amount": D("182000")}
    assert signing.signing_totals(Signing.objects.filter(lead=lead)) == {"projects": 2, "amount": D("170000")}
    assert signing.signing_totals(Signing.objects.none()) == {"projects": 0, "amount": D("0")}


def test_refusals_write_nothing(world):
    lead = signed_lead(world, kind="contract", total="50000")
    signing.ensure_first_signing(actor=None, lead=lead)
    future = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        record(world, lead, SigningKind.INCREASE, "60000", on=future)
    assert "signed_on" in _errors(exc)
    with pytest.raises(ValidationError) as exc:
        record(world, lead, SigningKind.INCREASE, "60000", on=date(2025, 2, 1))  # before the first signing
    assert "signed_on" in _errors(exc)
    with pytest.raises(ValidationError) as exc:
        record(world, lead, "bogus", "60000")
    assert "kind" in _errors(exc)
    talking = make_lead(actor=world.reporter_a, unit=world.unit_a)
    with pytest.raises(ValidationError):
        record(world, talking, SigningKind.FIRST, "60000", contract_kind="contract")
    stopped = signed_lead(world)
    stopped = services.lead_terminate(actor=world.reporter_a, lead=stopped, version=stopped.version, reason="撤资")
    with pytest.raises(ValidationError) as exc:
        record(world, stopped, SigningKind.INCREASE, "60000")
    assert "终止" in str(exc.value)
    assert Signing.objects.filter(lead=lead).count() == 1
    assert LeadEvent.objects.filter(lead=lead, type=LeadEventType.SIGNING).count() == 1
    assert not Signing.objects.filter(lead__in=[talking, stopped]).exclude(kind=SigningKind.FIRST).exists()


def test_scope_and_permission(world):
    lead = signed_lead(world, kind="contract", total="50000")
    with pytest.raises(PermissionDenied):
        record(world, lead, SigningKind.FIRST, "50000", actor=world.reporter_b, contract_kind="contract")
    with pytest.raises(PermissionDenied):
        record(world, lead, SigningKind.FIRST, "50000", actor=world.leader, contract_kind="contract")
    assert not Signing.objects.exclude(kind=SigningKind.FIRST).exists()
    foreign_event = make_event(
        world, held_on=date(2025, 5, 1), batch_no=1, organiser=world.foreign_unit, actor=world.foreign_office
    )
    with pytest.raises(ValidationError) as exc:
        record(world, lead, SigningKind.INCREASE, "60000", event=foreign_event)
    assert "event" in _errors(exc)
    # the district's own event (organised by the office, outside the street's own unit) may be chosen
    district_event = make_event(world, held_on=date(2025, 5, 1), batch_no=2)
    increase = record(world, lead, SigningKind.INCREASE, "60000", event=district_event)
    assert increase.event == district_event and increase.counted_amount == D("10000")


# --- events -----------------------------------------------------------------------------------------------------------


def test_event_batch_is_needed_unique_per_kind_and_names_itself(world):
    with pytest.raises(ValidationError) as exc:
        make_event(world, held_on=date(2025, 6, 1))
    assert "batch_no" in _errors(exc)
    first = make_event(world, held_on=date(2025, 6, 1), batch_no=5)
    assert first.name == "“三个一批”第5期"
    with pytest.raises(ValidationError) as exc:
        make_event(world, held_on=date(2025, 9, 1), batch_no=5)
    assert "batch_no" in _errors(exc)
    expo = make_event(world, held_on=date(2025, 9, 1), batch_no=5, kind="expo", name="投洽会")
    assert expo.batch_no == 5  # another kind may use the same number
    with pytest.raises(ValidationError) as exc:
        make_event(world, held_on=date(2025, 9, 1), kind="special")
    assert "name" in _errors(exc)


def test_event_update_is_locked_and_scoped(world):
    event = make_event(world, held_on=date(2025, 6, 1), batch_no=1)
    signing.event_update(actor=world.office, event=event, version=event.version, data={"note": "第一次"})
    stale = SigningEvent.objects.get(pk=event.pk)
    with pytest.raises(ConflictError):
        signing.event_update(actor=world.office, event=stale, version=1, data={"note": "第二次"})
    assert SigningEvent.objects.get(pk=event.pk).note == "第一次"
    with pytest.raises(PermissionDenied):
        make_event(world, held_on=date(2025, 6, 1), batch_no=2, organiser=world.foreign_unit)
    with pytest.raises(PermissionDenied):
        signing.event_update(actor=world.reporter_a, event=stale, version=stale.version, data={"note": "x"})
    assert not SigningEvent.objects.filter(batch_no=2).exists()


# --- the lists --------------------------------------------------------------------------------------------------------


def _names(preview, name) -> list[str]:
    return [item.lead.name for item in preview[name]]


def _on(event, name) -> set[str]:
    return set(EventListEntry.objects.filter(event=event, list=name).values_list("lead__name", flat=True))


@pytest.fixture
def pipeline(world):
    """A: started 2025-05-01, produced 2025-09-01. B: started 2025-07-01, produced 2025-09-15. S: signed only.
    P: its 开工 waits for review. F: the neighbouring district, started 2025-05-01."""
    a = signed_lead(world, name="A光电", kind="contract", total="50000", to="producing")
    b = signed_lead(
        world,
        name="B装备",
        kind="contract",
        total="20000",
        to="producing",
        start_date=date(2025, 7, 1),
        production_date=date(2025, 9, 15),
    )
    s = signed_lead(world, name="S服务", kind="agreement", total="8000")
    p = make_lead(actor=world.reporter_b, unit=world.unit_b, name="P待审")
    p = services.lead_submit_stage(
        actor=world.reporter_b, lead=p, version=p.version, to_stage="started", data=dict(STAGE_DATA)
    )
    f = signed_lead(world, unit=world.foreign_unit, name="F邻区", kind="contract", total="9000", to="started")
    return {"a": a, "b": b, "s": s, "p": p, "f": f}


def test_lists_draw_producing_only_from_earlier_started_lists(world, pipeline):
    first = make_event(world, held_on=date(2025, 6, 1), batch_no=1)
    second = make_event(world, held_on=date(2025, 10, 1), batch_no=2)
    third = make_event(world, held_on=date(2025, 12, 1), batch_no=3)
    record(world, pipeline["s"], SigningKind.UPGRADE, "12000", on=date(2025, 6, 1), event=first)  # counts 4000

    preview = signing.event_lists_preview(first)
    assert _names(preview, EventList.SIGNED) == ["S服务"]
    assert _names(preview, EventList.STARTED) == ["A光电"]  # B started later; P waits for review; F is not ours
    assert _names(preview, EventList.PRODUCING) == []  # A produced after the event, and is on no earlier list
    assert not EventListEntry.objects.exists()  # a preview writes nothing

    added = signing.event_lists_generate(actor=world.office, event=first)
    assert added == {"signed": 1, "started": 1, "producing": 0}
    assert signing.event_lists_generate(actor=world.office, event=first) == {"signed": 0, "started": 0, "producing": 0}

    signing.event_lists_generate(actor=world.office, event=second)
    assert _on(second, EventList.STARTED) == {"B装备"}  # A is already on the first event's 开工 list
    assert _on(second, EventList.PRODUCING) == {"A光电"}  # drawn from the first event's 开工 list
    assert _on(second, EventList.SIGNED) == set()

    signing.event_lists_generate(actor=world.office, event=third)
    assert _on(third, EventList.PRODUCING) == {"B装备"}  # B's 开工 list (the second event) is earlier than the third
    assert _on(third, EventList.STARTED) == set()

    # no lead twice on 开工 or 投产 lists, whatever the event
    for name in (EventList.STARTED, EventList.PRODUCING):
        leads = list(EventListEntry.objects.filter(list=name).values_list("lead_id", flat=True))
        assert len(leads) == len(set(leads))
    with pytest.raises(IntegrityError), transaction.atomic():
        EventListEntry.objects.create(event=third, list=EventList.STARTED, lead=pipeline["a"])

    # amounts: 签约一批 the counted amount, 开工/投产 the signed total
    amounts = dict(EventListEntry.objects.filter(event=second).values_list("list", "amount"))
    assert amounts == {"started": D("20000"), "producing": D("50000")}
    totals = signing.event_list_totals([first, second], EventListEntry.objects.all())
    assert totals[first.pk]["signed"] == {"count": 1, "amount": D("4000")}
    assert totals[second.pk]["producing"] == {"count": 1, "amount": D("50000")}
    listed = LeadEvent.objects.filter(lead=pipeline["a"], type=LeadEventType.LISTED)
    assert [e.data["list"] for e in listed] == ["started", "producing"]


def test_producing_needs_an_earlier_started_list_even_when_dates_fit(world, pipeline):
    """One event after both of A's dates: A goes on its 开工 list only; its 投产 waits for a later event."""
    late = make_event(world, held_on=date(2025, 11, 1), batch_no=7)
    signing.event_lists_generate(actor=world.office, event=late)
    assert _on(late, EventList.STARTED) == {"A光电", "B装备"}
    assert _on(late, EventList.PRODUCING) == set()
    later = make_event(world, held_on=date(2025, 11, 20), batch_no=8)
    signing.event_lists_generate(actor=world.office, event=later)
    assert _on(later, EventList.PRODUCING) == {"A光电", "B装备"}


def test_removed_entry_is_not_added_back(world, pipeline):
    event = make_event(world, held_on=date(2025, 6, 1), batch_no=1)
    signing.event_lists_generate(actor=world.office, event=event)
    entry = EventListEntry.objects.get(event=event, list=EventList.STARTED)
    with pytest.raises(PermissionDenied):
        signing.event_entry_remove(actor=world.reporter_a, entry=entry)
    signing.event_entry_remove(actor=world.office, entry=entry)
    assert not EventListEntry.objects.filter(pk=entry.pk).exists()
    assert LeadEvent.objects.filter(lead=pipeline["a"], type=LeadEventType.LISTED, data__removed=True).exists()
    assert signing.event_lists_generate(actor=world.office, event=event)["started"] == 0
    assert _on(event, EventList.STARTED) == set()


def test_generation_refused_before_the_event_or_without_permission(world, pipeline):
    future = make_event(world, held_on=timezone.localdate() + timedelta(days=3), batch_no=9)
    with pytest.raises(ValidationError):
        signing.event_lists_generate(actor=world.office, event=future)
    held = make_event(world, held_on=date(2025, 6, 1), batch_no=1)
    with pytest.raises(PermissionDenied):
        signing.event_lists_generate(actor=world.reporter_a, event=held)
    with pytest.raises(PermissionDenied):
        signing.event_lists_generate(actor=world.foreign_office, event=held)
    assert not EventListEntry.objects.exists()


def test_neighbouring_district_event_draws_on_its_own_leads(world, pipeline):
    event = make_event(
        world, held_on=date(2025, 6, 1), batch_no=1, organiser=world.foreign_unit, actor=world.foreign_office
    )
    signing.event_lists_generate(actor=world.foreign_office, event=event)
    assert _on(event, EventList.STARTED) == {"F邻区"}


# --- the demo ---------------------------------------------------------------------------------------------------------


def test_demo_signings(db, monkeypatch):
    from io import StringIO

    from tuijin.core import demo as core_demo

    base = [s for s in core_demo.DEMO_STEPS if s.startswith(("tuijin.org.", "tuijin.users."))]
    steps = [*base, "tuijin.investment.demo.load_leads", "tuijin.investment.demo_signing.load_signings"]
    monkeypatch.setattr(core_demo, "DEMO_STEPS", steps)
    core_demo.run_demo_steps(StringIO())
    today = timezone.localdate()
    events = list(SigningEvent.objects.order_by("held_on"))
    assert [e.kind for e in events] == ["three_batches", "expo", "three_batches"] and all(e.is_demo for e in events)
    assert all(today - timedelta(days=366) <= e.held_on <= today for e in events)
    first, expo, second = events
    assert second.batch_no > first.batch_no  # quarterly, numbered from July 2021
    kinds = set(Signing.objects.values_list("kind", flat=True))
    assert kinds == {"first", "upgrade", "increase", "new_investor"}
    assert not Signing.objects.filter(signed_on__gt=today).exists()
    assert Signing.objects.filter(kind="first").count() >= 15
    started_first = set(first.entries.filter(list="started").values_list("lead_id", flat=True))
    producing_second = set(second.entries.filter(list="producing").values_list("lead_id", flat=True))
    assert producing_second and producing_second <= started_first  # 投产 drawn from the earlier 开工 list
    assert first.entries.filter(list="signed").exists() and expo.entries.filter(list="signed").exists()
    counts = (Signing.objects.count(), EventListEntry.objects.count(), LeadEvent.objects.count())
    core_demo.run_demo_steps(StringIO())  # idempotent
    assert (Signing.objects.count(), EventListEntry.objects.count(), LeadEvent.objects.count()) == counts
