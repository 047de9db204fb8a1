"""Issue 19 item 7: the enterprise portal showed the internal supervision of its own request — the escalation badge
("升级L4"), the escalation section ("第4级（区主要领导）", who was told) and the names of the staff who handled it. The
API already hid them; the page now does too, while a government user still sees all of it."""

from datetime import timedelta

from tuijin.tickets import services
from tuijin.tickets.choices import TicketSource

from .factories import advance, make_ticket


def _escalated_enterprise_ticket(world):
    world.office.display_name = "项目办张科长"
    world.office.save(update_fields=["display_name"])
    ticket = make_ticket(
        actor=world.ent_user_a, enterprise=world.enterprise_a, source=TicketSource.ENTERPRISE, title="企业用电诉求"
    )
    services.ticket_accept(actor=world.office, ticket=ticket, version=ticket.version)
    ticket = advance(ticket, "assigned", office=world.office, lead_unit=world.unit_a)
    fired = services.escalate_overdue(today=ticket.resolution_due + timedelta(days=60))
    ticket.refresh_from_db()
    assert fired >= 1 and ticket.escalation_level >= 1
    return ticket


def test_enterprise_page_hides_escalation_and_staff_names(client, world):
    ticket = _escalated_enterprise_ticket(world)
    client.force_login(world.ent_user_a)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "企业用电诉求" in page
    for internal in ("tj-escalations", "超期升级", "升级L", "项目办张科长"):
        assert internal not in page, internal
    assert "办理人员" in page  # the steps are there, without the names
    listing = client.get("/tickets/").content.decode()
    assert "企业用电诉求" in listing and "升级L" not in listing
    partial = client.get("/tickets/", headers={"HX-Request": "true"}).content.decode()
    assert "企业用电诉求" in partial and "升级L" not in partial


def test_government_page_still_shows_them(client, world):
    ticket = _escalated_enterprise_ticket(world)
    client.force_login(world.office)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "tj-escalations" in page and "项目办张科长" in page and "升级L" in page
    assert "升级L" in client.get("/tickets/").content.decode()
