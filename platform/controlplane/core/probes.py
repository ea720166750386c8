"""Internal endpoints answered before any host or tenant routing (the first middleware).

    /livez      liveness: the process answers. No I/O at all, so a database or broker outage never
                makes an orchestrator restart a healthy web process.
    /readyz     readiness: the database and the broker answer within SHORELINE_READINESS_TIMEOUT;
                503 otherwise, so the load balancer stops sending traffic until they are back.
    /metrics    Prometheus text format. Needs `Authorization: Bearer $SHORELINE_METRICS_TOKEN`; with
                no token configured only loopback callers get it.
    /tls/ask    Caddy's on-demand TLS question: 200 only for hosts we serve (a client's custom
                domain in the Domain table, the platform domain and its client subdomains), else 404.

They are served for any Host header: probes and scrapers call pod IPs, Caddy calls the service name.
/healthz (config.urls_public) stays as the older all-in-one check, including a worker ping; it is for
people and uptime monitors, not for orchestrators.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from controlplane.core.health import broker_status, database_status_fresh

PROBE_PATHS = ("/livez", "/readyz", "/metrics", "/tls/ask")
_LOOPBACK = ("127.0.0.1", "::1")


def livez(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    timeout = settings.SHORELINE_READINESS_TIMEOUT
    components = {"database": database_status_fresh(timeout), "broker": broker_status(timeout)}
    ready = all(c.ok for c in components.values())
    body = {"status": "ok" if ready else "unavailable",
            **{name: {"ok": c.ok, "detail": c.detail} for name, c in components.items()}}
    return JsonResponse(body, status=200 if ready else 503)


def metrics(request: HttpRequest) -> HttpResponse:
    from controlplane.core.metrics import render_metrics

    token = settings.SHORELINE_METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return JsonResponse({"detail": "A valid metrics token is required."}, status=401)
    elif request.META.get("REMOTE_ADDR") not in _LOOPBACK:
        return JsonResponse({"detail": "Metrics are only served to loopback callers when no token is set."},
                            status=403)
    body = render_metrics(settings.PROMETHEUS_MULTIPROC_DIR)
    return HttpResponse(body, content_type="text/plain; version=0.0.4; charset=utf-8")


def tls_ask(request: HttpRequest) -> HttpResponse:
    from controlplane.clients.selectors import domain_is_served

    domain = (request.GET.get("domain") or "").strip().lower().rstrip(".")
    if not domain:
        return JsonResponse({"detail": "Pass ?domain=<host name>."}, status=400)
    if domain_is_served(domain):
        return JsonResponse({"domain": domain, "served": True})
    return JsonResponse({"domain": domain, "served": False}, status=404)


_VIEWS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/livez": livez, "/readyz": readyz, "/metrics": metrics, "/tls/ask": tls_ask,
}


class ProbeMiddleware:
    """Answers the internal endpoints first; everything else goes on to tenant routing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = _VIEWS.get(request.path_info.rstrip("/") or "/")
        if view is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"detail": "Only GET is allowed here."}, status=405, headers={"Allow": "GET, HEAD"})
        response = view(request)
        response["Cache-Control"] = "no-store"
        return response
