from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "tuijin.funds"
    label = "funds"
    verbose_name = _("争取上级资金与纳统")
