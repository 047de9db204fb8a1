"""`tuijin generate_synthetic --projects N --months M --seed S [--year Y]`: synthetic data at scale (bench, demos).

See `tuijin.core.synthetic` for what is generated. Refuses to run when synthetic data already exists.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuijin.core.synthetic import OFFICE_USERNAME, USER_PREFIX, SyntheticDataExists, generate_synthetic

__all__ = ["Command"]


class Command(BaseCommand):
    help = (
        "生成合成数据（虚构的河洛省：区划、单位、账户、项目、年度计划、审批手续、近 M 个月的月报与预警灯），"
        "用于性能测试与演示。批量写入；同一种子结果相同；已有合成数据时拒绝执行。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--projects", type=int, default=1000, help="项目数（默认 1000）")
        parser.add_argument("--months", type=int, default=12, help="月报月数：截至最近填报月的 M 个月（默认 12）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help="计划年度（默认当前填报年度；过去的年度则月报截至该年 12 月，结果与今天的日期无关）",
        )

    def handle(self, *args, **options):
        try:
            result = generate_synthetic(
                projects=options["projects"],
                months=options["months"],
                seed=options["seed"],
                year=options["year"],
                progress=lambda line: self.stdout.write(line),
            )
        except SyntheticDataExists as exc:
            raise CommandError(str(exc)) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        counts = result.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"合成数据已生成：{counts.get('projects', 0):,} 个项目，{counts.get('reports', 0):,} 份月报"
                f"（{result.months[0]:%Y-%m} 至 {result.latest:%Y-%m}），"
                f"{counts.get('approval_items', 0):,} 项审批手续，"
                f"{counts.get('annual_plans', 0):,} 份年度计划，{counts.get('lights', 0):,} 个预警灯；"
                f"用时 {result.total_seconds:.1f} 秒。"
            )
        )
        self.stdout.write("  " + "，".join(f"{name} {n:,}" for name, n in sorted(counts.items())))
        self.stdout.write("  " + "，".join(f"{name} {s:.1f}s" for name, s in result.seconds.items()))
        if result.password_shared:
            password = "TUIJIN_DEMO_PASSWORD"
        else:
            password = f"{result.password}（首次登录须修改）"
        self.stdout.write(
            f"账户：{OFFICE_USERNAME}（项目办，全省范围）、{USER_PREFIX}0001 …（各单位），密码：{password}"
        )
