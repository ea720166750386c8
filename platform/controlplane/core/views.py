from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from controlplane.core.health import broker_status, database_status, worker_status


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    db = database_status()
    broker = broker_status()
    worker = worker_status() if broker.ok else broker.__class__(False, "broker down")
    components = {"database": db, "broker": broker, "worker": worker}
    healthy = all(c.ok for c in components.values())
    body = {
        "status": "ok" if healthy else "degraded",
        **{name: {"ok": c.ok, "detail": c.detail} for name, c in components.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)
