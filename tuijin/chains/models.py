"""产业链图谱 and 链长制: each chain (projects.IndustryChain) is a tree of nodes (链环节 and their sub-links). A node
links local enterprises, key suppliers, leads, projects and university resources; its gap status (空白/薄弱/优势) is
computed from those links by the office's rules (rules.py) and every change is kept with its reason. 政产学研: the
universities' resources and the cooperation records that tie them to enterprises and nodes."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tuijin.core.models import BaseModel, ChangeLoggedModel

from .choices import CooperationKind, EnterpriseRole, GapStatus, ResourceKind, Segment

__all__ = [
    "ChainNode",
    "ChainProfile",
    "ChainRules",
    "Cooperation",
    "NodeEnterprise",
    "NodeLead",
    "NodeProject",
    "NodeStatusChange",
    "University",
    "UniversityResource",
]


class ChainProfile(ChangeLoggedModel):
    """链长制 for one chain: the 链长 (a district leader), the 牵头部门, the 专班 and the year's 补链 target."""

    chain = models.OneToOneField(
        "projects.IndustryChain", on_delete=models.CASCADE, related_name="profile", verbose_name=_("产业链")
    )
    leader = models.ForeignKey(
        "org.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_chains",
        verbose_name=_("链长"),
    )
    lead_unit = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_chains",
        verbose_name=_("牵头部门"),
    )
    task_force = models.ManyToManyField(
        "org.OrgUnit", blank=True, related_name="chain_task_forces", verbose_name=_("专班成员单位")
    )
    task_force_note = models.TextField(_("专班组成"), blank=True)
    fill_target = models.PositiveSmallIntegerField(_("本年补链目标（个环节）"), default=0)
    summary = models.TextField(_("发展方向"), blank=True)

    class Meta:
        verbose_name = _("链长制")
        verbose_name_plural = _("链长制")

    def __str__(self) -> str:
        return str(self.chain)


