"""争取上级资金 pages: each page renders for the roles that may see it (403 for the others), refused input is shown
again (400) in Chinese next to the field with what was typed, a stale version → the conflict page (409), the 资金统计
numbers equal the lists they link to, the 待我处理 counts equal their lists, the XLSX export neutralises formulas,
and query budgets do not grow with rows."""

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tuijin.core.models import AuditEvent
from tuijin.funds import services
from tuijin.funds.attention import funds_attention
from tuijin.funds.choices import ApplicationStatus, Channel
from tuijin.funds.models import FundApplication, FundingBatch, FundPayment, FundsSettings
from tuijin.funds.selectors import add_months
from tuijin.projects.models import Project
from tuijin.projects.tests.factories import make_project
from tuijin.utilities.testing.queries import count_queries

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_codes = iter(range(1, 10_000))


def today() -> date:
    return timezone.localdate()


def pdf(name="doc.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def project(world, unit=None, name=None, **fields) -> Project:
    p = make_project(unit=unit or world.unit_a, name=name, **fields)
    Project.objects.filter(pk=p.pk).update(code=f"2026-410702-48-01-{next(_codes):06d}")
    return Project.objects.get(pk=p.pk)


def batch(world, channel=Channel.MUNICIPAL, name="市级专项第一批", opens=-5, closes=20, **rules) -> FundingBatch:
    data = {
        "channel": channel,
        "name": name,
        "opens_on": today() + timedelta(days=opens),
        "deadline": today() + timedelta(days=closes),
        "min_prep_stage": "idea",
        "min_library_status": "none",
        **rules,
    }
    return services.batch_save(actor=world.office, data=data)


def apply(world, p, b, amount="100", actor=None, statement="") -> FundApplication:
    return services.application_create(
        actor=actor or world.reporter_a,
        project=p,
        batch=b,
        requested_amount=Decimal(amount),
        other_funds_statement=statement,
    )


def set_status(application, status, **fields) -> None:
    if status == ApplicationStatus.APPROVED:
        fields.setdefault("approved_amount", Decimal("80"))
        fields.setdefault("approval_doc", "发改投资〔2026〕1号")
        fields.setdefault("approval_date", today())
    FundApplication.objects.filter(pk=application.pk).update(status=status, **fields)


def act(client, application, action, **data):
    return client.post(
        reverse("funds:application_act", args=[application.pk, action]), {"version": application.version, **data}
    )


def rows(response) -> list:
    return list(response.context["object_list"])


# -- pages render for the right roles -----------------------------------------------------------------------------


def test_pages_render_for_the_office_and_the_unit(client, world):
    p = project(world)
    b = batch(world)
    a = apply(world, p, b)
    office_urls = [
        reverse("funds:batch_list"),
        reverse("funds:batch_add"),
        reverse("funds:batch", args=[b.pk]),
        reverse("funds:batch_edit", args=[b.pk]),
        reverse("funds:application_list"),
        reverse("funds:application", args=[a.pk]),
        reverse("funds:kpis"),
        reverse("funds:settings"),
        reverse("funds:prep", args=[p.pk]),
    ]
    client.force_login(world.office)
    for url in office_urls:
        assert client.get(url).status_code == 200, url
    client.force_login(world.reporter_a)
    for url in (
        reverse("funds:batch_list"),
        reverse("funds:batch", args=[b.pk]),
        reverse("funds:application_list"),
        reverse("funds:application", args=[a.pk]),
        reverse("funds:kpis"),
        reverse("funds:prep", args=[p.pk]),
        reverse("funds:application_add") + f"?batch={b.pk}&project={p.pk}",
    ):
        assert client.get(url).status_code == 200, url
    for url in (reverse("funds:batch_add"), reverse("funds:settings"), reverse("funds:batch_edit", args=[b.pk])):
        assert client.get(url).status_code == 403, url
    # another unit: the application and the project are out of scope
    client.force_login(world.reporter_b)
    assert client.get(reverse("funds:application", args=[a.pk])).status_code == 404
    assert client.get(reverse("funds:prep", args=[p.pk])).status_code == 404
    assert a.pk not in [x.pk for x in rows(client.get(reverse("funds:application_list")))]
    # no funds role at all
    client.force_login(world.sysadmin)
    assert client.get(reverse("funds:batch_list")).status_code == 403
    assert client.get(reverse("funds:kpis")).status_code == 403


def test_navigation_lists_the_funds_pages_by_permission(client, world):
    client.force_login(world.office)
    page = client.get(reverse("funds:batch_list")).content.decode()
    for url in (reverse("funds:application_list"), reverse("funds:kpis"), reverse("funds:settings")):
        assert f'href="{url}"' in page
    client.force_login(world.reporter_a)
    page = client.get(reverse("funds:batch_list")).content.decode()
    assert f'href="{reverse("funds:settings")}"' not in page


def test_batch_calendar_groups_and_marks_batches_closing_soon(client, world):
    open_soon = batch(world, name="快截止批次", closes=3)
    open_later = batch(world, name="宽裕批次", closes=40)
    upcoming = batch(world, name="未开始批次", opens=10, closes=40)
    closed = batch(world, name="已截止批次", opens=-40, closes=-1)
    client.force_login(world.reporter_a)
    response = client.get(reverse("funds:batch_list"))
    groups = response.context["groups"]
    assert [r.batch.pk for r in groups["open"]] == [open_soon.pk, open_later.pk]
    assert [r.batch.pk for r in groups["upcoming"]] == [upcoming.pk]
    assert [r.batch.pk for r in groups["closed"]] == [closed.pk]
    assert groups["open"][0].urgent and groups["open"][0].days_left == 3 and not groups["open"][1].urgent
    assert "tj-urgent" in response.content.decode()
    response = client.get(reverse("funds:batch_list"), {"channel": Channel.CENTRAL_BUDGET})
    assert not any(response.context["groups"].values())


# -- the batch form -----------------------------------------------------------------------------------------------


def test_batch_form_refuses_bad_input_in_chinese_and_keeps_it(client, world):
    client.force_login(world.office)
    url = reverse("funds:batch_add")
    data = {
        "channel": Channel.SPECIAL_BOND,
        "name": "我输入的批次名称",
        "opens_on": "2027-05-10",
        "deadline": "2027-05-01",
        "min_prep_stage": "feasibility",
        "min_library_status": "reserve",
        "min_total_investment": "5000",
        "max_total_investment": "1000",
        "min_revenue_coverage": "abc",
        "required_documents": ["implementation_plan", "performance_targets"],
        "domains": ["infrastructure"],
    }
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "申报截止不能早于申报开始。" in page
    assert "总投资上限不能低于下限。" in page
    assert "请输入数字（单位：万元）" in page
    assert "所选材料“performance_targets”不在该资金渠道的清单中。" in page
    assert "我输入的批次名称" in page
    assert re.search(r'value="infrastructure"[^>]*checked', page)
    assert not FundingBatch.objects.exists()
    response = client.post(
        url, dict(data, name="", deadline="2027-06-01", max_total_investment="", min_revenue_coverage="")
    )
    assert response.status_code == 400, response.context["form"].errors
    assert "请填写批次名称。" in response.content.decode()
    response = client.post(
        url,
        dict(
            data,
            deadline="2027-06-01",
            max_total_investment="",
            min_revenue_coverage="1.2",
            required_documents=["implementation_plan"],
        ),
    )
    assert response.status_code == 302
    saved = FundingBatch.objects.get()
    assert saved.required_documents == ["implementation_plan"] and saved.domains == ["infrastructure"]
    assert saved.organiser == world.office_unit and saved.min_revenue_coverage == Decimal("1.2")


def test_batch_edit_on_a_stale_version_shows_the_conflict_page(client, world):
    b = batch(world)
    client.force_login(world.office)
    url = reverse("funds:batch_edit", args=[b.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "chains"}
    data.update(opens_on=b.opens_on.isoformat(), deadline=b.deadline.isoformat(), name="我的修改")
    data["organiser"] = b.organiser_id
    services.batch_save(actor=world.office, batch=b, version=b.version, data={"name": "他人的修改"})
    response = client.post(url, data)
    assert response.status_code == 409
    assert "我的修改" in response.content.decode()
    assert FundingBatch.objects.get(pk=b.pk).name == "他人的修改"


def test_batch_page_ranks_projects_and_offers_to_apply(client, world):
    b = batch(world, domains=["industry"])
    ok = project(world, name="合格项目")
    other = project(world, name="领域不符项目", domain="livelihood")
    client.force_login(world.reporter_a)
    response = client.get(reverse("funds:batch", args=[b.pk]))
    page = response.content.decode()
    eligible = [m.project.pk for m in response.context["eligible"]]
    assert ok.pk in eligible and other.pk not in eligible
    assert f"?batch={b.pk}&amp;project={ok.pk}" in page  # 发起申报
    assert f"?batch={b.pk}&amp;project={other.pk}" not in page
    apply(world, ok, b)
    page = client.get(reverse("funds:batch", args=[b.pk])).content.decode()
    assert f"?batch={b.pk}&amp;project={ok.pk}" not in page and "已申报" in page
    assert "投资领域：产业" in page  # the rules in words
    assert "项目代码" in page and "✓" in page


def test_batch_page_explains_a_near_miss(client, world):
    b = batch(world, require_land=True)
    p = project(world, name="未落实用地项目")
    client.force_login(world.office)
    response = client.get(reverse("funds:batch", args=[b.pk]))
    near = [m for m in response.context["near_misses"] if m.project.pk == p.pk]
    assert near and near[0].to_fix == ["落实用地"]
    page = response.content.decode()
    assert "用地：未落实 ✗" in page and "落实用地后即符合条件" in page
    assert f"?batch={b.pk}&amp;project={p.pk}" not in page  # no 发起申报 for a near miss
    # the office sees the ranking too, without the unit's 发起申报 for projects outside its scope? (office scope is
    # the district: it may apply as well)
    client.force_login(world.office)
    assert client.get(reverse("funds:batch", args=[b.pk])).status_code == 200


# -- applications -------------------------------------------------------------------------------------------------


def test_new_application_refused_input_and_the_duplicate_check_next_to_the_field(client, world):
    p = project(world)
    first = batch(world, channel=Channel.CENTRAL_BUDGET, name="中央预算内第一批")
    second = batch(world, channel=Channel.LONG_BOND_MAJOR, name="两重第一批")
    apply(world, p, first)
    client.force_login(world.reporter_a)
    url = reverse("funds:application_add") + f"?batch={second.pk}&project={p.pk}"
    response = client.post(url, {"requested_amount": "0"})
    assert response.status_code == 400 and "申请金额须大于 0。" in response.content.decode()
    response = client.post(url, {"requested_amount": "2000"})
    assert response.status_code == 400 and "申请金额不能超过项目总投资。" in response.content.decode()
    response = client.post(url, {"requested_amount": "300", "other_funds_statement": ""})
    assert response.status_code == 400
    form = response.context["form"]
    assert "中央预算内第一批" in form.errors["other_funds_statement"][0]
    assert 'value="300"' in response.content.decode()
    response = client.post(url, {"requested_amount": "300", "other_funds_statement": "不同建设内容：二期管网"})
    assert response.status_code == 302
    assert FundApplication.objects.filter(batch=second, project=p).count() == 1


def test_submit_refused_lists_the_missing_documents(client, world):
    p = project(world)
    b = batch(world, channel=Channel.CENTRAL_BUDGET)
    a = apply(world, p, b)
    client.force_login(world.reporter_a)
    url = reverse("funds:application_act", args=[a.pk, "submit"])
    response = client.post(url, {"version": a.version, "note": "我的说明"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "申报材料不全，还缺：资金申请报告（可研深度）、可研或初设批复、绩效目标表、项目单位信用报告。" in page
    assert "我的说明" in page
    assert FundApplication.objects.get(pk=a.pk).status == ApplicationStatus.DRAFTING


def test_the_whole_flow_through_the_pages(client, world):
    p = project(world)
    b = batch(world, channel=Channel.MUNICIPAL)
    a = apply(world, p, b)
    client.force_login(world.reporter_a)
    page = client.get(a.get_absolute_url()).content.decode()
    assert "tj-submit-form" in page and "tj-forward-form" not in page and "tj-decide-form" not in page
    response = client.post(reverse("funds:application_upload", args=[a.pk]), {"doc_key": "application_report"})
    assert response.status_code == 400 and "请选择要上传的文件。" in response.content.decode()
    response = client.post(
        reverse("funds:application_upload", args=[a.pk]), {"doc_key": "application_report", "file": pdf()}
    )
    assert response.status_code == 302
    stored = a.files.get()
    download = client.get(reverse("funds:application_file", args=[stored.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    a.refresh_from_db()
    assert (
        client.post(reverse("funds:application_act", args=[a.pk, "submit"]), {"version": a.version}).status_code == 302
    )
    a.refresh_from_db()
    assert a.status == ApplicationStatus.DISTRICT_REVIEW
    # the unit may not forward
    assert (
        client.post(reverse("funds:application_act", args=[a.pk, "forward"]), {"version": a.version}).status_code == 403
    )
    client.force_login(world.reporter_b)
    assert client.get(reverse("funds:application_file", args=[stored.pk])).status_code == 404

    client.force_login(world.office)
    response = client.post(
        reverse("funds:application_act", args=[a.pk, "return"]), {"version": a.version, "reason": ""}
    )
    assert response.status_code == 400 and "请填写退回理由。" in response.content.decode()
    for _level in range(3):  # 区审核 → 市转报 → 省转报 → 国家审核
        a.refresh_from_db()
        assert (
            client.post(reverse("funds:application_act", args=[a.pk, "forward"]), {"version": a.version}).status_code
            == 302
        )
    a.refresh_from_db()
    assert a.status == ApplicationStatus.NATIONAL
    decide = reverse("funds:application_act", args=[a.pk, "decide"])
    response = client.post(decide, {"version": a.version, "outcome": "approved", "amount": "500", "approval_doc": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "下达金额不能超过申请金额。" in page and "请填写下达文号。" in page and "请填写下达日期。" in page
    assert 'value="500"' in page
    response = client.post(
        decide,
        {
            "version": a.version,
            "outcome": "approved",
            "amount": "80",
            "approval_doc": "豫发改投资〔2026〕8号",
            "approval_date": today().isoformat(),
            "arrived_on": today().isoformat(),
        },
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == ApplicationStatus.APPROVED and a.approved_amount == Decimal("80")
    response = act(client, a, "arrival", arrived_on=(today() + timedelta(days=3)).isoformat())
    assert response.status_code == 400 and "资金到位日期须在下达日期至今天之间。" in response.content.decode()
    pay = reverse("funds:application_act", args=[a.pk, "pay"])
    response = client.post(pay, {"version": a.version, "paid_on": today().isoformat(), "amount": "100"})
    assert response.status_code == 400 and "累计支付将超过下达金额" in response.content.decode()
    response = client.post(pay, {"version": a.version, "paid_on": today().isoformat(), "amount": "20"})
    assert response.status_code == 302
    page = client.get(a.get_absolute_url()).content.decode()
    assert "25.00%" in page  # 支付进度 = 20 ÷ 80
    assert [e.to_status for e in a.events.all()][-1] == ApplicationStatus.APPROVED


def test_a_stale_action_shows_the_conflict_page(client, world):
    p = project(world)
    b = batch(world)
    a = apply(world, p, b)
    stale = a.version
    services.application_withdraw(actor=world.reporter_a, application=a, version=a.version, reason="改期申报")
    client.force_login(world.reporter_a)
    response = client.post(reverse("funds:application_act", args=[a.pk, "withdraw"]), {"version": stale, "reason": "x"})
    # withdrawn: no step left on the page → refused; an office step on a stale version → 409
    assert response.status_code == 403
    b2 = batch(world, name="第二批")
    a2 = apply(world, p, b2)
    set_status(a2, ApplicationStatus.APPROVED)
    a2.refresh_from_db()
    client.force_login(world.office)
    FundApplication.objects.filter(pk=a2.pk).update(version=a2.version + 1)
    response = client.post(
        reverse("funds:application_act", args=[a2.pk, "pay"]),
        {"version": a2.version, "paid_on": today().isoformat(), "amount": "10"},
    )
    assert response.status_code == 409 and not FundPayment.objects.exists()
    a3 = apply(world, p, batch(world, name="第三批"))
    set_status(a3, ApplicationStatus.DISTRICT_REVIEW)
    a3.refresh_from_db()
    response = client.post(
        reverse("funds:application_act", args=[a3.pk, "return"]), {"version": a3.version - 1, "reason": "材料不全"}
    )
    assert response.status_code == 409 and "材料不全" in response.content.decode()


# -- 谋划/入库 and settings -------------------------------------------------------------------------------------------


def test_prep_form_refused_input_and_stale_version(client, world):
    p = project(world)
    client.force_login(world.reporter_a)
    url = reverse("funds:prep", args=[p.pk])
    response = client.get(url)
    assert response.status_code == 200 and "前期成熟度" in response.content.decode()
    data = {
        "version": "0",
        "prep_stage": "feasibility",
        "library_status": "reserve",
        "capital_in_place": "-5",
        "revenue_coverage": "abc",
        "note": "我的说明文字",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "请输入数字（单位：万元）" in page and "我的说明文字" in page
    response = client.post(url, dict(data, capital_in_place="200", revenue_coverage="1.3"))
    assert response.status_code == 302
    prep = Project.objects.get(pk=p.pk).prep
    assert prep.capital_in_place == Decimal("200") and prep.version == 1
    response = client.post(url, dict(data, capital_in_place="300", revenue_coverage="", version="0"))
    assert response.status_code == 409
    response = client.post(url, dict(data, capital_in_place="-1", revenue_coverage="", version="1"))
    assert response.status_code == 400 and Project.objects.get(pk=p.pk).prep.capital_in_place == Decimal("200")


def test_settings_refused_input_and_stale_version(client, world):
    client.force_login(world.office)
    url = reverse("funds:settings")
    data = {
        "version": "0",
        "idle_months": "x",
        "remind_days": "7",
        "stats_tolerance_pct": "20",
        "stats_tolerance_amount": "-1",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "请输入整数。" in page and "不能为负数。" in page
    assert client.post(url, dict(data, idle_months="3", stats_tolerance_amount="50")).status_code == 302
    row = FundsSettings.current()
    assert row.idle_months == 3 and row.version == 1
    response = client.post(url, dict(data, idle_months="4", stats_tolerance_amount="50", version="0"))
    assert response.status_code == 409 and FundsSettings.current().idle_months == 3


# -- figures and lists agree -----------------------------------------------------------------------------------------


def _figures_world(world):
    pa, pb = project(world), project(world, unit=world.unit_b)
    b1 = batch(world, channel=Channel.CENTRAL_BUDGET, name="中央第一批")
    b2 = batch(world, channel=Channel.MUNICIPAL, name="市级第一批")
    statuses = [
        ApplicationStatus.DRAFTING,
        ApplicationStatus.DISTRICT_REVIEW,
        ApplicationStatus.CITY,
        ApplicationStatus.APPROVED,
        ApplicationStatus.APPROVED,
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
    ]
    made = []
    for i, status in enumerate(statuses):
        p = pa if i % 2 else pb
        b = batch(world, channel=Channel.MUNICIPAL, name=f"市级第{i + 2}批")
        actor = world.reporter_a if p is pa else world.reporter_b
        a = apply(world, p, b if i > 1 else (b1 if i == 0 else b2), actor=actor)
        set_status(a, status)
        made.append(a)
    FundPayment.objects.create(application=made[3], paid_on=today(), amount=Decimal("30"))
    return made


def test_kpi_numbers_equal_the_lists_they_link_to(client, world):
    made = _figures_world(world)
    year = made[-1].batch.deadline.year  # the batches all close in 20 days (the year may be the next one)
    client.force_login(world.office)
    response = client.get(reverse("funds:kpis"), {"year": year})
    assert response.status_code == 200
    table = response.context["table"]
    total = table["total"]
    assert total.counts == {"applied": 5, "approved": 2, "paid": 1}
    assert total.amounts["paid"] == Decimal("30") and total.amounts["approved"] == Decimal("160")
    assert total.rate == Decimal("18.75")
    assert table["year"] == year
    checked = 0
    for section, key_name in (("channels", "channel"), ("units", "unit_id")):
        for row in [*table[section], total]:
            for figure, count, _amount in row.cells:
                query = {"kpi": figure, "year": year}
                if row.key != "":
                    query[key_name] = row.key
                listed = client.get(reverse("funds:application_list"), query)
                assert listed.status_code == 200
                assert listed.context["paginator"].count == count, (section, row.label, figure)
                checked += 1
    assert checked > 10
    # the unit sees its own applications only, and the same agreement
    client.force_login(world.reporter_a)
    mine = client.get(reverse("funds:kpis"), {"year": year}).context["table"]["total"]
    listed = client.get(reverse("funds:application_list"), {"kpi": "applied", "year": year})
    assert listed.context["paginator"].count == mine.counts["applied"] < total.counts["applied"]


def test_todo_counts_equal_the_lists_they_link_to(client, world):
    p = project(world)
    returned = apply(world, p, batch(world, name="退回批次", closes=30))
    set_status(returned, ApplicationStatus.DISTRICT_REVIEW)
    returned.refresh_from_db()
    services.application_return(actor=world.office, application=returned, version=returned.version, reason="补材料")
    apply(world, p, batch(world, name="快截止批次", closes=2))  # draft of a batch closing soon
    apply(world, p, batch(world, name="宽裕批次", closes=60))  # draft, not urgent
    review = apply(world, p, batch(world, name="待审批次"))
    set_status(review, ApplicationStatus.DISTRICT_REVIEW)
    idle = apply(world, p, batch(world, name="闲置批次"))
    set_status(idle, ApplicationStatus.APPROVED, arrived_on=add_months(today(), -7))
    paid = apply(world, p, batch(world, name="已支付批次"))
    set_status(paid, ApplicationStatus.APPROVED, arrived_on=add_months(today(), -7))
    FundPayment.objects.create(application=paid, paid_on=today(), amount=Decimal("5"))
    fresh = apply(world, p, batch(world, name="新到位批次"))
    set_status(fresh, ApplicationStatus.APPROVED, arrived_on=today())

    expected = {"reporter_a": {"returned": 1, "closing": 1}, "office": {"review": 1, "idle": 1}}
    for name, counts in expected.items():
        user = getattr(world, name)
        items = funds_attention(user)
        assert len(items) == len(counts)
        client.force_login(user)
        for item in items:
            key = item.url.split("todo=")[1]
            assert item.count == counts[key]
            listed = client.get(item.url)
            assert listed.context["paginator"].count == item.count, (name, key)
    assert funds_attention(world.reporter_b) == []
    client.force_login(world.office)
    home = client.get(reverse("core:home")).content.decode()
    assert "待区级审核的资金申报" in home and "到位后未支付的下达资金" in home


# -- export and query budgets ------------------------------------------------------------------------------------------


def test_export_is_audited_and_neutralises_formulas(client, world):
    p = project(world, name='=HYPERLINK("http://x")')
    a = apply(world, p, batch(world))
    client.force_login(world.reporter_a)
    assert client.get(reverse("funds:application_export")).status_code == 403
    client.force_login(world.office)
    response = client.get(reverse("funds:application_export"), {"status": "drafting"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "编号" and len(values) == 2
    assert values[1][0] == a.number and values[1][1] == '\'=HYPERLINK("http://x")'
    assert values[1][6] == 100
    event = AuditEvent.objects.filter(event_type="export").latest("pk")
    assert event.detail["what"] == "funds.fundapplication" and event.detail["rows"] == 1


def _count(client, url, params=None) -> int:
    with count_queries() as counted:
        assert client.get(url, params or {}).status_code == 200
    return counted.count


def test_query_budgets_do_not_grow_with_rows(client, world):
    p = project(world)
    for i in range(3):
        a = apply(world, p, batch(world, name=f"批次{i}"))
        set_status(a, ApplicationStatus.APPROVED)
        FundPayment.objects.create(application=a, paid_on=today(), amount=Decimal("1"))
    client.force_login(world.office)
    year = (today() + timedelta(days=20)).year
    pages = [reverse("funds:application_list"), reverse("funds:batch_list"), reverse("funds:kpis") + f"?year={year}"]
    before = [_count(client, url) for url in pages]
    q = project(world, unit=world.unit_b)
    for i in range(6):
        a = apply(world, q, batch(world, name=f"更多批次{i}"), actor=world.reporter_b)
        set_status(a, ApplicationStatus.APPROVED)
        FundPayment.objects.create(application=a, paid_on=today(), amount=Decimal("1"))
    after = [_count(client, url) for url in pages]
    assert after == before


# -- the project page panel ------------------------------------------------------------------------------------------


def test_project_page_context_has_the_funds_panel(client, world):
    p = project(world)
    b = batch(world)
    a = apply(world, p, b)
    client.force_login(world.reporter_a)
    response = client.get(p.get_absolute_url())
    assert response.status_code == 200
    panel = response.context["funds_panel"]
    assert [x.pk for x in panel["applications"]] == [a.pk]
    assert panel["readiness"] is not None and panel["can_edit_prep"]
    assert [e["batch"].pk for e in panel["eligible"]] == [b.pk] and panel["eligible"][0]["applied"]
    # the panel's template (included by projects/project.html, see the report) renders the same context
    html = render_to_string("funds/project_panel.html", {"funds_panel": panel, "object": p})
    assert a.number in html and b.name in html and reverse("funds:prep", args=[p.pk]) in html
    client.force_login(world.sysadmin)
    response = client.get(p.get_absolute_url())
    if response.status_code == 200:
        assert response.context["funds_panel"] is None


def test_batch_page_queries_do_not_grow_with_projects_and_applications(client, world):
    b = batch(world)
    apply(world, project(world), b)
    client.force_login(world.office)
    url = reverse("funds:batch", args=[b.pk])
    before = _count(client, url)
    for unit, actor in ((world.unit_a, world.reporter_a), (world.unit_b, world.reporter_b)) * 2:
        apply(world, project(world, unit=unit), b, actor=actor)
    assert len(client.get(url).context["applications"]) == 5
    assert _count(client, url) == before
