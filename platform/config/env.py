"""The one reader of the process environment.

Every setting that can come from the environment is a typed field here; nothing
else in Shoreline calls ``os.environ``. Defaults are safe for a laptop; the
production settings module refuses to start on the ones that are not.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

REPO_ROOT = Path(__file__).resolve().parents[2]
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
DEFAULT_SECRET_KEY = "shoreline-insecure-development-key-do-not-use-in-production"  # noqa: S105 — refused in production


def _csv(value: object) -> list[str]:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return list(value)  # type: ignore[call-overload]


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

    # Widget API: anonymous (token-less) chat is only ever allowed with DEBUG on too.
    widget_allow_anonymous: bool = Field(False, alias="WIDGET_ALLOW_ANONYMOUS")
    widget_rate_bot_per_minute: float = Field(600, alias="WIDGET_RATE_BOT_PER_MINUTE", gt=0)
    widget_rate_bot_burst: int = Field(120, alias="WIDGET_RATE_BOT_BURST", ge=1)
    # Every widget call of a visitor counts (messages, thumbs, booking clicks, handoff), so the burst
    # leaves room for a brisk but human visit.
    widget_rate_visitor_per_minute: float = Field(30, alias="WIDGET_RATE_VISITOR_PER_MINUTE", gt=0)
    widget_rate_visitor_burst: int = Field(15, alias="WIDGET_RATE_VISITOR_BURST", ge=1)

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
    # host:port pairs outgoing webhooks may reach although not public: the demo's local receiver only.
    webhook_allowed_private_hosts: list[str] = Field(default_factory=list, alias="SHORELINE_WEBHOOK_PRIVATE_HOSTS")
    demo_webhook_receiver_url: str | None = Field(None, alias="SHORELINE_DEMO_WEBHOOK_RECEIVER")
    email_from: str = Field("Shoreline <no-reply@shoreline.localhost>", alias="EMAIL_FROM")

    @field_validator("allowed_hosts", "webhook_allowed_private_hosts", mode="before")
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
        if self.public_port is not None and not 1 <= self.public_port <= 65535:
            problems.append("SHORELINE_PORT must be empty or a port number from 1 to 65535")
        domain = self.shoreline_domain.strip().lower()
        labels = domain.split(".")
        valid = (len(domain) <= 253 and len(labels) >= 2 and not domain.endswith((".localhost", ".local", ".test"))
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
        return problems


@lru_cache(maxsize=1)
def load_env() -> ShorelineEnv:
    return ShorelineEnv.model_validate(dict(os.environ))
