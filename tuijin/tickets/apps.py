from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tuijin.tickets"
    label = "tickets"
    verbose_name = _("问题协调与企业服务")

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import post_delete, post_save

        from . import attention  # noqa: F401  (home-page 待我处理 items)
        from .models import CategorySLA
        from .selectors import end_request_memo, forget_category_names, start_request_memo

        # Category names are read once per request (selectors.category_names), and again after a change.
        request_started.connect(start_request_memo, dispatch_uid="tickets_category_memo_start")
        request_finished.connect(end_request_memo, dispatch_uid="tickets_category_memo_end")
        post_save.connect(forget_category_names, sender=CategorySLA, dispatch_uid="tickets_category_saved")
        post_delete.connect(forget_category_names, sender=CategorySLA, dispatch_uid="tickets_category_deleted")
