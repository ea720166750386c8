"""Settings shared by every environment. Values that vary come from config.env."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlparse

from celery.schedules import crontab
from django.utils.csp import CSP

from config.env import REPO_ROOT, load_env
from config.logging import logging_config

ENV = load_env()

BASE_DIR = REPO_ROOT
DEBUG = ENV.debug
SECRET_KEY = ENV.secret_key
SHORELINE_DOMAIN = ENV.shoreline_domain
ALLOWED_HOSTS = ENV.allowed_hosts or [SHORELINE_DOMAIN, f".{SHORELINE_DOMAIN}"]
# "host:port" of the DNS resolver custom-domain verification asks; empty: the system's (controlplane.clients.domains).
DNS_RESOLVER = ""

# --- Apps: which tables live where is decided once, here (django-tenants) -----------
SHARED_APPS = [
    "django_tenants",
    "controlplane.core",  # first shared migration: CREATE EXTENSION vector in public
    "controlplane.clients",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "controlplane.accounts",
    "controlplane.billing",
    "controlplane.audit",
    "controlplane.portal",
    "controlplane.widgets",
    "controlplane.rollups",
    "controlplane.errorlog",
    "controlplane.notifications",
    "frontend",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "tenants.bots",
    "tenants.knowledge",
    "tenants.conversations",
    "tenants.review",
    "tenants.leads",
    "tenants.analytics",
    "tenants.dashboard",
    "tenants.demo",
    "tenants.privacy",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "clients.Client"
TENANT_DOMAIN_MODEL = "clients.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
TENANT_LIMIT_SET_CALLS = True
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
# migrate_schemas skips client schemas with nothing to apply (issue 18, docs/benchmarks.md).
GET_EXECUTOR_FUNCTION = "controlplane.core.migration_executors.get_executor"

MIDDLEWARE = [
    # /livez, /readyz, /metrics, /tls/ask: answered for any host, before tenant routing (issue 18).
    "controlplane.core.probes.ProbeMiddleware",
    "controlplane.core.tenancy.PublicHostCachingTenantMiddleware",  # TenantMainMiddleware + cache (issue 17)
    "controlplane.core.observability.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "widget.cors.WidgetCorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The widget API skips these (widget/passthrough.py: it uses no session, user, CSRF cookie, message
    # or htmx header; issue 17). They are the installed classes for every other path.
    "widget.passthrough.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # By name: `check --deploy` looks for it (security.W003). Its work is in process_view, and the
    # widget API's views are exempt, so skipping its __call__ would save nothing anyway.
    "django.middleware.csrf.CsrfViewMiddleware",
    "widget.passthrough.AuthenticationMiddleware",
    "controlplane.clients.middleware.ClientTimeZoneMiddleware",
    "widget.passthrough.OTPMiddleware",
    "widget.passthrough.HostMembershipMiddleware",
    "widget.passthrough.ForcePasswordChangeMiddleware",
    "widget.passthrough.RequireAdminTwoFactorMiddleware",
    "widget.passthrough.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "widget.passthrough.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # by name: axes checks for it (W002); it only acts on sign-in
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.shell",
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"


# --- Database ------------------------------------------------------------------------
def _database_from_url(url: str) -> dict[str, object]:
    parsed = urlparse(url)
    options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    host = options.pop("host", None) or parsed.hostname or ""
    return {
        "NAME": unquote(parsed.path.lstrip("/")),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": host,
        "PORT": str(parsed.port or ""),
        "OPTIONS": options,
    }


if ENV.database_url:
    _db = _database_from_url(ENV.database_url)
else:
    # Lazy: only the embedded-services branch needs ops/ (production settings never import it).
    from ops.embedded import DATABASE_NAME, postgres_socket_dir

    _db = {"NAME": DATABASE_NAME, "USER": "postgres", "PASSWORD": "", "HOST": str(postgres_socket_dir()),
           "PORT": "", "OPTIONS": {}}

DATABASES = {
    "default": {
        "ENGINE": "django_tenants.postgresql_backend",
        **_db,
        # Session-level search_path is how django-tenants isolates schemas; a pooler
        # in front must run in session mode (see docs/decisions/0002-*).
        "CONN_MAX_AGE": ENV.db_conn_max_age,
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"NAME": "test_shoreline"},
    }
}
# SEC-9: the restricted application role for web and worker; the owner keeps migrations.
DATABASE_OWNER_USER = DATABASES["default"]["USER"]
DATABASE_APP_USER = ENV.database_app_user if ENV.db_role == "app" else None
DATABASE_APP_PASSWORD = ENV.database_app_password  # named here so the secrets test sees it
if DATABASE_APP_USER:
    DATABASES["default"]["USER"] = DATABASE_APP_USER
    DATABASES["default"]["PASSWORD"] = DATABASE_APP_PASSWORD or ""
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery ------------------------------------------------------------
if ENV.redis_url:
    REDIS_URL = ENV.redis_url
else:
    # Lazy: only the embedded-services branch needs ops/ (production settings never import it).
    from ops.embedded import VALKEY_PORT

    REDIS_URL = f"redis://127.0.0.1:{VALKEY_PORT}/0"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Every key carries the tenant schema, so one client's cache never serves another.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "TIMEOUT": 300,
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request must never wait long on the broker: no publish retries, ~1 s to connect. What
# cannot be sent goes to the outbox (controlplane.core.enqueue) and the sweep sends it later.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1.0, "socket_timeout": 5.0, "max_retries": 0}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1.0
CELERY_REDIS_SOCKET_TIMEOUT = 5.0
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 0}}
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "platform-heartbeat": {"task": "controlplane.core.tasks.worker_heartbeat", "schedule": 30.0},
    "outbox-sweep": {"task": "controlplane.core.outbox_sweep", "schedule": 60.0},
    # ADM-3/ADM-4: end idle conversations of every client, then summarise and tag them.
    "conversations-end-idle": {"task": "tenants.conversations.end_idle_all_clients", "schedule": 120.0},
    # Rollups at most 5 minutes behind (issue 7): every client, every 2 minutes.
    "analytics-rollups": {"task": "tenants.analytics.rollups_dispatch", "schedule": 120.0},
    # Question grouping (VAL-2) and the lead forecast (PRM-2): slower, cached results.
    "analytics-insights": {"task": "tenants.analytics.insights_dispatch", "schedule": 3600.0},
    # BEY-7: re-crawl every client's websites weekly (Mondays 03:00 UTC), recording what changed.
    # Issue 13: soft-limit overage to Stripe, missing Stripe customers, unpaid invoices past grace.
    "billing-overage-report": {"task": "controlplane.billing.overage_report", "schedule": 600.0},
    "billing-customers-ensure": {"task": "controlplane.billing.customers_ensure", "schedule": 600.0},
    "billing-grace-enforce": {"task": "controlplane.billing.grace_enforce", "schedule": 3600.0},
    # SEC-9: anchor the audit chain head outside the database every 10 minutes.
    "audit-checkpoint": {"task": "controlplane.audit.checkpoint", "schedule": 600.0},
    # BEY-6: each client's retention period, applied nightly (02:30 UTC).
    "privacy-retention": {"task": "tenants.privacy.retention_nightly", "schedule": crontab(minute=30, hour=2)},
    "knowledge-weekly-refresh": {"task": "tenants.knowledge.weekly_refresh",
                                 "schedule": crontab(minute=0, hour=3, day_of_week="mon")},
    # Issue 14: re-plan and re-send notifications a dead worker or broker left behind; weekly emails.
    "notifications-sweep": {"task": "controlplane.notifications.sweep", "schedule": 60.0},
    "notifications-weekly-summary": {"task": "tenants.dashboard.weekly_summary_dispatch", "schedule": 900.0},
}

# Queues (issue 18): a visitor-facing task never waits behind a crawl or a nightly rollup.
#   interactive    default: short tasks someone is waiting for (heartbeat, pings, anything unrouted)
#   knowledge      crawling, document parsing, embedding, knowledge rebuilds
#   analytics      rollups, insights, idle sweeps and summaries (periodic, per client, batched)
#   notifications  email / SMS / webhooks to the outside world
SHORELINE_CELERY_QUEUES = ("interactive", "knowledge", "analytics", "notifications")
CELERY_TASK_DEFAULT_QUEUE = "interactive"
CELERY_TASK_ROUTES = {
    "tenants.knowledge.*": {"queue": "knowledge"},
    "tenants.analytics.*": {"queue": "analytics"},
    "tenants.conversations.*": {"queue": "analytics"},
    "*.notifications.*": {"queue": "notifications"},
    "*.notify_*": {"queue": "notifications"},
}
# Beat keeps its schedule and its single-instance lock in Redis (RedBeat), not in a local file.
CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
CELERY_REDBEAT_REDIS_URL = REDIS_URL
CELERY_REDBEAT_KEY_PREFIX = "shoreline:redbeat:"
CELERY_REDBEAT_LOCK_TIMEOUT = 150
# The worker writes its own heartbeat to the broker every few seconds (shoreline_worker_heartbeat_*).
SHORELINE_WORKER_HEARTBEAT_SECONDS = 10.0

# --- Auth ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "controlplane.accounts.passwords.RoleMinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "controlplane.accounts.passwords.NotCurrentPasswordValidator"},
    {"NAME": "controlplane.accounts.passwords.BreachedPasswordValidator"},
    {"NAME": "controlplane.accounts.passwords.PasswordStrengthValidator"},
]
# TOTP two-step sign-in: optional for agency accounts; production requires it for the platform admin.
OTP_REQUIRED_FOR_PLATFORM_ADMIN = False
OTP_TOTP_ISSUER = "Shoreline"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "auth/lockout.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

# --- Cookies and headers (SEC-3) -----------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "shoreline_session"
CSRF_COOKIE_NAME = "shoreline_csrf"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy on every response that does not set its own (the widget iframe does, with
# frame-ancestors from the bot's allowlist). Scripts only from us or with the per-request nonce
# ({{ csp_nonce }}); inline style attributes are allowed (design tokens), inline script never.
def _static_origin(url: str) -> list[str]:
    return ["/".join(url.split("/")[:3])] if url.startswith(("https://", "http://")) else []


SECURE_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- i18n, static ------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = ENV.data_dir / "static"
# frontend/dist is written by the front-end build (make assets); absent before the first build.
STATICFILES_DIRS = [p for p in (BASE_DIR / "frontend" / "static", BASE_DIR / "frontend" / "dist") if p.exists()]
for _directive in ("script-src", "style-src", "img-src", "font-src"):
    SECURE_CSP[_directive] += _static_origin(STATIC_URL)
MEDIA_URL = "/media/"
MEDIA_ROOT = ENV.data_dir / "media"
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"


def media_storage(env=ENV) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Media on S3-compatible object storage (django-storages) when S3_BUCKET is set, else the local disk
    (development only: production refuses to start without S3_BUCKET)."""
    if not env.s3_bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    options = {
        "bucket_name": env.s3_bucket,
        "endpoint_url": env.s3_endpoint_url,
        "region_name": env.s3_region,
        "access_key": env.s3_access_key_id,
        "secret_key": env.s3_secret_access_key,
        "custom_domain": env.s3_custom_domain,
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": not env.s3_custom_domain,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {k: v for k, v in options.items() if v is not None}}


STORAGES = {
    "default": media_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Shoreline ------------------------------------------------------------------------------
SHORELINE_PUBLIC_SCHEME = ENV.public_scheme
SHORELINE_PUBLIC_PORT = ENV.public_port
WIDGET_ALLOW_ANONYMOUS = ENV.widget_allow_anonymous
OPENAI_API_KEY = ENV.openai_api_key
OPENAI_BASE_URL = ENV.openai_base_url
OPENAI_CHAT_MODEL = ENV.openai_chat_model
OPENAI_EMBEDDING_MODEL = ENV.openai_embedding_model
EMBEDDING_BACKEND = ENV.embedding_backend
MODEL_TIMEOUT_SECONDS = ENV.model_timeout_seconds
# AX-8: estimated model cost, USD per million tokens (input, output), by the model name a reply records.
# List prices as published by the provider; a model missing here shows its tokens with "no price set".
MODEL_PRICES_USD_PER_MILLION: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1": (2.00, 8.00),
    "offline-extractive": (0.0, 0.0),  # the built-in answerer: no model call, no cost
}

# --- Operations (issue 18): probes, metrics, fan-out --------------------------------------------
SHORELINE_READINESS_TIMEOUT = ENV.readiness_timeout_seconds
SHORELINE_METRICS_TOKEN = ENV.metrics_token
PROMETHEUS_MULTIPROC_DIR = ENV.prometheus_multiproc_dir
SHORELINE_FANOUT_BATCH_SIZE = ENV.fanout_batch_size
S3_SECRET_ACCESS_KEY = ENV.s3_secret_access_key  # also in STORAGES; named here so the secrets test sees it

# --- Widget API (SEC-1, SEC-2, SEC-6) ------------------------------------------------------
WIDGET_MAX_BODY_BYTES = 16 * 1024
WIDGET_RATELIMIT_REDIS_URL = REDIS_URL
WIDGET_RATELIMIT_KEY_PREFIX = ""
WIDGET_RATE_BOT_PER_MINUTE = ENV.widget_rate_bot_per_minute
WIDGET_RATE_BOT_BURST = ENV.widget_rate_bot_burst
WIDGET_RATE_VISITOR_PER_MINUTE = ENV.widget_rate_visitor_per_minute
WIDGET_RATE_VISITOR_BURST = ENV.widget_rate_visitor_burst
WIDGET_RATE_IP_PER_MINUTE = ENV.widget_rate_ip_per_minute
WIDGET_RATE_IP_BURST = ENV.widget_rate_ip_burst
TRUSTED_PROXIES = ENV.trusted_proxies
# Signed visitor tokens (widget.visitor_token) stay valid this long: a returning visitor keeps theirs.
WIDGET_VISITOR_TOKEN_MAX_AGE = 60 * 60 * 24 * 90
# Embed tickets (widget.embed_ticket): the loader fetches one right before it opens the chat iframe.
WIDGET_EMBED_TICKET_MAX_AGE = 5 * 60
# Origins that are ours besides SHORELINE_SCHEME://SHORELINE_DOMAIN[:PORT] (e.g. a CDN for the iframe).
WIDGET_EXTRA_OWN_ORIGINS: list[str] = []
# Billing (issue 13): with STRIPE_SECRET_KEY the SDK talks to Stripe; without it, to the local
# Stripe-compatible server `make demo` starts (ops/fakes/stripe_server.py) with its own secrets.
STRIPE_SECRET_KEY = ENV.stripe_secret_key
STRIPE_WEBHOOK_SECRET = ENV.stripe_webhook_secret
STRIPE_API_BASE = ENV.stripe_api_base or ("" if ENV.stripe_secret_key else "http://127.0.0.1:8420")
# What the local server accepts and signs with; used only while STRIPE_SECRET_KEY is unset.
STRIPE_LOCAL_SECRET_KEY = "sk_test_local"  # noqa: S105 — not a secret: the offline server's fixed key
STRIPE_LOCAL_WEBHOOK_SECRET = "whsec_local"  # noqa: S105 — idem
STRIPE_TIMEOUT_SECONDS = 10.0
# Pause-plan quotas are enforced at message time; False only for the benchmark's baseline.
BILLING_ENFORCE_QUOTAS = ENV.billing_enforce_quotas
TWILIO_ACCOUNT_SID = ENV.twilio_account_sid
TWILIO_AUTH_TOKEN = ENV.twilio_auth_token
SENDGRID_API_KEY = ENV.sendgrid_api_key
# Issue 14: notifications (controlplane.notifications).
TWILIO_FROM_NUMBER = ENV.twilio_from_number
TWILIO_API_BASE = ENV.twilio_api_base
SENDGRID_API_HOST = ENV.sendgrid_api_host
EMAIL_FROM = ENV.email_from
NOTIFICATIONS_QUEUE = ENV.notifications_queue
KNOWLEDGE_UPLOAD_QUEUE = ENV.knowledge_upload_queue
# Hosts an outgoing webhook may reach although they are not public (tests and the demo's receiver only).
NOTIFICATIONS_WEBHOOK_ALLOWED_PRIVATE_HOSTS: list[str] = ENV.webhook_allowed_private_hosts
NOTIFICATIONS_DEMO_RECEIVER_URL = ENV.demo_webhook_receiver_url

# Structured logs (issue 18): see config/logging.py and docs in ops/README.md.
LOGGING = logging_config(ENV.log_format, ENV.log_level)

# --- Outbound fetches (SSRF guard, controlplane.core.outbound) ---------------------------------
# Exact "host:port" pairs that may be fetched although they are loopback/private: for the test
# suite's local servers only. Deliberately not read from the environment; production forces it empty.
OUTBOUND_ALLOW: frozenset[str] = frozenset()

# --- Audit log chain (SEC-9) -------------------------------------------------------------------------
AUDIT_HMAC_KEY = ENV.audit_hmac_key  # None: derived from SECRET_KEY (controlplane.audit.services)
AUDIT_ANCHOR_PATH = ENV.audit_anchor_path or (ENV.data_dir / "audit" / "anchors.log")
