"""config.env.ShorelineEnv: the one typed reader of the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from config.env import DEFAULT_SECRET_KEY, REPO_ROOT, ShorelineEnv

GOOD_KEY = "k" * 25 + "-production-secret-key-0123456789"  # 58 characters
PRODUCTION_OK = {
    "SECRET_KEY": GOOD_KEY,
    "DATABASE_URL": "postgres://shoreline:pw@db.internal:5432/shoreline",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "ALLOWED_HOSTS": "shoreline.example.com,.shoreline.example.com",
    "SHORELINE_DOMAIN": "shoreline.example.com",
    "SHORELINE_SCHEME": "https",
    "SHORELINE_PORT": "",
    "S3_BUCKET": "shoreline-media",
    # SEC-9: web and worker run as the restricted role (the migration job sets SHORELINE_DB_ROLE=owner).
    "DATABASE_APP_USER": "shoreline_app",
    "DATABASE_APP_PASSWORD": "app-pw",
}


def env(**values: str) -> ShorelineEnv:
    return ShorelineEnv.model_validate(values)


def test_defaults_are_safe_for_a_laptop() -> None:
    e = env()
    assert e.debug is False
    assert e.secret_key == DEFAULT_SECRET_KEY
    assert e.allowed_hosts == []
    assert e.shoreline_domain == "shoreline.localhost"
    assert e.public_scheme == "http"
    assert e.public_port == 8000
    assert e.data_dir == REPO_ROOT / ".data"
    assert e.database_url is None
    assert e.redis_url is None
    assert e.uses_embedded_postgres is True
    assert e.uses_embedded_redis is True
    assert e.widget_allow_anonymous is False


@pytest.mark.parametrize(
    ("raw", "hosts"),
    [
        ("shoreline.example.com", ["shoreline.example.com"]),
        ("a.example.com,.b.example.com", ["a.example.com", ".b.example.com"]),
        (" a.example.com , ,b.example.com,, ", ["a.example.com", "b.example.com"]),
        ("", []),
        (",", []),
    ],
)
def test_allowed_hosts_is_comma_separated(raw: str, hosts: list[str]) -> None:
    assert env(ALLOWED_HOSTS=raw).allowed_hosts == hosts


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1", True), ("true", True), ("True", True), ("yes", True), ("on", True),
     ("0", False), ("false", False), ("False", False), ("no", False), ("off", False)],
)
def test_booleans(raw: str, value: bool) -> None:
    assert env(DEBUG=raw).debug is value
    assert env(WIDGET_ALLOW_ANONYMOUS=raw).widget_allow_anonymous is value


def test_a_boolean_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValidationError, match="DEBUG"):
        env(DEBUG="maybe")


@pytest.mark.parametrize(("raw", "port"), [("8443", 8443), ("", None), ("none", None), ("None", None)])
def test_public_port(raw: str, port: int | None) -> None:
    assert env(SHORELINE_PORT=raw).public_port == port


def test_paths_and_services() -> None:
    e = env(SHORELINE_DATA_DIR="/srv/shoreline", DATABASE_URL="postgres://x@h/db", REDIS_URL="redis://h:1/0",
            DB_CONN_MAX_AGE="0")
    assert e.data_dir == Path("/srv/shoreline")
    assert e.uses_embedded_postgres is False
    assert e.uses_embedded_redis is False
    assert e.db_conn_max_age == 0


def test_unrelated_variables_are_ignored() -> None:
    assert env(HOME="/root", PATH="/usr/bin").debug is False


def test_secret_values_lists_every_configured_secret_and_nothing_else() -> None:
    e = env(SECRET_KEY=GOOD_KEY, OPENAI_API_KEY="sk-openai", STRIPE_SECRET_KEY="sk_stripe",
            STRIPE_WEBHOOK_SECRET="whsec_x", TWILIO_AUTH_TOKEN="twilio-token", SENDGRID_API_KEY="SG.key",
            TWILIO_ACCOUNT_SID="AC-not-secret", OPENAI_CHAT_MODEL="gpt-4o-mini")
    assert e.secret_values() == [GOOD_KEY, "sk-openai", "sk_stripe", "whsec_x", "twilio-token", "SG.key"]
    assert env().secret_values() == [DEFAULT_SECRET_KEY]


def test_production_problems_none_when_configured() -> None:
    assert env(**PRODUCTION_OK).production_problems() == []


@pytest.mark.parametrize(
    ("override", "problem"),
    [
        ({"DEBUG": "1"}, "DEBUG is on"),
        ({"SECRET_KEY": DEFAULT_SECRET_KEY}, "SECRET_KEY is the default or shorter than 50 characters"),
        ({"SECRET_KEY": "x" * 49}, "SECRET_KEY is the default or shorter than 50 characters"),
        ({"DATABASE_URL": ""}, "DATABASE_URL is not set (the embedded PostgreSQL is for development only)"),
        ({"REDIS_URL": ""}, "REDIS_URL is not set (the embedded Valkey is for development only)"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is empty"),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS is empty"),
        ({"SHORELINE_SCHEME": "http"}, "SHORELINE_SCHEME must be https (it is 'http')"),
        ({"SHORELINE_PORT": "8000"}, "SHORELINE_PORT must be empty (or 443), not 8000"),
        ({"SHORELINE_PORT": "443"}, None),
        ({"SHORELINE_DOMAIN": "shoreline.localhost"},
         "SHORELINE_DOMAIN must be a public domain name (it is 'shoreline.localhost')"),
        ({"SHORELINE_DOMAIN": "localhost"}, "SHORELINE_DOMAIN must be a public domain name (it is 'localhost')"),
        ({"SHORELINE_DOMAIN": "10.0.0.1"}, "SHORELINE_DOMAIN must be a public domain name (it is '10.0.0.1')"),
        ({"SHORELINE_DOMAIN": "bad_domain.com"},
         "SHORELINE_DOMAIN must be a public domain name (it is 'bad_domain.com')"),
        ({"SHORELINE_DOMAIN": "https://x.com"},
         "SHORELINE_DOMAIN must be a public domain name (it is 'https://x.com')"),
        ({"S3_BUCKET": ""}, "S3_BUCKET is not set (media on the local disk is for development only)"),
    ],
)
def test_each_production_problem_is_named(override: dict[str, str], problem: str | None) -> None:
    assert env(**{**PRODUCTION_OK, **override}).production_problems() == ([problem] if problem else [])


def test_all_production_problems_at_once() -> None:
    assert env().production_problems() == [
        "SECRET_KEY is the default or shorter than 50 characters",
        "DATABASE_URL is not set (the embedded PostgreSQL is for development only)",
        "REDIS_URL is not set (the embedded Valkey is for development only)",
        "ALLOWED_HOSTS is empty",
        "SHORELINE_SCHEME must be https (it is 'http')",
        "SHORELINE_PORT must be empty (or 443), not 8000",
        "SHORELINE_DOMAIN must be a public domain name (it is 'shoreline.localhost')",
        "S3_BUCKET is not set (media on the local disk is for development only)",
        "DATABASE_APP_USER is not set (web and worker run as the restricted role that cannot rewrite the audit "
        "log; only the migration job may run as the owner, with SHORELINE_DB_ROLE=owner)",
    ]


@pytest.mark.parametrize(("raw", "value"), [("0", False), ("false", False), ("no", False), ("off", False),
                                            ("1", True), ("yes", True)])
def test_debug_from_the_environment_beats_the_local_default(raw: str, value: bool) -> None:
    assert env(DEBUG=raw).debug_or(True) is value
    assert env(DEBUG=raw).debug_or(False) is value


def test_debug_default_when_unset() -> None:
    assert env().debug_or(True) is True
    assert env().debug_or(False) is False
