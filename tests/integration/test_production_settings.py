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
    "S3_BUCKET": "shoreline-media",
    "S3_ENDPOINT_URL": "https://objects.example.com",
    # SEC-9: web and worker run as the restricted role (the migration job sets SHORELINE_DB_ROLE=owner).
    "DATABASE_APP_USER": "shoreline_app",
    "DATABASE_APP_PASSWORD": "app-pw",
}
# Every variable config.env reads is removed first, so the developer's shell cannot leak in.
_ENV_NAMES = {
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SHORELINE_DOMAIN", "SHORELINE_SCHEME", "SHORELINE_PORT",
    "DATABASE_URL", "REDIS_URL", "DB_CONN_MAX_AGE", "WIDGET_ALLOW_ANONYMOUS", "OPENAI_API_KEY",
    "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "TWILIO_AUTH_TOKEN", "SENDGRID_API_KEY",
    "DJANGO_SETTINGS_MODULE", "PYTHONPATH", "S3_BUCKET", "S3_ENDPOINT_URL", "SHORELINE_REQUIRE_SETTINGS_MODULE",
    "SENTRY_DSN", "SHORELINE_LOG_FORMAT", "SHORELINE_METRICS_TOKEN",
    "DATABASE_APP_USER", "DATABASE_APP_PASSWORD", "SHORELINE_DB_ROLE",
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
        "'BROKER': s.CELERY_BROKER_URL, 'MEDIA': s.STORAGES['default']['BACKEND'], "
        "'BUCKET': s.STORAGES['default']['OPTIONS']['bucket_name'], 'BEAT': s.CELERY_BEAT_SCHEDULER}))"
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
        "MEDIA": "storages.backends.s3.S3Storage",
        "BUCKET": "shoreline-media",
        "BEAT": "redbeat.RedBeatScheduler",
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
        ({"SHORELINE_SCHEME": None}, "SHORELINE_SCHEME must be https (it is 'http')"),
        ({"SHORELINE_PORT": "8000"}, "SHORELINE_PORT must be empty (or 443), not 8000"),
        ({"SHORELINE_PORT": None}, "SHORELINE_PORT must be empty (or 443), not 8000"),
        ({"SHORELINE_DOMAIN": "shoreline.localhost"},
         "SHORELINE_DOMAIN must be a public domain name (it is 'shoreline.localhost')"),
        ({"SHORELINE_DOMAIN": "10.0.0.5"}, "SHORELINE_DOMAIN must be a public domain name (it is '10.0.0.5')"),
        ({"S3_BUCKET": None}, "S3_BUCKET is not set (media on the local disk is for development only)"),
        ({"DATABASE_APP_USER": None}, "DATABASE_APP_USER is not set (web and worker run as the restricted role "
         "that cannot rewrite the audit log; only the migration job may run as the owner, with "
         "SHORELINE_DB_ROLE=owner)"),
        ({"DATABASE_APP_PASSWORD": None}, "DATABASE_APP_PASSWORD is not set (the restricted role's password)"),
    ],
    ids=["debug", "default-secret", "short-secret", "no-database-url", "no-redis-url", "no-hosts", "empty-hosts",
         "http-links", "default-scheme", "dev-port", "default-port", "localhost-domain", "ip-domain", "no-s3",
         "no-app-role", "no-app-password"],
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


@pytest.mark.parametrize("entry", ["manage", "wsgi", "asgi", "celery"])
def test_image_refuses_to_boot_without_an_explicit_settings_module(entry: str) -> None:
    """The image sets SHORELINE_REQUIRE_SETTINGS_MODULE=1: no entry point may fall back to local DEBUG settings."""
    env = _env({"DJANGO_SETTINGS_MODULE": None})
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["SHORELINE_REQUIRE_SETTINGS_MODULE"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(["platform", "."])
    command = {
        "manage": [sys.executable, "manage.py", "check"],
        "wsgi": [sys.executable, "-c", "import config.wsgi"],
        "asgi": [sys.executable, "-c", "import config.asgi"],
        "celery": [sys.executable, "-m", "celery", "-A", "config", "inspect", "ping"],
    }[entry]
    result = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode != 0
    assert "DJANGO_SETTINGS_MODULE is not set. This image requires it explicitly" in result.stderr
    assert "DEBUG" not in result.stdout


def test_embed_snippet_links_are_https_without_a_port() -> None:
    probe = (
        "import django; django.setup(); from controlplane.clients.selectors import public_url; "
        "print(public_url('/widget/loader.js'))"
    )
    env = {**_env({}), "PYTHONPATH": os.pathsep.join(["platform", "."])}
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "https://shoreline.example.com/widget/loader.js"


def test_sentry_is_on_only_when_a_dsn_is_set() -> None:
    probe = ("import django; django.setup(); import sentry_sdk, json; c = sentry_sdk.get_client(); "
             "print(json.dumps([c.is_active(), sorted(getattr(c, 'integrations', {}))]))")
    base = {"PYTHONPATH": os.pathsep.join(["platform", "."])}
    results = []
    for dsn in (None, "https://public@o0.ingest.invalid/1"):
        env = {**_env({"SENTRY_DSN": dsn}), **base}
        result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, env=env, capture_output=True,
                                text=True, timeout=300, check=False)
        assert result.returncode == 0, result.stderr
        results.append(json.loads(result.stdout.strip().splitlines()[-1]))
    assert results[0][0] is False
    assert results[1][0] is True
    assert {"django", "celery"} <= set(results[1][1])


@pytest.mark.parametrize(("overrides", "expected"), [
    ({}, ["shoreline_app", "app-pw"]),
    ({"SHORELINE_DB_ROLE": "owner"}, ["shoreline", "pw"]),
    ({"SHORELINE_DB_ROLE": "owner", "DATABASE_APP_USER": None, "DATABASE_APP_PASSWORD": None}, ["shoreline", "pw"]),
], ids=["web-and-worker", "migrations", "migration-job-without-app-role"])
def test_runtime_uses_the_restricted_database_role(overrides: dict[str, str | None], expected: list[str]) -> None:
    """SEC-9: web and worker connect as DATABASE_APP_USER (production refuses to start without it, see
    test_unsafe_configuration_refuses_to_start); SHORELINE_DB_ROLE=owner (the migration job) as the owner."""
    probe = ("import json; from django.conf import settings as s; d = s.DATABASES['default']; "
             "print(json.dumps([d['USER'], d['PASSWORD']]))")
    env = {**_env(overrides), "PYTHONPATH": os.pathsep.join(["platform", "."])}
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == expected
