"""Password policy (等保 §8.1.4.1 a): length, character classes, no reuse of the last N passwords."""

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

__all__ = ["CharacterClassesValidator", "LengthValidator", "PasswordHistoryValidator"]


def _is_admin(user) -> bool:
    if user is None or not getattr(user, "pk", None):
        return False
    from tuijin.org.roles import ADMIN_ROLES

    return user.memberships.filter(role__in=ADMIN_ROLES).exists()


class LengthValidator:
    """At least TUIJIN_PASSWORD_MIN_LENGTH characters (TUIJIN_PASSWORD_ADMIN_MIN_LENGTH for the 三员)."""

    def minimum(self, user=None) -> int:
        if _is_admin(user):
            return settings.TUIJIN_PASSWORD_ADMIN_MIN_LENGTH
        return settings.TUIJIN_PASSWORD_MIN_LENGTH

    def validate(self, password, user=None):
        minimum = self.minimum(user)
        if len(password) < minimum:
            raise ValidationError(_("密码至少需要 %(n)d 个字符。") % {"n": minimum}, code="password_too_short")

    def get_help_text(self):
        return _("密码至少 %(n)d 个字符（管理员账户至少 %(m)d 个）。") % {
            "n": settings.TUIJIN_PASSWORD_MIN_LENGTH,
            "m": settings.TUIJIN_PASSWORD_ADMIN_MIN_LENGTH,
        }


class CharacterClassesValidator:
    """At least TUIJIN_PASSWORD_MIN_CLASSES of: upper-case, lower-case, digits, other symbols."""

    @staticmethod
    def classes(password: str) -> int:
        checks = (
            any("A" <= c <= "Z" for c in password),
            any("a" <= c <= "z" for c in password),
            any("0" <= c <= "9" for c in password),
            any(not (c.isascii() and c.isalnum()) for c in password),
        )
        return sum(checks)

    def validate(self, password, user=None):
        required = settings.TUIJIN_PASSWORD_MIN_CLASSES
        if self.classes(password) < required:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。") % {"n": required},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。") % {
            "n": settings.TUIJIN_PASSWORD_MIN_CLASSES
        }


class PasswordHistoryValidator:
    """Not the current password nor any of the previous TUIJIN_PASSWORD_HISTORY ones."""

    def validate(self, password, user=None):
        count = settings.TUIJIN_PASSWORD_HISTORY
        if user is None or not getattr(user, "pk", None) or count <= 0:
            return
        hashes = list(user.password_history.values_list("password", flat=True)[:count])
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(_("不能使用最近 %(n)d 次用过的密码。") % {"n": count}, code="password_reused")

    def password_changed(self, password, user=None):
        if user is not None and getattr(user, "pk", None):
            user.password_history.create(password=user.password)

    def get_help_text(self):
        return _("不能与最近 %(n)d 次用过的密码相同。") % {"n": settings.TUIJIN_PASSWORD_HISTORY}
