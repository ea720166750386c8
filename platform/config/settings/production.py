"""Production: real services only. Refuses to start on unsafe configuration."""

from django.core.exceptions import ImproperlyConfigured

from config.logging import logging_config

from .base import *  # noqa: F403
from .base import ENV, media_storage

_problems = ENV.production_problems()
if _problems:
    raise ImproperlyConfigured("Refusing to start with production settings: " + "; ".join(_problems) + ".")

DEBUG = False
OUTBOUND_ALLOW = frozenset[str]()  # the SSRF guard never has exceptions in production
OTP_REQUIRED_FOR_PLATFORM_ADMIN = True
ALLOWED_HOSTS = ENV.allowed_hosts
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$", r"^readyz$", r"^metrics$", r"^tls/ask$"]
STORAGES = {
    "default": media_storage(ENV),  # S3-compatible object storage (S3_BUCKET is required above)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# A database that does not answer fails a request in seconds instead of holding a web thread.
DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)  # noqa: F405

# JSON log lines unless told otherwise (SHORELINE_LOG_FORMAT=console).
if "log_format" not in ENV.model_fields_set:
    LOGGING = logging_config("json", ENV.log_level)

# Optional error reporting: only when SENTRY_DSN is set (sentry-sdk's Django and Celery integrations).
if ENV.sentry_dsn:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(dsn=ENV.sentry_dsn, integrations=[DjangoIntegration(), CeleryIntegration()],
                    traces_sample_rate=ENV.sentry_traces_sample_rate, send_default_pii=False)
