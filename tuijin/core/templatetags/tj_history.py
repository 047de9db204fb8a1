"""History display filters: `{% load tj_history %}`.

- `record|field_changes:obj` — a record with `before`/`after` dicts of `obj`'s fields (a report correction) as
  readable lines (`core.history.HistoryLine`: label, before → after; choice names, 是/否, amounts, names);
  render each with `{% include "inc/history_line.html" %}`.
- `user|person_name` — an account as a person's name (姓名, else full name, else username).
- `value|beijing` — a datetime as 2026-12-06 14:05 in Beijing time.
"""

from django import template

from tuijin.core.display import user_display
from tuijin.core.history import HistoryLine, local_time
from tuijin.core.history import field_changes as _field_changes

register = template.Library()


@register.filter
def field_changes(record, obj) -> list[HistoryLine]:
    return _field_changes(obj, getattr(record, "before", None) or {}, getattr(record, "after", None) or {})


@register.filter
def person_name(user) -> str:
    return user_display(user) if user is not None else ""


@register.filter
def beijing(value) -> str:
    return local_time(value) if value else ""
