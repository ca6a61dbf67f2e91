from django.core.management.base import BaseCommand

from skillcert.verification.records import verification_records_rebuild


class Command(BaseCommand):
    help = "重建证书公开查询记录（verification_record）：为每张证书写入或更新一行，删除无对应证书的行。"

    def handle(self, *args, **options):
        count = verification_records_rebuild()
        self.stdout.write(f"已重建 {count} 张证书的公开查询记录。")
