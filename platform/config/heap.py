"""Long-lived processes freeze their start-up heap once it is loaded (web: config/wsgi.py, Celery
workers: config/celery.py, the page benchmarks in ops/bench to run like production)."""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Collect once, then move every object alive now into the permanent generation.

    Those objects (modules, URL conf, settings, the loaded models) live as long as the process;
    without this every full garbage collection walks all of them again — a ~0.25 s pause on our
    2-core machines in whichever request triggers it (docs/benchmarks.md, Provisioning).
    """
    gc.collect()
    gc.freeze()
