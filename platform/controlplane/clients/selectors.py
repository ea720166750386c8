from __future__ import annotations

from django.db.models import QuerySet

from controlplane.clients.models import Client


def client_list() -> QuerySet[Client]:
    return Client.objects.exclude(schema_name="public").select_related("plan").prefetch_related("domains")


def client_get(*, slug: str) -> Client | None:
    return client_list().filter(slug=slug).first()


def client_public_url(client: Client, path: str = "/") -> str:
    from django.conf import settings

    port = f":{settings.SHORELINE_PUBLIC_PORT}" if settings.SHORELINE_PUBLIC_PORT else ""
    return f"{settings.SHORELINE_PUBLIC_SCHEME}://{client.slug}.{settings.SHORELINE_DOMAIN}{port}{path}"


def public_url(path: str = "/") -> str:
    from django.conf import settings

    port = f":{settings.SHORELINE_PUBLIC_PORT}" if settings.SHORELINE_PUBLIC_PORT else ""
    return f"{settings.SHORELINE_PUBLIC_SCHEME}://{settings.SHORELINE_DOMAIN}{port}{path}"
