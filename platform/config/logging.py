"""Logging for every process: structlog in front of the standard library, JSON or console lines.

Every line, our own (structlog) and third-party (stdlib `logging`), goes through the same processors,
so each carries the context variables the request middleware and the Celery signals bind
(request_id, client, route, task). SHORELINE_LOG_FORMAT=json in production (the default there),
console on a laptop.
"""

from __future__ import annotations

from typing import Any

import structlog

_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.ExtraAdder(),
]


def logging_config(fmt: str, level: str) -> dict[str, Any]:
    """A dictConfig for Django's LOGGING, and structlog configured to hand its events to it."""
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    renderer: Any = (structlog.processors.JSONRenderer() if fmt == "json"
                     else structlog.dev.ConsoleRenderer(colors=False))
    final: list[Any] = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    if fmt == "json":
        final.append(structlog.processors.format_exc_info)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "foreign_pre_chain": _SHARED,
                "processors": [*final, renderer],
            },
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "cmdstanpy": {"level": "WARNING"},
            "axes": {"level": "WARNING"},
            "twilio.http_client": {"level": "WARNING"},  # logs every request header at INFO
            "fontTools": {"level": "WARNING"},  # ~70 records per PDF export at INFO (glyph names)
        },
    }
