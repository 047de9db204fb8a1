"""Token authentication for integrations: `Authorization: Token <key>`; keys are stored hashed."""

import hashlib
import secrets

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

__all__ = ["ApiTokenAuthentication", "api_token_create"]


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user, name: str, expires=None) -> tuple[str, object]:
    """Create a token and return (clear key, token). The clear key is not stored anywhere."""
    from tuijin.core.audit import audit_event_record
    from tuijin.core.choices import AuditEventType
    from tuijin.users.models import ApiToken

    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=_digest(key), expires=expires)
    audit_event_record(
        event_type=AuditEventType.ADMIN_ACTION,
        object_repr=f"接口令牌 {token.prefix}… → {user}",
        detail={"action": "api_token_create", "user": user.username, "name": name},
    )
    return key, token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确。"))
        from tuijin.users.models import ApiToken

        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确。")) from exc
        token = ApiToken.objects.select_related("user").filter(key_hash=_digest(key), revoked=False).first()
        now = timezone.now()
        if token is None or (token.expires and token.expires <= now) or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("令牌无效或已过期。"))
        from tuijin.users.middleware import password_expires_at

        expires = password_expires_at(token.user)
        if token.user.must_change_password or (expires is not None and expires <= now):
            raise exceptions.AuthenticationFailed(_("该账户须先登录网页修改密码，令牌暂不可用。"))
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


try:  # describe the token scheme in the OpenAPI schema
    from drf_spectacular.extensions import OpenApiAuthenticationExtension

    class ApiTokenScheme(OpenApiAuthenticationExtension):
        target_class = "tuijin.api.authentication.ApiTokenAuthentication"
        name = "tokenAuth"

        def get_security_definition(self, auto_schema):
            return {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "`Token <key>`; keys are issued by `tuijin create_api_token`.",
            }
except ImportError:  # pragma: no cover
    pass
