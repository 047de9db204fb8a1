"""`tuijin seal_audit`: seal the audit rows written since the last run (the HMAC chain of core/audit_chain.py)."""

from django.core.management.base import BaseCommand

from tuijin.core.audit_chain import audit_seal, chain_algorithm

__all__ = ["Command"]


class Command(BaseCommand):
    help = (
        "为新写入的变更记录和安全审计事件加封（HMAC 链，防篡改）。请由 cron 每 5 分钟运行，例如"
        "「*/5 * * * * tuijin seal_audit -v 0」（-v 0：不输出）；verify_audit 运行前也会先加封。"
        " Seal new audit rows into the HMAC chain."
    )

    def handle(self, *args, verbosity=1, **options):
        result = audit_seal()
        if verbosity < 1:  # -v 0 for cron: no output, so no mail every 5 minutes
            return
        self.stdout.write(
            f"已加封 {result.sealed} 条记录（HMAC-{chain_algorithm().upper()}）；链头：序号 {result.head_seq}，"
            f"校验码 {result.head_mac or '—'}"
        )
