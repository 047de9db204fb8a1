"""API of 考核评价 (/api/assessment/): rounds (the ones the caller may open) with their ranking by group, a unit's
score with every line and its evidence (scoped: out of scope = 404), and appeals (a unit submits one against a line
of its published score; the 项目办 decides with `If-Match`). Errors are translated by tuijin.api.exceptions."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from tuijin.api.exceptions import if_match_version
from tuijin.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin

from .. import selectors, services
from ..models import Appeal, Round, ScoreLine, UnitScore

__all__ = ["register"]


class AssessmentRoundSerializer(serializers.ModelSerializer):
    rubric_name = serializers.CharField(source="rubric.name", read_only=True)
    rubric_version_number = serializers.IntegerField(source="rubric_version.number", read_only=True)

    class Meta:
        model = Round
        fields = [
            "id",
            "label",
            "rubric",
            "rubric_name",
            "rubric_version_number",
            "period_start",
            "period_end",
            "status",
            "published_at",
            "appeal_until",
            "version",
        ]
        read_only_fields = fields


class AssessmentRankingRowSerializer(serializers.Serializer):
    group = serializers.CharField()  # type: ignore[assignment]
    unit = serializers.IntegerField()
    unit_name = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    total = serializers.DecimalField(max_digits=9, decimal_places=2)
    available = serializers.DecimalField(max_digits=9, decimal_places=2)
    board = serializers.ChoiceField(choices=["red", "black", ""])
    appealed = serializers.BooleanField()
    published_total = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    published_rank = serializers.IntegerField(allow_null=True)


class AssessmentEvidenceSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]
    url = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)


class AssessmentLineSerializer(serializers.ModelSerializer):
    evidence = AssessmentEvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = ScoreLine
        fields = [
            "id",
            "label",
            "status",
            "figure",
            "explanation",
            "value",
            "numerator",
            "denominator",
            "count",
            "rank",
            "raw_points",
            "weight",
            "points",
            "max_points",
            "appeal_points",
            "neutralised",
            "evidence",
        ]
        read_only_fields = fields


class AssessmentScoreSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True)
    lines = AssessmentLineSerializer(many=True, read_only=True)

    class Meta:
        model = UnitScore
        fields = [
            "id",
            "round",
            "unit",
            "unit_name",
            "group_name",
            "total",
            "available",
            "rank",
            "published_total",
            "published_rank",
            "appealed",
            "lines",
        ]
        read_only_fields = fields


class AssessmentAppealSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appeal
        fields = [
            "id",
            "line",
            "unit",
            "reason",
            "evidence",
            "requested_points",
            "status",
            "decided_points",
            "decision_reason",
            "decided_at",
            "created",
            "version",
        ]
        read_only_fields = [
            "id",
            "unit",
            "status",
            "decided_points",
            "decision_reason",
            "decided_at",
            "created",
            "version",
        ]


class AssessmentDecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(max_length=500)
    points = serializers.DecimalField(max_digits=9, decimal_places=2, required=False, allow_null=True)


class RoundViewSet(ScopedReadOnlyViewSet):
    """Rounds: every round for the 项目办, the published ones for everybody else."""

    queryset = Round.objects.all()
    serializer_class = AssessmentRoundSerializer

    def get_queryset(self):
        return selectors.rounds_for(self.request.user)

    @extend_schema(responses=AssessmentRankingRowSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # the whole ranking, not a page of it
    def ranking(self, request, pk=None):
        """The ranking by group (红榜/黑榜 marked) — totals and ranks only; the lines are on the unit's score."""
        round_ = selectors.fresh(self.get_object())
        rows: list[dict[str, Any]] = []
        for group in selectors.ranking(round_):
            for score in group.scores:
                board = "red" if score.pk in group.red_ids else "black" if score.pk in group.black_ids else ""
                rows.append(
                    {
                        "group": group.group.name,
                        "unit": score.unit_id,
                        "unit_name": score.unit.name,
                        "rank": score.rank,
                        "total": score.total,
                        "available": score.available,
                        "board": board,
                        "appealed": score.appealed,
                        "published_total": score.published_total,
                        "published_rank": score.published_rank,
                    }
                )
        return Response(AssessmentRankingRowSerializer(rows, many=True).data)


class ScoreViewSet(ScopedReadOnlyViewSet):
    """A unit's score in a round, every line with the figure, the rule and the records behind it (scoped)."""

    queryset = UnitScore.objects.select_related("unit", "group").prefetch_related("lines")
    serializer_class = AssessmentScoreSerializer

    @extend_schema(parameters=[OpenApiParameter("round", int, description="考核期 id")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        scores = super().get_queryset().order_by("round", "group__sort_order", "rank", "pk")
        if not self.request.user.has_perm("assessment.publish_round"):
            scores = scores.exclude(round__status="open")
        round_id = self.request.query_params.get("round")
        if round_id is not None:
            scores = scores.filter(round_id=int(round_id)) if round_id.isdigit() else scores.none()
        return scores


class AppealViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, GenericViewSet
):
    """Appeals: a unit submits one against a line of its published score; the 项目办 decides."""

    queryset = Appeal.objects.select_related("line", "unit")
    serializer_class = AssessmentAppealSerializer

    @property
    def permission_action(self) -> str:
        return {"create": "add", "decide": "decide"}.get(getattr(self, "action", None) or "", "view")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        # only the lines of the caller's own scores: another unit's line and a missing one answer alike (400)
        serializer.fields["line"].queryset = ScoreLine.objects.filter(
            score__in=UnitScore.objects.restrict(request.user, "appeal")
        )
        serializer.is_valid(raise_exception=True)
        line = serializer.validated_data["line"]
        appeal = services.appeal_submit(
            actor=request.user,
            line=line,
            reason=serializer.validated_data["reason"],
            evidence=serializer.validated_data.get("evidence", ""),
            requested_points=serializer.validated_data.get("requested_points"),
        )
        return Response(self.get_serializer(appeal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AssessmentDecisionSerializer, responses=AssessmentAppealSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        appeal = self.get_object()
        data = AssessmentDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.appeal_decide(
            actor=request.user,
            appeal=appeal,
            expected_version=if_match_version(request),
            accept=data.validated_data["accept"],
            reason=data.validated_data["reason"],
            points=data.validated_data.get("points"),
        )
        return Response(self.get_serializer(appeal).data)


def register(router) -> None:
    router.register("rounds", RoundViewSet, basename="round")
    router.register("scores", ScoreViewSet, basename="score")
    router.register("appeals", AppealViewSet, basename="appeal")
