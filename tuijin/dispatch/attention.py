"""Home-page 待我处理 items of the monthly loop: 未上报 (the facts' figure, for the month being reported now) and
reports returned to their unit."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.attention import AttentionItem, register_attention
from tuijin.core.periods import ymd
from tuijin.facts.figures import FIGURES, period_facts
from tuijin.progress.choices import ReportStatus
from tuijin.progress.models import ProgressReport
from tuijin.progress.services import period_for_reporting, reporting_period_get
from tuijin.projects.models import Project

__all__ = ["reporting_attention"]


@register_attention
def reporting_attention(user) -> list[AttentionItem]:
    items: list[AttentionItem] = []
    period = period_for_reporting()
    if user.has_perm("progress.add_progressreport"):
        missing = period_facts(Project.objects.restrict(user, "view"), period).filter(FIGURES["missing"].condition)
        count = missing.count()
        if count:
            closes = reporting_period_get(period).closes_on
            late = timezone.localdate() > closes
            values = {"y": period.year, "m": period.month, "c": ymd(closes)}
            if late:
                title = _("%(y)d年%(m)d月月报未上报（已于%(c)s截止）") % values
            else:
                title = _("%(y)d年%(m)d月月报未上报（%(c)s截止）") % values
            url = f"{reverse('dispatch:my_reports')}?period={period:%Y-%m}"
            items.append(AttentionItem(title, count, url, "danger" if late else "warning"))
        returned = (
            ProgressReport.objects.restrict(user, "change")
            .filter(status=ReportStatus.DRAFT)
            .exclude(return_reason="")
            .count()
        )
        if returned:
            items.append(AttentionItem(_("被退回待修改的月报"), returned, reverse("dispatch:my_reports"), "danger"))
    elif user.has_perm("projects.dashboard_project") and user.has_perm("progress.officeapprove_progressreport"):
        missing = period_facts(Project.objects.restrict(user, "dashboard"), period).filter(FIGURES["missing"].condition)
        count = missing.count()
        if count:
            title = _("%(y)d年%(m)d月月报未上报项目") % {"y": period.year, "m": period.month}
            url = f"{reverse('dispatch:missing_reports')}?period={period:%Y-%m}"
            items.append(AttentionItem(title, count, url, "warning"))
    return items
