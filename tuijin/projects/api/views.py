"""/api/projects/projects/: list, detail, create, update — same services, scoping and optimistic locking as the
pages. Reads return an ETag of the project version; writes require `If-Match` with that ETag (missing → 428,
stale → 412). Service errors are translated by `tuijin.api.exceptions.exception_handler`.

What is not known stays so: 投资领域 / 建设性质 / 投资主体 take "" or null (未填); `total_investment` is nullable
and takes a number or text ("20亿元", "约20亿元" — 约 sets `total_investment_approx`); the four 开工/竣工 dates
take "2024-03-15", "2024-03", "2024年" … and come back as the first day plus `<name>_precision` (day/month/year)."""

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from tuijin.api.exceptions import if_match_version
from tuijin.api.viewsets import ScopedViewSetMixin

from .. import services
from ..filtersets import ProjectFilterSet
from ..models import AnnualPlan, Project
from .serializers import AnnualPlanInputSerializer, AnnualPlanSerializer, ProjectInputSerializer, ProjectSerializer

__all__ = ["AnnualPlanViewSet", "ProjectViewSet"]

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag from the last GET (the project version), e.g. "3".',
)


def _api_queryset(queryset):
    """Only what the serializer reads: one query per relation, whatever the page size."""
    return queryset.select_related("responsible_unit", "industry").prefetch_related(
        "levels", "sponsors", "funding_sources", "special_list_entries__special_list"
    )


def _to_input(data: dict) -> services.ProjectInput:
    fields = {k: v for k, v in data.items() if k in services.PROJECT_FIELDS}
    return services.ProjectInput(
        fields=fields,
        levels=data.get("levels"),
        sponsors=data.get("sponsors"),
        special_lists=[(row["code"], row.get("batch", "")) for row in data["special_lists"]]
        if "special_lists" in data
        else None,
        funding=[services.FundingRow(r["kind"], r["amount"], r.get("note", "")) for r in data["funding"]]
        if "funding" in data
        else None,
        stage=data.get("stage"),
        stage_reason=data.get("stage_reason", ""),
        message="API",
    )


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH], request=ProjectInputSerializer),
    partial_update=extend_schema(parameters=[IF_MATCH], request=ProjectInputSerializer),
    create=extend_schema(request=ProjectInputSerializer),
)
class ProjectViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    ordering_fields = ["name", "total_investment", "actual_start", "last_updated", "ndl_days_to_permit"]

    def get_queryset(self):
        return _api_queryset(super().get_queryset())

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = f'"{response.data["version"]}"'
        return response

    def create(self, request, *args, **kwargs):
        serializer = ProjectInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        project = services.project_create(actor=request.user, data=_to_input(serializer.validated_data))
        return self._respond(project, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        project = self.get_object()
        version = if_match_version(request)
        serializer = ProjectInputSerializer(project, data=request.data, partial=partial, context={"request": request})
        serializer.is_valid(raise_exception=True)
        if "stage" in serializer.validated_data or "stage_reason" in serializer.validated_data:
            raise exceptions.ValidationError({"stage": "项目阶段须通过阶段变更办理（页面“变更阶段”），不能直接修改。"})
        project = services.project_update(
            actor=request.user, project=project, version=version, data=_to_input(serializer.validated_data)
        )
        return self._respond(project, status.HTTP_200_OK)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def _respond(self, project, code):
        instance = _api_queryset(Project.objects.filter(pk=project.pk)).get()
        response = Response(ProjectSerializer(instance, context={"request": self.request}).data, status=code)
        response["ETag"] = f'"{instance.version}"'
        return response


class AnnualPlanFilterSet(django_filters.FilterSet):
    class Meta:
        model = AnnualPlan
        fields = ["year", "project", "status"]


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH], request=AnnualPlanInputSerializer),
    partial_update=extend_schema(parameters=[IF_MATCH], request=AnnualPlanInputSerializer),
    create=extend_schema(request=AnnualPlanInputSerializer),
)
class AnnualPlanViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """/api/projects/plans/: annual plans. Create and update need `change_annualplan` and a project in the caller's
    change scope (as the plan page); they save drafts through `annual_plan_save` (same validation: 12 months summing
    to the annual figure, an approved baseline is not changed — 400 `plan_locked`). Updates need `If-Match`."""

    queryset = AnnualPlan.objects.all()
    serializer_class = AnnualPlanSerializer
    filterset_class = AnnualPlanFilterSet
    ordering_fields = ["year", "planned_investment", "last_updated"]

    @property
    def permission_action(self) -> str:
        return "change" if self.request.method in ("POST", "PUT", "PATCH") else "view"

    def get_queryset(self):
        return super().get_queryset().select_related("project__responsible_unit").order_by("-year", "project_id")

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = f'"{response.data["version"]}"'
        return response

    def create(self, request, *args, **kwargs):
        serializer = AnnualPlanInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        plan = services.annual_plan_save(
            actor=request.user,
            project=data["project"],
            year=data["year"],
            planned_investment=data["planned_investment"],
            progress_target=data.get("progress_target", ""),
            monthly_plan=data.get("monthly_plan"),
            planned_start_quarter=data.get("planned_start_quarter"),
            planned_start_month=data.get("planned_start_month"),
            planned_finish_month=data.get("planned_finish_month"),
            version=0,  # a plan of that year created meanwhile (or already there) is a conflict, never overwritten
        )
        return self._respond(plan, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        plan = self.get_object()
        version = if_match_version(request)
        current = {
            "project": plan.project_id,
            "year": plan.year,
            "planned_investment": plan.planned_investment,
            "monthly_plan": plan.monthly_plan,
            "planned_start_quarter": plan.planned_start_quarter,
            "planned_start_month": plan.planned_start_month,
            "planned_finish_month": plan.planned_finish_month,
            "progress_target": plan.progress_target,
        }
        body = {**current, **request.data} if partial else {**request.data, "project": plan.project_id}
        body.setdefault("year", plan.year)
        serializer = AnnualPlanInputSerializer(data=body, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["project"].pk != plan.project_id or data["year"] != plan.year:
            raise exceptions.ValidationError({"year": "不能修改计划的项目或年度，请新建该年度计划。"})
        plan = services.annual_plan_save(
            actor=request.user,
            project=plan.project,
            year=plan.year,
            planned_investment=data["planned_investment"],
            progress_target=data.get("progress_target", ""),
            monthly_plan=data.get("monthly_plan"),
            planned_start_quarter=data.get("planned_start_quarter"),
            planned_start_month=data.get("planned_start_month"),
            planned_finish_month=data.get("planned_finish_month"),
            version=version if version is not None else -1,
        )
        return self._respond(plan, status.HTTP_200_OK)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def _respond(self, plan, code):
        instance = AnnualPlan.objects.select_related("project__responsible_unit").get(pk=plan.pk)
        response = Response(AnnualPlanSerializer(instance, context={"request": self.request}).data, status=code)
        response["ETag"] = f'"{instance.version}"'
        return response
