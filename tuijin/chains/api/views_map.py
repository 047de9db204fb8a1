"""API of the chain map (/api/chains/): chains with their 链长制 and status counts, nodes (CRUD; the status is read
only), a node's enterprises, linking and unlinking leads and projects, the status history, and a full recomputation
(the office). The same services as the pages: the permission, the caller's scope over leads and projects (out of
scope → 404), validation and the optimistic lock (`If-Match` on changes and deletes: 428 without it, 412 when stale);
errors are translated by tuijin.api.exceptions."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from tuijin.api.exceptions import if_match_version
from tuijin.api.viewsets import ScopedViewSetMixin, VersionedRowMixin
from tuijin.core.permissions import require, scoped_object_or_404
from tuijin.investment.models import Lead
from tuijin.org.models import OrgUnit
from tuijin.projects.models import IndustryChain, Project

from .. import maintain, selectors, services
from ..models import ChainNode, ChainRules, NodeEnterprise, NodeStatusChange
from .serializers_map import (
    ChainEnterpriseInputSerializer,
    ChainEnterpriseSerializer,
    ChainLinkSerializer,
    ChainNodeInputSerializer,
    ChainNodeSerializer,
    ChainRefreshSerializer,
    ChainSerializer,
    ChainStatusChangeSerializer,
)

__all__ = [
    "ChainEnterpriseViewSet",
    "ChainNodeViewSet",
    "ChainRefreshViewSet",
    "ChainStatusChangeViewSet",
    "ChainViewSet",
    "register",
]


def _valid(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _resolve(model, pk, field: str, message: str, **filters):
    if pk is None:
        return None
    found = model.objects.filter(pk=pk, **filters).first()
    if found is None:
        raise ValidationError({field: [message]})
    return found


class ChainViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Chains (read): each with its 链长制, node counts by status (district-wide) and this year's 补链 progress."""

    queryset = ChainNode.objects.all()  # the permission read is chains.view_chainnode; the rows are chains
    serializer_class = ChainSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.chains_for_user(self.request.user)

    def list(self, request, *args, **kwargs):
        rows = selectors.chain_rows(request.user)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ChainSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        chain = self.get_object()
        row = next(r for r in selectors.chain_rows(request.user) if r.chain.pk == chain.pk)
        return Response(ChainSerializer(row).data)


