"""Home-page attention items for projects."""

from django.urls import reverse
from django.utils.translation import gettext as _

from tuijin.core.attention import AttentionItem, register_attention

from .choices import PlanStatus

__all__ = ["project_attention"]


@register_attention
def project_attention(user) -> list[AttentionItem]:
    from .models import AnnualPlan, Project

    items: list[AttentionItem] = []
    if user.has_perm("projects.approve_annualplan"):
        pending = AnnualPlan.objects.restrict(user, "view").filter(status=PlanStatus.CHANGE_PENDING).count()
        if pending:
            items.append(
                AttentionItem(_("年度计划调整待审批"), pending, reverse("projects:plan_change_list"), "warning")
            )
    if user.has_perm("projects.view_project"):
        visible = Project.objects.restrict(user, "view")
        missing_code = (
            visible.filter(code__isnull=True).exclude(stage__in=["conceived", "reserve", "cancelled"]).count()
        )
        if missing_code:
            items.append(
                AttentionItem(
                    _("尚未赋码的在库项目"), missing_code, reverse("projects:project_list") + "?has_code=false", "info"
                )
            )
    return items
