"""`tuijin verify_audit [--no-seal]`: walk the audit seal chain and report its first broken link (exit code 1)."""

from django.core.management.base import BaseCommand, CommandError

from tuijin.core.audit_chain import audit_verify

__all__ = ["Command"]


class Command(BaseCommand):
    help = (
        "校验变更记录和安全审计事件的 HMAC 链：先加封新记录，再按序号逐一核对封签和记录，报告第一个断点（记录被改、"
        "记录被删、封签被改或缺失），退出码 1；完好时打印摘要，退出码 0。 Verify the audit HMAC chain."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-seal", action="store_true", help="不先加封新记录，只校验已有封签")

    def handle(self, *args, no_seal=False, **options):
        report = audit_verify(seal=not no_seal)
        if report.broken is not None:
            raise CommandError(f"审计链校验失败，第一个断点：{report.broken.describe()}", returncode=1)
        if not report.seals:
            self.stdout.write(f"尚无封签（未加封记录 {report.unsealed} 条）。")
            return
        algorithms = "、".join(f"HMAC-{a.upper()}" for a in sorted(report.algorithms))
        start = "链首" if report.first_seq == 1 else f"自合法清理后的序号 {report.first_seq}"
        self.stdout.write(
            f"审计链完好：{start}至序号 {report.head_seq}，共 {report.seals} 个封签（记录 {report.rows} 条、清理 "
            f"{report.purges} 次），算法 {algorithms}；本次新加封 {report.sealed_now} 条，未加封 {report.unsealed} 条。"
        )
        self.stdout.write(f"链头校验码：{report.head_mac}（请另行留存，用于发现链尾被整体删除）")
