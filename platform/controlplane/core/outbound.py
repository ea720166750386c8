"""The one door for every HTTP request Shoreline makes on a client's behalf (SEC: SSRF guard).

Every URL that comes from a client or staff member (website crawls, document links, webhooks) is
fetched through `outbound_get`, never with a bare HTTP client:

- only http and https, no credentials in the URL;
- the host is resolved once, and every address it resolves to must be public: loopback, private,
  link-local, multicast, reserved, unspecified, shared (CGNAT) and documentation ranges are
  refused, for IPv4 and IPv6 alike, including IPv4-mapped/compatible, 6to4, Teredo and NAT64
  forms and the decimal/octal/hex spellings `inet_aton` accepts (those resolve to the same address);
- our own domain and its subdomains are refused whatever they resolve to;
- the connection goes to the address that was checked (the URL host is replaced by the IP, the
  Host header and TLS SNI/verification keep the name), so a second DNS answer cannot rebind it;
- redirects are followed here, one hop at a time, each hop checked again;
- the body is streamed and cut at a size limit, and the whole fetch has a deadline.

Tests allow their local HTTP servers explicitly with the `OUTBOUND_ALLOW` setting (exact
"host:port" pairs). It is not read from the environment, and production settings force it empty.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from django.conf import settings

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_REDIRECTS = 5
_REDIRECTS = {301, 302, 303, 307, 308}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_EXTRA_BLOCKED = [ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
    "::/128", "::1/128", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8", "2001:db8::/32", "100::/64",
)]


class OutboundRefused(ValueError):
    """The URL may not be fetched; the message is safe to show to the person who entered it."""


class AddressRefused(OutboundRefused):
    """The URL's scheme, host or resolved address is not allowed (as opposed to its size or redirects)."""


@dataclass(frozen=True)
class Target:
    url: str          # the URL as entered (host name kept)
    scheme: str
    host: str         # lower-case host name or IP literal, no brackets
    port: int
    address: str      # the checked IP the connection goes to


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(address))
    return None


