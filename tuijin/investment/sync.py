"""The reverse of the conversion: a converted lead follows its key project (investment imports projects, never the
reverse). Connected in InvestmentConfig.ready() to Project's post_save."""

__all__ = ["project_saved"]


def project_saved(sender, instance, created: bool = False, raw: bool = False, **kwargs) -> None:
    if created or raw or (instance.actual_start is None and instance.actual_finish is None):
        return
    from .models import Lead
    from .services import lead_follow_project

    lead = Lead.objects.filter(project_id=instance.pk).first()
    if lead is not None:
        lead_follow_project(lead=lead, project=instance)
