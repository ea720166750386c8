"""Laptop and demo settings: the embedded services, DEBUG on unless told otherwise."""

from .base import *  # noqa: F403
from .base import ENV

DEBUG = ENV.debug_or(True)
ALLOWED_HOSTS = ENV.allowed_hosts or [".localhost", "localhost", "127.0.0.1"]
