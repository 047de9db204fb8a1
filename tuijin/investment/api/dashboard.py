"""/api/investment/kpis/: the 招商 figures of the dashboard (kpis.kpi_summary) for the caller's leads, read-only.
`?year=` (default this year) and `?months=a-b`; 403 without investment.view_lead. Money and rates are strings
(exact decimals, 万元 and %)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from tuijin.api.viewsets import ScopedViewSetMixin

from ..kpis import kpi_summary, parse_period
from ..models import Lead

__all__ = ["KpiViewSet", "register"]


class KpiViewSet(ScopedViewSetMixin, GenericViewSet):
    queryset = Lead.objects.all()
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="统计年度（默认今年）"),
            OpenApiParameter("months", str, description="月份范围，如 1-6（默认全年）"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request, *args, **kwargs):
        period = parse_period(request.query_params.get("year"), request.query_params.get("months"))
        return Response(kpi_summary(self.get_queryset(), period).as_dict())


def register(router) -> None:
    """Register this part's viewsets on the investment API router."""
    router.register("kpis", KpiViewSet, basename="kpis")
