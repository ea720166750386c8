"""The one reader of the process environment.

Every setting that can come from the environment is a typed field here; nothing
else in Shoreline calls ``os.environ``. Defaults are safe for a laptop; the
production settings module refuses to start on the ones that are not.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

REPO_ROOT = Path(__file__).resolve().parents[2]
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
DEFAULT_SECRET_KEY = "shoreline-insecure-development-key-do-not-use-in-production"  # noqa: S105 — refused in production


def _csv(value: object) -> list[str]:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if not isinstance(value, Iterable):
        raise TypeError(f"expected a comma-separated string or a list, not {type(value).__name__}")
    items: list[str] = list(value)  # pydantic then checks each item is a string
    return items


class ShorelineEnv(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    debug: bool = Field(False, alias="DEBUG")
    secret_key: str = Field(DEFAULT_SECRET_KEY, alias="SECRET_KEY")
    allowed_hosts: list[str] = Field(default_factory=list, alias="ALLOWED_HOSTS")
    shoreline_domain: str = Field("shoreline.localhost", alias="SHORELINE_DOMAIN")
    public_scheme: str = Field("http", alias="SHORELINE_SCHEME")
    public_port: int | None = Field(8000, alias="SHORELINE_PORT")
    data_dir: Path = Field(REPO_ROOT / ".data", alias="SHORELINE_DATA_DIR")

    # Key of the audit log's HMAC chain; derived from SECRET_KEY when unset. Never stored in the database.
    audit_hmac_key: str | None = Field(None, alias="AUDIT_HMAC_KEY")
    audit_anchor_path: Path | None = Field(None, alias="AUDIT_ANCHOR_PATH")
    database_url: str | None = Field(None, alias="DATABASE_URL")
    redis_url: str | None = Field(None, alias="REDIS_URL")
    db_conn_max_age: int = Field(60, alias="DB_CONN_MAX_AGE")
    # SEC-9: web and worker connect as this restricted role (controlplane.audit.roles: no UPDATE, DELETE,
    # TRUNCATE, ALTER or trigger changes on the audit log); migrations run as the DATABASE_URL owner
    # with SHORELINE_DB_ROLE=owner. Unset: everything runs as the owner (tests).
    database_app_user: str | None = Field(None, alias="DATABASE_APP_USER", pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    database_app_password: str | None = Field(None, alias="DATABASE_APP_PASSWORD")
    db_role: str = Field("app", alias="SHORELINE_DB_ROLE", pattern="^(app|owner)$")

    # Widget API: anonymous (token-less) chat is only ever allowed with DEBUG on too.
    widget_allow_anonymous: bool = Field(False, alias="WIDGET_ALLOW_ANONYMOUS")
    widget_rate_bot_per_minute: float = Field(600, alias="WIDGET_RATE_BOT_PER_MINUTE", gt=0)
    widget_rate_bot_burst: int = Field(120, alias="WIDGET_RATE_BOT_BURST", ge=1)
    # Every widget call of a visitor counts (messages, thumbs, booking clicks, handoff), so the burst
    # leaves room for a brisk but human visit.
    widget_rate_visitor_per_minute: float = Field(30, alias="WIDGET_RATE_VISITOR_PER_MINUTE", gt=0)
    widget_rate_visitor_burst: int = Field(15, alias="WIDGET_RATE_VISITOR_BURST", ge=1)
    # Every call from one network address to one bot, whatever visitor it names (scripts, NAT offices).
    widget_rate_ip_per_minute: float = Field(120, alias="WIDGET_RATE_IP_PER_MINUTE", gt=0)
    widget_rate_ip_burst: int = Field(60, alias="WIDGET_RATE_IP_BURST", ge=1)
    # Addresses or networks of our own reverse proxies: only from them is X-Forwarded-For believed.
    trusted_proxies: list[str] = Field(default_factory=list, alias="SHORELINE_TRUSTED_PROXIES")

    openai_api_key: str | None = Field(None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(None, alias="OPENAI_BASE_URL")
    openai_chat_model: str = Field("gpt-4o-mini", alias="OPENAI_CHAT_MODEL")
    openai_embedding_model: str = Field("text-embedding-3-small", alias="OPENAI_EMBEDDING_MODEL")
    # Stored vectors and query vectors must come from the same backend, so this is chosen
    # explicitly and not switched by the presence of OPENAI_API_KEY.
    embedding_backend: str = Field("minilm", alias="SHORELINE_EMBEDDING_BACKEND", pattern="^(minilm|openai)$")
    model_timeout_seconds: float = Field(15.0, alias="SHORELINE_MODEL_TIMEOUT")

    stripe_secret_key: str | None = Field(None, alias="STRIPE_SECRET_KEY")
    stripe_webhook_secret: str | None = Field(None, alias="STRIPE_WEBHOOK_SECRET")
    stripe_api_base: str | None = Field(None, alias="STRIPE_API_BASE")
    # Only the enforcement benchmark turns this off (ops/bench/billing_enforcement.py).
    billing_enforce_quotas: bool = Field(True, alias="BILLING_ENFORCE_QUOTAS")
    twilio_account_sid: str | None = Field(None, alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: str | None = Field(None, alias="TWILIO_AUTH_TOKEN")
    twilio_from_number: str | None = Field(None, alias="TWILIO_FROM_NUMBER")
    sendgrid_api_key: str | None = Field(None, alias="SENDGRID_API_KEY")
    # Where the provider SDKs send their requests: unset = the real APIs; the demo and tests point
    # them at the local fakes (ops/fake_twilio.py, ops/fake_sendgrid.py).
    twilio_api_base: str | None = Field(None, alias="TWILIO_API_BASE")
    sendgrid_api_host: str | None = Field(None, alias="SENDGRID_API_HOST")
    # Celery queue of notification deliveries (unset = the default queue).
    notifications_queue: str | None = Field(None, alias="SHORELINE_NOTIFICATIONS_QUEUE")
    # Celery queue of uploaded documents to read (unset = the knowledge queue by route); tests only.
    knowledge_upload_queue: str | None = Field(None, alias="SHORELINE_KNOWLEDGE_UPLOAD_QUEUE")
    # host:port pairs outgoing webhooks may reach although not public: the demo's local receiver only.
    webhook_allowed_private_hosts: list[str] = Field(default_factory=list, alias="SHORELINE_WEBHOOK_PRIVATE_HOSTS")
    demo_webhook_receiver_url: str | None = Field(None, alias="SHORELINE_DEMO_WEBHOOK_RECEIVER")
    email_from: str = Field("Shoreline <no-reply@shoreline.localhost>", alias="EMAIL_FROM")

    # --- Operations (issue 18) ---------------------------------------------------------------
    # Set by the production image: entry points then refuse to guess DJANGO_SETTINGS_MODULE.
    require_settings_module: bool = Field(False, alias="SHORELINE_REQUIRE_SETTINGS_MODULE")
    log_format: str = Field("console", alias="SHORELINE_LOG_FORMAT", pattern="^(console|json)$")
    log_level: str = Field("INFO", alias="SHORELINE_LOG_LEVEL")
    # GET /metrics needs `Authorization: Bearer <token>`; unset, only loopback callers get metrics.
    metrics_token: str | None = Field(None, alias="SHORELINE_METRICS_TOKEN")
    # Set for gunicorn's several processes: each writes its samples here and a scrape sums them.
    prometheus_multiproc_dir: str | None = Field(None, alias="PROMETHEUS_MULTIPROC_DIR")
    sentry_dsn: str | None = Field(None, alias="SENTRY_DSN")
    sentry_traces_sample_rate: float = Field(0.0, alias="SENTRY_TRACES_SAMPLE_RATE", ge=0, le=1)
    readiness_timeout_seconds: float = Field(1.0, alias="SHORELINE_READINESS_TIMEOUT", gt=0)
    # Periodic per-client work: one message carries this many clients (5,000 clients -> 20 messages).
    fanout_batch_size: int = Field(250, alias="SHORELINE_FANOUT_BATCH_SIZE", ge=1)
    # Media (avatars, uploads) on S3-compatible object storage; the local disk is for development only.
    s3_bucket: str | None = Field(None, alias="S3_BUCKET")
    s3_endpoint_url: str | None = Field(None, alias="S3_ENDPOINT_URL")
    s3_region: str | None = Field(None, alias="S3_REGION")
    s3_access_key_id: str | None = Field(None, alias="S3_ACCESS_KEY_ID")
    s3_secret_access_key: str | None = Field(None, alias="S3_SECRET_ACCESS_KEY")
    s3_custom_domain: str | None = Field(None, alias="S3_CUSTOM_DOMAIN")

    @field_validator("allowed_hosts", "webhook_allowed_private_hosts", "trusted_proxies", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> list[str]:
        return _csv(value)

    @field_validator("public_port", mode="before")
    @classmethod
    def _blank_port(cls, value: object) -> object:
        return None if value in ("", "none", "None") else value

    @property
    def uses_embedded_postgres(self) -> bool:
        return not self.database_url

    @property
    def uses_embedded_redis(self) -> bool:
        return not self.redis_url

    def debug_or(self, default: bool) -> bool:
        """DEBUG as the environment set it (1/0, true/false, yes/no, on/off), else `default`.

        (The field is set under its name `debug`, not its alias, so that is what is looked up.)"""
        return self.debug if "debug" in self.model_fields_set else default

    def public_link_problems(self) -> list[str]:
        """Links we send (emails, widget snippets) must be valid https URLs in production."""
        problems = []
        if self.public_scheme != "https":
            problems.append(f"SHORELINE_SCHEME must be https (it is {self.public_scheme!r})")
        if self.public_port not in (None, 443):
            # A dev port in links (embed snippets like http://agency.example:8000/…) is a broken link.
            problems.append(f"SHORELINE_PORT must be empty (or 443), not {self.public_port}")
        domain = self.shoreline_domain.strip().lower()
        labels = domain.split(".")
        valid = (len(domain) <= 253 and len(labels) >= 2 and not domain.endswith((".localhost", ".local"))
                 and domain != "localhost"
                 and all(_LABEL.fullmatch(label) for label in labels) and not labels[-1].isdigit())
        if not valid:
            problems.append(f"SHORELINE_DOMAIN must be a public domain name (it is {self.shoreline_domain!r})")
        return problems

    def secret_values(self) -> list[str]:
        """Configured secrets, so tests can prove none of them ever leaves the server."""
        values = [
            self.secret_key,
            self.audit_hmac_key,
            self.openai_api_key,
            self.stripe_secret_key,
            self.stripe_webhook_secret,
            self.twilio_auth_token,
            self.sendgrid_api_key,
            self.metrics_token,
            self.s3_secret_access_key,
            self.database_app_password,
        ]
        return [v for v in values if v]

    def production_problems(self) -> list[str]:
        problems = []
        if self.debug:
            problems.append("DEBUG is on")
        if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 50:
            problems.append("SECRET_KEY is the default or shorter than 50 characters")
        if self.uses_embedded_postgres:
            problems.append("DATABASE_URL is not set (the embedded PostgreSQL is for development only)")
        if self.uses_embedded_redis:
            problems.append("REDIS_URL is not set (the embedded Valkey is for development only)")
        if not self.allowed_hosts:
            problems.append("ALLOWED_HOSTS is empty")
        if self.webhook_allowed_private_hosts:
            problems.append("SHORELINE_WEBHOOK_PRIVATE_HOSTS is set (private webhook targets are for the demo only)")
        problems += self.public_link_problems()
        if not self.s3_bucket:
            problems.append("S3_BUCKET is not set (media on the local disk is for development only)")
        if self.db_role == "app" and not self.database_app_user:
            problems.append("DATABASE_APP_USER is not set (web and worker run as the restricted role that cannot "
                            "rewrite the audit log; only the migration job may run as the owner, with "
                            "SHORELINE_DB_ROLE=owner)")
        elif self.db_role == "app" and not self.database_app_password:
            problems.append("DATABASE_APP_PASSWORD is not set (the restricted role's password)")
        return problems


@lru_cache(maxsize=1)
def load_env() -> ShorelineEnv:
    return ShorelineEnv.model_validate(dict(os.environ))


def settings_module(default: str = "config.settings.local") -> str:
    """The settings module every entry point (manage, wsgi, asgi, celery) uses.

    Outside the production image a missing DJANGO_SETTINGS_MODULE means the laptop settings. The
    image sets SHORELINE_REQUIRE_SETTINGS_MODULE=1, and there a missing one stops the process
    instead of silently running with local settings and DEBUG on.
    """
    chosen = os.environ.get("DJANGO_SETTINGS_MODULE")
    if chosen:
        return chosen
    if os.environ.get("SHORELINE_REQUIRE_SETTINGS_MODULE", "").lower() in ("1", "true", "yes", "on"):
        raise SystemExit(
            "DJANGO_SETTINGS_MODULE is not set. This image requires it explicitly "
            "(for example DJANGO_SETTINGS_MODULE=config.settings.production); it will not fall back to "
            "the development settings."
        )
    os.environ["DJANGO_SETTINGS_MODULE"] = default
    return default
