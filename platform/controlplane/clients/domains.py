"""Custom domains: a client's dashboard on its own host (dashboard.clientbusiness.com).

The admin adds the host; the product shows the DNS record to create (a CNAME to the client's
subdomain, or a TXT token when the host cannot be a CNAME); verification looks the record up and only
then creates the django-tenants Domain row that routes the host to the client's schema. Sessions
stay bound to the host they were made on (HostMembershipMiddleware), so a session of the custom
domain is its own. `selectors.domain_is_served(host)` answers the TLS on-demand check (Caddy's `ask`).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

import dns.exception
import dns.resolver
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from controlplane.audit.services import audit_record
from controlplane.clients.models import Client, CustomDomain, Domain

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
TXT_PREFIX = "_dashboard-verify"


class DomainRejected(ValueError):
    """A host that cannot be a custom domain; the message is shown to the admin."""


def hostname_normalize(raw: str) -> str:
    host = (raw or "").strip().lower().rstrip(".")
    host = re.sub(r"^https?://", "", host).split("/", 1)[0]
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise DomainRejected("Enter a host name such as dashboard.clientbusiness.com (no https://, no path).")
    if labels[-1].isdigit():
        raise DomainRejected("Enter a host name, not an IP address.")
    ours = settings.SHORELINE_DOMAIN.lower()
    if host == ours or host.endswith("." + ours):
        raise DomainRejected(f"Hosts under {ours} are already ours; enter the client's own domain.")
    return host


def client_host(client: Client) -> str:
    return f"{client.slug}.{settings.SHORELINE_DOMAIN}"


@dataclass(frozen=True)
class DnsRecord:
    type: str
    name: str
    value: str


def dns_records(custom: CustomDomain) -> list[DnsRecord]:
    """What to create at the client's DNS provider: the CNAME (routes and verifies), or the TXT token."""
    return [DnsRecord("CNAME", custom.hostname, client_host(custom.client) + "."),
            DnsRecord("TXT", f"{TXT_PREFIX}.{custom.hostname}", f"verify={custom.token}")]


def custom_domain_add(*, client: Client, hostname: str, actor: Any, request: Any = None) -> CustomDomain:
    host = hostname_normalize(hostname)
    if CustomDomain.objects.filter(hostname=host).exists() or Domain.objects.filter(domain=host).exists():
        raise DomainRejected("This host is already added (to this or another client).")
    with transaction.atomic():
        custom = CustomDomain.objects.create(client=client, hostname=host, token=secrets.token_hex(16))
        audit_record(action="domain.added", actor=actor, request=request, client_slug=client.slug,
                     target_type="clients.CustomDomain", target_id=custom.pk, data={"hostname": host})
    return custom


def _resolver() -> dns.resolver.Resolver:
    """The system resolver, or the one settings.DNS_RESOLVER ("host:port") names (tests: a local fake)."""
    where = getattr(settings, "DNS_RESOLVER", "")
    if not where:
        return dns.resolver.Resolver()
    resolver = dns.resolver.Resolver(configure=False)
    host, _, port = where.rpartition(":")
    resolver.nameservers = [host]
    resolver.port = int(port)
    resolver.lifetime = 3.0
    return resolver


def _lookup(resolver: dns.resolver.Resolver, name: str, rdtype: str) -> list[str]:
    try:
        answer = resolver.resolve(name, rdtype, raise_on_no_answer=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoNameservers, dns.exception.Timeout, dns.resolver.NoAnswer):
        return []
    out = []
    for rdata in answer:
        if rdtype == "TXT":
            out.append(b"".join(rdata.strings).decode(errors="replace"))
        else:
            out.append(rdata.to_text().lower().rstrip("."))
    return out


def custom_domain_verify(*, custom: CustomDomain, actor: Any = None, request: Any = None) -> bool:
    """Look the records up; on success create the routing Domain row. Audited either way."""
    resolver = _resolver()
    target = client_host(custom.client).lower()
    cnames = _lookup(resolver, custom.hostname, "CNAME")
    texts = _lookup(resolver, f"{TXT_PREFIX}.{custom.hostname}", "TXT")
    ok = target in cnames or f"verify={custom.token}" in texts
    now = timezone.now()
    with transaction.atomic():
        custom.last_checked_at = now
        custom.last_error = "" if ok else (
            f"No CNAME to {target} and no TXT token found yet. DNS changes can take up to an hour to appear.")
        if ok and custom.verified_at is None:
            custom.verified_at = now
        custom.save(update_fields=["last_checked_at", "last_error", "verified_at"])
        if ok:
            Domain.objects.get_or_create(domain=custom.hostname, defaults={"tenant": custom.client,
                                                                           "is_primary": False})
        audit_record(action="domain.verified" if ok else "domain.verify_failed", actor=actor, request=request,
                     client_slug=custom.client.slug, target_type="clients.CustomDomain", target_id=custom.pk,
                     data={"hostname": custom.hostname, "cname": cnames[:3], "txt_found": bool(texts)})
    return ok


def custom_domain_activate_local(*, custom: CustomDomain, actor: Any = None) -> None:
    """Route a *.localhost custom domain without a DNS lookup (`make demo`: such hosts resolve to this
    machine and no public DNS can hold a record for them). Refused for any other host. Audited."""
    if not custom.hostname.endswith(".localhost"):
        raise DomainRejected("Only .localhost hosts can be activated without DNS verification.")
    with transaction.atomic():
        custom.verified_at = custom.verified_at or timezone.now()
        custom.save(update_fields=["verified_at"])
        Domain.objects.get_or_create(domain=custom.hostname, defaults={"tenant": custom.client, "is_primary": False})
        audit_record(action="domain.activated_local", actor=actor, client_slug=custom.client.slug,
                     target_type="clients.CustomDomain", target_id=custom.pk, data={"hostname": custom.hostname})


def custom_domain_remove(*, custom: CustomDomain, actor: Any, request: Any = None) -> None:
    with transaction.atomic():
        Domain.objects.filter(domain=custom.hostname, tenant=custom.client).delete()
        audit_record(action="domain.removed", actor=actor, request=request, client_slug=custom.client.slug,
                     target_type="clients.CustomDomain", target_id=custom.pk, data={"hostname": custom.hostname})
        custom.delete()


def served_custom_hosts() -> frozenset[str]:
    """Verified custom hosts. Django asks only for a host that is not one of ours (validate_host stops
    at the first match), so this indexed read runs for custom domains and strangers, not for our hosts."""
    return frozenset(CustomDomain.objects.filter(verified_at__isnull=False).values_list("hostname", flat=True))