@extend_schema_view(
    create=extend_schema(request=ChainNodeInputSerializer),
    update=extend_schema(request=ChainNodeInputSerializer),
    partial_update=extend_schema(request=ChainNodeInputSerializer),
)
class ChainNodeViewSet(
    VersionedRowMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    GenericViewSet,
):
    """Nodes of the chains (filter by chain, status, segment, parent). The status, its reason and the counts are
    computed (read only). Changes and deletes need `If-Match` with the node's ETag."""

    queryset = ChainNode.objects.all()
    serializer_class = ChainNodeSerializer
    row_serializer = ChainNodeSerializer
    filterset_fields = ["chain", "status", "segment", "parent"]
    ordering_fields = ["sort_order", "name", "status_since"]

    def get_queryset(self):
        return super().get_queryset().order_by("chain_id", "sort_order", "pk")

    def get_permissions(self):
        if self.action in ("history", "link_lead", "unlink_lead", "link_project", "unlink_project"):
            self.permission_action = "view"  # the service checks the link permission and the record's scope
        return super().get_permissions()

    def _data(self, request, *, partial: bool) -> dict:
        data = _valid(ChainNodeInputSerializer, request)
        if "parent" in data:
            data["parent"] = _resolve(ChainNode, data["parent"], "parent", _("上级环节不存在。"))
        if not partial and not data.get("name"):
            raise ValidationError({"name": [_("请填写环节名称。")]})
        return data

    def create(self, request, *args, **kwargs):
        data = self._data(request, partial=False)
        chain = _resolve(IndustryChain, data.pop("chain", None), "chain", _("产业链不存在。"))
        if chain is None:
            raise ValidationError({"chain": [_("请指定产业链。")]})
        if not data.get("segment") and data.get("parent") is None:
            raise ValidationError({"segment": [_("一级环节请填写链位。")]})
        if data.get("parent") is not None:
            data.setdefault("segment", data["parent"].segment)
        node = services.node_create(actor=request.user, chain=chain, data=data)
        return self._respond(node, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        node = self.get_object()
        version = if_match_version(request)
        data = self._data(request, partial=kwargs.get("partial", False))
        data.pop("chain", None)
        return self._respond(services.node_update(actor=request.user, node=node, version=version, data=data))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        node = self.get_object()
        services.node_delete(actor=request.user, node=node, version=if_match_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=ChainStatusChangeSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # a plain list (at most 200), as documented
    def history(self, request, pk=None):
        """The node's status changes, newest first (from → to, reason, trigger, time)."""
        node = self.get_object()
        require(request, "chains.view_nodestatuschange")
        rows = NodeStatusChange.objects.filter(node=node).order_by("-time", "-pk")[:200]
        return Response(ChainStatusChangeSerializer(rows, many=True, context={"request": request}).data)

    def _target(self, request, field: str, queryset):
        data = _valid(ChainLinkSerializer, request)
        if not data.get(field):
            raise ValidationError({field: [_("请指定要关联的记录。")]})
        return scoped_object_or_404(request, queryset, data[field], permission=False)

    @extend_schema(request=ChainLinkSerializer, responses=ChainNodeSerializer)
    @action(detail=True, methods=["post"], url_path="link-lead")
    def link_lead(self, request, pk=None):
        """Put a lead (`{"lead": id}`) on the node; a lead out of the caller's scope is 404."""
        node = self.get_object()
        lead = self._target(request, "lead", Lead.objects.all())
        services.lead_link(actor=request.user, node=node, lead=lead)
        return self._respond(node)

    @extend_schema(request=ChainLinkSerializer, responses=ChainNodeSerializer)
    @action(detail=True, methods=["post"], url_path="unlink-lead")
    def unlink_lead(self, request, pk=None):
        node = self.get_object()
        lead = self._target(request, "lead", Lead.objects.all())
        services.lead_unlink(actor=request.user, node=node, lead=lead)
        return self._respond(node)

    @extend_schema(request=ChainLinkSerializer, responses=ChainNodeSerializer)
    @action(detail=True, methods=["post"], url_path="link-project")
    def link_project(self, request, pk=None):
        """Put a key project (`{"project": id}`) on the node; a project out of the caller's scope is 404."""
        node = self.get_object()
        project = self._target(request, "project", Project.objects.all())
        services.project_link(actor=request.user, node=node, project=project)
        return self._respond(node)

    @extend_schema(request=ChainLinkSerializer, responses=ChainNodeSerializer)
    @action(detail=True, methods=["post"], url_path="unlink-project")
    def unlink_project(self, request, pk=None):
        node = self.get_object()
        project = self._target(request, "project", Project.objects.all())
        services.project_unlink(actor=request.user, node=node, project=project)
        return self._respond(node)


@extend_schema_view(
    create=extend_schema(request=ChainEnterpriseInputSerializer),
    update=extend_schema(request=ChainEnterpriseInputSerializer),
    partial_update=extend_schema(request=ChainEnterpriseInputSerializer),
)
class ChainEnterpriseViewSet(
    VersionedRowMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    GenericViewSet,
):
    """A node's local enterprises, 链主 and key suppliers (filter by node, role). Changes and deletes need
    `If-Match`."""

    queryset = NodeEnterprise.objects.all()
    serializer_class = ChainEnterpriseSerializer
    row_serializer = ChainEnterpriseSerializer
    filterset_fields = ["node", "role", "is_local"]

    def get_queryset(self):
        return super().get_queryset().order_by("node_id", "role", "name", "pk")

    def _data(self, request) -> dict:
        data = _valid(ChainEnterpriseInputSerializer, request)
        if "enterprise" in data:
            data["enterprise"] = _resolve(OrgUnit, data["enterprise"], "enterprise", _("企业账号不存在。"))
        return data

    def create(self, request, *args, **kwargs):
        data = self._data(request)
        node = _resolve(ChainNode, data.pop("node", None), "node", _("环节不存在。"))
        if node is None:
            raise ValidationError({"node": [_("请指定环节。")]})
        if not data.get("name"):
            raise ValidationError({"name": [_("请填写企业名称。")]})
        row = services.enterprise_add(actor=request.user, node=node, data=data)
        return self._respond(row, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        row = self.get_object()
        version = if_match_version(request)
        data = self._data(request)
        data.pop("node", None)
        return self._respond(services.enterprise_update(actor=request.user, enterprise=row, version=version, data=data))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        row = self.get_object()
        services.enterprise_remove(actor=request.user, enterprise=row, version=if_match_version(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChainStatusChangeViewSet(ScopedViewSetMixin, mixins.ListModelMixin, GenericViewSet):
    """Every node's status changes, newest first (filter by node, to_status)."""

    queryset = NodeStatusChange.objects.all()
    serializer_class = ChainStatusChangeSerializer
    filterset_fields = ["node", "to_status", "from_status"]

    def get_queryset(self):
        return super().get_queryset().order_by("-time", "-pk")


class ChainRefreshViewSet(GenericViewSet):
    """POST: recompute every node now (the office: who may change the rules). Answers the number of changes."""

    queryset = ChainRules.objects.all()
    serializer_class = ChainRefreshSerializer
    permission_action = "change"

    @extend_schema(request=None, responses={200: ChainRefreshSerializer})  # answers 200, not 201: nothing is created
    def create(self, request, *args, **kwargs):
        changed = maintain.refresh(None, trigger=_("手动重新计算（接口）"))
        return Response({"changed": changed})


def register(router) -> None:
    router.register("chains", ChainViewSet, basename="chain")
    router.register("nodes", ChainNodeViewSet, basename="node")
    router.register("node-enterprises", ChainEnterpriseViewSet, basename="node-enterprise")
    router.register("status-changes", ChainStatusChangeViewSet, basename="status-change")
    router.register("refresh", ChainRefreshViewSet, basename="refresh")
