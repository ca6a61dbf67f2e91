"""``skillcert trust-bundle [-o FILE]``: export the signed trust bundle for other regions and employers."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from skillcert.credentials.services import trust_bundle_export


class Command(BaseCommand):
    help = (
        "导出信任包：各评价机构的签发密钥文档和当前撤销状态列表，用本平台密钥签名，"
        "供其他地区和用人单位离线验证本平台签发的电子证书。"
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", metavar="FILE", help="写入文件（默认输出到标准输出）")

    def handle(self, *args, **options):
        bundle = trust_bundle_export()
        text = json.dumps(bundle, ensure_ascii=False, indent=2) + "\n"
        key = bundle["signature"]["publicKeyMultibase"]
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stdout.write(
                f"信任包已写入 {options['output']}：{len(bundle['controllers'])} 个签发机构，"
                f"{len(bundle['statusLists'])} 个状态列表。"
            )
        else:
            self.stdout.write(text, ending="")
        # Verifiers must pin this key (verify-credential --trust-key); publish it through another channel.
        self.stderr.write(f"平台公钥：{key}")
