"""The user's own notifications: list (all or unread), open (marks read, follows the link), mark read.

Every signed-in user may see their own notifications — no role permission is involved — and only those: each
lookup filters by `request.user`, so another user's notification is a 404, never a 403 that confirms it exists.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .models import Notification
from .services import notifications_mark_read, unread_count

__all__ = ["notification_list", "notification_mark_all_read", "notification_mark_read", "notification_open"]

PAGE_SIZE = 30


def _list_url(request) -> str:
    url = reverse("notifications:list")
    return f"{url}?unread=1" if request.POST.get("unread") == "1" else url


@login_required
@require_GET
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    queryset = Notification.objects.filter(user=request.user)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/notification_list.html",
        {
            "title": _("消息通知"),
            "page_obj": page,
            "notifications": page.object_list,
            "unread_only": unread_only,
            "unread_total": unread_count(request.user),
            "querystring": "unread=1" if unread_only else "",
        },
    )


@login_required
@require_GET
def notification_open(request, pk: int):
    """Mark read and go to the notification's link (a link to another site is not followed)."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    notifications_mark_read(user=request.user, pks=[notification.pk])
    target = notification.url
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_mark_read(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    notifications_mark_read(user=request.user, pks=[notification.pk])
    return redirect(_list_url(request))


@login_required
@require_POST
def notification_mark_all_read(request):
    notifications_mark_read(user=request.user)
    return redirect(_list_url(request))
