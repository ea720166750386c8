"""Production settings plus the benchmark's floor route (ops/bench/floor_site.py). Bench only."""

from config.settings.production import *  # noqa: F403

PUBLIC_SCHEMA_URLCONF = "ops.bench.floor_site"
