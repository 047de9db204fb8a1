from rest_framework import serializers

from ..models import ProgressReport, ReportProblem
from ..services import EDITABLE_FIELDS

__all__ = ["ProgressReportSerializer", "ReportActionSerializer", "ReportInputSerializer"]


class ProblemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportProblem
        fields = ["category", "description", "help_requested"]


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


class ReportInputSerializer(serializers.ModelSerializer):
    problems = ProblemSerializer(many=True, required=False)

    class Meta:
        model = ProgressReport
        fields = [*EDITABLE_FIELDS, "problems"]


class ReportActionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)
