from django.utils.translation import gettext as _
from rest_framework import serializers

from tuijin.projects.models import Project

from ..models import ProgressReport, ReportAnomaly, ReportEvent, ReportProblem
from ..services import EDITABLE_FIELDS

__all__ = [
    "AnomalyCountSerializer",
    "ProgressReportDetailSerializer",
    "ProgressReportSerializer",
    "ReportActionSerializer",
    "ReportCreateSerializer",
    "ReportInputSerializer",
]


class ProblemSerializer(serializers.ModelSerializer):
    # In a write, a row naming the `id` of one of the report's problems updates that problem; rows without an id
    # are matched by content or added; problems not named are removed (`services._problems_apply`).
    id = serializers.IntegerField(required=False, allow_null=True)

    class Meta:
        model = ReportProblem
        fields = ["id", "category", "description", "help_requested"]


class ReportEventSerializer(serializers.ModelSerializer):
    type_display = serializers.CharField(source="get_type_display", read_only=True)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ReportEvent
        fields = ["type", "type_display", "actor", "created", "data"]
        read_only_fields = fields

    def get_actor(self, obj) -> str:
        actor = obj.actor
        if actor is None:
            return _("系统")
        return getattr(actor, "display_name", "") or actor.get_username()


class ProgressReportSerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    problems = ProblemSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "version",
            "project",
            "project_name",
            "period",
            "status",
            "status_display",
            *EDITABLE_FIELDS,
            "return_reason",
            "submitted_at",
            "unit_reviewed_at",
            "office_reviewed_at",
            "problems",
            "last_updated",
        ]
        read_only_fields = fields


class ReportAnomalySerializer(serializers.ModelSerializer):
    """A 数据异常 flag (progress/anomalies.py): the rule, its reason in Chinese and the figures behind it."""

    code_display = serializers.CharField(source="get_code_display", read_only=True)

    class Meta:
        model = ReportAnomaly
        fields = ["code", "code_display", "reason", "data"]
        read_only_fields = fields


class ProgressReportDetailSerializer(ProgressReportSerializer):
    """One report with its timeline (newest first), e.g. a 代填 with its reason, and its 数据异常 flags: detail and
    write responses (a submission's response says what was flagged; nothing is blocked)."""

    events = ReportEventSerializer(many=True, read_only=True)
    anomalies = ReportAnomalySerializer(many=True, read_only=True)

    class Meta(ProgressReportSerializer.Meta):
        fields = [*ProgressReportSerializer.Meta.fields, "events", "anomalies"]
        read_only_fields = fields


class ReportInputSerializer(serializers.ModelSerializer):
    """The editable figures of a draft, its problems (存在问题), and how it is written: `submit` submits it in the
    same step; `on_behalf_reason` makes the write a 代填 by the project office (required for an office user who
    does not fill in reports itself)."""

    problems = ProblemSerializer(many=True, required=False)
    submit = serializers.BooleanField(required=False, default=False, write_only=True)
    on_behalf_reason = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=300, write_only=True
    )

    class Meta:
        model = ProgressReport
        fields = [*EDITABLE_FIELDS, "problems", "submit", "on_behalf_reason"]


class ReportCreateSerializer(ReportInputSerializer):
    """A month's first report for a project in the caller's scope (else 400: the project does not exist for them).
    `period` is the month: `2026-10` or any date of it."""

    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.none())
    period = serializers.DateField(input_formats=["%Y-%m", "iso-8601"])

    class Meta(ReportInputSerializer.Meta):
        fields = ["project", "period", *ReportInputSerializer.Meta.fields]
        validators: list = []  # (project, period) taken meanwhile is the service's conflict (412 with the report)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["project"].queryset = Project.objects.restrict(getattr(request, "user", None), "change")


class ReportActionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class AnomalyCountSerializer(serializers.Serializer):
    """数据异常 of a month for one responsible unit: flags per kind, and the flagged reports."""

    unit = serializers.IntegerField(source="unit_id")
    unit_name = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    total = serializers.IntegerField()
    reports = serializers.IntegerField()
