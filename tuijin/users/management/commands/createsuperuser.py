from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "已停用：平台不设超级用户（三员分立）。请用 load_demo 或系统管理员账户创建账户。"

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*")
        parser.add_argument("--username")
        parser.add_argument("--email")
        parser.add_argument("--noinput", "--no-input", action="store_true")

    def handle(self, *args, **options):
        raise CommandError(
            "超级用户会绕过全部权限检查，违反三员分立，本平台已停用 createsuperuser。"
            "请由系统管理员在管理后台创建账户，由安全管理员授予角色。"
        )
