"""Home-page 待我处理 items of 争取上级资金, each a count and a link to the application list filtered to exactly those
rows (`?todo=`, the same `selectors.todo_applications` on the same `restrict()`):

- a unit (may change applications, does not review): 被退回的资金申报 (back in 编制 after 退回), and its drafts
  whose batch closes within FundsSettings.remind_days;
- the office (reviews): applications waiting for 区审核, and granted money idle since it arrived (the slow-use rule,
  selectors.idle_condition).
"""

from django.urls import reverse

from tuijin.core.attention import AttentionItem, register_attention

__all__ = ["funds_attention"]

LEVELS = {"returned": "danger", "closing": "warning", "review": "warning", "idle": "danger"}


def _list_url(key: str) -> str:
    return f"{reverse('funds:application_list')}?todo={key}"


@register_attention
def funds_attention(user) -> list[AttentionItem]:
    from .models import FundApplication
    from .selectors import TODOS, todo_applications

    if not user.has_perm("funds.view_fundapplication"):
        return []
    if user.has_perm("funds.review_fundapplication"):
        keys = ["review", "idle"]
    elif user.has_perm("funds.change_fundapplication"):
        keys = ["returned", "closing"]
    else:
        return []
    scoped = FundApplication.objects.restrict(user, "view")
    items = []
    for key in keys:
        count = todo_applications(user, scoped, key).count()
        if count:
            items.append(AttentionItem(str(TODOS[key]), count, _list_url(key), LEVELS[key]))
    return items