class ChainNode(ChangeLoggedModel):
    """A 链环节 (no parent) or one of its sub-links. `status` is computed (rules.py), never edited."""

    chain = models.ForeignKey(
        "projects.IndustryChain", on_delete=models.PROTECT, related_name="nodes", verbose_name=_("产业链")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级环节")
    )
    segment = models.CharField(_("链位"), max_length=20, choices=Segment.choices)
    name = models.CharField(_("环节名称"), max_length=100)
    keywords = models.CharField(
        _("关键词"), max_length=300, blank=True, help_text=_("产品、技术等关键词，以逗号或空格分隔，用于政产学研匹配")
    )
    description = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    status = models.CharField(
        _("缺链状态"), max_length=10, choices=GapStatus.choices, default=GapStatus.GAP, editable=False, db_index=True
    )
    status_reason = models.CharField(_("状态依据"), max_length=300, blank=True, editable=False)
    status_since = models.DateTimeField(_("状态起始"), null=True, blank=True, editable=False)
    # the link counts behind the status, as last computed (rules.NodeCounts as a dict)
    counts = models.JSONField(_("关联数量"), default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = _("产业链环节")
        verbose_name_plural = _("产业链环节")
        ordering = ["chain", "sort_order", "pk"]
        permissions = [
            ("link_chainnode", _("将招商项目、重点项目关联到环节")),
            ("export_chainnode", _("导出产业链图谱与清单")),
            ("import_chainnode", _("导入产业链环节")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "parent", "name"],
                name="chains_node_unique_name",
                violation_error_message=_("同一上级环节下已有同名环节。"),
            ),
            models.UniqueConstraint(
                fields=["chain", "name"],
                condition=Q(parent__isnull=True),
                name="chains_node_unique_top_name",
                violation_error_message=_("该产业链已有同名环节。"),
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="chains_node_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("chains:node", args=[self.pk])


class ChainRules(ChangeLoggedModel):
    """The office's thresholds for the gap status (one row). See rules.py and docs/figures.md (产业链)."""

    strong_min = models.PositiveSmallIntegerField(
        _("优势门槛（本地在产主体数）"), default=3, validators=[MinValueValidator(1)]
    )
    count_building = models.BooleanField(_("在建项目计入本地主体"), default=False)
    strong_requires_leader = models.BooleanField(_("优势须有链主企业"), default=False)

    class Meta:
        verbose_name = _("缺链判定规则")
        verbose_name_plural = _("缺链判定规则")
        constraints = [models.CheckConstraint(condition=Q(strong_min__gte=1), name="chains_rules_strong_min_gte_1")]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class NodeEnterprise(ChangeLoggedModel):
    """An enterprise on a node: a local firm, the 链主 or a key supplier (which may sit outside the district)."""

    node = models.ForeignKey(ChainNode, on_delete=models.CASCADE, related_name="enterprises", verbose_name=_("环节"))
    name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=EnterpriseRole.choices, default=EnterpriseRole.LOCAL)
    is_local = models.BooleanField(_("本地企业"), default=True)
    in_production = models.BooleanField(_("在产"), default=True)
    location = models.CharField(_("所在地"), max_length=100, blank=True)
    products = models.CharField(_("主要产品"), max_length=300, blank=True)
    enterprise = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chain_links",
        verbose_name=_("企业账号"),
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("环节企业")
        verbose_name_plural = _("环节企业")
        ordering = ["node", "role", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["node", "name"],
                name="chains_enterprise_unique",
                violation_error_message=_("该环节已有此企业。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class NodeLead(BaseModel):
    """A lead pursued for a node (招商目标). A lead sits on one node."""

    node = models.ForeignKey(ChainNode, on_delete=models.CASCADE, related_name="lead_links", verbose_name=_("环节"))
    lead = models.OneToOneField(
        "investment.Lead", on_delete=models.CASCADE, related_name="chain_node_link", verbose_name=_("招商项目")
    )
    created = models.DateTimeField(_("关联时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("环节招商项目")
        verbose_name_plural = _("环节招商项目")


class NodeProject(BaseModel):
    """A key project on a node (a project that came from a node's lead counts through the lead)."""

    node = models.ForeignKey(ChainNode, on_delete=models.CASCADE, related_name="project_links", verbose_name=_("环节"))
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="chain_node_links", verbose_name=_("重点项目")
    )
    created = models.DateTimeField(_("关联时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("环节重点项目")
        verbose_name_plural = _("环节重点项目")
        constraints = [
            models.UniqueConstraint(
                fields=["node", "project"],
                name="chains_project_unique",
                violation_error_message=_("该项目已关联此环节。"),
            )
        ]


class NodeStatusChange(BaseModel):
    """One change of a node's gap status (append-only): from, to, why, and what triggered the recomputation."""

    node = models.ForeignKey(ChainNode, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("环节"))
    time = models.DateTimeField(_("时间"), db_index=True)
    from_status = models.CharField(_("原状态"), max_length=10, choices=GapStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=GapStatus.choices)
    reason = models.CharField(_("依据"), max_length=300)
    trigger = models.CharField(_("触发"), max_length=200, blank=True)
    counts = models.JSONField(_("关联数量"), default=dict)

    class Meta:
        verbose_name = _("缺链状态变更")
        verbose_name_plural = _("缺链状态变更")
        ordering = ["-time", "-pk"]


class University(BaseModel):
    """One of the district's universities (新乡医学院, 河南科技学院 …)."""

    name = models.CharField(_("高校名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=20, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("高校")
        verbose_name_plural = _("高校")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


class UniversityResource(ChangeLoggedModel):
    """A lab, team, patent, platform or contact of a university, with the keywords the matching reads."""

    university = models.ForeignKey(
        University, on_delete=models.PROTECT, related_name="resources", verbose_name=_("高校")
    )
    kind = models.CharField(_("类别"), max_length=20, choices=ResourceKind.choices)
    name = models.CharField(_("名称"), max_length=200)
    field = models.CharField(_("研究方向"), max_length=300, blank=True)
    keywords = models.CharField(_("关键词"), max_length=300, blank=True, help_text=_("以逗号或空格分隔"))
    description = models.TextField(_("简介"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    nodes = models.ManyToManyField(ChainNode, blank=True, related_name="resources", verbose_name=_("服务环节"))
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("高校资源")
        verbose_name_plural = _("高校资源")
        ordering = ["university", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["university", "kind", "name"],
                name="chains_resource_unique",
                violation_error_message=_("该高校已有同类同名资源。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.university.short_name or self.university.name} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("chains:resource", args=[self.pk])


class Cooperation(ChangeLoggedModel):
    """A 政产学研 cooperation record: a visit, an agreement or an outcome between a resource and an enterprise."""

    resource = models.ForeignKey(
        UniversityResource, on_delete=models.PROTECT, related_name="cooperations", verbose_name=_("高校资源")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=CooperationKind.choices)
    happened_on = models.DateField(_("日期"))
    enterprise_name = models.CharField(_("企业"), max_length=200)
    enterprise = models.ForeignKey(
        "org.OrgUnit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cooperations",
        verbose_name=_("企业账号"),
    )
    node = models.ForeignKey(
        ChainNode, on_delete=models.SET_NULL, null=True, blank=True, related_name="cooperations", verbose_name=_("环节")
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cooperations",
        verbose_name=_("对应诉求"),
    )
    summary = models.TextField(_("内容"))
    outcome = models.TextField(_("成效"), blank=True)
    amount = models.DecimalField(
        _("合作金额（万元）"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("合作记录")
        verbose_name_plural = _("合作记录")
        ordering = ["-happened_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="chains_cooperation_amount_gte_0",
                violation_error_message=_("合作金额不能为负数。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_name} · {self.resource.name}"

    def changelog_parent(self):
        return self.resource
