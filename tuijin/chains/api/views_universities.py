"""政产学研 API, on the same services, scope and errors as the pages (universities.py, matching.py):

- `/api/chains/universities/`: the district's universities (read; for whoever reads resources);
- `/api/chains/resources/`: the register — list (filters `university`, `kind`, `is_active`, `node`, `q`), retrieve
  (ETag = version), create (`chains.add_universityresource`), PUT/PATCH with `If-Match` (428 without, 412 stale).
  There is no DELETE: a resource with history is deactivated (`is_active`);
- `/api/chains/cooperations/`: cooperation records — list (filters `resource`, `kind`, `node`, `ticket`, `year`),
  retrieve, create, PUT/PATCH with `If-Match`. A record's 诉求 is shown only to callers who may see it;
- `/api/chains/match/?node=<id>` or `?ticket=<id>` (ranked resources) or `?resource=<id>` (its nodes, gap nodes
  first, and the open 技术/人才 诉求 the caller may see), each with `score`, `terms` and the `explanation`.

403 without the permission, 404 for a 诉求 out of scope, 400 with the field errors in Chinese.
"""

import django_filters
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from tuijin.api.exceptions import if_match_version
from tuijin.api.filters import IdFilter, IdFilterSet
from tuijin.api.viewsets import ScopedViewSetMixin, VersionedRowMixin
from tuijin.core.permissions import require, scoped_object_or_404
from tuijin.tickets.models import Ticket

from .. import matching, universities
from ..models import ChainNode, Cooperation, University, UniversityResource
from .serializers_universities import (
    ChainCooperationInputSerializer,
    ChainCooperationSerializer,
    ChainMatchNodeSerializer,
    ChainMatchResourceSerializer,
    ChainMatchTicketSerializer,
    ChainResourceBriefSerializer,
    ChainResourceInputSerializer,
    ChainResourceSerializer,
    ChainUniversitySerializer,
)

__all__ = ["ChainCooperationViewSet", "ChainMatchView", "ChainResourceViewSet", "ChainUniversityViewSet"]

IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True, description='The ETag from the last GET, e.g. "3".'
)
MATCH_LIMIT = 20


