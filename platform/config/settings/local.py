"""Laptop and demo settings: the embedded services, DEBUG on unless told otherwise."""

from .base import *  # noqa: F403
from .base import ENV

DEBUG = True if "DEBUG" not in ENV.model_fields_set else ENV.debug
ALLOWED_HOSTS = ENV.allowed_hosts or [".localhost", "localhost", "127.0.0.1"]
