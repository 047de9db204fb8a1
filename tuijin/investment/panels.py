"""Sections of the lead page contributed by the parts of the app (签约记录, 承诺台账, 违约/调整, 达产跟踪, 附件).

A part registers `panel(user, lead) -> dict | None`; the dict names its `template` and an `order` and carries the
context the template reads as `panel`. None (or {}) hides the section (the user may not see it).
"""

from collections.abc import Callable
from typing import Any

__all__ = ["lead_panels", "register_panel"]

Panel = Callable[[Any, Any], dict | None]
_PANELS: list[Panel] = []


def register_panel(func: Panel) -> Panel:
    if func not in _PANELS:
        _PANELS.append(func)
    return func


def lead_panels(user, lead) -> list[dict]:
    """The sections this user sees on this lead's page, in their order."""
    panels = [panel for panel in (func(user, lead) for func in _PANELS) if panel]
    return sorted(panels, key=lambda panel: panel.get("order", 100))
