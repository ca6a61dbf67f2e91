"""``skillcert verify-credential FILE [--trust BUNDLE]``: verify a signed credential offline.

Exit status: 0 valid; 1 invalid (tampered, unknown issuer or key, revoked, expired, not yet valid,
malformed, status unknown); 2 the check could not be made (unreadable file, untrusted or broken bundle).
"""

import json
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from skillcert.credentials.models import PlatformKey
from skillcert.credentials.selectors import DatabaseTrust
from skillcert.credentials.trust import TrustBundleError, bundle_open
from skillcert.credentials.verify import Trust, credential_verify

EXIT_VALID, EXIT_INVALID, EXIT_UNUSABLE = 0, 1, 2


class Command(BaseCommand):
    help = (
        "离线验证可验证电子证书（OB 3.0 凭证）的签名、签发机构密钥、有效期和撤销状态。"
        "不从凭证中的任何地址下载内容：密钥和状态列表来自 --trust 指定的信任包，未指定时来自本地数据库。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="凭证 JSON 文件")
        parser.add_argument("--trust", metavar="BUNDLE", help="信任包文件（skillcert trust-bundle 导出）")
        parser.add_argument(
            "--trust-key",
            action="append",
            default=[],
            metavar="z6Mk…",
            help="信任包发布方公布的平台公钥（可多次指定）",
        )
        parser.add_argument("--at", metavar="ISO-DATETIME", help="按此时刻判断有效期（默认现在）")

    def _fail(self, message: str, code: int) -> None:
        self.stderr.write(message)
        raise SystemExit(code)

    def _read_json(self, path: str, what: str):
        try:
            return json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as error:
            self._fail(f"无法读取{what} {path}：{error.strerror}", EXIT_UNUSABLE)
        except (ValueError, UnicodeDecodeError):
            return None

    def handle(self, *args, **options):
        at = None
        if options["at"]:
            try:
                at = datetime.fromisoformat(options["at"].replace("Z", "+00:00"))
            except ValueError:
                self._fail(f"--at 不是合法的日期时间：{options['at']}", EXIT_UNUSABLE)
            if at is not None and at.tzinfo is None:
                self._fail("--at 须带时区，例如 2026-01-01T00:00:00+08:00", EXIT_UNUSABLE)
        if options["trust"]:
            bundle = self._read_json(options["trust"], "信任包")
            trusted = {
                *options["trust_key"],
                *settings.SKILLCERT_CREDENTIALS_TRUSTED_PLATFORM_KEYS,
                *PlatformKey.objects.values_list("public_key_multibase", flat=True),
            }
            try:
                trust: Trust = bundle_open(bundle, trusted_keys=trusted)
            except TrustBundleError as error:
                self._fail(f"信任包不可用：{error}", EXIT_UNUSABLE)
            source = f"信任包 {options['trust']}"
        else:
            trust = DatabaseTrust()
            source = "本地数据库"
        credential = self._read_json(options["file"], "凭证文件")
        if credential is None:
            self._fail("无效：凭证格式错误：文件不是 JSON。", EXIT_INVALID)
        verdict = credential_verify(credential, trust=trust, at=at)
        if not verdict.valid:
            self._fail(f"无效：{verdict.message}（信任来源：{source}）", EXIT_INVALID)
        self.stdout.write(f"有效：{verdict.message}（信任来源：{source}）")
