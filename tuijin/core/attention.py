"""'What needs my attention' on the home page: each app registers providers returning items for a user."""

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["AttentionItem", "attention_for", "register_attention"]


@dataclass
class AttentionItem:
    title: str
    count: int | None = None
    url: str = ""
    level: str = "info"  # bootstrap colour: info, warning, danger, success


_PROVIDERS: list[Callable] = []


def register_attention(func: Callable) -> Callable:
    _PROVIDERS.append(func)
    return func


URGENCY = {"danger": 0, "warning": 1, "info": 2, "success": 3}


def attention_for(user) -> list[AttentionItem]:
    """Every provider's items, the most urgent first (red, then yellow, then the rest; stable within a level)."""
    items: list[AttentionItem] = []
    for provider in _PROVIDERS:
        items.extend(provider(user))
    return sorted(items, key=lambda item: URGENCY.get(item.level, 2))
