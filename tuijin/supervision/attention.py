"""Home-page 待我处理 items of 督办, each a count and a link to the task list filtered to exactly those rows (the
list's `todo` filter, views.todo_filter, is the one definition of each set):

- a responsible unit (supervision.report_task): tasks whose progress report is due, its overdue tasks, and closures
  the office returned;
- the 督办 office (supervision.review_task): closures awaiting review, and every overdue task.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from tuijin.core.attention import AttentionItem, register_attention

__all__ = ["supervision_attention"]


def _url(query: str) -> str:
    return f"{reverse('supervision:task_list')}?{query}"


@register_attention
def supervision_attention(user) -> list[AttentionItem]:
    from .models import Task
    from .selectors import overdue_condition
    from .views import todo_filter

    if not user.has_perm("supervision.view_task"):
        return []
    visible = Task.objects.restrict(user, "view")
    items: list[AttentionItem] = []
    if user.has_perm("supervision.review_task"):
        review = todo_filter(user, visible, "review").count()
        if review:
            items.append(AttentionItem(_("待审核办结的督办事项"), review, _url("todo=review"), "warning"))
        overdue = visible.filter(overdue_condition()).count()
        if overdue:
            items.append(AttentionItem(_("超期的督办事项"), overdue, _url("colour=red"), "danger"))
    elif user.has_perm("supervision.report_task"):
        for key, title, level in (
            ("overdue", _("本单位超期的督办事项"), "danger"),
            ("returned", _("办结申请被退回的督办事项"), "warning"),
            ("report", _("待报送进展的督办事项"), "warning"),
        ):
            count = todo_filter(user, visible, key).count()
            if count:
                items.append(AttentionItem(title, count, _url(f"todo={key}"), level))
    return items
