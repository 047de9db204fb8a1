"""Signing-event pages and the lead page's 签约记录 section: a permission matrix for every URL (an event of the
neighbouring district, or of another street, is out of scope), the lists and the preview on the event page, the
generate button, the Excel export opened with openpyxl (three sheets, totals, formula injection neutralised), the
forms keeping the input on errors, and the conflict page."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tuijin.investment import signing
from tuijin.investment.choices import EventList, SigningKind
from tuijin.investment.models import EventListEntry, Lead, Signing, SigningEvent
from tuijin.utilities.testing.matrix import Case, PostMatrix, ViewMatrix

from .test_signing import make_event, signed_lead

D = Decimal


def name(obj):
    return obj.name


@pytest.fixture
def events(world):
    """A district event (organised by the office), an event of 甲街道, one of 乙街道 and one of the neighbouring
    district."""
    district = make_event(world, held_on=date(2025, 6, 1), batch_no=1, name="区第一期三个一批")
    own_a = make_event(world, held_on=date(2025, 7, 1), kind="special", name="甲街道专场签约", organiser=world.unit_a)
    own_b = make_event(world, held_on=date(2025, 7, 2), kind="special", name="乙街道专场签约", organiser=world.unit_b)
    foreign = make_event(
        world,
        held_on=date(2025, 6, 1),
        batch_no=1,
        kind="expo",
        name="邻区投洽会",
        organiser=world.foreign_unit,
        actor=world.foreign_office,
    )
    return {"district": district, "a": own_a, "b": own_b, "foreign": foreign}


@pytest.fixture
def started(world):
    """A started lead in each district: what a generation adds to the 开工一批 list."""
    ours = signed_lead(world, name="甲开工项目", kind="contract", total="40000", to="started")
    theirs = signed_lead(
        world, unit=world.foreign_unit, name="邻区开工项目", kind="contract", total="9000", to="started"
    )
    return ours, theirs


@pytest.fixture
def generated(world, events, started):
    signing.event_lists_generate(actor=world.office, event=events["district"])
    signing.event_lists_generate(actor=world.foreign_office, event=events["foreign"])
    return events


# --- the permission matrix --------------------------------------------------------------------------------------------


class TestEventList(ViewMatrix):
    url_name = "investment:event_list"
    detail = False

    @pytest.fixture
    def matrix(self, world, events):
        return Case(
            allowed=world.office,
            denied=world.ent_user_a,
            in_scope=events["district"],
            out_of_scope=events["foreign"],
            marker=name,
        )


class TestEventListUnit(TestEventList):
    """A street sees the events it organised, never the neighbouring district's."""

    @pytest.fixture
    def matrix(self, world, events):
        return Case(
            allowed=world.reporter_a,
            denied=world.norole,
            in_scope=events["a"],
            out_of_scope=events["foreign"],
            marker=name,
        )


class TestEventAdd(ViewMatrix):
    url_name = "investment:event_add"
    detail = False
    scoped = False
    unscoped_reason = "a create form: no event exists yet (the organising units it offers are the user's)"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.office, denied=world.reporter_a)


class TestEventAddSave(PostMatrix):
    url_name = "investment:event_add"
    detail = False
    scoped = False
    unscoped_reason = (
        "creating: the organiser's scope is checked by the service (test_event_update_is_locked_and_scoped)"
    )

    def data(self, obj, matrix):
        return {"kind": "three_batches", "batch_no": "4", "held_on": "2025-09-01", "organiser": matrix.allowed_unit}

    def effect(self, obj, matrix):
        assert SigningEvent.objects.filter(batch_no=4, name="“三个一批”第4期").exists()

    def test_get_is_405(self, client, matrix):
        client.force_login(matrix.allowed)
        assert client.get(self.url_for()).status_code == 200  # GET shows the form
        assert not self.holds(None, matrix)

    @pytest.fixture
    def matrix(self, world):
        case = Case(allowed=world.office, denied=world.reporter_a)
        case.allowed_unit = world.office_unit.pk
        return case


class TestEventDetail(ViewMatrix):
    url_name = "investment:event"

    @pytest.fixture
    def matrix(self, world, events):
        return Case(
            allowed=world.office,
            denied=world.ent_user_a,
            in_scope=events["district"],
            out_of_scope=events["foreign"],
            marker=name,
        )


