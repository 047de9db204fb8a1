from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from tuijin.core.aftercommit import EarliestByKey

# The records, besides the facts layer, that `metrics.py` reads: a save or delete of any of them makes the open
# (试算) rounds stale, as a change of the facts does.
SOURCE_MODELS = (
    "investment.Lead",  # its tracking unit decides whose signing a signing is
    "investment.Signing",
    "supervision.Task",
    "funds.FundApplication",
    "funds.FundPayment",
)


class AssessmentConfig(AppConfig):
    name = "tuijin.assessment"
    label = "assessment"
    verbose_name = _("考核评价")

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import post_delete, post_save

        from tuijin.facts.maintain import facts_changed

        from . import attention  # noqa: F401  (home-page 待我处理 items)

        facts_changed.connect(_on_facts_changed, dispatch_uid="assessment-stale", weak=False)
        for label in SOURCE_MODELS:
            model = apps.get_model(label)
            for signal in (post_save, post_delete):
                signal.connect(_on_source_changed, sender=model, dispatch_uid=f"assessment-stale-{label}", weak=False)


def _on_facts_changed(sender, project_ids=None, since=None, **kwargs) -> None:
    """The facts moved: open (试算) rounds reaching that month are recomputed before they are shown next."""
    from .services import mark_open_rounds_stale

    mark_open_rounds_stale(since)


def _mark_stale(pending) -> None:
    from .services import mark_open_rounds_stale

    mark_open_rounds_stale()


_stale_after_commit = EarliestByKey(_mark_stale, name="assessment-stale")


def _on_source_changed(sender, raw=False, **kwargs) -> None:
    """A 招商/督办/资金 record changed: once the transaction commits, open rounds are marked stale — once per
    transaction however many rows it wrote (an import of a thousand signings costs one UPDATE, not a thousand)."""
    if not raw:
        _stale_after_commit.add([0], None)
