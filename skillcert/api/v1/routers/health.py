"""``GET /api/v1/health``: is the service up, which database does it use, are its migrations applied."""

import sqlite3
from typing import Literal

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["health"])


class HealthDatabaseOut(Schema):
    vendor: str
    version: str


class HealthOut(Schema):
    status: Literal["ok", "unavailable"]
    database: HealthDatabaseOut
    migrations: Literal["applied", "pending", "unknown"]


def database_version() -> str:
    """The database server's version as people write it ("3.45.1", "16.4")."""
    if connection.vendor == "sqlite":
        return sqlite3.sqlite_version
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        # e.g. 160004 for 16.4; before version 10 it was 90605 for 9.6.5
        number: int = connection.pg_version  # type: ignore[attr-defined]
        if number >= 100000:
            return f"{number // 10000}.{number % 10000}"
        return f"{number // 10000}.{number // 100 % 100}.{number % 100}"
    return ""


def migrations_pending() -> bool:
    """Whether any migration known to the code is missing from the database."""
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    return bool(executor.migration_plan(targets))


@router.get(
    "",
    auth=None,
    response={200: HealthOut, 503: HealthOut},
    url_name="health",
    operation_id="health_check",
    summary="服务健康状态",
    description="无需认证。数据库可用且迁移已全部执行时返回 200，否则返回 503。",
)
def health_check(request: HttpRequest):
    """Answers 200 when the database is reachable and fully migrated, 503 otherwise."""
    try:
        version = database_version()
        pending = migrations_pending()
    except DatabaseError:
        database = {"vendor": connection.vendor, "version": ""}
        return 503, {"status": "unavailable", "database": database, "migrations": "unknown"}
    database = {"vendor": connection.vendor, "version": version}
    if pending:
        return 503, {"status": "unavailable", "database": database, "migrations": "pending"}
    return 200, {"status": "ok", "database": database, "migrations": "applied"}
