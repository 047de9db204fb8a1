"""restrict(user, action): one subquery, scoped by role (DB-AC-5)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tuijin.org.models import OrgUnit, Person


def names(user, model=OrgUnit):
    return set(model.objects.restrict(user, "view").values_list("name", flat=True))


def test_project_office_sees_its_whole_region_but_not_the_neighbour(world):
    visible = names(world.office)
    assert {"甲街道办事处", "乙街道办事处", "甲企业有限公司", "测试区发改委"} <= visible
    assert "邻区发改委" not in visible


def test_unit_reporter_sees_own_subtree_only(world):
    assert names(world.reporter_a) == {"甲街道办事处", "甲街道社区"}
    assert names(world.reporter_b) == {"乙街道办事处"}


def test_enterprise_sees_itself_only(world):
    assert names(world.ent_user_a) == {"甲企业有限公司"}


def test_sponsor_sees_directory_region_wide(world):
    assert "乙街道办事处" in names(world.sponsor) and "邻区发改委" not in names(world.sponsor)


def test_no_role_and_admins_without_permission_see_nothing(world):
    assert names(world.norole) == set()
    assert names(world.auditadmin) == set()


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not OrgUnit.objects.restrict(AnonymousUser(), "view").exists()
    assert not OrgUnit.objects.restrict(None, "view").exists()


def test_write_actions_need_their_own_permission(world):
    assert not OrgUnit.objects.restrict(world.office, "change").exists()
    assert OrgUnit.objects.restrict(world.sysadmin, "change").filter(pk=world.unit_a.pk).exists()


def test_people_follow_their_unit_but_county_leaders_are_public(world):
    Person.objects.create(name="乙街道主任", unit=world.unit_b)
    Person.objects.create(name="邻区领导", unit=world.foreign_unit, is_county_leader=True)
    assert names(world.reporter_a, Person) == {"测试副区长"}
    assert names(world.reporter_b, Person) == {"测试副区长", "乙街道主任"}
    assert names(world.office, Person) == {"测试副区长", "乙街道主任"}
    assert names(world.ent_user_a, Person) == set()  # enterprises have no people permission


def test_restrict_compiles_to_one_query_with_a_subquery(world):
    queryset = OrgUnit.objects.restrict(world.reporter_a, "view")
    with CaptureQueriesContext(connection) as ctx:
        list(queryset)
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"].upper()
    assert sql.count("SELECT") == 2 and " IN (SELECT" in sql


def test_several_memberships_are_ored(world):
    from tuijin.org.choices import Role
    from tuijin.org.models import Membership

    Membership.objects.create(user=world.reporter_a, unit=world.unit_b, role=Role.UNIT_REPORTER)
    world.reporter_a._tuijin_memberships = None
    assert names(world.reporter_a) == {"甲街道办事处", "甲街道社区", "乙街道办事处"}
