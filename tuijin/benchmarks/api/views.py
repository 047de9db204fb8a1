"""API of 对标对表 (/api/benchmarks/): peer regions, indicators, values (CRUD; filters region, indicator, year) and
targets through the same services as the pages; the comparison (read-only) with the gaps, the pace and, for one
indicator, the projects that would close the gap. Reads of a row return its version as the ETag; a change or a
deletion needs `If-Match` (missing → 428, stale → 412). Errors are translated by tuijin.api.exceptions."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from tuijin.api.exceptions import if_match_version
from tuijin.api.viewsets import ScopedViewSetMixin, VersionedRowMixin

from .. import selectors, services
from ..figures import Board, Comparison, closing, period_label
from ..models import Indicator, IndicatorTarget, IndicatorValue, PeerRegion

__all__ = ["register"]

IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True, description='The ETag from the last GET, e.g. "3".'
)
PERIOD = [
    OpenApiParameter("year", int, description="年度（默认：上月所在年）"),
    OpenApiParameter("month", int, description="截至月份 1–12（默认：上月）"),
]


class BenchmarkRegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PeerRegion
        fields = ["id", "name", "group", "is_self", "sort_order", "is_active", "version"]
        read_only_fields = ["id", "is_self", "version"]


class BenchmarkIndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "frequency",
            "higher_is_better",
            "platform_source",
            "sort_order",
            "note",
            "version",
        ]
        read_only_fields = ["id", "version"]
        validators: list = []  # unique code and name: the service answers


class BenchmarkValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "region",
            "indicator",
            "year",
            "month",
            "value",
            "source",
            "published_on",
            "note",
            "version",
            "created",
            "last_updated",
        ]
        read_only_fields = ["id", "version", "created", "last_updated"]
        validators: list = []  # one value per region, indicator and month: the service answers
        extra_kwargs = {"published_on": {"required": True, "allow_null": False}}


class BenchmarkTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorTarget
        fields = ["id", "indicator", "year", "value", "source", "version"]
        read_only_fields = ["id", "version"]
        validators: list = []


def _valid(serializer_class, request, instance=None, partial: bool = False) -> dict:
    serializer = serializer_class(instance, data=request.data, partial=partial, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class _RowViewSet(
    VersionedRowMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    """List, read, create and change (If-Match) through `service(actor=, data=, <kwarg>=, version=)`."""

    service: Any = None
    kwarg = ""

    def create(self, request, *args, **kwargs):
        data = _valid(self.serializer_class, request)
        row = type(self).service(actor=request.user, data=data)
        return self._respond(row, status.HTTP_201_CREATED)

    def update(self, request, *args, partial: bool = False, **kwargs):
        row = self.get_object()
        version = if_match_version(request)
        data = _valid(self.serializer_class, request, row, partial)
        saved = type(self).service(
            actor=request.user, data=data, version=version if version is not None else -1, **{self.kwarg: row}
        )
        return self._respond(saved)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH]),
    partial_update=extend_schema(parameters=[IF_MATCH]),
)
class BenchmarkRegionViewSet(_RowViewSet):
    """对标地区 (本区 is the one with `is_self`)."""

    queryset = PeerRegion.objects.all()
    serializer_class = row_serializer = BenchmarkRegionSerializer
    filterset_fields = ["is_active", "is_self"]
    service = staticmethod(services.region_save)
    kwarg = "region"


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH]),
    partial_update=extend_schema(parameters=[IF_MATCH]),
)
class BenchmarkIndicatorViewSet(_RowViewSet):
    """对标指标."""

    queryset = Indicator.objects.all()
    serializer_class = row_serializer = BenchmarkIndicatorSerializer
    filterset_fields = ["kind", "frequency", "platform_source"]
    service = staticmethod(services.indicator_save)
    kwarg = "indicator"


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH]),
    partial_update=extend_schema(parameters=[IF_MATCH]),
    destroy=extend_schema(parameters=[IF_MATCH]),
)
class BenchmarkValueViewSet(_RowViewSet):
    """指标数值 (published, cumulative; source and 发布日期 required)."""

    queryset = IndicatorValue.objects.all()
    serializer_class = row_serializer = BenchmarkValueSerializer
    filterset_fields = ["region", "indicator", "year", "month"]
    ordering_fields = ["year", "month", "published_on"]
    service = staticmethod(services.value_save)
    kwarg = "value"

    def get_queryset(self):
        return super().get_queryset().order_by("-year", "-month", "indicator_id", "region_id")

    def destroy(self, request, *args, **kwargs):
        row = self.get_object()
        services.value_delete(actor=request.user, value=row, version=if_match_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH]),
    partial_update=extend_schema(parameters=[IF_MATCH]),
)
class BenchmarkTargetViewSet(_RowViewSet):
    """本区目标 (one per indicator and year)."""

    queryset = IndicatorTarget.objects.all()
    serializer_class = row_serializer = BenchmarkTargetSerializer
    filterset_fields = ["indicator", "year"]
    service = staticmethod(services.target_save)
    kwarg = "target"


# -- the comparison ------------------------------------------------------------------------------------------------


def _text(value) -> str | None:
    return None if value is None else str(value)


def _point(point) -> dict | None:
    if point is None:
        return None
    record = point.record
    return {
        "month": point.month,
        "value": _text(point.value),
        "basis": point.basis,
        "basis_label": point.basis_label,
        "reason": point.reason,
        "source": record.source if record is not None else "",
        "published_on": record.published_on.isoformat() if record is not None and record.published_on else None,
    }


def comparison_data(comparison: Comparison, user=None, against: str | None = None) -> dict[str, Any]:
    """The JSON of one comparison (with the closing projects when `user` is given)."""
    indicator = comparison.indicator
    pace = comparison.pace
    data: dict[str, Any] = {
        "indicator": {"id": indicator.pk, "code": indicator.code, "name": indicator.name, "kind": indicator.kind},
        "year": comparison.year,
        "month": comparison.month,
        "unit": comparison.unit,
        "self": _point(comparison.self_point),
        "self_reason": comparison.reason,
        "period_label": period_label(indicator, comparison.self_point.month) if comparison.self_point else "",
        "target": _text(comparison.target.value) if comparison.target is not None else None,
        "target_gap": _text(comparison.target_gap),
        "peers": [
            {
                "region": {"id": g.region.pk, "name": g.region.name},
                "value": _point(g.point),
                "month": g.month,
                "gap": _text(g.gap),
                "behind": g.behind,
                "reason": g.reason,
                "amount": _text(g.amount),
            }
            for g in comparison.peers
        ],
        "pace": None
        if pace is None
        else {
            "text": pace.text,
            "required": _text(pace.required),
            "current": _text(pace.current),
            "unit": pace.unit,
            "remaining": pace.remaining,
            "needed_total": _text(pace.needed_total),
        },
    }
    if user is not None:
        result = closing(comparison, user, against)
        data["closing"] = (
            None
            if result is None
            else {
                "against": result.against,
                "against_label": result.against_label,
                "month": result.month,
                "gap": _text(result.gap),
                "covered": _text(result.covered),
                "enough": result.enough,
                "count": result.count,
                "hidden": result.hidden,
                "text": result.text,
                "projects": [
                    {
                        "project": p.project_id,
                        "name": p.name,
                        "unit": p.unit,
                        "shortfall": _text(p.shortfall),
                        "points": _text(p.points),
                        "start_quarter": p.start_quarter,
                    }
                    for p in result.projects
                ],
            }
        )
    return data


def _period(request) -> tuple[int, int]:
    default = selectors.default_period()
    try:
        year = int(request.query_params.get("year", default[0]))
        month = int(request.query_params.get("month", default[1]))
    except (TypeError, ValueError):
        raise serializers.ValidationError({"year": "年度和月份须为整数。"}) from None
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise serializers.ValidationError({"month": "年度须在 2000–2100，月份须在 1–12。"})
    return year, month


class BenchmarkComparisonViewSet(ScopedViewSetMixin, GenericViewSet):
    """The computed comparison of a month (?year=&month=): for each indicator 本区's value (统计局口径 or 平台口径),
    the target and the gap to it, each peer's value and gap (positive: behind), the pace; for one indicator also the
    projects that would close the gap (?against=target|<region id>), named only when in the caller's scope."""

    queryset = Indicator.objects.all()
    pagination_class = None

    @extend_schema(operation_id="benchmarks_comparison_list", parameters=PERIOD, responses=OpenApiTypes.OBJECT)
    def list(self, request, *args, **kwargs):
        year, month = _period(request)
        board = Board(year, indicators=list(self.get_queryset()))
        return Response(
            {"year": year, "month": month, "results": [comparison_data(c) for c in board.comparisons(month)]}
        )

    @extend_schema(
        parameters=[*PERIOD, OpenApiParameter("against", str, description="target 或对标地区 id")],
        responses=OpenApiTypes.OBJECT,
    )
    def retrieve(self, request, *args, **kwargs):
        indicator = self.get_object()
        year, month = _period(request)
        board = Board(year, indicators=[indicator])
        comparison = board.compare(indicator, month)
        return Response(comparison_data(comparison, request.user, request.query_params.get("against")))


def register(router) -> None:
    router.register("regions", BenchmarkRegionViewSet, basename="region")
    router.register("indicators", BenchmarkIndicatorViewSet, basename="indicator")
    router.register("values", BenchmarkValueViewSet, basename="value")
    router.register("targets", BenchmarkTargetViewSet, basename="target")
    router.register("comparison", BenchmarkComparisonViewSet, basename="comparison")
