"""API of 督办 (/api/supervision/): meetings, tasks with their workflow actions, and reading a report.

Reads are scoped like the pages (out of scope → 404); writes go through the same services, so the permission,
scope, validation and optimistic lock are the services' (errors translated by tuijin.api.exceptions: 400 with
{detail, code}, 403, 412 on a stale version)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from tuijin.api.viewsets import ScopedViewSetMixin, VersionedRowMixin
from tuijin.core.permissions import require
from tuijin.org.models import OrgUnit, Person

from .. import selectors, services
from ..choices import MeetingKind, TaskSource
from ..models import Meeting, Task

__all__ = ["MeetingViewSet", "ReadingView", "TaskViewSet", "register"]


class MeetingSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "kind_display",
            "title",
            "held_on",
            "place",
            "organiser",
            "chair",
            "leaders",
            "units",
            "agenda",
            "speakers",
            "minutes",
            "places",
            "enterprises_visited",
            "lessons",
            "version",
            "created",
            "last_updated",
        ]
        read_only_fields = ["version", "created", "last_updated"]


class MeetingInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    title = serializers.CharField(max_length=200)
    held_on = serializers.DateField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    organiser = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False)
    chair = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    leaders = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), many=True, required=False)
    units = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), many=True, required=False)
    agenda = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    speakers = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    minutes = serializers.CharField(required=False, allow_blank=True, max_length=50000)
    places = serializers.CharField(max_length=300, required=False, allow_blank=True)
    enterprises_visited = serializers.CharField(max_length=500, required=False, allow_blank=True)
    lessons = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    version = serializers.IntegerField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:  # the schema generator
            return
        user = request.user
        # only records the caller may see can be referred to (the rest read as "does not exist")
        self.fields["organiser"].queryset = OrgUnit.objects.restrict(user, "view")
        self.fields["units"].child_relation.queryset = OrgUnit.objects.restrict(user, "view")
        self.fields["chair"].queryset = Person.objects.restrict(user, "view")
        self.fields["leaders"].child_relation.queryset = Person.objects.restrict(user, "view")


class TaskSerializer(serializers.ModelSerializer):
    colour = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "number",
            "title",
            "content",
            "source",
            "source_display",
            "meeting",
            "source_reference",
            "responsible_unit",
            "co_units",
            "leader",
            "assigned_on",
            "deadline_workdays",
            "deadline",
            "report_every_workdays",
            "status",
            "status_display",
            "colour",
            "escalation_level",
            "last_progress_on",
            "close_requested_on",
            "finished_on",
            "result",
            "projects",
            "leads",
            "tickets",
            "version",
            "created",
            "last_updated",
        ]
        read_only_fields = fields

    def get_colour(self, obj) -> str:
        return getattr(obj, "colour", None) or selectors.colour_of(obj)


class TaskInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=5000)
    source = serializers.ChoiceField(choices=TaskSource.choices)  # type: ignore[assignment]
    meeting = serializers.PrimaryKeyRelatedField(queryset=Meeting.objects.all(), required=False, allow_null=True)
    source_reference = serializers.CharField(max_length=300, required=False, allow_blank=True)
    responsible_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    co_units = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), many=True, required=False)
    leader = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    deadline_workdays = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=500)
    report_every_workdays = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:  # the schema generator
            return
        user = request.user
        self.fields["meeting"].queryset = Meeting.objects.restrict(user, "view")
        self.fields["responsible_unit"].queryset = OrgUnit.objects.restrict(user, "view")
        self.fields["co_units"].child_relation.queryset = OrgUnit.objects.restrict(user, "view")
        self.fields["leader"].queryset = Person.objects.restrict(user, "view")


class TaskProgressSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    note = serializers.CharField(max_length=5000)


class TaskCloseSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    result = serializers.CharField(max_length=5000)


class TaskReviewSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    approve = serializers.BooleanField()
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class TaskCancelSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    reason = serializers.CharField(max_length=5000)


@extend_schema_view(create=extend_schema(request=MeetingInputSerializer))
class MeetingViewSet(
    VersionedRowMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    GenericViewSet,
):
    queryset = Meeting.objects.all()
    serializer_class = MeetingSerializer
    row_serializer = MeetingSerializer
    filterset_fields = ["kind", "held_on"]
    ordering_fields = ["held_on", "created"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("leaders", "units").order_by("-held_on", "-pk")

    def create(self, request, *args, **kwargs):
        serializer = MeetingInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        meeting = services.meeting_create(actor=request.user, data=data)
        return self._respond(meeting, status.HTTP_201_CREATED)


@extend_schema_view(create=extend_schema(request=TaskInputSerializer))
class TaskViewSet(
    VersionedRowMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    GenericViewSet,
):
    queryset = Task.objects.all()
    serializer_class = TaskSerializer
    row_serializer = TaskSerializer
    filterset_fields = ["status", "source", "meeting", "responsible_unit", "leader"]
    ordering_fields = ["deadline", "assigned_on", "number"]

    def get_queryset(self):
        queryset = super().get_queryset().prefetch_related("co_units", "projects", "leads", "tickets")
        return selectors.with_colour(queryset).order_by("deadline", "pk")

    def get_permissions(self):
        if self.action in ("progress", "close", "review", "cancel"):
            self.permission_action = "view"  # the service checks its own permission and the scope
        return super().get_permissions()

    def fresh_row(self, obj):
        return selectors.with_colour(Task.objects.prefetch_related("co_units", "projects", "leads", "tickets")).get(
            pk=obj.pk
        )

    def create(self, request, *args, **kwargs):
        serializer = TaskInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["co_units"] = data.get("co_units", [])
        task = services.task_create(actor=request.user, **data)
        return self._respond(task, status.HTTP_201_CREATED)

    @extend_schema(request=TaskProgressSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        """报告进展 (the responsible or a co unit)."""
        task = self.get_object()
        data = _valid(TaskProgressSerializer, request)
        return self._respond(
            services.task_report_progress(actor=request.user, task=task, version=data["version"], note=data["note"])
        )

    @extend_schema(request=TaskCloseSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """申请办结: needs at least one evidence file already on the task (uploaded on the task's page)."""
        task = self.get_object()
        data = _valid(TaskCloseSerializer, request)
        return self._respond(
            services.task_request_close(actor=request.user, task=task, version=data["version"], result=data["result"])
        )

    @extend_schema(request=TaskReviewSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """审核办结: approve (已办结) or return with a comment."""
        task = self.get_object()
        data = _valid(TaskReviewSerializer, request)
        return self._respond(
            services.task_review(
                actor=request.user,
                task=task,
                version=data["version"],
                approve=data["approve"],
                comment=data.get("comment", ""),
            )
        )

    @extend_schema(request=TaskCancelSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        task = self.get_object()
        data = _valid(TaskCancelSerializer, request)
        return self._respond(
            services.task_cancel(actor=request.user, task=task, version=data["version"], reason=data["reason"])
        )


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ReadingInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=50000)
    held_on = serializers.DateField(required=False, allow_null=True)


class ReadingView(GenericViewSet):
    """POST /api/supervision/readings/: the candidates read from a report, for review (nothing is created)."""

    queryset = Meeting.objects.all()
    serializer_class = ReadingInputSerializer

    def get_permissions(self):
        self.permission_action = "add"
        return super().get_permissions()

    @extend_schema(request=ReadingInputSerializer, responses={200: dict})  # a reading, not a created row
    def create(self, request, *args, **kwargs):
        from ..lexicon import lexicon_for, rules_from_db
        from ..reading import read_report

        require(request, "supervision.add_meeting")
        data = _valid(ReadingInputSerializer, request)
        try:
            reading = read_report(
                data["text"],
                lexicon=lexicon_for(request.user),
                rules=rules_from_db(),
                today=data.get("held_on") or timezone.localdate(),
            )
        except ValueError as exc:
            return Response({"detail": str(exc), "code": "invalid"}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {
                "text": reading.text,
                "sentences": [list(s) for s in reading.sentences],
                "candidates": [
                    {
                        "kind": c.kind,
                        "text": c.text,
                        "sentence": c.sentence,
                        "spans": [list(s) for s in c.spans],
                        "ref": list(c.ref) if c.ref else None,
                        "data": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in c.data.items()},
                    }
                    for c in reading.candidates
                ],
            }
        )


def register(router) -> None:
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("tasks", TaskViewSet, basename="task")
    router.register("readings", ReadingView, basename="reading")
