from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tuijin.api.authentication import api_token_create
from tuijin.users.models import User


class Command(BaseCommand):
    help = "为账户签发接口令牌（明文只显示一次）。Issue an API token for an account; the key is shown once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="integration", help="令牌用途")
        parser.add_argument("--days", type=int, default=365, help="有效天数 (0 = 不过期)")

    def handle(self, *args, username, name, days, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"账户不存在或已停用：{username}")
        expires = timezone.now() + timedelta(days=days) if days > 0 else None
        key, token = api_token_create(user=user, name=name, expires=expires)
        self.stdout.write(f"令牌 {token.prefix}… 已签发给 {username}，有效期至 {expires or '不过期'}：")
        self.stdout.write(key)