class TestEventDetailLeader(TestEventDetail):
    @pytest.fixture
    def matrix(self, world, events):
        return Case(
            allowed=world.leader, denied=world.norole, in_scope=events["b"], out_of_scope=events["foreign"], marker=name
        )


class TestEventEdit(ViewMatrix):
    url_name = "investment:event_edit"

    @pytest.fixture
    def matrix(self, world, events):
        # a street reads events but does not edit them: 403
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=events["district"],
            out_of_scope=events["foreign"],
            marker=name,
        )


class TestEventEditSave(PostMatrix):
    url_name = "investment:event_edit"

    def data(self, obj, matrix):
        event = SigningEvent.objects.get(pk=obj.pk)
        return {
            "name": event.name,
            "kind": event.kind,
            "batch_no": event.batch_no or "",
            "held_on": event.held_on.isoformat(),
            "organiser": event.organiser_id,
            "note": "已修改备注",
            "version": event.version,
        }

    def effect(self, obj, matrix):
        assert SigningEvent.objects.get(pk=obj.pk).note == "已修改备注"

    def test_get_is_405(self, client, matrix):
        client.force_login(matrix.allowed)
        assert client.get(self.url_for(matrix.in_scope)).status_code == 200
        assert not self.holds(matrix.in_scope, matrix)

    @pytest.fixture
    def matrix(self, world, events):
        return Case(
            allowed=world.office, denied=world.leader, in_scope=events["district"], out_of_scope=events["foreign"]
        )


class TestEventGenerate(PostMatrix):
    url_name = "investment:event_generate"

    def effect(self, obj, matrix):
        assert EventListEntry.objects.filter(event=obj, list=EventList.STARTED).exists()

    @pytest.fixture
    def matrix(self, world, events, started):
        return Case(
            allowed=world.office, denied=world.reporter_a, in_scope=events["district"], out_of_scope=events["foreign"]
        )


class TestEventExport(ViewMatrix):
    url_name = "investment:event_export"

    @pytest.fixture
    def matrix(self, world, generated):
        return Case(
            allowed=world.office,
            denied=world.ent_user_a,
            in_scope=generated["district"],
            out_of_scope=generated["foreign"],
            marker=lambda event: event.entries.get().lead.name,
        )


class TestEntryRemove(PostMatrix):
    url_name = "investment:event_entry_remove"

    def effect(self, obj, matrix):
        assert not EventListEntry.objects.filter(pk=obj.pk).exists()

    @pytest.fixture
    def matrix(self, world, generated):
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=generated["district"].entries.get(),
            out_of_scope=generated["foreign"].entries.get(),
        )


class TestSigningAdd(PostMatrix):
    url_name = "investment:signing_add"

    def data(self, obj, matrix):
        return {"kind": "increase", "signed_on": "2025-06-01", "total": "6亿元"}

    def effect(self, obj, matrix):
        increase = Signing.objects.get(lead=obj, kind="increase")
        assert (increase.counted_amount, increase.counts_project) == (D("30000"), False)  # 60000 − 30000

    @pytest.fixture
    def matrix(self, world):
        a = signed_lead(world, name="甲签约项目", total="30000")
        b = signed_lead(world, unit=world.unit_b, name="乙签约项目", total="30000")
        # a district leader reads leads but records no signing: 403
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=a, out_of_scope=b)


# --- the event pages --------------------------------------------------------------------------------------------------


def test_list_shows_each_events_counts_and_amounts(client, world, generated):
    client.force_login(world.office)
    response = client.get(reverse("investment:event_list"))
    text = response.content.decode()
    row = text.split(f'data-event="{generated["district"].pk}"')[1].split("</tr>")[0]
    assert 'data-list="started"' in row and "1 个 · 4.00 亿元" in row  # 40000万元 on the 开工一批 list
    assert "0 个 · 0.00 亿元" in row


