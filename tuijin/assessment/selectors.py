"""Reads for assessment pages and the API: rounds visible to a user, a round's ranking by group (红黑榜), a unit's
lines with the points still available ("what would move you up"), a unit's trend, open appeals."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from . import scoring
from .choices import AppealStatus, RoundStatus
from .models import Appeal, Round, RubricGroup, ScoreLine, UnitScore

__all__ = [
    "GroupRanking",
    "fresh",
    "gains",
    "open_appeals",
    "ranking",
    "rounds_for",
    "unit_trend",
]


def rounds_for(user) -> QuerySet:
    """Rounds the user may open: every round for whoever may publish; the published ones for everybody else."""
    rounds = Round.objects.select_related("rubric", "rubric_version").order_by("-period_start", "rubric__sort_order")
    if user.has_perm("assessment.publish_round"):
        return rounds
    return rounds.exclude(status=RoundStatus.OPEN)


def fresh(round_: Round) -> Round:
    """An open round whose figures changed is recomputed before it is shown (published rounds are frozen)."""
    if round_.is_open and round_.stale:
        return scoring.compute(round_)
    return round_


@dataclass
class GroupRanking:
    group: RubricGroup
    scores: list[UnitScore] = field(default_factory=list)

    def __post_init__(self) -> None:
        """红榜: ranks 1…red_count; 黑榜: the last black_count places — by rank, so units tied with others above
        the cut are never singled out (thirteen units tied 7th put nobody on the 黑榜)."""
        ranked = [s for s in self.scores if s.rank is not None]
        n = len(ranked)
        self.red_ids = {s.pk for s in ranked if (s.rank or 0) <= self.group.red_count}
        cut = n - self.group.black_count + 1
        self.black_ids = {
            s.pk for s in ranked if self.group.black_count and (s.rank or 0) >= cut and s.pk not in self.red_ids
        }


def ranking(round_: Round) -> list[GroupRanking]:
    """The round's units by group, best first (one query)."""
    by_group: dict[int, list[UnitScore]] = defaultdict(list)
    groups: dict[int, RubricGroup] = {}
    for score in (
        UnitScore.objects.filter(round=round_)
        .select_related("unit", "group")
        .order_by("group__sort_order", "group_id", "rank", "unit__sort_order", "unit__name")
    ):
        by_group[score.group_id].append(score)
        groups[score.group_id] = score.group
    return [GroupRanking(groups[g], scores) for g, scores in by_group.items()]


@dataclass
class Gain:
    line: ScoreLine
    available: Decimal


def gains(score: UnitScore) -> list[Gain]:
    """ "What would move you up": each line's points still available (its maximum minus its points), largest first."""
    found = []
    for line in score.lines.all():
        if line.max_points is None or line.indicator_id is None:
            continue
        counted = line.appeal_points if line.appeal_points is not None else line.points
        if line.max_points > counted:
            found.append(Gain(line, line.max_points - counted))
    return sorted(found, key=lambda g: g.available, reverse=True)


def score_with_lines(round_: Round, unit_id: int) -> UnitScore | None:
    return (
        UnitScore.objects.filter(round=round_, unit_id=unit_id)
        .select_related("unit", "group", "round")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ScoreLine.objects.select_related("indicator", "adjustment").prefetch_related("appeals"),
            )
        )
        .first()
    )


def unit_trend(unit_id: int, rubric_id: int, *, include_open: bool) -> list[UnitScore]:
    """The unit's total and rank in each round of the rubric, oldest first."""
    scores = UnitScore.objects.filter(unit_id=unit_id, round__rubric_id=rubric_id).select_related("round")
    if not include_open:
        scores = scores.exclude(round__status=RoundStatus.OPEN)
    return list(scores.order_by("round__period_start"))


def open_appeals(round_: Round | None = None) -> QuerySet:
    appeals = Appeal.objects.filter(status=AppealStatus.SUBMITTED).select_related(
        "line", "line__score", "line__score__round", "unit", "submitted_by"
    )
    if round_ is not None:
        appeals = appeals.filter(line__score__round=round_)
    return appeals.order_by("created", "pk")
