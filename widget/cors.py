"""SEC-10: CORS exists only for /widget/v1/, only for allowed origins, never with credentials."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from controlplane.widgets.origins import origin_allowed
from controlplane.widgets.selectors import any_allowed_origins

WIDGET_PREFIX = "/widget/v1/"
ALLOWED_HEADERS = "Authorization, Content-Type, X-Shoreline-Embed-Origin, X-Shoreline-Visitor"
_CACHE_SECONDS = 30
_cache: tuple[float, list[str]] = (0.0, [])


def _known_origins() -> list[str]:
    """Every allowlisted origin of any bot; preflights carry no token, so they are checked against all."""
    global _cache
    if time.monotonic() - _cache[0] > _CACHE_SECONDS:

        _cache = (time.monotonic(), any_allowed_origins())
    return _cache[1]


def cors_cache_clear() -> None:
    global _cache
    _cache = (0.0, [])


class WidgetCorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(WIDGET_PREFIX):
            return self.get_response(request)
        # Server time (AN-7) of widget calls counts from here: auth, origin and limits included.
        request.widget_started = time.perf_counter()  # type: ignore[attr-defined]
        origin = request.headers.get("Origin")
        if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
            response = HttpResponse(status=204)
            if origin and origin_allowed(origin, _known_origins()):
                response["Access-Control-Allow-Origin"] = origin
                response["Access-Control-Allow-Methods"] = "GET, POST"
                response["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                response["Access-Control-Max-Age"] = "600"
            else:
                response.status_code = 403
            response["Vary"] = "Origin"
            return response
        response = self.get_response(request)
        # The API sets this only after the bot's own allowlist accepted the origin.
        approved = getattr(request, "widget_cors_origin", None)
        if approved and approved == origin:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Expose-Headers"] = "Retry-After"
        response["Vary"] = "Origin"
        return response
