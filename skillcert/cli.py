"""The ``skillcert`` console command: readable verbs over Django's management commands.

skillcert serve                  serve the portal (ASGI) at http://127.0.0.1:8000
skillcert demo [--if-empty]      load the demo data and print the demo accounts
skillcert import-regions FILE    import GB/T 2260 area codes (current and retired)
skillcert import-occupations FILE  import the national occupation catalogue
skillcert audit verify           check the audit log's hash chain
skillcert token create USER NAME create an API token for an integration (read-only; --scope read_write)
skillcert addstatictoken USER    one recovery code for a user who lost their authenticator (printed once)
skillcert verification-watch     look for certificate enumeration in the public query's log (cron)
skillcert credentials-backfill   give keys and credential entries to bodies and certificates older than them
skillcert jobs-tidy              fail interrupted jobs and delete job outputs past their retention (cron)
skillcert <anything else>        any Django management command (migrate, createsuperuser, ...)
"""

import os
import sys

# Verbs whose words differ from the management command's name.
VERBS = {
    ("import-regions",): "import_regions",
    ("import-occupations",): "import_occupations",
    ("audit", "verify"): "audit_verify",
    ("token", "create"): "token_create",
    ("verify-credential",): "verify_credential",
    ("trust-bundle",): "trust_bundle",
    ("verification-rebuild",): "verification_rebuild",
    ("verification-watch",): "verification_watch",
    ("credentials-backfill",): "credentials_backfill",
    ("jobs-tidy",): "jobs_tidy",
}


def translate(argv: list[str]) -> list[str]:
    """Turn ``["audit", "verify", ...]`` into ``["audit_verify", ...]``; other words pass through."""
    for words, command in sorted(VERBS.items(), key=lambda item: -len(item[0])):
        if tuple(argv[: len(words)]) == words:
            return [command, *argv[len(words) :]]
    return argv


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillcert.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["skillcert", *translate(args)])


if __name__ == "__main__":
    main()
