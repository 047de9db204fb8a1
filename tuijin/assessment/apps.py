from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "tuijin.assessment"
    label = "assessment"
    verbose_name = _("考核评价")

    def ready(self) -> None:
        from tuijin.facts.maintain import facts_changed

        from . import attention  # noqa: F401  (home-page 待我处理 items)

        facts_changed.connect(_on_facts_changed, dispatch_uid="assessment-stale", weak=False)


def _on_facts_changed(sender, project_ids=None, since=None, **kwargs) -> None:
    """The facts moved: open (试算) rounds of that year are recomputed before they are shown next."""
    from .services import mark_open_rounds_stale

    mark_open_rounds_stale(since.year if since is not None else None)