def test_event_page_shows_lists_preview_and_generates(client, world, events, started):
    client.force_login(world.office)
    url = reverse("investment:event", args=[events["district"].pk])
    text = client.get(url).content.decode()
    assert 'id="tj-preview"' in text and "甲开工项目" in text and 'id="tj-generate"' in text
    assert "邻区开工项目" not in text
    response = client.post(reverse("investment:event_generate", args=[events["district"].pk]), follow=True)
    text = response.content.decode()
    assert "开工一批新增 1 个" in text
    section = text.split('id="tj-list-started"')[1].split("</section>")[0]
    assert "甲开工项目" in section and "40,000.00" in section
    assert 'id="tj-preview-empty"' in text and 'id="tj-generate"' not in text
    # a street reads the event but neither previews nor generates
    client.force_login(world.reporter_a)
    text = client.get(url).content.decode()
    assert 'id="tj-preview"' not in text


def test_signed_list_shows_the_date_signed_at_the_event(client, world, events):
    """签约一批: a lead first signed on 2025-03-01 and upgraded at the event on 2025-06-01 shows 2025-06-01 (the
    signing at this event), on the page and in the export, not its first signing date."""
    lead = signed_lead(world, name="签约项目乙", kind="agreement", total="10000")
    signing.signing_record(
        actor=world.office,
        lead=lead,
        kind=SigningKind.UPGRADE,
        signed_on=date(2025, 6, 1),
        contract_kind="contract",
        investor="",
        total=D("25000"),
        event=events["district"],
    )
    signing.event_lists_generate(actor=world.office, event=events["district"])
    client.force_login(world.office)
    text = client.get(reverse("investment:event", args=[events["district"].pk])).content.decode()
    section = text[text.index('id="tj-list-signed"') : text.index('id="tj-list-started"')]
    assert "签约项目乙" in section and "2025-06-01" in section and "2025-03-01" not in section
    response = client.get(reverse("investment:event_export", args=[events["district"].pk]))
    row = next(load_workbook(io.BytesIO(response.content))["签约一批"].iter_rows(min_row=3, values_only=True))
    assert row[1] == "签约项目乙" and row[6].date() == date(2025, 6, 1)


