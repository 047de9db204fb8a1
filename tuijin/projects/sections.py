"""What apps above `projects` add to the project page and to the project export, without `projects` importing them.

The project page (`ProjectView`) shows the project's month-by-month figures, its light and its tickets, which live in
`tuijin.facts`, `tuijin.progress` and `tuijin.tickets`; the export (`excel.export_projects_xlsx`) adds columns read
from the facts. Those apps sit above `projects` (docs/architecture.md, "Between apps"), so they plug in from their
`AppConfig.ready()`, as `register_filter` does for the list's filters:

    register_page_context(provider)     # provider(user, project, year) -> dict of template variables
    register_export_columns(provider)   # provider(projects, year) -> list[ExportColumn]

A page provider runs a fixed number of queries whatever the project's history; an export provider a fixed number
whatever the number of projects.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ExportColumn",
    "export_columns",
    "page_context",
    "register_export_columns",
    "register_page_context",
]

PageProvider = Callable[[Any, Any, int], Mapping[str, Any]]


@dataclass
class ExportColumn:
    """One column of the project export: its header, width and number format, and the value per project pk (a
    missing project gets `default`)."""

    header: str
    values: dict[int, Any] = field(default_factory=dict)
    width: int = 14
    number_format: str = ""
    default: Any = None


ExportProvider = Callable[[Sequence[Any], int], list[ExportColumn]]

_PAGE: list[PageProvider] = []
_EXPORT: list[ExportProvider] = []


def register_page_context(provider: PageProvider) -> PageProvider:
    if provider not in _PAGE:
        _PAGE.append(provider)
    return provider


def register_export_columns(provider: ExportProvider) -> ExportProvider:
    if provider not in _EXPORT:
        _EXPORT.append(provider)
    return provider


def page_context(user, project, year: int) -> dict[str, Any]:
    """The template variables the registered apps add to `project`'s page for `year`."""
    context: dict[str, Any] = {}
    for provider in _PAGE:
        context.update(provider(user, project, year))
    return context


def export_columns(projects: Sequence[Any], year: int) -> list[ExportColumn]:
    """The extra export columns for `projects` (already restricted to the user's scope and filtered)."""
    columns: list[ExportColumn] = []
    for provider in _EXPORT:
        columns.extend(provider(projects, year))
    return columns
