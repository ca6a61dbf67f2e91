import os

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动门户（ASGI，uvicorn）。默认 http://127.0.0.1:8000。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("SKILLCERT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("SKILLCERT_PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("SKILLCERT_WORKERS", "1")),
            help="工作进程数（生产环境建议与 CPU 核数相同）",
        )

    def handle(self, *args, host: str, port: int, workers: int, **options):
        import uvicorn

        self.stdout.write(f"skillcert 门户：http://{host}:{port}/  （Ctrl+C 停止）")
        uvicorn.run(
            "skillcert.asgi:application",
            host=host,
            port=port,
            workers=workers,
            log_level="info" if settings.DEBUG else "warning",
            access_log=settings.DEBUG,
            proxy_headers=True,
            lifespan="off",
        )