def test_export_has_three_sheets_with_totals_and_no_formulas(client, world, events):
    lead = signed_lead(world, name='=HYPERLINK("http://x")项目', kind="contract", total="40000", to="started")
    Lead.objects.filter(pk=lead.pk).update(investor="@SUM(1+1)投资")
    signing.signing_record(
        actor=world.office,
        lead=signed_lead(world, name="签约项目甲", kind="agreement", total="10000"),
        kind=SigningKind.UPGRADE,
        signed_on=date(2025, 6, 1),
        contract_kind="contract",
        investor="",
        total=D("25000"),
        event=events["district"],
    )
    signing.event_lists_generate(actor=world.office, event=events["district"])
    client.force_login(world.office)
    response = client.get(reverse("investment:event_export", args=[events["district"].pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["签约一批", "开工一批", "投产一批"]
    signed = [list(r) for r in book["签约一批"].iter_rows(min_row=3, values_only=True)]
    assert signed[0][1] == "签约项目甲" and signed[0][9] == 15000  # 升格: 25000 − 10000 counted
    assert signed[-1][0] == "合计" and signed[-1][9] == 15000
    started_rows = [list(r) for r in book["开工一批"].iter_rows(min_row=3, values_only=True)]
    names = [r[1] for r in started_rows]
    assert '\'=HYPERLINK("http://x")项目' in names
    assert "'@SUM(1+1)投资" in [r[2] for r in started_rows]
    assert len(started_rows) == 2 and started_rows[-1][:2] == ["合计", "1 个"] and started_rows[-1][9] == 40000
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
    assert [list(r) for r in book["投产一批"].iter_rows(min_row=3, values_only=True)] == [
        ["合计", "0 个", None, None, None, None, None, None, None, 0]
    ]


def test_event_form_errors_keep_the_input(client, world, events):
    client.force_login(world.office)
    response = client.post(
        reverse("investment:event_add"),
        {
            "kind": "three_batches",
            "batch_no": "1",
            "held_on": "2025-12-01",
            "organiser": world.office_unit.pk,
            "note": "重复期次备注",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "第1期已存在" in text and "重复期次备注" in text and 'value="2025-12-01"' in text
    response = client.post(
        reverse("investment:event_add"),
        {
            "kind": "three_batches",
            "batch_no": "",
            "held_on": "2025-13-01",
            "organiser": world.office_unit.pk,
            "name": "保留的名称",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "请输入正确的日期" in text and "保留的名称" in text
    assert SigningEvent.objects.count() == 4


def test_stale_event_edit_shows_the_conflict_page(client, world, events):
    event = events["district"]
    signing.event_update(actor=world.office, event=event, version=event.version, data={"note": "他人先改"})
    client.force_login(world.office)
    response = client.post(
        reverse("investment:event_edit", args=[event.pk]),
        {
            "name": event.name,
            "kind": event.kind,
            "batch_no": event.batch_no,
            "held_on": "2025-06-01",
            "organiser": world.office_unit.pk,
            "note": "我的修改",
            "version": 1,
        },
    )
    assert response.status_code == 409 and "我的修改" in response.content.decode()
    assert SigningEvent.objects.get(pk=event.pk).note == "他人先改"


# --- the lead page's section ------------------------------------------------------------------------------------------


def test_lead_page_shows_signings_and_the_form(client, world, events):
    lead = signed_lead(world, name="面板项目", kind="agreement", total="30000")
    signing.signing_record(
        actor=world.reporter_a,
        lead=lead,
        kind=SigningKind.UPGRADE,
        signed_on=date(2025, 6, 1),
        contract_kind="",
        investor="",
        total=D("45000"),
        event=events["district"],
    )
    client.force_login(world.reporter_a)
    text = client.get(reverse("investment:lead", args=[lead.pk])).content.decode()
    panel = text.split('id="tj-signings"')[1].split("</section>")[0]
    assert "首次签约" in panel and "升格（协议→合同）" in panel
    assert "15,000.00" in panel and "45,000.00" in panel and "区第一期三个一批" in panel
    assert "合计：计入签约项目 1 个" in panel and "45,000.00" in panel
    assert 'id="tj-signing-form"' in panel and f'value="{events["district"].pk}"' in panel  # the district's event
    assert f'value="{events["b"].pk}"' in panel  # every event of the district is offered
    assert f'value="{events["foreign"].pk}"' not in panel  # the neighbouring district's are not
    talking = Lead.objects.create(name="在谈项目", investor="x", tracking_unit=world.unit_a)
    assert 'id="tj-signings"' not in client.get(reverse("investment:lead", args=[talking.pk])).content.decode()
    client.force_login(world.leader)
    panel = client.get(reverse("investment:lead", args=[lead.pk])).content.decode().split('id="tj-signings"')[1]
    assert 'id="tj-signing-form"' not in panel.split("</section>")[0]


def test_refused_signing_keeps_everything_typed(client, world):
    lead = signed_lead(world, name="增资项目", kind="contract", total="50000")
    before = Signing.objects.filter(lead=lead).count()
    client.force_login(world.reporter_a)
    response = client.post(
        reverse("investment:signing_add", args=[lead.pk]),
        {"kind": "increase", "signed_on": "2025-06-01", "total": "4亿元", "note": "二期追加投资说明", "investor": ""},
    )
    assert response.status_code == 400
    panel = response.content.decode().split('id="tj-signings"')[1].split("</section>")[0]
    assert "增资后的投资总额须大于上一次签约的50,000.00万元" in panel
    assert 'value="4亿元"' in panel and "二期追加投资说明" in panel and 'value="increase" selected' in panel
    assert Signing.objects.filter(lead=lead).count() == before  # a 首次签约 made on the way is rolled back too
    response = client.post(
        reverse("investment:signing_add", args=[lead.pk]),
        {"kind": "increase", "signed_on": "2025-02-30", "total": "8亿元"},
    )
    assert response.status_code == 400 and "请输入正确的日期" in response.content.decode()
    response = client.post(
        reverse("investment:signing_add", args=[lead.pk]),
        {"kind": "increase", "signed_on": "2025-06-01", "total": "8亿元"},
    )
    assert response.status_code == 302
    assert list(Signing.objects.filter(lead=lead).values_list("kind", "counted_amount")) == [
        ("first", D("50000")),
        ("increase", D("30000")),
    ]