def address_is_public(raw: str) -> bool:
    try:
        address = ipaddress.ip_address(raw.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None and not address_is_public(str(embedded)):
            return False
    if any(address in network for network in _EXTRA_BLOCKED if network.version == address.version):
        return False
    return address.is_global and not (address.is_loopback or address.is_private or address.is_link_local
                                      or address.is_multicast or address.is_reserved or address.is_unspecified)


def _own_hosts() -> list[str]:
    hosts = [str(getattr(settings, "SHORELINE_DOMAIN", "")).lower()]
    hosts += [h.lower().lstrip(".") for h in getattr(settings, "ALLOWED_HOSTS", []) if h not in ("*", "")]
    return [h for h in hosts if h]


def _allowed_for_tests(host: str, port: int, extra: frozenset[str] = frozenset()) -> bool:
    allowed = getattr(settings, "OUTBOUND_ALLOW", ())
    return f"{host}:{port}" in allowed or f"{host}:{port}" in extra


def resolve(url: str, *, extra_allowed: frozenset[str] = frozenset()) -> Target:
    """Check one URL and pick the address to connect to, or raise OutboundRefused."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise AddressRefused("That address is not a valid web address.") from error
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise AddressRefused("Only http:// and https:// addresses can be fetched.")
    if parts.username or parts.password:
        raise AddressRefused("Web addresses with a user name or password in them are not allowed.")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise AddressRefused("That address has no host name.")
    port = port or (443 if scheme == "https" else 80)
    allowed = _allowed_for_tests(host, port, extra_allowed)
    if not allowed and any(host == own or host.endswith("." + own) for own in _own_hosts()):
        raise AddressRefused("Shoreline's own addresses cannot be used as a source.")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise AddressRefused(f"The host name {host} could not be found.") from error
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses or not (allowed or all(address_is_public(a) for a in addresses)):
        raise AddressRefused("That address points to a private or internal network, which is not allowed.")
    return Target(url=url, scheme=scheme, host=host, port=port, address=addresses[0])


def validate_public_url(url: str) -> None:
    """For forms: refuse now what the fetch would refuse later (an unknown host is left to the fetch)."""
    try:
        resolve(url)
    except AddressRefused as error:
        if "could not be found" not in str(error):
            raise


def _pinned_request(target: Target, headers: dict[str, str], method: str = "GET",
                    content: bytes | None = None) -> httpx.Request:
    parts = urlsplit(target.url)
    literal = f"[{target.address}]" if ":" in target.address else target.address
    default_port = 443 if target.scheme == "https" else 80
    netloc = literal if target.port == default_port else f"{literal}:{target.port}"
    pinned = urlunsplit((target.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    if ":" in target.host and not target.host.startswith("["):
        host_header = f"[{target.host}]" if target.port == default_port else f"[{target.host}]:{target.port}"
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    return httpx.Request(method, pinned, headers={**headers, "Host": host_header}, content=content,
                         extensions=extensions)


def outbound_get(url: str, *, client: httpx.Client | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                 timeout_s: float = DEFAULT_TIMEOUT_S, max_redirects: int = DEFAULT_MAX_REDIRECTS,
                 headers: dict[str, str] | None = None,
                 redirect_allowed: Callable[[str], bool] | None = None) -> httpx.Response:
    """GET `url` safely. Returns a fully read response whose `.url` is the final (named) URL.

    Raises OutboundRefused for a refused address, a refused redirect, too many redirects or a body
    over `max_bytes`; httpx errors for network failures and the deadline.
    """
    deadline = time.monotonic() + timeout_s
    own_client = client is None
    http = client or httpx.Client(timeout=timeout_s)
    try:
        current = url
        for _hop in range(max_redirects + 1):
            target = resolve(current)
            request = _pinned_request(target, headers or {})
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise httpx.ReadTimeout("The fetch took too long.", request=request)
            request.extensions["timeout"] = httpx.Timeout(remaining).as_dict()
            response = http.send(request, stream=True, follow_redirects=False)
            try:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    following = urljoin(current, response.headers["location"])
                    if redirect_allowed is not None and not redirect_allowed(following):
                        raise OutboundRefused("The page redirects to another site.")
                    current = following
                    continue
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > max_bytes:
                        raise OutboundRefused(f"The page is larger than {max_bytes // (1024 * 1024) or 1} MB.")
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("The fetch took too long.", request=request)
            finally:
                response.close()
            kept = [(k, v) for k, v in response.headers.multi_items()
                    if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
            return httpx.Response(response.status_code, headers=kept, content=bytes(body),
                                  request=httpx.Request("GET", current))
        raise OutboundRefused("The page redirects too many times.")
    finally:
        if own_client:
            http.close()


def outbound_post(url: str, *, content: bytes, headers: dict[str, str] | None = None,
                  timeout_s: float = DEFAULT_TIMEOUT_S, max_bytes: int = 64 * 1024,
                  extra_allowed: frozenset[str] = frozenset(), client: httpx.Client | None = None) -> httpx.Response:
    """POST `content` to a checked, pinned public address (outgoing webhooks). Redirects are not followed:
    a 3xx comes back as the answer. The answer body is cut at `max_bytes`.

    `extra_allowed` names "host:port" pairs allowed although not public (the demo's local receiver only;
    production refuses to start with any).
    """
    target = resolve(url, extra_allowed=extra_allowed)
    request = _pinned_request(target, headers or {}, method="POST", content=content)
    request.extensions["timeout"] = httpx.Timeout(timeout_s).as_dict()
    own_client = client is None
    http = client or httpx.Client(timeout=timeout_s)
    try:
        response = http.send(request, stream=True, follow_redirects=False)
        try:
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > max_bytes:
                    break
        finally:
            response.close()
        return httpx.Response(response.status_code, content=bytes(body[:max_bytes]),
                              request=httpx.Request("POST", url))
    finally:
        if own_client:
            http.close()
