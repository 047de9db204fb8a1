"""Two-factor authentication (TOTP, security.md DB-ID-8): who must use it, the devices, recovery codes, the QR code.

The devices are django-otp's: one confirmed `TOTPDevice` per account (the authenticator app) and one `StaticDevice`
holding its recovery codes. A recovery code is stored only as a digest (`recovery_digest`) in `StaticToken.token`;
django-otp deletes the token when it matches, so each code works once. The writes are in `users.services`.
"""

import hashlib
import secrets
import time
from base64 import b32encode
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core import checks
from django_otp.oath import hotp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tuijin.org.choices import Role
from tuijin.org.scoping import user_memberships

__all__ = [
    "RECOVERY_CODE_COUNT",
    "check_required_roles",
    "confirmed_totp_device",
    "has_second_factor",
    "is_two_factor_required",
    "new_recovery_codes",
    "normalize_recovery_code",
    "qr_svg",
    "recovery_codes_left",
    "recovery_digest",
    "secret_text",
    "totp_now",
]

RECOVERY_CODE_COUNT = 10
# No 0/O, 1/I/L, 8/B: read from paper and typed by hand.
_RECOVERY_ALPHABET = "ACDEFGHJKMNPQRSTUVWXYZ2345679"
_RECOVERY_LENGTH = 10  # about 48 bits each, shown as XXXXX-XXXXX


def check_required_roles(app_configs=None, **kwargs) -> list[checks.Error]:
    """System check users.E001: a misspelt role in TUIJIN_2FA_REQUIRED_ROLES would silently require nothing."""
    unknown = sorted(set(settings.TUIJIN_2FA_REQUIRED_ROLES) - set(Role.values))
    if not unknown:
        return []
    return [
        checks.Error(
            f"TUIJIN_2FA_REQUIRED_ROLES names unknown roles: {', '.join(unknown)}",
            hint=f"Use role codes: {', '.join(Role.values)}",
            id="users.E001",
        )
    ]


def is_two_factor_required(user) -> bool:
    """True when one of the account's roles is in TUIJIN_2FA_REQUIRED_ROLES (default: the 三员 and the 项目办)."""
    required = set(settings.TUIJIN_2FA_REQUIRED_ROLES)
    return bool(required) and any(m.role in required for m in user_memberships(user))


def confirmed_totp_device(user) -> TOTPDevice | None:
    if user is None or not getattr(user, "pk", None):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_second_factor(user) -> bool:
    return bool(getattr(user, "pk", None)) and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return device.token_set.count() if device is not None else 0


def normalize_recovery_code(value: str) -> str:
    """Upper case without spaces or hyphens: `abcde-fghjk`, `ABCDE FGHJK` and `ABCDEFGHJK` are one code."""
    return "".join(c for c in (value or "").upper() if c.isalnum())


def recovery_digest(code: str) -> str:
    """What is stored for a recovery code: 16 hex digits of its SHA-256 (StaticToken.token holds 16 characters)."""
    return hashlib.sha256(normalize_recovery_code(code).encode()).hexdigest()[:16]


def new_recovery_codes() -> list[str]:
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.add(f"{raw[:5]}-{raw[5:]}")
    return sorted(codes)


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an authenticator app by hand."""
    encoded = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG (no image file, no external service)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=16, border=2)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]  # drop the XML declaration: the SVG is embedded in the page


def totp_now(device: TOTPDevice, *, at: float | None = None, steps: int = 0) -> str:
    """The device's code now (or at `at`, `steps` steps later), for tests and the demo documentation: the server
    never shows a code."""
    moment = time.time() if at is None else at
    counter = int((moment - device.t0) // device.step) + device.drift + steps
    return f"{hotp(device.bin_key, counter, digits=device.digits):0{device.digits}d}"
