"""The named figures: each one a condition on a month's facts, usable as an aggregate filter and as a list filter.

The dashboard counts `FIGURES[key].condition` over the period's rows; the number links to the project list with
`?fact=key&period=YYYY-MM`, which filters by the very same condition (`projects_with`). docs/figures.md lists every
figure with its rule; `test_figures_docs` fails when one is missing there.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tuijin.core.periods import Period, month_start, parse_month

from .models import ProjectMonth
from .rules import NEW_CATEGORIES

__all__ = [
    "FIGURES",
    "Figure",
    "figure_query",
    "parse_period_param",
    "period_facts",
    "projects_with",
    "total_missing_note",
]


@dataclass(frozen=True)
class Figure:
    key: str
    label: str | Promise
    condition: Q


LISTED = Q(in_list=True)

FIGURES: dict[str, Figure] = {
    f.key: f
    for f in (
        Figure("listed", _("年度计划项目"), LISTED),
        Figure("planned_new", _("计划新开工"), LISTED & Q(planned_new=True)),
        Figure("started", _("计划新开工中已开工"), LISTED & Q(planned_new=True, started=True)),
        Figure("early", _("提前开工"), LISTED & Q(early=True)),
        Figure("unplanned", _("计划外开工"), LISTED & Q(unplanned_new=True, started=True)),
        Figure("late", _("未按计划开工"), LISTED & Q(late=True)),
        Figure("started_new", _("新开工项目中已开工"), LISTED & Q(category__in=NEW_CATEGORIES, started=True)),
        Figure(
            "resumed",
            _("开复工"),
            LISTED & (Q(category__in=NEW_CATEGORIES, started=True) | Q(resumed=True)),
        ),
        Figure("completing", _("计划当年竣工"), LISTED & Q(completing=True)),
        Figure("finished", _("已竣工（计划当年竣工中）"), LISTED & Q(completing=True, finished=True)),
        Figure("early_completed", _("提前竣工"), LISTED & Q(early_completed=True)),
        Figure("q1_planned", _("一季度计划开工"), LISTED & Q(q1_planned=True)),
        Figure("q1_started", _("一季度计划开工中已开工"), LISTED & Q(q1_planned=True, q1_started=True)),
        Figure("stats_counted", _("已纳统"), LISTED & Q(stats_counted=True)),
        Figure("operating", _("已投产"), LISTED & Q(operating=True)),
        Figure("expected", _("应报"), Q(expected=True)),
        Figure("reported", _("已报"), Q(reported=True)),
        Figure("missing", _("未上报"), Q(expected=True, reported=False)),
        Figure("any_started", _("已开工"), Q(started=True)),
        # The light in effect (written by the lights engine onto the row): projects whose worst light is red / yellow.
        Figure("red", _("亮红灯"), LISTED & Q(light="red")),
        Figure("yellow", _("亮黄灯"), LISTED & Q(light="yellow")),
        # 总投资 未填 (None): left out of every sum of 总投资, and counted so that the sum says how many it leaves out.
        Figure("total_missing", _("未填总投资"), LISTED & Q(total_investment__isnull=True)),
    )
}


def total_missing_note(count: int, *, compact: bool = False) -> str:
    """What a sum of 总投资 says about the projects it leaves out: "另有 2 个项目未填总投资" ("" when none);
    `compact` for the notice's running text, without spaces around the number ("另有2个项目未填总投资")."""
    if not count:
        return ""
    if compact:
        return gettext("另有%(n)d个项目未填总投资") % {"n": count}
    return gettext("另有 %(n)d 个项目未填总投资") % {"n": count}


def period_facts(projects: QuerySet, period: date) -> QuerySet:
    """The facts rows of `period` (a month) for the projects of `projects` (a restricted Project queryset)."""
    return ProjectMonth.objects.filter(period=month_start(period), project__in=projects.order_by().values("pk"))


def projects_with(projects: QuerySet, key: str, period: date) -> QuerySet:
    """`projects` narrowed to those the figure `key` counts in `period`: the drill-down of that number."""
    figure = FIGURES[key]
    matching = ProjectMonth.objects.filter(figure.condition, period=month_start(period)).values("project_id")
    return projects.filter(pk__in=matching)


def figure_query(key: str, period: Period, **filters: Any) -> str:
    """The project list's query string for a figure of a period, with further list filters (unit, category …)."""
    if key not in FIGURES:
        raise KeyError(key)
    params = {"fact": key, "period": f"{period.year}-{period.month:02d}"}
    params.update({k: v for k, v in filters.items() if v not in (None, "")})
    return urlencode(params)


def parse_period_param(text: str | None) -> date | None:
    """ "2026-03" → date(2026, 3, 1); None for anything else."""
    try:
        return parse_month(text)
    except ValueError:
        return None
