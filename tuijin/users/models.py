"""Accounts, password history, login attempts and lockouts."""

import unicodedata

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuijin.core.querysets import RestrictedQuerySet

__all__ = ["ApiToken", "Lockout", "LoginAttempt", "PasswordHistory", "User", "normalize_username"]


def normalize_username(value: str) -> str:
    """NFKC (full-width → half-width), trimmed, case-folded: `Zhang`, `zhang ` and `ｚｈａｎｇ` are one identity."""
    return unicodedata.normalize("NFKC", value or "").strip().casefold()


class TuijinUserManager(UserManager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    def get_by_natural_key(self, username):
        return self.get(username_normalized=normalize_username(username))


class User(AbstractUser):
    """A login account. Its permissions come only from its memberships (org.Membership); never a superuser."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    username_normalized = models.CharField(max_length=150, unique=True, editable=False)
    person = models.ForeignKey(
        "org.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name=_("对应人员"),
    )
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True, editable=False)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=True)
    is_demo = models.BooleanField(_("示例账户"), default=False)
    # Set when `disable_dormant_accounts` disables the account, cleared when it is enabled again (users/dormant.py).
    dormant_disabled_at = models.DateTimeField(_("因长期未使用停用时间"), null=True, blank=True, editable=False)
    # The last time the account was enabled again: its dormancy counts from here, not from the old last login.
    reenabled_at = models.DateTimeField(_("重新启用时间"), null=True, blank=True, editable=False)

    objects = TuijinUserManager()  # type: ignore[misc]
    scope_fields = None

    class Meta:
        verbose_name = _("账户")
        verbose_name_plural = _("账户")
        ordering = ["username"]
        permissions = [("unlock_user", _("解除账户锁定"))]

    def __str__(self) -> str:
        return f"{self.display_name or self.username}"

    def save(self, *args, **kwargs):
        self.username = unicodedata.normalize("NFKC", self.username or "").strip()
        self.username_normalized = normalize_username(self.username)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "username_normalized"}
        super().save(*args, **kwargs)

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


class PasswordHistory(models.Model):
    """Hashes of an account's previous passwords, so the last N cannot be reused."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=256)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("历史密码")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created:%Y-%m-%d}"


class LoginAttempt(models.Model):
    """Every login attempt, by normalised username and client address (the lockout counts these).

    A failure is a wrong password or a wrong second-factor code. `refused` marks an attempt turned away because a
    lock was active: nothing was checked, so it never counts toward a lock (users.services)."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    success = models.BooleanField(default=False)
    refused = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("登录尝试")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.username}@{self.ip} {'ok' if self.success else 'fail'}"


class LockoutKind(models.TextChoices):
    USERNAME = "username", _("账户")
    IP = "ip", _("来源地址")


class Lockout(models.Model):
    """A temporary lock on a username or a client address after repeated failures."""

    kind = models.CharField(_("类型"), max_length=10, choices=LockoutKind.choices)
    key = models.CharField(_("账户/地址"), max_length=150, db_index=True)
    locked_at = models.DateTimeField(_("锁定时间"), default=timezone.now)
    until = models.DateTimeField(_("锁定至"))
    unlocked_at = models.DateTimeField(_("解锁时间"), null=True, blank=True)
    unlocked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("解锁人")
    )

    objects = RestrictedQuerySet.as_manager()
    scope_fields = None

    class Meta:
        verbose_name = _("锁定")
        verbose_name_plural = _("锁定")
        ordering = ["-locked_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"

    @property
    def is_active(self) -> bool:
        return self.unlocked_at is None and self.until > timezone.now()


class ApiToken(models.Model):
    """A token for integrations. Only its SHA-256 is stored; the clear key is shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("账户"))
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(default=timezone.now, editable=False)
    expires = models.DateTimeField(_("有效期至"), null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)
    revoked = models.BooleanField(_("已吊销"), default=False)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
