"""C0 control characters (issue 19 item 2): one `\\u000b` in a project's text made every XLSX export of its scope fail
(XML 1.0 cannot hold it), and python-docx refuses it too. They are stripped wherever text comes in — form posts and
JSON bodies (core.middleware.ControlCharacterMiddleware), Excel cells (`unneutralize`) — and again on the way out
(`neutralize`), so that rows stored before still export. Tab, line feed and carriage return are kept."""

import re
from typing import Any

__all__ = ["CONTROL_CHARACTERS", "strip_control", "strip_control_deep"]

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_control(value: str) -> str:
    """`value` without C0 control characters (and DEL), tab/LF/CR kept."""
    return CONTROL_CHARACTERS.sub("", value) if CONTROL_CHARACTERS.search(value) else value


def strip_control_deep(value: Any) -> tuple[Any, bool]:
    """A parsed JSON value with every string (keys included) stripped; and whether anything changed."""
    if isinstance(value, str):
        cleaned = strip_control(value)
        return cleaned, cleaned != value
    if isinstance(value, list):
        items = [strip_control_deep(item) for item in value]
        return [item for item, _ in items], any(changed for _, changed in items)
    if isinstance(value, dict):
        changed = False
        result = {}
        for key, item in value.items():
            new_key, key_changed = strip_control_deep(key)
            new_item, item_changed = strip_control_deep(item)
            result[new_key] = new_item
            changed = changed or key_changed or item_changed
        return result, changed
    return value, False
