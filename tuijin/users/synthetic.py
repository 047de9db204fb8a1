"""The accounts of the synthetic dataset (a step of `tuijin generate_synthetic`, see `tuijin.core.synthetic`).

`syn_office` (项目办, region scope over the whole province) and one account per unit below the district
governments, `syn_u0001` … (单位填报员 + 单位审核人; 企业用户 for enterprises). The password is TUIJIN_DEMO_PASSWORD,
else one random password for all of them (printed once) that must be changed at first login. The hash is computed
once: hashing thousands of passwords would dominate a small run.
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password

from tuijin.core.synthetic import BATCH, OFFICE_USERNAME, USER_PREFIX, SyntheticRun, SyntheticStep
from tuijin.org.choices import Role, UnitType
from tuijin.org.models import Membership
from tuijin.org.synthetic import synthetic_org

from .demo import random_password
from .models import User, normalize_username

__all__ = ["AccountsStep", "SyntheticAccounts", "synthetic_accounts"]


@dataclass
class SyntheticAccounts:
    """What `AccountsStep` publishes in `run.shared["accounts"]`."""

    office: Any  # the project office's account
    reporters: dict[int, Any] = field(default_factory=dict)  # unit pk → the unit's account


def synthetic_accounts(run: SyntheticRun) -> SyntheticAccounts:
    """The accounts written by `AccountsStep` earlier in the run."""
    return run.shared["accounts"]


class AccountsStep(SyntheticStep):
    """One account per unit and the project office's, with their memberships."""

    def exists(self) -> bool:
        return User.objects.filter(username=OFFICE_USERNAME).exists()

    def setup(self, run: SyntheticRun) -> None:
        org = synthetic_org(run)
        shared = settings.TUIJIN_DEMO_PASSWORD
        password = shared or random_password()
        hashed = make_password(password)

        def account(username: str, display: str) -> User:
            return User(
                username=username,
                username_normalized=normalize_username(username),
                display_name=display[:50],
                password=hashed,
                password_changed_at=run.now,
                must_change_password=not shared,
                is_demo=True,
            )

        office = account(OFFICE_USERNAME, "合成项目办")
        result = SyntheticAccounts(office=office)
        accounts: list[tuple[User, Any, list[Any]]] = [(office, org.office_unit, [Role.PROJECT_OFFICE])]
        for seq, unit in enumerate(org.units, start=1):
            roles = (
                [Role.ENTERPRISE] if unit.unit_type == UnitType.ENTERPRISE else [Role.UNIT_REPORTER, Role.UNIT_APPROVER]
            )
            user = account(f"{USER_PREFIX}{seq:04d}", f"{unit.short_name or unit.name}填报员")
            accounts.append((user, unit, roles))
            result.reporters[unit.pk] = user
        User.objects.bulk_create([a[0] for a in accounts], batch_size=BATCH)
        Membership.objects.bulk_create(
            [Membership(user=user, unit=unit, role=role) for user, unit, roles in accounts for role in roles],
            batch_size=BATCH,
        )
        run.shared["accounts"] = result
        run.count("users", len(accounts))
        run.result.password, run.result.password_shared = password, bool(shared)
