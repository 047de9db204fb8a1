"""Ticket and inspection-visit API serializers: output serializers, and input serializers that only type the data —
the rules are applied by the same services the pages use.

What an enterprise user sees: its own tickets (scope) with every field a government user sees, except the internal
supervision fields `escalation_level` (超期升级层级) and `from_problem` (the internal report-problem id). No field
names a user account: people are shown by unit (提出单位, 牵头单位)."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from tuijin.org.choices import UnitType
from tuijin.org.models import OrgUnit
from tuijin.projects.models import Project

from ..choices import Rating, TicketSource
from ..models import InspectionVisit, Ticket
from ..views_service import enterprise_only, visitable_enterprises, visiting_units

__all__ = [
    "AssignSerializer",
    "RateSerializer",
    "ReasonSerializer",
    "ResolveSerializer",
    "TicketActionSerializer",
    "TicketInputSerializer",
    "TicketSerializer",
    "TransferSerializer",
    "UnresolvableSerializer",
    "VisitInputSerializer",
    "VisitSerializer",
]

ENTERPRISE_HIDDEN = ("escalation_level", "from_problem")


def _user(serializer: serializers.BaseSerializer):
    request = serializer.context.get("request")  # absent while the OpenAPI schema is generated
    return getattr(request, "user", None)


def _lead_units(user):
    return OrgUnit.objects.restrict(user, "view").filter(is_active=True).exclude(unit_type=UnitType.ENTERPRISE)


class TicketSerializer(serializers.ModelSerializer):
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    rating_display = serializers.CharField(source="get_rating_display", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True, default="")
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True, default="")
    raised_unit_name = serializers.CharField(source="raised_unit.name", read_only=True)
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True, default="")
    co_units: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "version",
            "source",
            "source_display",
            "project",
            "project_name",
            "enterprise",
            "enterprise_name",
            "category",
            "category_display",
            "title",
            "description",
            "help_requested",
            "status",
            "status_display",
            "raised_unit",
            "raised_unit_name",
            "raised_at",
            "lead_unit",
            "lead_unit_name",
            "co_units",
            "responded_at",
            "response_due",
            "resolution_due",
            "is_overdue",
            "resolved_at",
            "closed_at",
            "result",
            "unresolvable_reason",
            "rating",
            "rating_display",
            "rating_comment",
            "reopen_count",
            "escalation_level",
            "from_problem",
            "last_updated",
        ]
        read_only_fields = fields

    def get_is_overdue(self, obj) -> bool:
        return obj.is_open and obj.resolution_due < timezone.localdate()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = _user(self)
        if user is not None and enterprise_only(user):
            for name in ENTERPRISE_HIDDEN:
                data.pop(name, None)
        return data


class TicketInputSerializer(serializers.Serializer):
    """Raise a ticket (services.ticket_raise): an enterprise user raises for its own enterprise."""

    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[c for c in TicketSource.choices if c[0] != TicketSource.REPORT], default=TicketSource.OTHER
    )
    category = serializers.CharField(
        max_length=20, help_text=gettext_lazy("工单类别代码：/tickets/sla/ 中启用的类别（停用的类别不能用于新工单）。")
    )
    title = serializers.CharField(max_length=100)
    description = serializers.CharField()
    help_requested = serializers.CharField(required=False, allow_blank=True, default="")
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.none(), required=False, allow_null=True)
    enterprise = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.none(), required=False, allow_null=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        self.fields["project"].queryset = Project.objects.restrict(user, "view")  # type: ignore[attr-defined]
        self.fields["enterprise"].queryset = visitable_enterprises(user)  # type: ignore[attr-defined]

    def validate_category(self, value: str) -> str:
        from ..selectors import active_category_choices

        active = dict(active_category_choices())
        if value not in active:
            codes = "、".join(f"{code}（{name}）" for code, name in active.items())
            raise serializers.ValidationError(
                _("工单类别“%(c)s”不存在或已停用。可用的类别：%(list)s。") % {"c": value, "list": codes}
            )
        return value


class TicketActionSerializer(serializers.Serializer):
    version = serializers.IntegerField()


class AssignSerializer(TicketActionSerializer):
    lead_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.none())
    co_units = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.none(), many=True, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = _lead_units(_user(self))
        self.fields["lead_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["co_units"].child_relation.queryset = units  # type: ignore[attr-defined]


class TransferSerializer(TicketActionSerializer):
    lead_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.none())
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = _lead_units(_user(self))  # type: ignore[attr-defined]


class ResolveSerializer(TicketActionSerializer):
    result = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(TicketActionSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class UnresolvableSerializer(TicketActionSerializer):
    explanation = serializers.CharField(required=False, allow_blank=True, default="")


class RateSerializer(TicketActionSerializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class VisitSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    visiting_unit_name = serializers.CharField(source="visiting_unit.name", read_only=True)

    class Meta:
        model = InspectionVisit
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "visiting_unit",
            "visiting_unit_name",
            "visitors",
            "visited_on",
            "purpose",
            "legal_basis",
            "justification",
            "created",
        ]
        read_only_fields = fields


class VisitInputSerializer(serializers.Serializer):
    enterprise = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.none())
    visiting_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.none())
    visitors = serializers.CharField(max_length=200)
    visited_on = serializers.DateField()
    purpose = serializers.CharField(max_length=300)
    legal_basis = serializers.CharField(max_length=300)
    justification = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        self.fields["enterprise"].queryset = visitable_enterprises(user)  # type: ignore[attr-defined]
        self.fields["visiting_unit"].queryset = visiting_units(user)  # type: ignore[attr-defined]
