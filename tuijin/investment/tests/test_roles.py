"""The 招商 roles (issue 14 item 8): a unit's 招商专员 sees and works its own unit's leads only; the 招商主管部门
(商务局) sees every lead of its district, reviews them and second-reviews flagged clauses, but does not turn leads into
key projects (the 项目办 does); an enterprise account reads its promise ledger, never the leads themselves."""

import pytest
from django.urls import reverse

from tuijin.investment import services
from tuijin.investment.choices import ReviewStatus
from tuijin.investment.models import Lead
from tuijin.org.choices import Role
from tuijin.utilities.testing.world import make_user

from .factories import advance, make_lead


@pytest.fixture
def staff_a(world):
    return make_user("zs_a", role=Role.INVESTMENT_STAFF, unit=world.unit_a)


@pytest.fixture
def bureau(world):
    return make_user("swj", role=Role.INVESTMENT_BUREAU, unit=world.office_unit)


@pytest.fixture
def leads(world):
    a = make_lead(actor=world.reporter_a, unit=world.unit_a, name="甲街道光电招商项目")
    b = make_lead(actor=world.reporter_b, unit=world.unit_b, name="乙街道装备招商项目")
    foreign = make_lead(actor=world.foreign_office, unit=world.foreign_unit, name="邻区招商项目")
    return a, b, foreign


def test_staff_sees_and_edits_only_its_own_units_leads(client, world, staff_a, leads):
    a, b, foreign = leads
    assert set(Lead.objects.restrict(staff_a, "view")) == {a}
    client.force_login(staff_a)
    listing = client.get(reverse("investment:lead_list")).content.decode()
    assert a.name in listing and b.name not in listing and foreign.name not in listing
    assert client.get(b.get_absolute_url()).status_code == 404
    assert client.get(reverse("investment:lead_edit", args=[a.pk])).status_code == 200
    assert client.get(reverse("investment:lead_edit", args=[b.pk])).status_code == 404
    # registers a lead for its own unit, which the form offers by default
    page = client.get(reverse("investment:lead_add")).content.decode()
    assert f'value="{world.unit_a.pk}" selected' in page
    assert not staff_a.has_perm("investment.review_lead") and not staff_a.has_perm("investment.convert_lead")


def test_bureau_reviews_every_district_lead_but_does_not_convert(world, bureau, leads):
    a, b, foreign = leads
    assert set(Lead.objects.restrict(bureau, "view")) == {a, b}
    assert set(Lead.objects.restrict(bureau, "review")) == {a, b}
    a = advance(a, "signed", actor=world.reporter_a)
    assert a.review_status == ReviewStatus.PENDING
    a = services.lead_review(actor=bureau, lead=a, version=a.version, approve=True, opinion="")
    assert a.review_status == ReviewStatus.APPROVED
    assert bureau.has_perm("investment.review_commitment") and bureau.has_perm("investment.decide_commitmentcase")
    assert not bureau.has_perm("investment.convert_lead") and not bureau.has_perm("projects.add_project")


def test_enterprise_reads_no_lead(client, world, leads):
    a, _b, _foreign = leads
    Lead.objects.filter(pk=a.pk).update(enterprise=world.enterprise_a)
    user = world.ent_user_a
    assert user.has_perm("investment.view_commitment") and user.has_perm("investment.confirm_commitment")
    assert not user.has_perm("investment.view_lead")
    client.force_login(user)
    assert client.get(a.get_absolute_url()).status_code == 403
