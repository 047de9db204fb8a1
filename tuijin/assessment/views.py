"""Pages of 考核评价 (/assessment/): rounds and their ranking by group (红黑榜), a unit's score line by line with
the evidence and the points still available, appeals, bonuses and deductions, the 容错 register, the rubrics and
their versions, and the ranking as XLSX and DOCX.

Thin: forms parse, services decide, selectors read. The ranking of a published round is readable by every role
holding `view_round`; a unit's lines only within scope (404 outside); an open (试算) round's ranking only by the
项目办. Refused input shows the form again (400) with the Chinese error; a stale version shows the conflict page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.conflicts import conflict_response
from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.history import object_history
from tuijin.core.permissions import deny, require, scoped_object_or_404

from . import exports, selectors, services
from .choices import CRITERIA, AppealStatus, CaseDecision, RoundStatus
from .forms import (
    AdjustmentForm,
    AppealDecideForm,
    AppealForm,
    CaseDecideForm,
    CaseForm,
    ExemptionForm,
    GroupForm,
    IndicatorForm,
    PublishForm,
    RoundCreateForm,
    RubricForm,
    VersionForm,
)
from .metrics import METRICS
from .models import (
    Adjustment,
    Appeal,
    Exemption,
    Indicator,
    LeniencyCase,
    Round,
    Rubric,
    RubricGroup,
    RubricVersion,
    ScoreLine,
    UnitScore,
)
from .rules import describe_rule

ADJUSTMENT_CATEGORIES = ["集中开工活动", "单月固投突破", "省级观摩点评优秀", "上级通报批评", "约谈", "督查发现问题"]


def _message(exc: Exception) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


def _submit(request, form, action, *, title: str, success, next_url):
    """The POST of a form page: when `form` is valid run `action(cleaned_data)`; then redirect to `next_url` (a URL, or
    a function of the action's result) with `success` (a text, or a function of the result). A stale version shows
    the conflict page; a refusal goes onto the form, shown again with what was typed. None: show the form again."""
    if not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except ConflictError as exc:
        return conflict_response(request, exc, title=title, rows=[], retry_url=request.path, back_url=request.path)
    except (ApplicationError, ValidationError, PermissionDenied) as exc:
        form.add_error(None, _message(exc))
        return None
    messages.success(request, success(result) if callable(success) else success)
    return redirect(next_url(result) if callable(next_url) else next_url)


def _round_or_404(request, pk: int) -> Round:
    require(request, "view", Round)
    round_ = get_object_or_404(Round.objects.select_related("rubric", "rubric_version"), pk=pk)
    return round_


@login_required
def index(request):
    require(request, "view", Round)
    can_run = request.user.has_perm("assessment.publish_round")
    form = RoundCreateForm(request.POST or None) if can_run else None
    if request.method == "POST":
        require(request, "add", Round)
        assert form is not None
        if form.is_valid():
            try:
                round_ = services.round_create(
                    actor=request.user, rubric=form.cleaned_data["rubric"], anchor=form.cleaned_data["anchor"]
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已建立考核：%(l)s") % {"l": round_.label})
                return redirect(round_.get_absolute_url())
    rounds = list(selectors.rounds_for(request.user)[:60])
    my_units = []
    if request.user.has_perm("assessment.view_unitscore"):
        mine = (
            UnitScore.objects.restrict(request.user, "view")
            .exclude(round__status=RoundStatus.OPEN)
            .values_list("unit_id", "unit__name")
            .distinct()
        )
        if not request.user.has_perm("assessment.publish_round"):
            my_units = sorted(set(mine))[:10]
    return render(
        request,
        "assessment/index.html",
        {
            "rounds": rounds,
            "rubrics": Rubric.objects.filter(is_active=True),
            "form": form,
            "can_run": can_run,
            "my_units": my_units,
            "open_appeals": selectors.open_appeals().count()
            if request.user.has_perm("assessment.decide_appeal")
            else 0,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def round_detail(request, pk: int):
    round_ = _round_or_404(request, pk)
    office = request.user.has_perm("assessment.publish_round")
    if round_.is_open and not office:
        # 试算: a unit reads its own lines, not the ranking
        mine = list(
            UnitScore.objects.restrict(request.user, "view").filter(round=round_).values_list("unit_id", flat=True)[:2]
        )
        if len(mine) != 1:
            raise Http404(_("对象不存在。"))
        return redirect("assessment:unit_score", pk=round_.pk, unit_id=mine[0])
    round_ = selectors.fresh(round_)
    in_scope = set(
        UnitScore.objects.restrict(request.user, "view").filter(round=round_).values_list("unit_id", flat=True)
    )
    return render(
        request,
        "assessment/round.html",
        {
            "round": round_,
            "groups": selectors.ranking(round_),
            "in_scope": in_scope,
            "office": office,
            "publish_form": PublishForm(initial={"version": round_.version}) if office and round_.is_open else None,
            "appeals": selectors.open_appeals(round_).count() if office else 0,
            "history": object_history(round_, limit=20) if office else [],
        },
    )


@require_POST
@login_required
def round_recompute(request, pk: int):
    require(request, "publish", Round)
    round_ = _round_or_404(request, pk)
    services.round_recompute(actor=request.user, round_=round_)
    messages.success(request, _("已按最新数据重新计算。"))
    return redirect(round_.get_absolute_url())


@require_POST
@login_required
def round_publish(request, pk: int):
    require(request, "publish", Round)
    round_ = _round_or_404(request, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请检查申诉截止日期。"))
        return redirect(round_.get_absolute_url())
    try:
        services.round_publish(
            actor=request.user,
            round_=round_,
            expected_version=form.cleaned_data["version"],
            appeal_until=form.cleaned_data["appeal_until"],
        )
    except ConflictError as exc:
        return conflict_response(
            request,
            exc,
            title=_("发布考核结果"),
            rows=[],
            retry_url=round_.get_absolute_url(),
            back_url=round_.get_absolute_url(),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(round_.get_absolute_url())
    messages.success(request, _("已发布，各单位已收到通知。"))
    return redirect(round_.get_absolute_url())


@require_POST
@login_required
def round_close(request, pk: int):
    require(request, "publish", Round)
    round_ = _round_or_404(request, pk)
    try:
        services.round_close(actor=request.user, round_=round_, expected_version=int(request.POST.get("version", 0)))
    except ConflictError as exc:
        return conflict_response(
            request,
            exc,
            title=_("考核定稿"),
            rows=[],
            retry_url=round_.get_absolute_url(),
            back_url=round_.get_absolute_url(),
        )
    except (ApplicationError, ValueError) as exc:
        messages.error(request, _message(exc))
        return redirect(round_.get_absolute_url())
    messages.success(request, _("已定稿。"))
    return redirect(round_.get_absolute_url())


@login_required
def unit_score(request, pk: int, unit_id: int):
    round_ = _round_or_404(request, pk)
    require(request, "view", UnitScore)
    round_ = selectors.fresh(round_)
    score = selectors.score_with_lines(round_, unit_id)
    if score is None:
        raise Http404(_("对象不存在。"))
    scoped_object_or_404(request, UnitScore.objects.filter(round=round_), score.pk)
    can_appeal = (
        round_.status == RoundStatus.PUBLISHED
        and request.user.has_perm("assessment.appeal_unitscore")
        and UnitScore.objects.restrict(request.user, "appeal").filter(pk=score.pk).exists()
    )
    lines = ScoreLine.objects.filter(score=score).order_by("sort_order", "pk")
    form = (
        AppealForm(request.POST or None, lines=lines, initial={"line": request.GET.get("line")}) if can_appeal else None
    )
    status = 200
    if request.method == "POST":
        if form is None:
            deny(request, action="assessment.appeal_unitscore", message=_("现在不能对该得分申诉。"))
        assert form is not None
        if form.is_valid():
            try:
                services.appeal_submit(actor=request.user, **form.cleaned_data)
            except (ApplicationError, PermissionDenied) as exc:
                form.add_error(None, _message(exc))
            else:
                messages.success(request, _("申诉已提交，项目办审核后会通知您。"))
                return redirect("assessment:unit_score", pk=round_.pk, unit_id=unit_id)
        status = 400
    trend = selectors.unit_trend(
        unit_id, round_.rubric_id, include_open=request.user.has_perm("assessment.publish_round")
    )
    return render(
        request,
        "assessment/unit.html",
        {
            "round": round_,
            "score": score,
            "lines": list(score.lines.all()),
            "gains": selectors.gains(score),
            "trend": trend,
            "form": form,
            "group_size": UnitScore.objects.filter(round=round_, group=score.group).count(),
        },
        status=status,
    )


@login_required
def appeals(request, pk: int):
    require(request, "decide", Appeal)
    round_ = _round_or_404(request, pk)
    rows = (
        Appeal.objects.filter(line__score__round=round_)
        .select_related("line", "line__score", "unit", "submitted_by", "decided_by")
        .order_by("status", "created")
    )
    forms_by_id = {}
    status = 200
    if request.method == "POST":
        appeal = get_object_or_404(Appeal, pk=request.POST.get("appeal"), line__score__round=round_)
        form = AppealDecideForm(request.POST, prefix="a%d" % appeal.pk)
        done = _submit(
            request,
            form,
            lambda data, appeal=appeal: services.appeal_decide(
                actor=request.user,
                appeal=appeal,
                expected_version=data["version"],
                accept=data["accept"],
                reason=data["reason"],
                points=data.get("points"),
            ),
            title=_("审核申诉"),
            success=_("已审核，总分和名次已重新计算。"),
            next_url=request.path,
        )
        if done is not None:
            return done
        forms_by_id[appeal.pk] = form
        status = 400
    items = []
    for appeal in rows:
        form = forms_by_id.get(appeal.pk) or AppealDecideForm(
            initial={"version": appeal.version, "points": appeal.requested_points}, prefix="a%d" % appeal.pk
        )
        items.append((appeal, form if appeal.status == AppealStatus.SUBMITTED else None))
    return render(request, "assessment/appeals.html", {"round": round_, "items": items}, status=status)


@login_required
def adjustment_list(request):
    require(request, "view", Adjustment)
    form = AdjustmentForm(request.POST or None) if request.user.has_perm("assessment.add_adjustment") else None
    status = 200
    if request.method == "POST":
        require(request, "add", Adjustment)
        assert form is not None
        done = _submit(
            request,
            form,
            lambda data: services.adjustment_create(actor=request.user, data=data),
            title=_("加减分"),
            success=_("已录入。试算中的考核将按此重新计算。"),
            next_url=request.path,
        )
        if done is not None:
            return done
        status = 400
    rows = (
        Adjustment.objects.restrict(request.user, "view")
        .select_related("rubric", "unit", "entered_by")
        .annotate(case_count=Count("cases", filter=~Q(cases__decision=CaseDecision.PENDING)))
        .order_by("-occurred_on", "-pk")[:300]
    )
    return render(
        request,
        "assessment/adjustments.html",
        {"rows": rows, "form": form, "categories": ADJUSTMENT_CATEGORIES},
        status=status,
    )


@require_POST
@login_required
def adjustment_withdraw(request, pk: int):
    adjustment = scoped_object_or_404(request, Adjustment.objects.all(), pk, action="change")
    try:
        services.adjustment_withdraw(
            actor=request.user,
            adjustment=adjustment,
            expected_version=int(request.POST.get("version", 0)),
            reason=request.POST.get("reason", ""),
        )
    except ConflictError as exc:
        back = "/assessment/adjustments/"
        return conflict_response(request, exc, title=_("撤销加减分"), rows=[], retry_url=back, back_url=back)
    except (ApplicationError, ValueError) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("已撤销。"))
    return redirect("assessment:adjustment_list")


@login_required
def case_list(request):
    require(request, "view", LeniencyCase)
    form = CaseForm(request.POST or None) if request.user.has_perm("assessment.add_leniencycase") else None
    status = 200
    if request.method == "POST":
        require(request, "add", LeniencyCase)
        assert form is not None
        done = _submit(
            request,
            form,
            lambda data: services.case_create(
                actor=request.user,
                data={k: v for k, v in data.items() if k != "adjustments"},
                adjustments=data.get("adjustments") or [],
            ),
            title=_("容错纠错"),
            success=lambda case: _("已登记：%(n)s") % {"n": case.number},
            next_url=lambda case: case.get_absolute_url(),
        )
        if done is not None:
            return done
        status = 400
    rows = LeniencyCase.objects.restrict(request.user, "view").select_related("unit", "decided_by")[:300]
    return render(request, "assessment/cases.html", {"rows": rows, "form": form}, status=status)


@login_required
def case_detail(request, pk: int):
    case = scoped_object_or_404(request, LeniencyCase.objects.select_related("unit", "decided_by"), pk)
    can_decide = request.user.has_perm("assessment.decide_leniencycase")
    form = CaseDecideForm(request.POST or None, initial={"version": case.version}) if can_decide else None
    status = 200
    if request.method == "POST":
        require(request, "decide", LeniencyCase)
        assert form is not None
        done = _submit(
            request,
            form,
            lambda data: services.case_decide(
                actor=request.user,
                case=case,
                expected_version=data["version"],
                decision=data["decision"],
                note=data["note"],
                reduce_percent=data.get("reduce_percent"),
            ),
            title=_("容错认定"),
            success=_("已认定，相关考核得分已重新计算。"),
            next_url=case.get_absolute_url(),
        )
        if done is not None:
            return done
        status = 400
    labels = dict(CRITERIA)
    return render(
        request,
        "assessment/case.html",
        {
            "case": case,
            "criteria": [(key, labels[key], key in (case.criteria or [])) for key in labels],
            "adjustments": case.adjustments.select_related("unit", "rubric"),
            "form": form,
            "history": object_history(case, limit=20),
        },
        status=status,
    )


@login_required
def rubric_detail(request, pk: int):
    require(request, "view", Rubric)
    rubric = get_object_or_404(Rubric, pk=pk)
    versions = list(rubric.versions.prefetch_related("groups", "indicators__groups").order_by("-effective_from"))
    form = VersionForm(request.POST or None) if request.user.has_perm("assessment.change_rubric") else None
    status = 200
    if request.method == "POST":
        require(request, "change", Rubric)
        assert form is not None
        source = get_object_or_404(RubricVersion, pk=request.POST.get("source"), rubric=rubric)
        if form.is_valid():
            try:
                services.version_copy(
                    actor=request.user,
                    version=source,
                    effective_from=form.cleaned_data["effective_from"],
                    note=form.cleaned_data["note"],
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已建立新版本。施行日期及以后开始的考核期按新版本计分。"))
                return redirect("assessment:rubric", pk=rubric.pk)
        status = 400
    described = []
    for version in versions:
        version.exemption_rows = list(  # type: ignore[attr-defined]
            Exemption.objects.filter(indicator__rubric_version=version).select_related("unit", "indicator")
        )
        indicators = [
            (i, describe_rule(i.rule_kind, i.params), METRICS[i.metric] if i.metric in METRICS else None)
            for i in version.indicators.all()
        ]
        described.append((version, indicators))
    return render(
        request,
        "assessment/rubric.html",
        {"rubric": rubric, "versions": described, "form": form},
        status=status,
    )


def _export_round(request, pk: int) -> Round:
    require(request, "export", Round)
    round_ = _round_or_404(request, pk)
    if round_.is_open and not request.user.has_perm("assessment.publish_round"):
        raise Http404(_("对象不存在。"))
    audit_event_record(
        event_type=AuditEventType.EXPORT,
        user=request.user,
        object_repr=str(round_),
        detail={"action": "assessment_export", "round": round_.pk},
        request=request,
    )
    return round_


@login_required
def export_xlsx(request, pk: int):
    round_ = _export_round(request, pk)
    response = HttpResponse(
        exports.ranking_xlsx(round_), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="assessment-%d.xlsx"' % round_.pk
    return response


@login_required
def export_docx(request, pk: int):
    round_ = _export_round(request, pk)
    response = HttpResponse(
        exports.ranking_docx(round_),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = 'attachment; filename="assessment-%d.docx"' % round_.pk
    return response


# -- the office writes rubrics ------------------------------------------------------------------------------------


def _form_page(request, form, *, title: str, back: str, obj=None, status: int = 200):
    return render(
        request,
        "assessment/form.html",
        {"form": form, "title": title, "back": back, "obj": obj, "history": object_history(obj) if obj else []},
        status=status,
    )


@login_required
def rubric_add(request):
    require(request, "add", Rubric)
    form = RubricForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "effective_from"}
        try:
            rubric = services.rubric_create(
                actor=request.user, data=data, effective_from=form.cleaned_data["effective_from"]
            )
        except (ApplicationError, ValidationError) as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, _("已新建考核办法，请添加分组和指标。"))
            return redirect("assessment:rubric", pk=rubric.pk)
    return _form_page(
        request,
        form,
        title=_("新建考核办法"),
        back="/assessment/",
        status=400 if form.errors else 200,
    )


_CONFIG = {
    "indicator": (Indicator, IndicatorForm, _("考核指标"), ["groups"]),
    "group": (RubricGroup, GroupForm, _("考核分组"), ["units", "excluded_units"]),
    "exemption": (Exemption, ExemptionForm, _("免考"), []),
}


def _config_edit(request, kind: str, version: RubricVersion, obj=None):
    model, form_class, label, m2m_names = _CONFIG[kind]
    kwargs = {"version": version} if kind != "group" else {}
    form = form_class(request.POST or None, instance=obj, **kwargs)
    back = reverse_rubric = "/assessment/rubrics/%d/" % version.rubric_id
    status = 200
    if version.locked and request.method != "POST":
        messages.warning(
            request, _("第 %(n)d 版已用于发布考核结果，不能再修改；请以它为底稿建立新版本。") % {"n": version.number}
        )
    if request.method == "POST":
        if form.is_valid():
            instance = form.save(commit=False)
            if kind != "exemption":
                instance.rubric_version = version
            try:
                services.config_save(
                    actor=request.user,
                    obj=instance,
                    version=version,
                    expected_version=int(request.POST.get("version_lock") or 0) if obj else None,
                    m2m={name: form.cleaned_data.get(name) or [] for name in m2m_names},
                )
            except ConflictError as exc:
                return conflict_response(
                    request, exc, title=str(label), rows=[], retry_url=request.path, back_url=reverse_rubric
                )
            except (ApplicationError, ValidationError) as exc:
                form.add_error(None, _message(exc))
            else:
                messages.success(request, _("已保存。试算中的考核将按此重新计算。"))
                return redirect(back)
        status = 400
    title = ("%s · %s" % (_("修改"), label)) if obj else ("%s · %s" % (_("新增"), label))
    return _form_page(request, form, title="%s（%s）" % (title, version), back=back, obj=obj, status=status)


@login_required
def config_add(request, version_id: int, kind: str):
    require(request, "change", Rubric)
    if kind not in _CONFIG:
        raise Http404(_("对象不存在。"))
    version = get_object_or_404(RubricVersion.objects.select_related("rubric"), pk=version_id)
    return _config_edit(request, kind, version)


@login_required
def config_edit(request, kind: str, pk: int):
    require(request, "change", Rubric)
    if kind not in _CONFIG or kind == "exemption":
        raise Http404(_("对象不存在。"))
    model = _CONFIG[kind][0]
    obj = get_object_or_404(model, pk=pk)
    version = RubricVersion.objects.select_related("rubric").get(pk=obj.rubric_version_id)  # type: ignore[attr-defined]
    return _config_edit(request, kind, version, obj)
