from django.core.management.base import BaseCommand
from django.utils import timezone

from skillcert.verification.services import enumeration_watch_run


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


class Command(BaseCommand):
    help = (
        "检查公开证书查询最近一个时间窗口的事件记录：发现批量枚举迹象时生成告警（security.md P5），"
        "并删除超过保存期限的事件记录文件。"
    )

    def handle(self, *args, **options):
        report = enumeration_watch_run()
        window = f"{_local(report.window_start)} 至 {_local(report.window_end)}"
        self.stdout.write(
            f"已检查 {window} 的 {report.events} 条查询记录："
            f"新告警 {len(report.raised)} 条，更新告警 {len(report.updated)} 条，"
            f"删除过期记录文件 {len(report.deleted_files)} 个。"
        )
        for alert in report.raised:
            self.stdout.write(f"新告警 [{alert.get_kind_display()}] {alert.description}")
        for alert in report.updated:
            self.stdout.write(f"更新告警 [{alert.get_kind_display()}] {alert.description}")
