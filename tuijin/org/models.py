"""Regions, organisational units, people (leaders) and role memberships."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import ChangeLoggedModel

from .choices import RegionLevel, Role, UnitType

__all__ = ["Membership", "OrgUnit", "Person", "Position", "Region"]

division_code_validator = RegexValidator(r"^\d{2}(\d{2}){0,2}(\d{3}){0,1}$", _("行政区划代码应为2、4、6或9位数字"))


class Region(ChangeLoggedModel):
    """An administrative region (省/市/区县/镇街) with its 行政区划代码; `path` holds the codes from the root."""

    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("行政区划代码"), max_length=12, unique=True, validators=[division_code_validator])
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级")
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent else "") + f"{self.code}/"
        super().save(*args, **kwargs)


class OrgUnit(ChangeLoggedModel):
    """An organisational unit (部门, 镇街, 开发区, 平台公司, 企业, 高校 …) in a tree; `path` is `<pk>/` segments."""

    name = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    unit_type = models.CharField(_("单位类型"), max_length=20, choices=UnitType.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="units", verbose_name=_("所在区划"))
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级单位")
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    scope_fields = {"unit": "", "region": "", "enterprise": "pk"}

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["sort_order", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="org_orgunit_unique_region_name",
                violation_error_message=_("同一区划内单位名称不能重复"),
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="org_orgunit_unique_credit_code",
                violation_error_message=_("统一社会信用代码已被其他单位使用"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("org:orgunit", args=[self.pk])

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Person(ChangeLoggedModel):
    """A person the platform refers to by name: leaders who sponsor projects, unit heads, contacts."""

    name = models.CharField(_("姓名"), max_length=50)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="people", verbose_name=_("所在单位"))
    is_county_leader = models.BooleanField(_("县级领导"), default=False)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)

    scope_fields = {"unit": "unit", "region": "unit", "enterprise": "unit"}
    scope_public = models.Q(is_county_leader=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("org:person", args=[self.pk])


class Position(ChangeLoggedModel):
    """A position a person holds (区委书记, 区长, 常务副区长, 副区长, 局长 …), optionally with 分管 areas."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="positions", verbose_name=_("人员"))
    title = models.CharField(_("职务"), max_length=50)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="positions", verbose_name=_("任职单位"))
    portfolio = models.CharField(_("分管领域"), max_length=200, blank=True)
    rank = models.PositiveIntegerField(_("排序"), default=100)

    scope_fields = {"unit": "unit", "region": "unit", "enterprise": "unit"}

    class Meta:
        verbose_name = _("职务")
        verbose_name_plural = _("职务")
        ordering = ["rank", "pk"]

    def __str__(self) -> str:
        return f"{self.title} {self.person}"


class Membership(ChangeLoggedModel):
    """A user's role in a unit: the only source of permissions and data scope (granted by the 安全管理员)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("账户")
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("单位"))
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)

    scope_fields = {"unit": "unit", "region": "unit"}

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        ordering = ["user", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                name="org_membership_unique",
                violation_error_message=_("该账户在此单位已有此角色"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"
