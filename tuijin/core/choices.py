from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = ["AuditEventType", "AuditOutcome", "ChangeAction"]


class ChangeAction(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", pgettext_lazy("change kind", "修改")  # "Updated"; the bare 修改 is the Edit button
    DELETE = "delete", _("删除")


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", _("成功")
    FAILURE = "failure", _("失败")


class AuditEventType(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKOUT = "lockout", _("账户/地址锁定")
    UNLOCK = "unlock", _("解除锁定")
    LOGOUT = "logout", _("退出")
    SESSION_TIMEOUT = "session_timeout", _("会话超时")
    PASSWORD_CHANGE = "password_change", _("修改密码")
    PASSWORD_RESET = "password_reset", _("重置密码")
    USER_CREATE = "user_create", _("创建账户")
    USER_UPDATE = "user_update", _("修改账户")
    ROLE_GRANT = "role_grant", _("授予角色")
    ROLE_REVOKE = "role_revoke", _("撤销角色")
    ACCESS_DENIED = "access_denied", _("拒绝访问")
    AUDIT_VIEW = "audit_view", _("查阅审计")
    AUDIT_PURGE = "audit_purge", _("审计归档清理")
    EXPORT = "export", _("导出数据")
    IMPORT = "import", _("导入数据")
    ADMIN_ACTION = "admin_action", _("管理操作")
