"""读入会议报道: paste a report, review every candidate with its sentence highlighted, accept into a meeting (or visit)
and its 督办 tasks. Nothing is created before 确认创建; a refused row shows the review again with everything typed.

Steps, all at /supervision/read/:
1. GET: the paste form.
2. POST step=read: reading.read_report over the text (lexicon and rules from the database) → the review page: the
   meeting's fields prefilled, one row per proposed decision (accept, 事项, 责任单位, 分管领导, 时限), the visit's
   places and lessons, the people, units, enterprises, projects and targets found, each with its sentence.
3. POST step=accept: the same page's fields → services.meeting_create and one services.task_create per accepted row,
   in one transaction.
"""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tuijin.core.permissions import require
from tuijin.org.models import OrgUnit, Person
from tuijin.projects.forms import DateInput

from . import services
from .choices import MeetingKind, TaskSource
from .forms import MeetingForm, apply_errors, leader_choices, style, unit_choices
from .lexicon import lexicon_for, rules_from_db
from .reading import MAX_CHARS, read_report

__all__ = ["read"]

DECISIONS_MAX = 60


class PasteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("报道原文"),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=MAX_CHARS,
        help_text=gettext_lazy("粘贴会议报道或考察学习报道的全文；繁体字、夹带拼音的转载文本会自动规范为简体。"),
    )
    held_on = forms.DateField(label=gettext_lazy("会议日期（报道未写明时使用）"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].error_messages.update(
            required=_("请粘贴报道原文。"), max_length=_("报道过长（超过 %(n)d 字），请分段读入。") % {"n": MAX_CHARS}
        )
        self.fields["held_on"].error_messages["invalid"] = _("请输入正确的日期，如 2026-03-15。")
        style(self)


class DecisionForm(forms.Form):
    accept = forms.BooleanField(label=gettext_lazy("采纳"), required=False)
    title = forms.CharField(
        label=gettext_lazy("督办事项"), max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    content = forms.CharField(label=gettext_lazy("原文"), required=False, widget=forms.HiddenInput)
    responsible_unit = forms.ModelChoiceField(
        label=gettext_lazy("责任单位"), queryset=OrgUnit.objects.none(), required=False
    )
    leader = forms.ModelChoiceField(label=gettext_lazy("分管领导"), queryset=Person.objects.none(), required=False)
    deadline = forms.DateField(label=gettext_lazy("办结时限"), required=False, widget=DateInput())
    deadline_workdays = forms.IntegerField(label=gettext_lazy("或工作日"), required=False, min_value=1, max_value=500)
    source = forms.ChoiceField(choices=TaskSource.choices, widget=forms.HiddenInput, required=False)

    def __init__(self, *args, units=None, leaders=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = units
        self.fields["responsible_unit"].label_from_instance = lambda unit: unit.display_name  # type: ignore[attr-defined]
        self.fields["leader"].queryset = leaders
        self.fields["deadline"].error_messages["invalid"] = _("请输入正确的日期。")
        style(self)
        self.fields["accept"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        if data.get("accept"):
            if not (data.get("title") or "").strip():
                self.add_error("title", _("请填写督办事项。"))
            if data.get("responsible_unit") is None:
                self.add_error("responsible_unit", _("请选择责任单位。"))
            if data.get("deadline") is None and data.get("deadline_workdays") is None:
                self.add_error("deadline", _("请填写办结时限或工作日数。"))
        return data


def _decision_formset(user, data=None, initial=None):
    units, leaders = unit_choices(user), leader_choices(user)
    formset_class = forms.formset_factory(DecisionForm, extra=0, max_num=DECISIONS_MAX, absolute_max=DECISIONS_MAX)
    return formset_class(data, initial=initial, prefix="d", form_kwargs={"units": units, "leaders": leaders})


def _highlight(text: str, spans: list[tuple[int, int]], offset: int) -> str:
    """The sentence as HTML with the spans (document offsets) marked; everything escaped."""
    marks = sorted(
        {(max(s - offset, 0), min(e - offset, len(text))) for s, e in spans if e > offset and s < offset + len(text)}
    )
    html: list[str] = []
    pos = 0
    for s, e in marks:
        s = max(s, pos)
        if s >= e:
            continue
        html.append(escape(text[pos:s]))
        html.append("<mark>%s</mark>" % escape(text[s:e]))
        pos = e
    html.append(escape(text[pos:]))
    return mark_safe("".join(html))  # noqa: S308  (every piece escaped above)


def _sentence(reading, candidate) -> str:
    """The candidate's sentence with its marks; a decision's first span is the whole decision, so only its marker,
    unit and deadline are marked (the parts the user checks)."""
    start, end = reading.sentences[candidate.sentence]
    spans = candidate.spans[1:] if candidate.kind == "decision" else candidate.spans
    return _highlight(reading.text[start:end], spans, start)


def _ref_pk(ref, kind: str) -> int | None:
    return ref[1] if isinstance(ref, tuple | list) and len(ref) == 2 and ref[0] == kind else None


def _person_pk(name: str | None, people: dict[str, int]) -> int | None:
    return people.get(name or "")


def _review_context(request, reading, paste: PasteForm) -> dict:
    """The review page's forms, prefilled from the candidates."""
    user = request.user
    fallback = paste.cleaned_data.get("held_on") or timezone.localdate()
    people: dict[str, int] = {}
    for c in reading.candidates:
        pk = _ref_pk(c.ref, "person") if c.kind == "person" else None
        if pk is not None:
            people[c.text] = pk
    meeting_candidate = next((c for c in reading.candidates if c.kind == "meeting"), None)
    visit = next((c for c in reading.candidates if c.kind == "visit"), None)
    lessons = [c for c in reading.candidates if c.kind == "lesson"]
    meeting_data = meeting_candidate.data if meeting_candidate else {}
    kind = meeting_data.get("kind") or (MeetingKind.STUDY_VISIT if visit else MeetingKind.SPECIAL)
    held_on = meeting_data.get("date") or fallback
    unit_pks = sorted(
        {pk for c in reading.candidates if c.kind == "unit" and (pk := _ref_pk(c.ref, "unit")) is not None}
    )
    initial = {
        "kind": kind,
        "title": (meeting_data.get("title") or _("会议"))[:200],
        "held_on": held_on,
        "place": (meeting_data.get("place") or "")[:200],
        "chair": _person_pk(meeting_data.get("chair"), people),
        "leaders": [pk for name in meeting_data.get("attendees", []) if (pk := _person_pk(name, people))],
        "units": unit_pks,
        "places": "、".join(visit.data.get("places", [])) if visit else "",
        "enterprises_visited": "、".join(visit.data.get("enterprises", [])) if visit else "",
        "lessons": "\n".join(c.text for c in lessons),
    }
    meeting_form = MeetingForm(user=user, initial=initial)
    source = TaskSource.VISIT if kind == MeetingKind.STUDY_VISIT else TaskSource.MEETING
    decisions = [c for c in reading.candidates if c.kind == "decision"][:DECISIONS_MAX]
    rows = []
    for c in decisions:
        rows.append(
            {
                "accept": c.data.get("unit_ref") is not None,
                "title": c.text[:200],
                "content": c.text,
                "responsible_unit": _ref_pk(c.data.get("unit_ref"), "unit"),
                "deadline": c.data.get("deadline"),
                "deadline_workdays": c.data.get("workdays"),
                "source": source,
            }
        )
    formset = _decision_formset(user, initial=rows)
    return _page_context(reading, meeting_form, formset, decisions, paste.cleaned_data["text"], held_on)


def _page_context(reading, meeting_form, formset, decisions, original: str, held_on) -> dict:
    sentences = [_sentence(reading, c) for c in decisions]
    found = []
    for c in reading.candidates:
        if c.kind in ("person", "unit", "enterprise", "project", "chain", "region", "place", "target", "peer"):
            found.append({"candidate": c, "sentence": _sentence(reading, c)})
    return {
        "meeting_form": meeting_form,
        "formset": formset,
        "rows": list(zip(formset.forms, sentences, decisions, strict=False)),
        "found": found,
        "reading": reading,
        "original": original,
        "held_on": held_on,
        "step": "review",
    }


def _reading_of(request, text: str, held_on: date | None):
    return read_report(
        text, lexicon=lexicon_for(request.user), rules=rules_from_db(), today=held_on or timezone.localdate()
    )


@require_http_methods(["GET", "POST"])
@login_required
def read(request):
    require(request, "supervision.add_meeting")
    step = request.POST.get("step", "")
    paste = PasteForm(request.POST or None)
    if request.method == "GET" or not paste.is_valid():
        return render(
            request,
            "supervision/read.html",
            {"paste": paste, "step": "paste"},
            status=400 if request.method == "POST" else 200,
        )
    try:
        reading = _reading_of(request, paste.cleaned_data["text"], paste.cleaned_data.get("held_on"))
    except ValueError as exc:
        paste.add_error("text", str(exc))
        return render(request, "supervision/read.html", {"paste": paste, "step": "paste"}, status=400)
    if step != "accept":
        context = _review_context(request, reading, paste)
        context["paste"] = paste
        return render(request, "supervision/read.html", context)
    return _accept(request, reading, paste)


def _accept(request, reading, paste: PasteForm):
    """Create the meeting and the accepted tasks, or show the review again (400) with what was typed."""
    require(request, "supervision.add_task")
    meeting_form = MeetingForm(request.POST, user=request.user)
    formset = _decision_formset(request.user, data=request.POST)
    decisions = [c for c in reading.candidates if c.kind == "decision"][:DECISIONS_MAX]
    context = _page_context(reading, meeting_form, formset, decisions, paste.cleaned_data["text"], None)
    context["paste"] = paste
    if not (meeting_form.is_valid() and formset.is_valid()):
        return render(request, "supervision/read.html", context, status=400)
    accepted = [f.cleaned_data for f in formset.forms if f.cleaned_data.get("accept")]
    try:
        with transaction.atomic():
            data = meeting_form.service_data()
            data["source_text"] = paste.cleaned_data["text"]
            meeting = services.meeting_create(actor=request.user, data=data)
            source = TaskSource.VISIT if meeting.kind == MeetingKind.STUDY_VISIT else TaskSource.MEETING
            for i, row in enumerate(accepted):
                try:
                    services.task_create(
                        actor=request.user,
                        title=row["title"],
                        content=row["content"] or row["title"],
                        source=source,
                        meeting=meeting,
                        source_sentence=row["content"],
                        responsible_unit=row["responsible_unit"],
                        leader=row["leader"],
                        assigned_on=max(meeting.held_on, timezone.localdate()),
                        deadline=row["deadline"] if row.get("deadline_workdays") is None else None,
                        deadline_workdays=row.get("deadline_workdays"),
                    )
                except ValidationError as exc:
                    form = [f for f in formset.forms if f.cleaned_data.get("accept")][i]
                    apply_errors(form, exc)
                    raise
    except ValidationError as exc:
        if not formset.total_error_count():
            apply_errors(meeting_form, exc)
        return render(request, "supervision/read.html", context, status=400)
    except PermissionDenied as exc:
        meeting_form.add_error(None, str(exc))
        return render(request, "supervision/read.html", context, status=400)
    messages.success(
        request,
        _("已创建会议“%(m)s”和 %(n)d 项督办事项，已通知各责任单位。") % {"m": meeting.title, "n": len(accepted)},
    )
    return redirect(meeting.get_absolute_url())
