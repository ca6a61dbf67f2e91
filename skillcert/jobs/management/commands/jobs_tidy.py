from django.core.management.base import BaseCommand

from skillcert.jobs.services import jobs_tidy


class Command(BaseCommand):
    help = (
        "整理后台任务：把服务器重启后不再有进展的任务标记为失败，并删除超过保存期限的任务结果文件"
        "（如证书压缩包，含完整证件号码）。请由 cron 定期运行，例如每小时一次。"
    )

    def handle(self, *args, **options):
        failed, deleted = jobs_tidy()
        self.stdout.write(f"已将 {failed} 个中断的任务标记为失败，删除过期结果文件 {deleted} 个。")
