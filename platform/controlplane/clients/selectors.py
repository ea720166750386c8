from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from controlplane.clients.models import Client


def client_list() -> QuerySet[Client]:
    return Client.objects.exclude(schema_name="public").select_related("plan").prefetch_related("domains")


def client_get(*, slug: str) -> Client | None:
    return client_list().filter(slug=slug).first()


def host_origin(host: str) -> str:
    """scheme://host[:port] for one of our hosts, as SHORELINE_SCHEME/SHORELINE_PORT say."""

    port = f":{settings.SHORELINE_PUBLIC_PORT}" if settings.SHORELINE_PUBLIC_PORT else ""
    return f"{settings.SHORELINE_PUBLIC_SCHEME}://{host}{port}"


def public_origin() -> str:
    """The public (agency) host: portal, widget API, loader and chat iframe."""

    return host_origin(settings.SHORELINE_DOMAIN)


def client_public_url(client: Client, path: str = "/") -> str:

    return host_origin(f"{client.slug}.{settings.SHORELINE_DOMAIN}") + path


def public_url(path: str = "/") -> str:
    return public_origin() + path


def domain_is_served(host: str) -> bool:
    """For the TLS on-demand check (Caddy asks before it requests a certificate, ops/compose): True for
    the platform's own domain, client subdomains, and verified custom domains only."""
    from django.conf import settings

    from controlplane.clients.models import CustomDomain, Domain

    host = (host or "").strip().lower().rstrip(".").split(":", 1)[0]
    if not host:
        return False
    if host == settings.SHORELINE_DOMAIN.lower():
        return True
    if CustomDomain.objects.filter(hostname=host).exists():
        return CustomDomain.objects.filter(hostname=host, verified_at__isnull=False).exists() and \
            Domain.objects.filter(domain=host).exists()
    return Domain.objects.filter(domain=host).exists()
