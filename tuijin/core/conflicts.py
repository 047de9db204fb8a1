"""The conflict page, written once: a stale save (optimistic locking, `ConflictError`) never loses what was typed.

A view that catches `ConflictError` from a service answers with `conflict_response(...)` (HTTP 409). The page shows

- the error, and what others changed since the version the user edited (`exc.changes`, plus their child rows changed
  in the same saves), in plain Chinese with names and Beijing time;
- the table 字段 / 当前值 / 您提交的值 (`rows`, usually from `submitted_rows()`);
- 以我的内容覆盖保存: a form of hidden fields that posts the user's submitted values again to `retry_url`, with
  `version` set to the current version, so the second save goes through the same form validation and service;
- 载入最新版本重新编辑 (GET `retry_url`) and 返回 (`back_url`).

Uploaded files cannot be re-posted from a page; the page says so when the request carried files.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from .display import display_value, load_names, model_field, same_value, wanted_names
from .exceptions import ConflictError
from .history import changes_with_children, describe_changes

__all__ = ["conflict_response", "resubmit_data", "submitted_rows"]

NOT_RESUBMITTED = {"csrfmiddlewaretoken"}


def resubmit_data(request, exc: ConflictError) -> dict[str, list[str]]:
    """What the user posted (every value of every key, the CSRF token left out), with `version` set to the
    current version: posting it again saves the user's values over the current ones."""
    data = {key: list(values) for key, values in request.POST.lists() if key not in NOT_RESUBMITTED}
    return _with_current_version(data, exc)


def _with_current_version(data: dict[str, list[str]], exc: ConflictError) -> dict[str, list[str]]:
    data = {key: [str(v) for v in values] for key, values in data.items() if key not in NOT_RESUBMITTED}
    version = getattr(exc.current, "version", None)
    if version is not None:
        data["version"] = [str(version)]
    return data


def _current_value(obj, field) -> Any:
    if field.many_to_many:
        return list(getattr(obj, field.name).all())
    return getattr(obj, field.name)


def submitted_rows(current_obj, data: dict, fields: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
    """(field label, current value, submitted value) for each of `fields` (default: every key of `data`) whose
    submitted value (`data`, e.g. a form's cleaned_data) differs from the stored one, with verbose names and choice
    labels; 260.50 and 260.5 are the same. None when the object is gone (deleted meanwhile): no rows."""
    if current_obj is None:
        return []
    if fields is None:
        fields = list(data)
    model = type(current_obj)
    pairs = []
    wanted: dict = {}
    for name in fields:
        field = model_field(model, name)
        if field is None or name not in data:
            continue
        now, mine = _current_value(current_obj, field), data[name]
        compare_now = [getattr(v, "pk", v) for v in now] if field.many_to_many else now
        if same_value(field, getattr(compare_now, "pk", compare_now), mine):
            continue
        wanted_names(field, mine, wanted)
        pairs.append((field, now, mine))
    names = load_names(wanted)
    return [
        (str(field.verbose_name), display_value(field, now, names), display_value(field, mine, names))
        for field, now, mine in pairs
    ]


def conflict_response(
    request,
    exc: ConflictError,
    *,
    title: str,
    rows: Sequence[tuple[str, object, object]],
    retry_url: str,
    back_url: str,
    resubmit: dict[str, list[str]] | None = None,
    resubmit_label: str | None = None,
    files_kept: bool = False,
) -> HttpResponse:
    """The conflict page (409) for a stale save of `exc.current`; see the module docstring.

    `resubmit`: the values to post again (default: request.POST); `version` is set to the current version either
    way. `resubmit_label`: the re-post button's text when it does not save over (default 以我的内容覆盖保存).
    `files_kept`: the caller stored the request's uploads for the re-post (a report's pending photo), so the page
    does not ask to upload them again.
    No re-post button when the object no longer exists."""
    current = exc.current
    changes = []
    if current is not None and getattr(current, "pk", None) is not None:
        changes = describe_changes(changes_with_children(current, exc.changes), subject=current)
    data = _with_current_version(resubmit, exc) if resubmit is not None else resubmit_data(request, exc)
    hidden = [(key, value) for key, values in data.items() for value in values]
    context = {
        "title": title,
        "error": exc.message,
        "changes": changes,
        "rows": rows,
        "retry_url": retry_url,
        "back_url": back_url,
        "hidden": hidden if current is not None else [],
        "can_resubmit": current is not None and bool(retry_url),
        "had_files": bool(getattr(request, "FILES", None)) and not files_kept,
        "current_version": getattr(current, "version", None),
        "resubmit_label": resubmit_label,
    }
    return render(request, "generic/conflict.html", context, status=409)
