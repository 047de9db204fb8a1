"""The demo accounts of 新乡市红旗区: one per role, on the units of `tuijin.org.demo` (a `load_demo` step).

The password is TUIJIN_DEMO_PASSWORD, else a random one per account that must be changed at first login. Idempotent:
an existing account keeps its password unless TUIJIN_DEMO_PASSWORD is set and differs.
"""

import secrets
import string

from django.conf import settings

from tuijin.org.choices import Role
from tuijin.org.demo import ENTERPRISES, STREETS, TOWNS
from tuijin.org.models import Membership

from .models import User

__all__ = ["load_accounts", "random_password"]


def random_password() -> str:
    """A random 15-character password that satisfies the password policy (upper, lower and digit, one hyphen)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(14))
        candidate = f"{body[:7]}-{body[7:]}"
        if any(c.isupper() for c in body) and any(c.islower() for c in body) and any(c.isdigit() for c in body):
            return candidate


def load_accounts(context: dict, stdout) -> None:
    """The demo accounts and their roles, on the units and people of `tuijin.org.demo.load_org` (run before)."""
    units, people = context["units"], context["people"]
    plan = [("xmb", "项目办", Role.PROJECT_OFFICE, units["区发展和改革委员会"], None)]
    for name, _code, key in STREETS + TOWNS:
        plan.append((key, name, Role.UNIT_REPORTER, units[key], None))
    plan += [
        ("hongkai", "红开区填报员", Role.UNIT_REPORTER, units["hongkai"], None),
        ("xijie_sh", "西街审核人", Role.UNIT_APPROVER, units["xijie"], None),
        ("baolian", "郑海峰", Role.SPONSOR_LEADER, units["gov"], people["常务副区长"]),
        ("quling", "吴承远", Role.DISTRICT_LEADER, units["gov"], people["区长"]),
        ("qiye", "示例光电企业用户", Role.ENTERPRISE, units[ENTERPRISES[0]], None),
        ("swj", "区商务局招商科", Role.INVESTMENT_BUREAU, units["区商务局"], None),
        ("hongkai_zs", "红开区招商专员", Role.INVESTMENT_STAFF, units["hongkai"], None),
        ("duban", "区委区政府督查室", Role.SUPERVISION_OFFICE, units["gov"], None),
        ("tongji", "区统计局", Role.STATS_BUREAU, units["区统计局"], None),
        ("sysadmin", "系统管理员", Role.SYS_ADMIN, units["gov"], None),
        ("secadmin", "安全管理员", Role.SEC_ADMIN, units["gov"], None),
        ("auditadmin", "审计管理员", Role.AUDIT_ADMIN, units["gov"], None),
    ]
    shared = settings.TUIJIN_DEMO_PASSWORD
    logins = []
    for username, display, role, unit, person in plan:
        user = User.objects.filter(username=username).first()
        password = ""
        if user is None:
            user = User(username=username, display_name=display, person=person, is_demo=True)
            password = shared or random_password()
            user.set_password(password)
            user.must_change_password = not shared
            user.save()
        elif shared and not user.check_password(shared):
            user.set_password(shared)
            user.must_change_password = False
            user.save(update_fields=["password", "password_changed_at", "must_change_password"])
            password = shared
        elif shared:
            password = shared
        Membership.objects.get_or_create(user=user, unit=unit, role=role)
        logins.append((username, Role(role).label, unit.display_name, password or "（已存在，密码未变）"))
    context["logins"] = logins
