"""The panel 争取上级资金 on the key project's page, through the hook `projects.sections` offers to the apps above it
(projects never imports funds).

Template variable: `funds_panel` (None when the user may not read 争取上级资金): the project's 前期成熟度 with what is
missing, the link to edit its 谋划/入库 record, its applications, and the open batches it is eligible for. The number
of queries is fixed but for the eligibility check, one match per open batch (at most OPEN_BATCH_LIMIT)."""

from typing import Any

from django.utils import timezone

from tuijin.projects.sections import register_page_context

__all__ = ["OPEN_BATCH_LIMIT", "project_page_context", "register"]

OPEN_BATCH_LIMIT = 20


def project_page_context(user, project, year: int) -> dict[str, Any]:
    from .models import FundApplication, FundingBatch
    from .selectors import open_batches
    from .views import _match, _readiness

    if not user.has_perm("funds.view_projectprep"):
        return {"funds_panel": None}
    applications = list(
        FundApplication.objects.restrict(user, "view").filter(project_id=project.pk).select_related("batch")
    )
    eligible = []
    today = timezone.localdate()
    batches = open_batches(FundingBatch.objects.restrict(user, "view"), today).order_by("deadline", "pk")
    applied = {a.batch_id for a in applications if a.status not in ("withdrawn", "rejected")}
    for batch in batches[:OPEN_BATCH_LIMIT]:
        matches = _match(batch, user, projects=type(project).objects.filter(pk=project.pk))
        if matches is None:
            break
        for match in matches:
            if match.project.pk == project.pk and match.eligible:
                eligible.append({"batch": batch, "match": match, "applied": batch.pk in applied})
    return {
        "funds_panel": {
            "readiness": _readiness(project),
            "can_edit_prep": user.has_perm("funds.change_projectprep")
            and type(project).objects.restrict(user, "change").filter(pk=project.pk).exists(),
            "applications": applications,
            "eligible": eligible,
            "can_apply": user.has_perm("funds.add_fundapplication"),
        }
    }


def register() -> None:
    register_page_context(project_page_context)
