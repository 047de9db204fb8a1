"""The key project's page names the lead it came from (the link back of a conversion), through the hook
`projects.sections` offers to the apps above it (projects never imports investment).

Template variable: `source_lead`, the lead converted into this project when the user may see it, else None (one
query)."""

from typing import Any

from tuijin.projects.sections import register_page_context

__all__ = ["project_page_context", "register"]


def project_page_context(user, project, year: int) -> dict[str, Any]:
    from .models import Lead

    if not user.has_perm("investment.view_lead"):
        return {"source_lead": None}
    return {"source_lead": Lead.objects.restrict(user, "view").filter(project_id=project.pk).first()}


def register() -> None:
    register_page_context(project_page_context)
