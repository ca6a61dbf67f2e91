"""Run every benchmark under bench/ and print one JSON object per line.

Each benchmark measures skillcert's operation and a bare baseline doing the irreducible part of the same
work in the same run, so the ratio means something on a noisy machine. Runs against a throwaway SQLite
database (or SKILLCERT_BENCH_DATABASE_URL for PostgreSQL).
"""

import importlib
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["SKILLCERT_VAR_DIR"] = tempfile.mkdtemp(prefix="skillcert-bench-")
    if os.environ.get("SKILLCERT_BENCH_DATABASE_URL"):
        os.environ["SKILLCERT_DATABASE_URL"] = os.environ["SKILLCERT_BENCH_DATABASE_URL"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skillcert.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def main() -> None:
    setup_django()
    only = set(sys.argv[1:])
    for path in sorted(BENCH_DIR.glob("bench_*.py")):
        if only and path.stem not in only:
            continue
        module = importlib.import_module(f"bench.{path.stem}")
        for result in module.run():
            print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
