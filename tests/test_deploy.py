"""Production settings: Django's deployment checks pass, and unsafe configuration refuses to start."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "SKILLCERT_ENV": "production",
    "SKILLCERT_SECRET_KEY": "x7!kq3-" + "f" * 20 + "-production-secret-key-for-the-deploy-check",
    "SKILLCERT_FIELD_ENCRYPTION_KEY": "A" * 43,
    "SKILLCERT_BLIND_INDEX_KEY": "B" * 43,
    "SKILLCERT_ALLOWED_HOSTS": "skillcert.example.gov.cn",
}


def manage(*args: str, extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SKILLCERT_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", extra_env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_the_development_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SKILLCERT_SECRET_KEY"}

    result = manage("check", extra_env=env)

    assert result.returncode != 0
    assert "SKILLCERT_SECRET_KEY" in result.stderr


def test_production_refuses_to_run_without_personal_data_keys():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SKILLCERT_BLIND_INDEX_KEY"}

    result = manage("check", extra_env=env)

    assert result.returncode != 0
    assert "SKILLCERT_BLIND_INDEX_KEY" in result.stderr
