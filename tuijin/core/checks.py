"""Deployment sanity checks (run by `manage.py check --deploy` in CI)."""

import openpyxl
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_tuijin_deploy(app_configs, **kwargs):
    problems = []
    if settings.TUIJIN_AUDIT_RETENTION_DAYS < 180:
        problems.append(
            Error("TUIJIN_AUDIT_RETENTION_DAYS must be at least 180 (网络安全法 第二十一条).", id="tuijin.E001")
        )
    if settings.TUIJIN_DEMO_PASSWORD and not settings.DEBUG:
        problems.append(
            Warning("TUIJIN_DEMO_PASSWORD is set: every demo account shares one known password.", id="tuijin.W001")
        )
    if settings.CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache")):
        problems.append(
            Warning(
                "TUIJIN_CACHE_URL=locmem keeps the dashboard cache per process: with several gunicorn workers a worker "
                "would not see another's invalidation and could show figures older than the last approval.",
                hint="Use TUIJIN_CACHE_URL=db (the default) or a redis:// URL.",
                id="tuijin.W002",
            )
        )
    if not settings.DEBUG:
        problems += _audit_mac_key_problems()
    if not getattr(openpyxl, "DEFUSEDXML", False):
        problems.append(
            Error("openpyxl is not using defusedxml: Excel imports would be open to XML attacks.", id="tuijin.E002")
        )
    return problems


AUDIT_MAC_KEY_MIN_LENGTH = 32


def _audit_mac_key_problems() -> list[Error]:
    """The audit seal chain's HMAC key (core/audit_chain.py) must be its own secret: without it the chain falls back
    to a key derived from SECRET_KEY, and whoever holds SECRET_KEY could re-seal altered rows."""
    key = settings.TUIJIN_AUDIT_MAC_KEY
    if len(key) < AUDIT_MAC_KEY_MIN_LENGTH:
        return [
            Error(
                f"TUIJIN_AUDIT_MAC_KEY is not set or shorter than {AUDIT_MAC_KEY_MIN_LENGTH} characters: the audit "
                "seal chain needs its own HMAC key.",
                hint='Generate one: python3 -c "import secrets; print(secrets.token_urlsafe(48))". Never change it '
                "once seals exist (verify_audit would report every seal as altered).",
                id="tuijin.E003",
            )
        ]
    if key == settings.SECRET_KEY:
        return [Error("TUIJIN_AUDIT_MAC_KEY must differ from TUIJIN_SECRET_KEY.", id="tuijin.E004")]
    return []
