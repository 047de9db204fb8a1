"""达产跟踪 services and reads (results.py): the years that may be recorded, the checks, 亩均 figures worked out by
hand, the 低效用地 line (in Python and in SQL), promised against realised, the thresholds' preview and locking, the
tracking unit's to-do."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tuijin.core.attention import attention_for
from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.investment import results, services
from tuijin.investment.choices import LeadEventType
from tuijin.investment.models import InvestmentSettings, Lead, LeadEvent, YearlyResult

from .factories import STAGE_DATA, make_lead
from .test_cases import make_commitment

D = Decimal
THIS_YEAR = timezone.localdate().year


def produced(world, *, unit=None, actor=None, name=None, production=None, land=None, stage="producing") -> Lead:
    """A lead at 投产 (or 达产), approved, produced on `production` (default: 1 May three years ago)."""
    unit = unit or world.unit_a
    actor = actor or world.reporter_a
    production = production or date(THIS_YEAR - 3, 5, 1)
    lead = make_lead(actor=actor, unit=unit, name=name)
    data = dict(STAGE_DATA)
    data.update(start_date=date(production.year - 1, 3, 1), production_date=production)
    data["reached_date"] = max(production, date(production.year + 1, 3, 1)) if stage == "reached" else None
    data = {k: v for k, v in data.items() if v is not None}
    lead = services.lead_submit_stage(actor=actor, lead=lead, version=lead.version, to_stage=stage, data=data)
    reviewer = world.foreign_office if unit == world.foreign_unit else world.office
    lead = services.lead_review(actor=reviewer, lead=lead, version=lead.version, approve=True)
    if land is not None:
        Lead.objects.filter(pk=lead.pk).update(land_mu=land)
        lead.refresh_from_db()
    return lead


def save(world, lead, year, actor=None, **data):
    data = {"output": None, "tax": None, "jobs": None, "note": "", **data}
    return results.result_save(actor=actor or world.reporter_a, lead=lead, year=year, data=data)


# --- 亩均 math, by hand ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "land", "expected"),
    [
        (D("1000"), D("40"), D("25.00")),  # 1000 / 40
        (D("100"), D("3"), D("33.33")),  # 33.333… rounded
        (D("200"), D("3"), D("66.67")),  # 66.666… half up
        (D("0.05"), D("2"), D("0.03")),  # 0.025 half up
        (D("500"), None, None),  # 未填用地
        (D("500"), D("0"), None),  # no land: no figure
        (None, D("10"), None),
    ],
)
def test_per_mu(value, land, expected):
    assert results.per_mu(value, land) == expected


@pytest.mark.parametrize(
    ("tax_mu", "output_mu", "low"),
    [
        (D("15"), D("300"), False),  # exactly on both lines: not below
        (D("14.99"), D("300"), True),
        (D("15"), D("299.99"), True),
        (None, D("400"), False),
        (None, None, False),  # nothing computed never warns
    ],
)
def test_low_threshold(tax_mu, output_mu, low):
    settings = InvestmentSettings(low_tax_per_mu=D("15"), low_output_per_mu=D("300"))
    assert results.is_low(tax_mu, output_mu, settings) is low


def test_rows_promised_and_realised(world):
    lead = produced(world, land=D("40"))
    make_commitment(lead, category="output", target_value=D("20000"), due=date(THIS_YEAR - 2, 12, 31))
    make_commitment(lead, category="output", target_value=D("30000"), due=date(THIS_YEAR - 1, 12, 31))  # latest wins
    make_commitment(lead, category="jobs", target_value=D("200"))
    make_commitment(lead, category="tax_per_mu", target_value=D("20"))
    make_commitment(lead, category="jobs", target_value=D("999"), state="draft")  # not signed: not a promise
    first = THIS_YEAR - 3
    save(world, lead, first + 1, output=D("16000"), tax=D("800"), jobs=150)  # 400 /亩, 20 /亩
    save(world, lead, first + 2, output=D("10000"), tax=D("400"), jobs=120)  # 250 /亩 (< 300), 10 /亩 (< 15)
    assert results.promised(lead) == {"output": D("30000"), "jobs": D("200"), "tax_per_mu": D("20")}
    rows = {row.year: row for row in results.result_rows(lead)}
    assert list(rows) == [first, first + 1, first + 2, first + 3]
    assert not rows[first].followed and rows[first + 1].followed
    assert rows[first + 1].output_per_mu == D("400.00") and rows[first + 1].tax_per_mu == D("20.00")
    assert not rows[first + 1].low
    assert rows[first + 2].output_per_mu == D("250.00") and rows[first + 2].low
    assert rows[first + 3].result is None and not rows[first + 3].due  # this year: not completed yet


def test_future_years_are_not_marked_unreported(client, world):
    """A lead produced last year: it and this year are open, the two after have not begun and say so (not 未填报)."""
    lead = produced(world, production=date(THIS_YEAR - 1, 6, 1))
    rows = {row.year: row for row in results.result_rows(lead)}
    assert not rows[THIS_YEAR].future and rows[THIS_YEAR + 1].future and rows[THIS_YEAR + 2].future
    assert not any(rows[y].due for y in rows)
    client.force_login(world.reporter_a)
    text = client.get(f"/investment/{lead.pk}/").content.decode()
    table = text[text.index('id="tj-result-table"') :]
    table = table[: table.index("</table>")]
    assert table.count("年度未到") == 2 and table.count("未填报") == 2  # the production year and this year


def test_no_land_computes_nothing(world):
    lead = produced(world)
    save(world, lead, THIS_YEAR - 2, output=D("1"), tax=D("0"))
    row = [r for r in results.result_rows(lead) if r.result][0]
    assert row.output_per_mu is None and row.tax_per_mu is None and not row.low


# --- recording -------------------------------------------------------------------------------------


def test_years_offered(world):
    lead = produced(world, production=date(THIS_YEAR - 1, 6, 1))
    assert results.result_years(lead) == [THIS_YEAR - 1, THIS_YEAR]  # later years are in the future
    old = produced(world, production=date(THIS_YEAR - 6, 6, 1))
    assert results.result_years(old) == [THIS_YEAR - 6 + i for i in range(4)]


def test_save_writes_the_result_and_the_timeline(world):
    lead = produced(world, land=D("10"))
    result = save(world, lead, THIS_YEAR - 2, output=D("5000"), tax=D("120.5"), jobs=80, note="首年")
    assert (result.output, result.tax, result.jobs, result.note) == (D("5000"), D("120.5"), 80, "首年")
    event = LeadEvent.objects.get(lead=lead, type=LeadEventType.RESULT)
    assert event.data["year"] == THIS_YEAR - 2 and "5000" in event.data["text"]


@pytest.mark.parametrize(
    ("year_offset", "data", "key"),
    [
        (5, {"output": D("1")}, "year"),  # beyond production year + 3
        (-1, {"output": D("1")}, "year"),  # before production
        (1, {}, "__all__"),  # nothing filled
        (1, {"output": D("-1")}, "output"),
        (1, {"tax": D("-0.01")}, "tax"),
        (1, {"jobs": -3}, "jobs"),
    ],
)
def test_save_refusals(world, year_offset, data, key):
    lead = produced(world)
    with pytest.raises(ValidationError) as exc:
        save(world, lead, THIS_YEAR - 3 + year_offset, **data)
    assert key in exc.value.message_dict
    assert not YearlyResult.objects.exists()


def test_a_future_year_is_refused(world):
    lead = produced(world, production=date(THIS_YEAR, 1, 2))
    with pytest.raises(ValidationError):
        save(world, lead, THIS_YEAR + 1, output=D("1"))


def test_a_year_once(world):
    lead = produced(world)
    save(world, lead, THIS_YEAR - 2, output=D("1"))
    with pytest.raises(ValidationError) as exc:
        save(world, lead, THIS_YEAR - 2, output=D("2"))
    assert "已填报" in exc.value.message_dict["year"][0]


def test_only_produced_leads(world):
    lead = make_lead(actor=world.reporter_a, unit=world.unit_a)
    with pytest.raises(ApplicationError) as exc:
        save(world, lead, THIS_YEAR - 1, output=D("1"))
    assert exc.value.code == "not_producing"


def test_out_of_scope_is_refused(world):
    lead = produced(world, unit=world.unit_b, actor=world.reporter_b)
    with pytest.raises(PermissionDenied):
        save(world, lead, THIS_YEAR - 2, actor=world.reporter_a, output=D("1"))
    assert not YearlyResult.objects.exists()


def test_update_is_locked(world):
    lead = produced(world)
    result = save(world, lead, THIS_YEAR - 2, output=D("1"))
    data = {"output": D("2"), "tax": None, "jobs": None, "note": ""}
    results.result_save(actor=world.reporter_a, lead=lead, year=0, data=data, result=result, version=result.version)
    result.refresh_from_db()
    assert result.output == D("2") and result.year == THIS_YEAR - 2  # the year of a stored result never moves
    with pytest.raises(ConflictError):
        results.result_save(
            actor=world.reporter_a, lead=lead, year=0, data={**data, "output": D("3")}, result=result, version=0
        )
    result.refresh_from_db()
    assert result.output == D("2")


# --- the list's SQL condition agrees with the Python one -------------------------------------------


def test_low_condition_in_sql(world):
    settings = InvestmentSettings.current()
    settings.low_tax_per_mu, settings.low_output_per_mu = D("15"), D("300")
    ok = produced(world, name="达标项目", land=D("10"))
    save(world, ok, THIS_YEAR - 2, output=D("3000"), tax=D("150"))  # 300, 15: on the lines
    low = produced(world, name="低效项目", land=D("10"))
    save(world, low, THIS_YEAR - 2, output=D("9000"), tax=D("100"))
    save(world, low, THIS_YEAR - 1, output=D("2999"), tax=D("200"))  # the latest year: 299.9 < 300
    recovered = produced(world, name="回升项目", land=D("10"))
    save(world, recovered, THIS_YEAR - 2, output=D("100"), tax=D("1"))
    save(world, recovered, THIS_YEAR - 1, output=D("5000"), tax=D("500"))  # latest year fine
    no_land = produced(world, name="无用地项目")
    save(world, no_land, THIS_YEAR - 2, output=D("1"), tax=D("0"))
    queryset = results.with_latest_result(results.produced_leads(Lead.objects.all()))
    names = set(queryset.filter(results.low_condition(settings)).values_list("name", flat=True))
    assert names == {"低效项目"}


def test_settings_preview_writes_nothing_and_update_is_locked(world):
    lead = produced(world, land=D("10"))
    save(world, lead, THIS_YEAR - 2, output=D("2500"), tax=D("200"))  # 250 /亩 output, 20 /亩 tax
    current = InvestmentSettings.current()
    version = current.version
    assert results.settings_preview(world.office, D("15"), D("300")) == 1
    assert results.settings_preview(world.office, D("15"), D("200")) == 0
    assert results.settings_preview(world.office, D("25"), D("200")) == 1
    assert results.settings_preview(world.foreign_office, D("25"), D("200")) == 0  # the neighbour's scope
    current.refresh_from_db()
    assert current.version == version and current.low_output_per_mu == D("300")
    with pytest.raises(ValidationError):
        results.settings_preview(world.office, D("-1"), D("200"))
    results.settings_update(actor=world.office, settings=current, version=version, low_tax=D("10"), low_output=D("200"))
    current.refresh_from_db()
    assert (current.low_tax_per_mu, current.low_output_per_mu, current.version) == (D("10"), D("200"), version + 1)
    stale = InvestmentSettings.objects.get(pk=current.pk)
    with pytest.raises(ConflictError):
        results.settings_update(actor=world.office, settings=stale, version=version, low_tax=D("1"), low_output=D("1"))
    with pytest.raises(PermissionDenied):
        results.settings_update(
            actor=world.reporter_a, settings=stale, version=stale.version, low_tax=D("1"), low_output=D("1")
        )
    current.refresh_from_db()
    assert current.low_tax_per_mu == D("10")


# --- to-do -----------------------------------------------------------------------------------------


def _titles(user):
    return {item.title: item.count for item in attention_for(user)}


def test_attention_asks_for_the_last_completed_year(world):
    due = produced(world, name="待填项目", production=date(THIS_YEAR - 2, 5, 1))  # last year = production + 1
    produced(world, name="投产当年项目", production=date(THIS_YEAR - 1, 5, 1))  # last year = production year
    produced(world, name="期满项目", production=date(THIS_YEAR - 5, 5, 1))  # beyond the three years
    produced(world, name="乙项目", unit=world.unit_b, actor=world.reporter_b, production=date(THIS_YEAR - 2, 5, 1))
    assert _titles(world.reporter_a)["待填报的达产跟踪数据"] == 1
    assert "待填报的达产跟踪数据" not in _titles(world.office)  # the tracking units fill in
    save(world, due, THIS_YEAR - 1, output=D("1"))
    assert "待填报的达产跟踪数据" not in _titles(world.reporter_a)
