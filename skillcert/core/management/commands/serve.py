"""``skillcert serve``: the one ASGI application (Django + the public verification app) under uvicorn.

Production (SKILLCERT_ENV=production): one worker per CPU, uvloop and httptools, no access log (the
public API's GET form carries names in its query string), lifespan on so that each worker closes its
verification database pool on shutdown. The choice of uvicorn over granian is measured in
docs/decisions/0003-application-server.md.
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand

DEFAULT_APP = "skillcert.asgi:application"


def default_workers() -> int:
    configured = os.environ.get("SKILLCERT_WORKERS")
    if configured:
        return int(configured)
    return (os.cpu_count() or 1) if settings.PRODUCTION else 1


class Command(BaseCommand):
    help = "启动门户（ASGI，uvicorn）。默认 http://127.0.0.1:8000；生产环境默认每个 CPU 一个工作进程。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("SKILLCERT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("SKILLCERT_PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="工作进程数（默认：生产环境为 CPU 核数，其他环境为 1；也可用 SKILLCERT_WORKERS 设置）",
        )
        # For benchmarks: serve another ASGI application exactly the way the portal is served.
        parser.add_argument("--app", default=DEFAULT_APP, help="ASGI 应用（模块:属性），默认为门户")

    def handle(self, *args, host: str, port: int, workers: int | None, app: str, **options):
        import uvicorn

        workers = workers or default_workers()
        # The workers read it back: a worker that must count rate limits alone counts each request this
        # many times (verification/store.py, FailSafeCounters).
        os.environ["SKILLCERT_WORKERS"] = str(workers)
        self.stdout.write(f"skillcert 门户：http://{host}:{port}/  （{workers} 个工作进程，Ctrl+C 停止）")
        uvicorn.run(
            app,
            host=host,
            port=port,
            workers=workers,
            loop="uvloop",
            http="httptools",
            lifespan="on" if app == DEFAULT_APP else "auto",
            log_level="info" if settings.DEBUG else "warning",
            access_log=settings.DEBUG,
            # The client address comes from X-Forwarded-For only when the peer is a trusted proxy
            # (security.md P2): the verification app's per-address limits depend on it.
            proxy_headers=True,
            forwarded_allow_ips=os.environ.get("SKILLCERT_TRUSTED_PROXIES", "127.0.0.1"),
            server_header=False,
            backlog=2048,
        )
