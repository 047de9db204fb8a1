"""Home-page 待我处理 items of 考核评价: for the 项目办 (`decide_appeal`), the appeals waiting for a decision and the
容错 cases not yet decided; for a unit (`appeal_unitscore`), its published scores still inside the appeal window."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.attention import AttentionItem, register_attention

__all__ = ["assessment_attention"]


@register_attention
def assessment_attention(user) -> list[AttentionItem]:
    from .choices import CaseDecision, RoundStatus
    from .models import LeniencyCase, UnitScore
    from .selectors import open_appeals

    items: list[AttentionItem] = []
    if user.has_perm("assessment.decide_appeal"):
        appeals = list(open_appeals().values_list("line__score__round_id", flat=True))
        if appeals:
            url = reverse("assessment:appeals", args=[appeals[0]])
            items.append(AttentionItem(_("考核申诉待审核"), len(appeals), url, "warning"))
    if user.has_perm("assessment.decide_leniencycase"):
        pending = LeniencyCase.objects.filter(decision=CaseDecision.PENDING).count()
        if pending:
            items.append(AttentionItem(_("容错纠错待认定"), pending, reverse("assessment:case_list"), "info"))
    if user.has_perm("assessment.appeal_unitscore") and not user.has_perm("assessment.publish_round"):
        scores = list(
            UnitScore.objects.restrict(user, "appeal")
            .filter(round__status=RoundStatus.PUBLISHED, round__appeal_until__gte=timezone.localdate())
            .values_list("round_id", "unit_id")[:20]
        )
        if scores:
            round_id, unit_id = scores[0]
            url = reverse("assessment:unit_score", args=[round_id, unit_id])
            items.append(AttentionItem(_("考核结果已发布（申诉期内）"), len(scores), url, "info"))
    return items
