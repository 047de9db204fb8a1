"""Home-page 待我处理 items of the monthly loop, each a count and a link to a list of exactly those rows:

- 未上报 (the facts' figure) for the month being reported now, with the deadline in working days;
- 被退回待修改 reports (reporters);
- 待我审核: reports waiting for this user's review, one item per month (unit approvers: 已提交; 项目办: 单位已审核);
- 亮红灯 (包联领导: the projects they sponsor; 区领导: the district's), the facts' figure `red`;
- 红灯待研判 (项目办): red lights of the reporting month with no override decision yet (keeping it red with a reason
  is a decision too).
"""

from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.attention import AttentionItem, register_attention
from tuijin.core.periods import ymd
from tuijin.facts.figures import FIGURES, period_facts
from tuijin.progress.choices import LightColor
from tuijin.progress.models import LightOverride, WarningLight
from tuijin.progress.selectors import reports_awaiting_review, reports_returned
from tuijin.progress.services import period_for_reporting, reporting_period_get
from tuijin.projects.models import Project
from tuijin.workdays.services import workdays_between

__all__ = ["reporting_attention", "undecided_red_lights"]


def undecided_red_lights(user, period):
    """Red lights of `period` in the user's scope without any override decision for that project and rule."""
    decided = LightOverride.objects.filter(
        project_id=OuterRef("project_id"), period=period, rule_id=OuterRef("rule_id")
    )
    return (
        WarningLight.objects.restrict(user, "view").filter(period=period, color=LightColor.RED).exclude(Exists(decided))
    )


def _deadline_title(period, closes) -> tuple[str, str]:
    today = timezone.localdate()
    values = {"y": period.year, "m": period.month, "c": ymd(closes)}
    if today > closes:
        return _("%(y)d年%(m)d月月报未上报（已于%(c)s截止）") % values, "danger"
    left = workdays_between(today, closes)
    values["n"] = left
    if left <= 0:
        return _("%(y)d年%(m)d月月报未上报（今天%(c)s截止）") % values, "danger"
    return _("%(y)d年%(m)d月月报未上报（%(c)s截止，还剩%(n)d个工作日）") % values, "warning"


def _review_items(user) -> list[AttentionItem]:
    items = []
    rows = reports_awaiting_review(user).values("period").annotate(n=Count("pk")).order_by("period")
    for row in rows:
        period = row["period"]
        title = _("待我审核的%(y)d年%(m)d月月报") % {"y": period.year, "m": period.month}
        url = f"{reverse('progress:report_list')}?status=mine&period={period:%Y-%m}"
        items.append(AttentionItem(title, row["n"], url, "warning"))
    return items


def _leader_items(user, period) -> list[AttentionItem]:
    """包联领导: the sponsored projects whose light in effect is red; 区领导: the district's red projects. The link is
    the project list of exactly those (the facts' figure `red`)."""
    from tuijin.org.choices import Role
    from tuijin.org.scoping import user_memberships

    count = period_facts(Project.objects.restrict(user, "view"), period).filter(FIGURES["red"].condition).count()
    if not count:
        return []
    values = {"y": period.year, "m": period.month}
    if any(m.role == Role.SPONSOR_LEADER for m in user_memberships(user)):
        title = _("我包联的项目%(y)d年%(m)d月亮红灯") % values
    else:
        title = _("%(y)d年%(m)d月亮红灯的项目") % values
    url = f"{reverse('projects:project_list')}?fact=red&period={period:%Y-%m}"
    return [AttentionItem(title, count, url, "danger")]


@register_attention
def reporting_attention(user) -> list[AttentionItem]:
    items: list[AttentionItem] = []
    period = period_for_reporting()
    if user.has_perm("progress.add_progressreport"):
        missing = period_facts(Project.objects.restrict(user, "view"), period).filter(FIGURES["missing"].condition)
        count = missing.count()
        if count:
            title, level = _deadline_title(period, reporting_period_get(period).closes_on)
            url = f"{reverse('dispatch:my_reports')}?period={period:%Y-%m}"
            items.append(AttentionItem(title, count, url, level))
        returned = reports_returned(user).count()
        if returned:
            items.append(AttentionItem(_("被退回待修改的月报"), returned, reverse("dispatch:my_reports"), "danger"))
    elif user.has_perm("projects.dashboard_project") and user.has_perm("progress.officeapprove_progressreport"):
        missing = period_facts(Project.objects.restrict(user, "dashboard"), period).filter(FIGURES["missing"].condition)
        count = missing.count()
        if count:
            title = _("%(y)d年%(m)d月月报未上报项目") % {"y": period.year, "m": period.month}
            url = f"{reverse('dispatch:missing_reports')}?period={period:%Y-%m}"
            items.append(AttentionItem(title, count, url, "warning"))
    elif user.has_perm("projects.dashboard_project"):
        items.extend(_leader_items(user, period))
    if user.has_perm("progress.unitapprove_progressreport") or user.has_perm("progress.officeapprove_progressreport"):
        items.extend(_review_items(user))
    if user.has_perm("progress.add_lightoverride"):
        undecided = undecided_red_lights(user, period).count()
        if undecided:
            title = _("%(y)d年%(m)d月红灯待研判（未作调整决定）") % {"y": period.year, "m": period.month}
            url = f"{reverse('dispatch:light_list')}?color=red&undecided=1&period={period:%Y-%m}"
            items.append(AttentionItem(title, undecided, url, "danger"))
    return items
