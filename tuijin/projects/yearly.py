"""The yearly category (新开工, 续建, 新开工当年竣工, 续建当年竣工, 前期) derived for any year, never typed.

Start = actual start, else planned start, else the construction start month; finish likewise. The Python function
and the SQL annotation implement the same rule;
projects/tests/test_services.py (test_yearly_category_python_and_sql_agree) checks they agree.
"""

from django.db.models import Case, CharField, Q, Value, When
from django.db.models.functions import Coalesce, ExtractYear

from .choices import Stage, YearlyCategory

__all__ = ["yearly_category", "yearly_category_expression"]

_OUT_OF_PLAN = (Stage.CONCEIVED, Stage.RESERVE, Stage.CANCELLED)


def yearly_category(project, year: int) -> str | None:
    if project.stage in _OUT_OF_PLAN:
        return None
    start = project.actual_start or project.planned_start or project.construction_start
    finish = project.actual_finish or project.planned_finish or project.construction_end
    if start is None or start.year > year:
        return YearlyCategory.PREPARATION if project.stage in (Stage.PREPARATION, Stage.SUSPENDED) else None
    if finish is not None and finish.year < year:
        return None
    finishes = finish is not None and finish.year == year
    if start.year == year:
        return YearlyCategory.NEW_COMPLETED if finishes else YearlyCategory.NEW
    return YearlyCategory.CONTINUING_COMPLETED if finishes else YearlyCategory.CONTINUING


def yearly_category_expression(year: int):
    start_year = ExtractYear(Coalesce("actual_start", "planned_start", "construction_start"))
    finish_year = ExtractYear(Coalesce("actual_finish", "planned_finish", "construction_end"))
    no_start = Q(actual_start__isnull=True, planned_start__isnull=True, construction_start__isnull=True)
    no_finish = Q(actual_finish__isnull=True, planned_finish__isnull=True, construction_end__isnull=True)
    return Case(
        When(stage__in=_OUT_OF_PLAN, then=Value(None)),
        When(
            no_start | Q(_start_year__gt=year),
            then=Case(
                When(stage__in=[Stage.PREPARATION, Stage.SUSPENDED], then=Value(YearlyCategory.PREPARATION)),
                default=Value(None),
                output_field=CharField(),
            ),
        ),
        When(~no_finish & Q(_finish_year__lt=year), then=Value(None)),
        When(Q(_start_year=year) & ~no_finish & Q(_finish_year=year), then=Value(YearlyCategory.NEW_COMPLETED)),
        When(_start_year=year, then=Value(YearlyCategory.NEW)),
        When(~no_finish & Q(_finish_year=year), then=Value(YearlyCategory.CONTINUING_COMPLETED)),
        default=Value(YearlyCategory.CONTINUING),
        output_field=CharField(),
    ), {"_start_year": start_year, "_finish_year": finish_year}
