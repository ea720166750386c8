"""Test settings: same code path, real Postgres and Valkey, faster hashing."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import REDIS_URL

DEBUG = False
ALLOWED_HOSTS = [".localhost", "localhost", "testserver", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests use their own Valkey database so a running demo is never touched.
TEST_REDIS_URL = REDIS_URL.rsplit("/", 1)[0] + "/9"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": TEST_REDIS_URL,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": f"t{os.getpid()}",
    }
}
# Parallel test runs share one Valkey database; every key of this run carries this prefix.
TEST_RUN_KEY_PREFIX = f"t{os.getpid()}"
WIDGET_RATELIMIT_KEY_PREFIX = f"t{os.getpid()}:"
CELERY_BROKER_URL = TEST_REDIS_URL
CELERY_RESULT_BACKEND = TEST_REDIS_URL
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WIDGET_RATELIMIT_REDIS_URL = TEST_REDIS_URL
# Nothing listens on port 9: a test that needs Stripe starts the local server (fake_stripe fixture).
STRIPE_API_BASE = "http://127.0.0.1:9"
# Audit anchors of this run only (the suite flushes tables; a stale anchor would fail verification).
AUDIT_ANCHOR_PATH = Path(tempfile.gettempdir()) / f"shoreline-audit-anchors-{os.getpid()}.log"
