"""API of 数据公开 (/api/opendata/): the OC4IDS package of the projects in the caller's scope, with the public
fields the office chose. Token or session; audited as an export."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from tuijin.core.permissions import require
from tuijin.projects.models import Project

from .. import selectors, services
from ..models import PublicationSettings

__all__ = ["PackageView"]


class PackageView(APIView):
    """GET: the OC4IDS project package (projects with a 项目代码 in the caller's scope)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        require(request, "opendata.export_publicationsettings")
        row = PublicationSettings.current()
        uri = request.build_absolute_uri(reverse("opendata:public_package"))
        package = selectors.package(Project.objects.restrict(request.user, "view"), uri=uri, row=row)
        services.export_record(
            what="oc4ids", projects=len(package["projects"]), public_fields=row.public, channel="api"
        )
        return Response(package)
