from django.core.management.base import BaseCommand, CommandError

from skillcert.core.audit import audit_chain_verify


class Command(BaseCommand):
    help = "检查审计日志哈希链：任何记录被修改或删除时，指出第一个断点并以非零状态退出。"

    def handle(self, *args, **options):
        report = audit_chain_verify()
        if not report.intact:
            raise CommandError(f"{report.first_break}（已检查 {report.events_checked} 条完好记录）")
        self.stdout.write(self.style.SUCCESS(f"审计链完好：共 {report.events_checked} 条记录。"))
