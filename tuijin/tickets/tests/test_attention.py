"""Issue 12 item 1: the home page's 待我处理 shows ticket work for units, the project office and enterprises, and
unread notifications for everyone; each item's count is the number of rows of the list its link opens."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tuijin.notifications.models import Notification
from tuijin.notifications.services import notifications_mark_read, notify
from tuijin.projects.tests.factories import make_project
from tuijin.tickets import services
from tuijin.tickets.choices import Rating, TicketStatus
from tuijin.tickets.models import Ticket

from .factories import advance, make_ticket


def home_items(client) -> dict:
    return {item.title: item for item in client.get("/").context["attention"]}


def listed(client, url) -> set[str]:
    """The ticket titles of every page of the list `url` opens; checks the paginator agrees."""
    response = client.get(url)
    assert response.status_code == 200
    paginator = response.context["paginator"]
    titles = {t.title for t in response.context["object_list"]}
    assert paginator.count == len(titles) or paginator.num_pages > 1
    return titles


@pytest.fixture
def project_a(world):
    return make_project(
        unit=world.unit_a, actor=world.office, name="甲街道待办项目", owner_enterprise=world.enterprise_a
    )


def test_unit_sees_new_assignments_and_overdue_tickets_it_leads(client, world, project_a):
    office = world.office
    new1 = make_ticket(actor=office, project=project_a, title="新交办一")
    new2 = make_ticket(actor=office, project=project_a, title="新交办二")
    started = make_ticket(actor=office, project=project_a, title="已开始办理")
    elsewhere = make_ticket(actor=office, project=project_a, title="交办给乙街道")  # visible to unit A, led by B
    late = make_ticket(actor=office, project=project_a, title="超期工单")
    for ticket in (new1, new2):
        advance(ticket, TicketStatus.ASSIGNED, office=office, lead_unit=world.unit_a)
    advance(started, TicketStatus.IN_PROGRESS, office=office, lead_unit=world.unit_a)
    advance(elsewhere, TicketStatus.ASSIGNED, office=office, lead_unit=world.unit_b)
    advance(late, TicketStatus.IN_PROGRESS, office=office, lead_unit=world.unit_a_child)  # below unit A
    past = timezone.localdate() - timedelta(days=3)
    Ticket.objects.filter(pk=late.pk).update(response_due=past, resolution_due=past)

    client.force_login(world.reporter_a)
    items = home_items(client)
    assigned = items["新交办给本单位的工单"]
    assert assigned.count == 2
    assert listed(client, assigned.url) == {"新交办一", "新交办二"}
    overdue = items["本单位牵头的超期工单"]
    assert overdue.count == 1
    assert listed(client, overdue.url) == {"超期工单"}
    page = client.get(assigned.url).content.decode()
    assert "新交办待办理" in page  # the list says which to-do it shows

    client.force_login(world.reporter_b)  # unit B: only the ticket it leads
    items = home_items(client)
    assert items["新交办给本单位的工单"].count == 1
    assert listed(client, items["新交办给本单位的工单"].url) == {"交办给乙街道"}
    assert "本单位牵头的超期工单" not in items


def test_office_sees_new_requests_awaiting_assignment_and_overdue(client, world, project_a):
    office = world.office
    make_ticket(actor=world.ent_user_a, enterprise=world.enterprise_a, title="企业新诉求")
    make_ticket(actor=world.reporter_a, project=project_a, title="单位新工单")
    accepted = make_ticket(actor=office, project=project_a, title="已受理未交办")
    services.ticket_accept(actor=office, ticket=accepted, version=accepted.version)
    done = make_ticket(actor=office, project=project_a, title="已交办")
    advance(done, TicketStatus.ASSIGNED, office=office, lead_unit=world.unit_a)
    past = timezone.localdate() - timedelta(days=1)
    Ticket.objects.filter(pk=done.pk).update(response_due=past, resolution_due=past)

    client.force_login(office)
    items = home_items(client)
    pending = items["新诉求和工单待交办"]
    assert pending.count == 3
    assert listed(client, pending.url) == {"企业新诉求", "单位新工单", "已受理未交办"}
    overdue = items["超期未办结的工单"]
    assert overdue.count == 1 and listed(client, overdue.url) == {"已交办"}

    client.force_login(world.foreign_office)  # another district: none of these
    items = home_items(client)
    assert "新诉求和工单待交办" not in items and "超期未办结的工单" not in items


def test_enterprise_sees_resolved_tickets_awaiting_its_rating(client, world):
    office, ent = world.office, world.ent_user_a

    def resolved(title):
        ticket = make_ticket(actor=ent, enterprise=world.enterprise_a, title=title)
        return advance(ticket, TicketStatus.RESOLVED, office=office, lead_unit=world.unit_a)

    resolved("待评价一")
    closed = resolved("已销号未评价")
    services.ticket_close(actor=ent, ticket=closed, version=closed.version)
    rated = resolved("已评价")
    services.ticket_rate(actor=ent, ticket=rated, version=rated.version, rating=Rating.SATISFIED)
    again = resolved("回访后再次办结")
    again = services.ticket_rate(
        actor=ent, ticket=again, version=again.version, rating=Rating.UNSATISFIED, comment="未解决"
    )
    services.ticket_resolve(actor=office, ticket=again, version=again.version, result="回访后已解决")
    reopened = resolved("回访中")
    services.ticket_rate(actor=ent, ticket=reopened, version=reopened.version, rating=Rating.UNSATISFIED, comment="否")
    other = make_ticket(actor=world.ent_user_b, enterprise=world.enterprise_b, title="乙企业待评价")
    advance(other, TicketStatus.RESOLVED, office=office, lead_unit=world.unit_b)

    client.force_login(ent)
    item = home_items(client)["已办结待评价的诉求"]
    expected = {"待评价一", "已销号未评价", "回访后再次办结"}
    assert item.count == 3 and listed(client, item.url) == expected
    for ticket in Ticket.objects.filter(title__in=expected):  # each offers the rating form
        assert 'value="rate"' in client.get(ticket.get_absolute_url()).content.decode()


def test_unread_notifications_for_everyone(client, world):
    user = world.ent_user_a
    notify(users=[user], title="消息一")
    notify(users=[user], title="消息二")
    notify(users=[user], title="消息三")
    notify(users=[world.ent_user_b], title="别人的消息")
    first = Notification.objects.get(user=user, title="消息一")
    notifications_mark_read(user=user, pks=[first.pk])

    client.force_login(user)
    item = home_items(client)["未读消息"]
    assert item.count == 2
    response = client.get(item.url)
    assert response.context["page_obj"].paginator.count == 2
    assert {n.title for n in response.context["notifications"]} == {"消息二", "消息三"}

    client.force_login(world.secadmin)  # nothing unread: no item
    assert "未读消息" not in home_items(client)


@pytest.mark.parametrize("name", ["reporter_a", "office", "ent_user_a"])
def test_home_queries_do_not_grow_with_tickets(client, world, project_a, name, django_assert_max_num_queries):
    client.force_login(getattr(world, name))
    client.get("/")  # warm caches (sessions, memberships)

    def measure():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    before = measure()
    for index in range(6):
        ticket = make_ticket(actor=world.ent_user_a, enterprise=world.enterprise_a, title=f"批量{index}")
        advance(ticket, TicketStatus.RESOLVED, office=world.office, lead_unit=world.unit_a)
        notify(users=[getattr(world, name)], title=f"通知{index}")
        make_ticket(actor=world.office, project=project_a, title=f"待交办{index}")
    assert measure() <= before
    with django_assert_max_num_queries(40):
        client.get("/")
