from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "tuijin.projects"
    label = "projects"
    verbose_name = _("重点项目")

    def ready(self) -> None:
        from . import attention  # noqa: F401  (home-page attention items)
