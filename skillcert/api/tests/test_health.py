"""``GET /api/v1/health`` on the test database."""

import sqlite3

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

HEALTH_URL = "/api/v1/health"


def server_version() -> str:
    """The version as the database server itself reports it, asked independently of the endpoint."""
    if connection.vendor == "sqlite":
        return sqlite3.sqlite_version
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


@pytest.mark.django_db
def test_health_reports_the_database_and_applied_migrations(client):
    # when anyone (no token) asks
    response = client.get(HEALTH_URL)
    # then the service is ok, on the database the tests run on
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {
        "status": "ok",
        "database": {"vendor": connection.vendor, "version": server_version()},
        "migrations": "applied",
    }


@pytest.mark.django_db
def test_health_answers_503_when_a_migration_is_not_applied(client):
    # given the newest migration of the accounts app is not recorded as applied
    leaf = next(node for node in MigrationLoader(connection).graph.leaf_nodes() if node[0] == "accounts")
    assert MigrationRecorder.Migration.objects.filter(app=leaf[0], name=leaf[1]).delete()[0] == 1
    # when the health is asked
    response = client.get(HEALTH_URL)
    # then it says migrations are pending, with 503
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["migrations"] == "pending"
