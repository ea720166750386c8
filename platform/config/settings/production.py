"""Production: real services only. Refuses to start on unsafe configuration."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ENV

_problems = ENV.production_problems()
if _problems:
    raise ImproperlyConfigured("Refusing to start with production settings: " + "; ".join(_problems) + ".")

DEBUG = False
OUTBOUND_ALLOW: frozenset[str] = frozenset()
OTP_REQUIRED_FOR_PLATFORM_ADMIN = True  # the SSRF guard never has exceptions in production
ALLOWED_HOSTS = ENV.allowed_hosts
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
