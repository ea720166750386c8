"""The caller's network address: REMOTE_ADDR, or X-Forwarded-For only behind a configured proxy.

A header anyone can send must not pick the rate-limit bucket, so X-Forwarded-For is read only when
the direct peer is one of SHORELINE_TRUSTED_PROXIES (addresses or networks), and then from the right:
the first address that is not one of our proxies is the client.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _parse(raw: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(raw.strip().split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def client_ip(request: HttpRequest) -> str:
    peer = _parse(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return "unknown"
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _trusted(peer, networks):
        return str(peer)
    hops = [h for h in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            return str(peer)  # a garbled chain: trust nothing past our own proxy
        if not _trusted(address, networks):
            return str(address)
    return str(peer)
