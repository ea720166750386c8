"""Production settings refuse unsafe configuration, and pass `check --deploy` when configured.

Each case runs `manage.py` in a fresh interpreter with DJANGO_SETTINGS_MODULE pointing at the
production module and a controlled environment (nothing inherited that config.env reads).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": "p" * 20 + "-a-long-and-unguessable-production-secret-key-42",
    # Nothing listens on port 1: no check below may need a connection.
    "DATABASE_URL": "postgres://shoreline:pw@127.0.0.1:1/shoreline",
    "REDIS_URL": "redis://127.0.0.1:1/0",
    "ALLOWED_HOSTS": "shoreline.example.com,.shoreline.example.com",
    "SHORELINE_DOMAIN": "shoreline.example.com",
    "SHORELINE_SCHEME": "https",
    "SHORELINE_PORT": "",
}
# Every variable config.env reads is removed first, so the developer's shell cannot leak in.
_ENV_NAMES = {
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SHORELINE_DOMAIN", "SHORELINE_SCHEME", "SHORELINE_PORT",
    "DATABASE_URL", "REDIS_URL", "DB_CONN_MAX_AGE", "WIDGET_ALLOW_ANONYMOUS", "OPENAI_API_KEY",
    "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "TWILIO_AUTH_TOKEN", "SENDGRID_API_KEY",
    "DJANGO_SETTINGS_MODULE", "PYTHONPATH",
}


def _env(overrides: dict[str, str | None]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _ENV_NAMES}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    for key, value in {**PRODUCTION_ENV, **overrides}.items():
        if value is not None:
            env[key] = value
    return env


def run_manage(*args: str, **env_overrides: str | None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=_env(env_overrides),
                          capture_output=True, text=True, timeout=120, check=False)


def test_check_deploy_reports_no_issues_when_configured() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert result.stderr == ""


def test_production_hardening_values() -> None:
    probe = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'DEBUG': s.DEBUG, 'SESSION_COOKIE_SECURE': s.SESSION_COOKIE_SECURE, "
        "'SESSION_COOKIE_HTTPONLY': s.SESSION_COOKIE_HTTPONLY, 'SESSION_COOKIE_SAMESITE': s.SESSION_COOKIE_SAMESITE, "
        "'CSRF_COOKIE_SECURE': s.CSRF_COOKIE_SECURE, 'SECURE_SSL_REDIRECT': s.SECURE_SSL_REDIRECT, "
        "'ALLOWED_HOSTS': s.ALLOWED_HOSTS, 'DB_HOST': s.DATABASES['default']['HOST'], "
        "'BROKER': s.CELERY_BROKER_URL}))"
    )
    env = {**_env({}), "PYTHONPATH": os.pathsep.join(["platform", "."])}
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "ALLOWED_HOSTS": ["shoreline.example.com", ".shoreline.example.com"],
        "DB_HOST": "127.0.0.1",
        "BROKER": "redis://127.0.0.1:1/0",
    }


@pytest.mark.parametrize(
    ("override", "problem"),
    [
        ({"DEBUG": "1"}, "DEBUG is on"),
        ({"SECRET_KEY": None}, "SECRET_KEY is the default or shorter than 50 characters"),
        ({"SECRET_KEY": "s" * 49}, "SECRET_KEY is the default or shorter than 50 characters"),
        ({"DATABASE_URL": None}, "DATABASE_URL is not set (the embedded PostgreSQL is for development only)"),
        ({"REDIS_URL": None}, "REDIS_URL is not set (the embedded Valkey is for development only)"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS is empty"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is empty"),
        ({"SHORELINE_SCHEME": "http"}, "SHORELINE_SCHEME must be https (it is 'http')"),
        ({"SHORELINE_DOMAIN": "shoreline.localhost"},
         "SHORELINE_DOMAIN must be a public domain name (it is 'shoreline.localhost')"),
    ],
    ids=["debug", "default-secret", "short-secret", "no-database-url", "no-redis-url", "no-hosts", "empty-hosts",
         "http-links", "local-domain"],
)
def test_unsafe_configuration_refuses_to_start(override: dict[str, str | None], problem: str) -> None:
    result = run_manage("check", **override)
    assert result.returncode != 0
    assert result.stdout == ""
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == (
        f"django.core.exceptions.ImproperlyConfigured: Refusing to start with production settings: {problem}."
    )


@pytest.mark.parametrize(("raw", "expected"), [("0", False), ("false", False), ("no", False), (None, True)])
def test_local_settings_honour_debug_from_the_environment(raw: str | None, expected: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k not in _ENV_NAMES}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.local", "PYTHONPATH": os.pathsep.join(["platform", "."])})
    if raw is not None:
        env["DEBUG"] = raw
    probe = "from django.conf import settings; print(settings.DEBUG)"
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(expected)
