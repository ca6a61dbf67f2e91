"""PostgreSQL only: the rate-limit counter table and the read-only role of the verification app.

On SQLite the app keeps its counters in shared memory (counters.py, docs/decisions/0005) and opens the
main database read-only, so there is nothing to do there.

``skillcert_verifier`` may SELECT verification_record and read and write verification_counter, nothing
else. It is created NOLOGIN: an operator gives it a password (ALTER ROLE skillcert_verifier LOGIN
PASSWORD '…') and sets SKILLCERT_VERIFICATION_DATABASE_URL. Where the migrating user may not create
roles (a managed database), the grants are skipped with a notice and the app uses the main URL.
"""

from django.db import migrations

FORWARD = [
    # UNLOGGED: counters need no crash safety and no replication, and skip the WAL on every request.
    """
    CREATE UNLOGGED TABLE IF NOT EXISTS verification_counter (
        key bytea PRIMARY KEY,  -- window end (4 bytes, big-endian) + keyed hash: expiry is a key range
        count integer NOT NULL
    )
    """,
    """
    DO $$
    BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'skillcert_verifier') THEN
            CREATE ROLE skillcert_verifier NOLOGIN;
        END IF;
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO skillcert_verifier', current_database());
        GRANT USAGE ON SCHEMA public TO skillcert_verifier;
        GRANT SELECT ON verification_record TO skillcert_verifier;
        GRANT SELECT, INSERT, UPDATE, DELETE ON verification_counter TO skillcert_verifier;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'skillcert_verifier not set up: the migrating user may not create roles or grant';
    END
    $$
    """,
]

BACKWARD = [
    """
    DO $$
    BEGIN
        IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'skillcert_verifier') THEN
            REVOKE ALL ON verification_record FROM skillcert_verifier;
        END IF;
    END
    $$
    """,
    "DROP TABLE IF EXISTS verification_counter",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("verification", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
