"""Outbound channels: where a notification goes besides the in-app list, chosen by `TUIJIN_NOTIFY_CHANNEL`.

The setting is the dotted path of a class (default "tuijin.notifications.channels.LogChannel", which only writes a
log line). A channel is instantiated for each dispatch and called after the database transaction that created the
notifications has committed (never for a rolled-back one). It implements::

    class MyChannel(BaseChannel):
        def send(self, user, title: str, body: str, url: str) -> None: ...

`url` is a site-relative path ("/progress/my/"); a channel that leaves the site builds an absolute address from its
own configuration. An exception in `send` is logged and does not stop the other messages (no retry: a channel that
must retry enqueues its own django-tasks job from `send`, which also keeps slow gateways out of the request).

How the Chinese channels would implement `send` (each reads its own settings, e.g. TUIJIN_WECOM_CORP_ID …):

- SMS (短信, e.g. 阿里云/腾讯云 短信): look up the recipient's mobile (``user.person.phone``), skip users without one,
  and send an approved template (templates are pre-registered; pass the title and a short link as parameters —
  free text is not allowed by the gateways).
- 企业微信: get an access_token (cached ~2 h) from ``/cgi-bin/gettoken`` and POST ``/cgi-bin/message/send`` with
  ``{"touser": <企业微信 userid>, "msgtype": "textcard", "agentid": …, "textcard": {"title": title,
  "description": body, "url": <absolute url>, "btntxt": "详情"}}``; the userid mapping is stored per account.
- 钉钉: the work-notice API ``/topapi/message/corpconversation/asyncsend_v2`` with ``userid_list`` and an
  ``action_card`` (title, markdown body, single_url); or a group robot webhook (signed) for unit-wide messages.
"""

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

__all__ = ["DEFAULT_CHANNEL", "BaseChannel", "LogChannel", "NullChannel", "get_channel"]

logger = logging.getLogger(__name__)

DEFAULT_CHANNEL = "tuijin.notifications.channels.LogChannel"


class BaseChannel:
    """Override `send`; override `send_many` to batch (the default calls `send` for each message)."""

    def send(self, user: Any, title: str, body: str, url: str) -> None:
        raise NotImplementedError

    def send_many(self, messages: Iterable[tuple[Any, str, str, str]]) -> int:
        """Send each (user, title, body, url); a failure is logged and skipped. Returns how many were sent."""
        sent = 0
        for user, title, body, url in messages:
            try:
                self.send(user, title, body, url)
            except Exception:
                logger.exception(
                    "notification channel %s failed for user %s", type(self).__name__, getattr(user, "pk", user)
                )
            else:
                sent += 1
        return sent


class LogChannel(BaseChannel):
    """Writes one log line per message (recipient, title, link) — the default: nothing leaves the server."""

    def send(self, user: Any, title: str, body: str, url: str) -> None:
        logger.info("notify user=%s title=%s url=%s", getattr(user, "pk", user), title, url)


class NullChannel(BaseChannel):
    """Sends nothing (in-app notifications only)."""

    def send(self, user: Any, title: str, body: str, url: str) -> None:
        return None


def get_channel() -> BaseChannel:
    """An instance of the configured channel class."""
    path = getattr(settings, "TUIJIN_NOTIFY_CHANNEL", "") or DEFAULT_CHANNEL
    return import_string(path)()
