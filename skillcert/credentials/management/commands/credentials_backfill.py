"""``skillcert credentials_backfill``: keys and status entries for data from before credentials existed."""

from django.core.management.base import BaseCommand

from skillcert.credentials.services import credentials_backfill


class Command(BaseCommand):
    help = (
        "为电子凭证功能启用前已备案的评价机构生成签发密钥，为此前发放的证书分配撤销状态位"
        "（已撤销的证书同时置位）。可重复运行；没有需要补齐的数据时不做任何改动。"
    )

    def handle(self, *args, **options):
        result = credentials_backfill()
        self.stdout.write(
            f"新生成签发密钥 {result.keys_created} 个；为 {result.entries_allocated} 本证书分配了状态位，"
            f"其中已撤销 {result.revoked_marked} 本已置位。"
        )