class _ReadsResources(BasePermission):
    """Anonymous → 401; without `chains.view_universityresource` → audited 403."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        require(request, "chains.view_universityresource")
        return True


class ChainUniversityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """The universities (seeded with the district's five); read by whoever reads the resources."""

    queryset = University.objects.order_by("sort_order", "pk")
    serializer_class = ChainUniversitySerializer
    permission_classes = [_ReadsResources]
    filter_backends: list = []


def _resources(queryset):
    nodes = ChainNode.objects.order_by("pk")
    return queryset.select_related("university").prefetch_related(Prefetch("nodes", queryset=nodes))


class ChainResourceFilterSet(IdFilterSet):
    q = django_filters.CharFilter(method="search")
    node = IdFilter(field_name="nodes")

    class Meta:
        model = UniversityResource
        fields = ["university", "kind", "is_active", "node", "q"]

    def search(self, queryset, name, value):
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(keywords__icontains=value) | Q(field__icontains=value))


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH], request=ChainResourceInputSerializer),
    partial_update=extend_schema(parameters=[IF_MATCH], request=ChainResourceInputSerializer),
    create=extend_schema(request=ChainResourceInputSerializer),
)
class ChainResourceViewSet(
    VersionedRowMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    queryset = UniversityResource.objects.all()
    serializer_class = ChainResourceSerializer
    row_serializer = ChainResourceSerializer
    filterset_class = ChainResourceFilterSet
    ordering_fields = ["name", "last_updated"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return _resources(super().get_queryset()).order_by("university__sort_order", "university_id", "kind", "pk")

    def fresh_row(self, obj):
        return _resources(UniversityResource.objects.filter(pk=obj.pk)).get()

    def create(self, request, *args, **kwargs):
        serializer = ChainResourceInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        resource = universities.resource_save(actor=request.user, data=dict(serializer.validated_data))
        return self._respond(resource, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        resource = self.get_object()
        version = if_match_version(request)
        serializer = ChainResourceInputSerializer(
            resource, data=request.data, partial=partial, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        resource = universities.resource_save(
            actor=request.user,
            data=dict(serializer.validated_data),
            resource=UniversityResource.objects.get(pk=resource.pk),
            version=version,
        )
        return self._respond(resource)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


class ChainCooperationFilterSet(IdFilterSet):
    # bounded: an out-of-range year made the date lookup overflow (500, found by the schemathesis run)
    year = django_filters.NumberFilter(field_name="happened_on__year", min_value=1, max_value=9999)

    class Meta:
        model = Cooperation
        fields = ["resource", "kind", "node", "ticket", "enterprise", "year"]


def _cooperations(queryset):
    return queryset.select_related("resource__university", "node", "ticket")


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH], request=ChainCooperationInputSerializer),
    partial_update=extend_schema(parameters=[IF_MATCH], request=ChainCooperationInputSerializer),
    create=extend_schema(request=ChainCooperationInputSerializer),
)
class ChainCooperationViewSet(
    VersionedRowMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    queryset = Cooperation.objects.all()
    serializer_class = ChainCooperationSerializer
    row_serializer = ChainCooperationSerializer
    filterset_class = ChainCooperationFilterSet
    ordering_fields = ["happened_on", "amount"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        queryset = _cooperations(super().get_queryset()).order_by("-happened_on", "-pk")
        ticket = self.request.query_params.get("ticket", "")
        if ticket.isdigit():  # filtering by a 诉求 the caller may not see finds nothing (not even its existence)
            visible = Ticket.objects.restrict(self.request.user, "view").filter(pk=int(ticket))
            queryset = queryset.filter(ticket__in=visible)
        return queryset

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = getattr(self.request, "user", None)
        visible: set[int] = set()
        if user is not None and user.is_authenticated and user.has_perm("tickets.view_ticket"):
            tickets = Ticket.objects.restrict(user, "view").filter(cooperations__isnull=False)
            visible = set(tickets.values_list("pk", flat=True).distinct())
        context["visible_tickets"] = visible
        return context

    def fresh_row(self, obj):
        return _cooperations(Cooperation.objects.filter(pk=obj.pk)).get()

    def _respond(self, obj, code=status.HTTP_200_OK):
        instance = self.fresh_row(obj)
        serializer = ChainCooperationSerializer(instance, context=self.get_serializer_context())
        response = Response(serializer.data, status=code)
        response["ETag"] = f'"{instance.version}"'
        return response

    def create(self, request, *args, **kwargs):
        serializer = ChainCooperationInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        cooperation = universities.cooperation_save(actor=request.user, data=dict(serializer.validated_data))
        return self._respond(cooperation, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        cooperation = self.get_object()
        version = if_match_version(request)
        serializer = ChainCooperationInputSerializer(
            cooperation, data=request.data, partial=partial, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        cooperation = universities.cooperation_save(
            actor=request.user,
            data=dict(serializer.validated_data),
            cooperation=Cooperation.objects.get(pk=cooperation.pk),
            version=version,
        )
        return self._respond(cooperation)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)


def _param(request, key: str) -> int | None:
    value = request.query_params.get(key, "")
    if value and not value.isdigit():
        raise DRFValidationError({key: [_("请填写编号（整数）。")]})
    return int(value) if value else None


class ChainMatchView(APIView):
    """Ranked matches with their explanation: `?node=` or `?ticket=` → `resources`; `?resource=` → `nodes` (gap
    nodes first) and `tickets` (null without the permission to read 诉求)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("node", OpenApiTypes.INT, description="产业链环节 id"),
            OpenApiParameter("ticket", OpenApiTypes.INT, description="诉求（工单）id"),
            OpenApiParameter("resource", OpenApiTypes.INT, description="高校资源 id"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        require(request, "chains.view_universityresource")
        node_id, ticket_id, resource_id = (_param(request, k) for k in ("node", "ticket", "resource"))
        if node_id is not None:
            node = scoped_object_or_404(request, ChainNode.objects.select_related("chain"), node_id)
            matches = matching.resources_for_node(node, limit=MATCH_LIMIT)
            return Response(
                {
                    "node": {"id": node.pk, "name": node.name, "chain": node.chain.name, "status": node.status},
                    "resources": ChainMatchResourceSerializer(matches, many=True).data,
                }
            )
        if ticket_id is not None:
            ticket = scoped_object_or_404(request, Ticket.objects.all(), ticket_id)
            matches = matching.resources_for_ticket(ticket, limit=MATCH_LIMIT)
            return Response(
                {
                    "ticket": {"id": ticket.pk, "number": ticket.number, "title": ticket.title},
                    "resources": ChainMatchResourceSerializer(matches, many=True).data,
                }
            )
        if resource_id is not None:
            resource = scoped_object_or_404(
                request, UniversityResource.objects.select_related("university"), resource_id
            )
            nodes = matching.nodes_for_resource(resource, limit=MATCH_LIMIT)
            tickets = None
            if request.user.has_perm("tickets.view_ticket"):
                found = matching.tickets_for_resource(resource, request.user, limit=MATCH_LIMIT)
                tickets = ChainMatchTicketSerializer(found, many=True).data
            return Response(
                {
                    "resource": ChainResourceBriefSerializer(resource).data,
                    "nodes": ChainMatchNodeSerializer(nodes, many=True).data,
                    "tickets": tickets,
                }
            )
        raise DRFValidationError({"detail": [_("请指定 node、ticket 或 resource 参数。")]})
