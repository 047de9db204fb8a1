from django.conf import settings
from django.utils import timezone

from tuijin import __version__

from .navigation import nav_for


def shell(request):
    user = getattr(request, "user", None)
    context = {
        "tuijin_version": __version__,
        "request_id": str(getattr(request, "id", "")),
        "nav_groups": nav_for(user) if user is not None else [],
        "password_warning_days": None,
        "unread_notifications": 0,
    }
    if user is not None and user.is_authenticated:
        from tuijin.notifications.services import unread_count
        from tuijin.org.scoping import user_memberships
        from tuijin.users.middleware import password_expires_at

        context["memberships"] = user_memberships(user)
        context["unread_notifications"] = unread_count(user)
        expires = password_expires_at(user)
        if expires is not None:
            days = (expires - timezone.now()).days
            if days <= settings.TUIJIN_PASSWORD_WARN_DAYS:
                context["password_warning_days"] = max(days, 0)
    return context
