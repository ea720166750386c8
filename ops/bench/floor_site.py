"""The floor the widget message is measured against (issue 17), served only by the benchmark.

`ops/bench/widget_api.py --floor` runs gunicorn with DJANGO_SETTINGS_MODULE=ops.bench.floor_settings:
production settings whose public URL conf is this module's — the product's plus one route, POST /widget/v1/floor, that goes through the same middleware
(tenant routing, CORS, request context) and the same token and origin checks as a message, then runs
one SELECT in the client's schema and answers a small JSON body. The product never serves it.
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls_public import urlpatterns as _public_urlpatterns


@csrf_exempt
def floor(request: HttpRequest) -> JsonResponse:
    from widget.access import WidgetError, WidgetTokenAuth, client_schema

    try:
        caller = WidgetTokenAuth()(request)
    except WidgetError as error:
        return JsonResponse({"error": error.code}, status=error.status_code)
    if caller is None:
        return JsonResponse({"error": "token_required"}, status=401)
    with client_schema(caller), connection.cursor() as cursor:
        cursor.execute("SELECT id FROM conversations_conversation ORDER BY last_message_at DESC LIMIT 1")
        row = cursor.fetchone()
    return JsonResponse({"ok": True, "latest": str(row[0]) if row else None})


urlpatterns = [path("widget/v1/floor", floor), *_public_urlpatterns]
