"""The 项目办's configuration pages: warning-rule thresholds and monthly reporting windows (preview, then save).

Both pages edit global configuration (one set of rules and windows for the installation): no object belongs to a
unit or district, so there is no row scope; the previews count and list only the projects the user may view.
"""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.core.conflicts import conflict_response
from tuijin.core.exceptions import ConflictError
from tuijin.core.history import object_history
from tuijin.core.periods import month_start, ym, ymd
from tuijin.core.permissions import require
from tuijin.progress.models import WarningRule
from tuijin.progress.services import period_for_reporting, reporting_period_get
from tuijin.progress.views import _period

from . import config

__all__ = ["rule_edit", "rule_list", "window_edit", "window_list"]

RULE_PERMISSION = "progress.change_warningrule"
WINDOW_PERMISSION = "progress.change_reportingperiod"
PREVIEW, SAVE = "preview", "save"


# --- warning rules ---------------------------------------------------------------------------------------------------


class RuleForm(forms.Form):
    """启用 and the thresholds the rule's evaluator reads (config.PARAM_SPECS), checked by config."""

    is_active = forms.BooleanField(label=gettext_lazy("启用"), required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, rule: WarningRule, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule = rule
        self.specs = config.PARAM_SPECS.get(rule.dimension, [])
        for spec in self.specs:
            attrs = {"class": "form-control form-control-sm text-end", "inputmode": "decimal"}
            if spec.kind == config.PERCENT:
                attrs.update(min="0", max="100", step="0.01")
            else:
                attrs.update(min="1", max=str(config.MAX_LOOKBACK_MONTHS), step="1", inputmode="numeric")
            # typed and range-checked by config.rule_params_validate (one set of Chinese messages)
            self.fields[spec.key] = forms.CharField(
                label=spec.label, help_text=spec.help, required=False, widget=forms.NumberInput(attrs=attrs)
            )

    @property
    def param_fields(self):
        return [self[spec.key] for spec in self.specs]

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["params"] = config.rule_params_validate(self.rule, cleaned)
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                for error in errors:
                    self.add_error(key if key in self.fields else None, error)
        return cleaned


def _rule_initial(rule: WarningRule) -> dict:
    initial: dict = {"is_active": rule.is_active, "version": rule.version}
    for key, value in config.rule_params(rule).items():
        initial[key] = config._plain(value)
    return initial


@login_required
def rule_list(request):
    require(request, RULE_PERMISSION, message=_("您没有设置预警规则的权限。"))
    rules = list(WarningRule.objects.all())
    rows = [(rule, config.rule_thresholds_text(rule)) for rule in rules]
    return render(request, "progress/config_rules.html", {"rows": rows})


@login_required
def rule_edit(request, pk: int):
    require(request, RULE_PERMISSION, message=_("您没有设置预警规则的权限。"))
    rule = get_object_or_404(WarningRule, pk=pk)
    period = _preview_period(request)
    context = {
        "rule": rule,
        "rule_text": config.rule_thresholds_text(rule),
        "period": period,
        "periods": _recent_periods(period),
        "history": object_history(rule),
    }
    if request.method != "POST":
        form = RuleForm(initial=_rule_initial(rule), rule=rule)
        return render(request, "progress/config_rule_edit.html", {**context, "form": form})
    form = RuleForm(request.POST, rule=rule)
    if not form.is_valid():
        return render(request, "progress/config_rule_edit.html", {**context, "form": form}, status=200)
    data = form.cleaned_data
    if request.POST.get("action") != SAVE:
        preview = config.rule_preview(
            user=request.user, rule=rule, params=data["params"], is_active=data["is_active"], period=period
        )
        proposed = config.rule_thresholds_text(rule, data["params"])
        summary = preview.summary(_("按新阈值"))
        context.update(form=form, preview=preview, summary=summary, proposed=proposed)
        return render(request, "progress/config_rule_edit.html", context)
    url = reverse("dispatch:config_rule_edit", args=[rule.pk])
    try:
        result = config.rule_update(
            actor=request.user,
            rule=rule,
            params=data["params"],
            is_active=data["is_active"],
            expected_version=data.get("version"),
            period=period,
        )
    except ConflictError as exc:
        current = exc.current
        rows = _rule_conflict_rows(current, data) if current is not None else []
        return conflict_response(
            request,
            exc,
            title=_("预警规则“%(r)s”已被他人修改") % {"r": rule.name},
            rows=rows,
            retry_url=f"{url}?period={period:%Y-%m}",
            back_url=reverse("dispatch:config_rules"),
        )
    messages.success(
        request,
        _("已保存“%(r)s”，并按新阈值重新评估了%(p)s的预警灯：%(s)s")
        % {"r": rule.name, "p": ym(period), "s": result.summary()},
    )
    return redirect(reverse("dispatch:config_rules"))


def _rule_conflict_rows(current: WarningRule, data: dict) -> list[tuple[str, object, object]]:
    rows: list[tuple[str, object, object]] = []
    now = config.rule_params(current)
    for spec in config.PARAM_SPECS.get(current.dimension, []):
        mine = data["params"].get(spec.key)
        if config._plain(now[spec.key]) != config._plain(mine):
            rows.append((str(spec.label), config._plain(now[spec.key]), config._plain(mine)))
    if bool(current.is_active) != bool(data["is_active"]):
        yes, no = _("启用"), _("停用")
        rows.append((_("启用"), yes if current.is_active else no, yes if data["is_active"] else no))
    return rows


def _preview_period(request) -> date:
    raw = request.POST.get("period") or request.GET.get("period")
    if raw:
        request.GET = request.GET.copy()
        request.GET["period"] = raw
    return _period(request)


def _recent_periods(selected: date) -> list[date]:
    from tuijin.core.periods import add_months

    current = period_for_reporting()
    months = {add_months(current, -i) for i in range(12)} | {selected}
    return sorted(months, reverse=True)


# --- reporting windows -----------------------------------------------------------------------------------------------


class WindowForm(forms.Form):
    opens_on = forms.DateField(
        label=gettext_lazy("填报开始"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("请输入有效的日期，例如 2026-11-01。")},
    )
    closes_on = forms.DateField(
        label=gettext_lazy("填报截止"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("请输入有效的日期，例如 2026-11-05。")},
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, period: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.period = period

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            config.window_validate(self.period, cleaned.get("opens_on"), cleaned.get("closes_on"))
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                for error in errors:
                    self.add_error(key if key in self.fields else None, error)
        return cleaned


def _year(request) -> int:
    raw = request.GET.get("year", "")
    try:
        year = int(raw)
    except ValueError:
        return period_for_reporting().year
    return year if 2000 <= year <= 2100 else period_for_reporting().year


@login_required
def window_list(request):
    require(request, WINDOW_PERMISSION, message=_("您没有设置填报期的权限。"))
    year = _year(request)
    windows = config.windows_for_year(year)
    this_year = timezone.localdate().year
    years = sorted({*range(this_year - 5, this_year + 2), year}, reverse=True)
    current = period_for_reporting()
    return render(
        request,
        "progress/config_windows.html",
        {"windows": windows, "year": year, "years": years, "current": current},
    )


@login_required
def window_edit(request, year: int, month: int):
    require(request, WINDOW_PERMISSION, message=_("您没有设置填报期的权限。"))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise Http404(_("报告期不存在。"))
    period = month_start(date(year, month, 1))
    window = reporting_period_get(period)
    first, last = config.window_bounds(period)
    context = {"window": window, "period": period, "history": object_history(window), "first": first, "last": last}
    if request.method != "POST":
        initial = {"opens_on": window.opens_on, "closes_on": window.closes_on, "version": window.version}
        return render(
            request, "progress/config_window_edit.html", {**context, "form": WindowForm(initial=initial, period=period)}
        )
    form = WindowForm(request.POST, period=period)
    if not form.is_valid():
        return render(request, "progress/config_window_edit.html", {**context, "form": form})
    data = form.cleaned_data
    if request.POST.get("action") != SAVE:
        preview = config.window_preview(
            user=request.user, window=window, opens_on=data["opens_on"], closes_on=data["closes_on"]
        )
        context.update(form=form, preview=preview, summary=preview.summary())
        if preview.lights is not None:
            context["lights_summary"] = preview.lights.summary(_("按新填报期"))
        return render(request, "progress/config_window_edit.html", context)
    url = reverse("dispatch:config_window_edit", args=[year, month])
    try:
        result = config.window_update(
            actor=request.user,
            window=window,
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            expected_version=data.get("version"),
        )
    except ConflictError as exc:
        current = exc.current
        rows: list[tuple[str, object, object]] = []
        if current is not None:
            for label, now, mine in (
                (_("填报开始"), current.opens_on, data["opens_on"]),
                (_("填报截止"), current.closes_on, data["closes_on"]),
            ):
                if now != mine:
                    rows.append((str(label), ymd(now), ymd(mine)))
        return conflict_response(
            request,
            exc,
            title=_("%(p)s填报期已被他人修改") % {"p": ym(period)},
            rows=rows,
            retry_url=url,
            back_url=reverse("dispatch:config_windows") + f"?year={year}",
        )
    messages.success(
        request,
        _("已保存%(p)s填报期（%(a)s至%(b)s），并重新评估了该月预警灯：%(s)s")
        % {"p": ym(period), "a": ymd(window.opens_on), "b": ymd(window.closes_on), "s": result.summary()},
    )
    return redirect(reverse("dispatch:config_windows") + f"?year={year}")
