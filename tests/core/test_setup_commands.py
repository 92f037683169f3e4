"""The commands behind `make run`: clear messages when a service is missing, production
settings that refuse to start without secrets, and a clean deploy check."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

MANAGE = [sys.executable, "manage.py"]


def run(args, **env):
    full_env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    full_env.update(env)
    return subprocess.run(
        MANAGE + args, cwd=settings.BASE_DIR, env=full_env, capture_output=True, text=True, timeout=60
    )


def test_preflight_names_unreachable_postgres_without_traceback():
    result = run(
        ["preflight"],
        DJANGO_SETTINGS_MODULE="hrsuite.settings.test",
        DATABASE_URL="postgres://postgres@127.0.0.1:1/hrsuite",
    )
    assert result.returncode == 1
    assert "PostgreSQL is not reachable at 127.0.0.1:1" in result.stderr
    assert "docker compose up -d db redis" in result.stderr
    assert "Traceback" not in result.stderr


def test_preflight_names_unreachable_redis_without_traceback():
    result = run(
        ["preflight", "--database", "postgres"],
        DJANGO_SETTINGS_MODULE="hrsuite.settings.test",
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    assert result.returncode == 1
    assert "Redis is not reachable at redis://127.0.0.1:1" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_settings_refuse_to_start_without_secret_key():
    result = run(
        ["check"], DJANGO_SETTINGS_MODULE="hrsuite.settings.prod", SECRET_KEY="", ALLOWED_HOSTS="hr.example.com"
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_refuse_to_start_without_allowed_hosts():
    result = run(["check"], DJANGO_SETTINGS_MODULE="hrsuite.settings.prod", SECRET_KEY="x" * 60, ALLOWED_HOSTS="")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


PROD_ENV = {
    "DJANGO_SETTINGS_MODULE": "hrsuite.settings.prod",
    "SECRET_KEY": "k9#Xw2!pQ7@vL4$zR8^tY1&uI6*oP3(aS5)dF0_gH2+jK7=lZ9-xC4~bN8",
    "ALLOWED_HOSTS": "hr.example.com",
    "FIELD_ENCRYPTION_KEYS": "dGVzdC1vbmx5LWZlcm5ldC1rZXktMDEyMzQ1Njc4OSE=",
    "BLIND_INDEX_KEY": "blind-index-key-for-the-check",
}


def test_check_deploy_is_clean_with_production_settings():
    result = run(["check", "--deploy", "--fail-level", "WARNING"], **PROD_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_migrations_are_complete():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
