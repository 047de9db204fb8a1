"""A small two-unit world for tests: one district with two 街道 (A and B), two enterprises, and a user per role;
beside it a neighbouring district with its own office, enterprise and county leader, out of every scope above."""

from dataclasses import dataclass, field

from tuijin.org.choices import RegionLevel, Role, UnitType
from tuijin.org.models import Membership, OrgUnit, Person, Region
from tuijin.org.services import org_unit_set_path
from tuijin.users.models import User

__all__ = ["World", "build_world", "make_user"]

TEST_PASSWORD = "Test-Pass-2026!"


def make_user(username: str, *, role: str | None = None, unit: OrgUnit | None = None, person=None) -> User:
    user = User(username=username, display_name=username, person=person, must_change_password=False)
    user.set_password(TEST_PASSWORD)
    user.save()
    if role is not None and unit is not None:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


def _unit(name, unit_type, region, parent=None, credit_code="") -> OrgUnit:
    unit = OrgUnit.objects.create(name=name, unit_type=unit_type, region=region, parent=parent, credit_code=credit_code)
    org_unit_set_path(unit)
    return unit


@dataclass
class World:
    district: Region
    other_district: Region
    gov: OrgUnit
    office_unit: OrgUnit
    unit_a: OrgUnit
    unit_a_child: OrgUnit
    unit_b: OrgUnit
    enterprise_a: OrgUnit
    enterprise_b: OrgUnit
    foreign_unit: OrgUnit
    leader_person: Person
    foreign_enterprise: OrgUnit
    foreign_leader_person: Person
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name: str) -> User:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def build_world() -> World:
    province = Region.objects.create(name="测试省", code="41", level=RegionLevel.PROVINCE)
    city = Region.objects.create(name="测试市", code="4107", level=RegionLevel.CITY, parent=province)
    district = Region.objects.create(name="测试区", code="410702", level=RegionLevel.COUNTY, parent=city)
    other = Region.objects.create(name="邻区", code="410703", level=RegionLevel.COUNTY, parent=city)
    town_a = Region.objects.create(name="甲街道", code="410702001", level=RegionLevel.TOWN, parent=district)
    town_b = Region.objects.create(name="乙街道", code="410702002", level=RegionLevel.TOWN, parent=district)
    gov = _unit("测试区委区政府", UnitType.PARTY_GOV, district)
    office = _unit("测试区发改委", UnitType.DEPARTMENT, district, gov)
    unit_a = _unit("甲街道办事处", UnitType.SUBDISTRICT, town_a, gov)
    unit_a_child = _unit("甲街道社区", UnitType.OTHER, town_a, unit_a)
    unit_b = _unit("乙街道办事处", UnitType.SUBDISTRICT, town_b, gov)
    ent_a = _unit("甲企业有限公司", UnitType.ENTERPRISE, district, credit_code="91410702MA0000001X")
    ent_b = _unit("乙企业有限公司", UnitType.ENTERPRISE, district, credit_code="91410702MA0000002X")
    foreign = _unit("邻区发改委", UnitType.DEPARTMENT, other)
    leader = Person.objects.create(name="测试副区长", unit=gov, is_county_leader=True)
    # The neighbouring district: its rows are the out-of-scope objects for the district-wide roles.
    foreign_ent = _unit("邻区企业有限公司", UnitType.ENTERPRISE, other, credit_code="91410703MA0000003X")
    foreign_leader = Person.objects.create(name="邻区副区长", unit=foreign, is_county_leader=True)
    world = World(
        district,
        other,
        gov,
        office,
        unit_a,
        unit_a_child,
        unit_b,
        ent_a,
        ent_b,
        foreign,
        leader,
        foreign_ent,
        foreign_leader,
    )
    world.users = {
        "office": make_user("office", role=Role.PROJECT_OFFICE, unit=office),
        "reporter_a": make_user("reporter_a", role=Role.UNIT_REPORTER, unit=unit_a),
        "approver_a": make_user("approver_a", role=Role.UNIT_APPROVER, unit=unit_a),
        "reporter_b": make_user("reporter_b", role=Role.UNIT_REPORTER, unit=unit_b),
        "sponsor": make_user("sponsor", role=Role.SPONSOR_LEADER, unit=gov, person=leader),
        "leader": make_user("leader", role=Role.DISTRICT_LEADER, unit=gov),
        "ent_user_a": make_user("ent_user_a", role=Role.ENTERPRISE, unit=ent_a),
        "ent_user_b": make_user("ent_user_b", role=Role.ENTERPRISE, unit=ent_b),
        "sysadmin": make_user("sysadmin", role=Role.SYS_ADMIN, unit=gov),
        "secadmin": make_user("secadmin", role=Role.SEC_ADMIN, unit=gov),
        "auditadmin": make_user("auditadmin", role=Role.AUDIT_ADMIN, unit=gov),
        "norole": make_user("norole"),
        "foreign_office": make_user("foreign_office", role=Role.PROJECT_OFFICE, unit=foreign),
    }
    return world
