from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["CooperationKind", "EnterpriseRole", "GapStatus", "ResourceKind", "Segment"]


class Segment(models.TextChoices):
    UPSTREAM = "upstream", _("上游")
    MIDSTREAM = "midstream", _("中游")
    DOWNSTREAM = "downstream", _("下游")


class GapStatus(models.TextChoices):
    """A node's gap status, computed from its links (rules.py); never typed."""

    GAP = "gap", _("空白")
    WEAK = "weak", _("薄弱")
    STRONG = "strong", _("优势")


# the colours of the map and the badges (空白 red, 薄弱 amber, 优势 green)
STATUS_COLOURS = {GapStatus.GAP: "#d9534f", GapStatus.WEAK: "#f0ad4e", GapStatus.STRONG: "#5cb85c"}


class EnterpriseRole(models.TextChoices):
    LOCAL = "local", _("本地企业")
    LEADER = "leader", _("链主企业")
    SUPPLIER = "supplier", _("关键供应商")


class ResourceKind(models.TextChoices):
    LAB = "lab", _("实验室")
    TEAM = "team", _("科研团队")
    PATENT = "patent", _("专利")
    PLATFORM = "platform", _("创新平台")
    CONTACT = "contact", _("联络人")


class CooperationKind(models.TextChoices):
    VISIT = "visit", _("走访对接")
    AGREEMENT = "agreement", _("签订协议")
    OUTCOME = "outcome", _("成果转化")
