"""/api/tickets/tickets/: scoped list/detail, raise (create → services.ticket_raise) and the workflow actions
(accept / assign / start / resolve / close / rate / return / transfer / unresolvable), each a POST with the ticket
`version` from the last read (ETag): a stale version is 412, a missing permission 403, a ticket outside the caller's
scope 404. /api/tickets/visits/: the inspection registry, list and register (create →
services.inspection_visit_register; the over-limit warnings come back in `warnings`). Service errors are translated
by `tuijin.api.exceptions.exception_handler`."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from tuijin.api.viewsets import ScopedViewSetMixin, VersionedRowMixin
from tuijin.core.permissions import require

from .. import services
from ..models import InspectionVisit, Ticket
from .serializers import (
    AssignSerializer,
    RateSerializer,
    ReasonSerializer,
    ResolveSerializer,
    TicketActionSerializer,
    TicketInputSerializer,
    TicketSerializer,
    TransferSerializer,
    UnresolvableSerializer,
    VisitInputSerializer,
    VisitSerializer,
)

__all__ = ["InspectionVisitViewSet", "TicketViewSet"]

DISPATCH, HANDLE, RATE = "tickets.dispatch_ticket", "tickets.handle_ticket", "tickets.rate_ticket"
WORKFLOW_ACTIONS = ("accept", "assign", "start", "resolve", "close", "rate", "return_", "transfer", "unresolvable")


def _tickets(queryset):
    """Only what the serializer reads: one query per relation, whatever the page size."""
    return queryset.select_related("project", "enterprise", "raised_unit", "lead_unit").prefetch_related("co_units")


class TicketViewSet(
    VersionedRowMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    queryset = Ticket.objects.all()
    serializer_class = TicketSerializer
    filterset_fields = ["status", "category", "source", "project", "enterprise", "lead_unit"]
    ordering_fields = ["raised_at", "resolution_due", "number"]

    def get_queryset(self):
        return _tickets(super().get_queryset())

    def get_permissions(self):
        # Workflow actions are checked by the services (role + scope); the viewset needs only "view" for them.
        if self.action in WORKFLOW_ACTIONS:
            self.permission_action = "view"
        return super().get_permissions()

    row_serializer = TicketSerializer

    def fresh_row(self, obj):
        return _tickets(Ticket.objects.filter(pk=obj.pk)).get()

    @extend_schema(request=TicketInputSerializer, responses={201: TicketSerializer})
    def create(self, request, *args, **kwargs):
        serializer = TicketInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ticket = services.ticket_raise(
            actor=request.user,
            source=data["source"],
            category=data["category"],
            title=data["title"],
            description=data["description"],
            help_requested=data.get("help_requested", ""),
            project=data.get("project"),
            enterprise=data.get("enterprise"),
        )
        return self._respond(ticket, status.HTTP_201_CREATED)

    def _action(self, request, serializer_class, service, permission: str = "", **names):
        """Validate the body with `serializer_class`, then call `service(ticket=…, version=…, **mapped fields)`.
        `permission`: refused (403) before the body is read when the caller lacks it; the service checks again."""
        ticket = self.get_object()
        if permission:
            require(request, permission)  # audited 403
        serializer = serializer_class(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # only what the body gave: an optional field left out takes the service's default (co_units=() …), not None
        kwargs = {target: data[source] for target, source in names.items() if source in data}
        ticket = service(actor=request.user, ticket=ticket, version=data["version"], **kwargs)
        return self._respond(ticket)

    @extend_schema(request=TicketActionSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """受理 (project office)."""
        return self._action(request, TicketActionSerializer, services.ticket_accept, DISPATCH)

    @extend_schema(request=AssignSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """交办 to a lead unit with optional co-operating units (project office)."""
        return self._action(
            request,
            AssignSerializer,
            services.ticket_assign,
            DISPATCH,
            lead_unit="lead_unit",
            co_units="co_units",
            note="note",
        )

    @extend_schema(request=TicketActionSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """开始办理 (the lead unit)."""
        return self._action(request, TicketActionSerializer, services.ticket_start, HANDLE)

    @extend_schema(request=ResolveSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """办结 with the result (the lead unit)."""
        return self._action(request, ResolveSerializer, services.ticket_resolve, HANDLE, result="result")

    @extend_schema(request=TicketActionSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """销号 (whoever raised it, or the project office)."""
        return self._action(request, TicketActionSerializer, services.ticket_close)

    @extend_schema(request=RateSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        """企业评价; 不满意 (with a comment) reopens the ticket for a return visit."""
        return self._action(request, RateSerializer, services.ticket_rate, RATE, rating="rating", comment="comment")

    @extend_schema(request=ReasonSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """退回 to the project office with a reason (the lead unit)."""
        return self._action(request, ReasonSerializer, services.ticket_return, HANDLE, reason="reason")

    @extend_schema(request=TransferSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """转办 to another lead unit with a reason (project office)."""
        return self._action(
            request, TransferSerializer, services.ticket_transfer, DISPATCH, lead_unit="lead_unit", reason="reason"
        )

    @extend_schema(request=UnresolvableSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def unresolvable(self, request, pk=None):
        """无法解决, with the explanation given to whoever raised it (project office)."""
        return self._action(
            request, UnresolvableSerializer, services.ticket_unresolvable, DISPATCH, explanation="explanation"
        )


class InspectionVisitViewSet(ScopedViewSetMixin, mixins.ListModelMixin, GenericViewSet):
    queryset = InspectionVisit.objects.select_related("enterprise", "visiting_unit")
    serializer_class = VisitSerializer
    filterset_fields = ["enterprise", "visiting_unit", "visited_on"]
    ordering_fields = ["visited_on", "created"]

    @extend_schema(
        request=VisitInputSerializer,
        responses={
            201: inline_serializer(
                "VisitCreated",
                {"visit": VisitSerializer(), "warnings": serializers.ListField(child=serializers.CharField())},
            )
        },
    )
    def create(self, request, *args, **kwargs):
        serializer = VisitInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        visit, warnings = services.inspection_visit_register(actor=request.user, **serializer.validated_data)
        visit = InspectionVisit.objects.select_related("enterprise", "visiting_unit").get(pk=visit.pk)
        return Response({"visit": VisitSerializer(visit).data, "warnings": warnings}, status=status.HTTP_201_CREATED)
