from django.core.management.base import BaseCommand
from django.db import transaction

from tuijin.core.demo import run_demo_steps


class Command(BaseCommand):
    help = "载入红旗区示例数据（可重复执行）并打印示例账户。TUIJIN_DEMO_PASSWORD 设置时所有示例账户使用该密码。"

    def handle(self, *args, **options):
        with transaction.atomic():
            context = run_demo_steps(self.stdout)
        logins = context.get("logins", [])
        if logins:
            self.stdout.write("")
            self.stdout.write("示例账户 (demo logins):")
            self.stdout.write(f"  {'用户名':<14}{'角色':<12}{'单位':<24}密码")
            for username, role, unit, password in logins:
                self.stdout.write(f"  {username:<16}{role:<14}{unit:<26}{password}")
            self.stdout.write("")
