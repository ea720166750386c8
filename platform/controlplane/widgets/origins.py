"""Origin allowlist matching (SEC-2). Pure functions; no database."""

from __future__ import annotations

from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


class InvalidOrigin(ValueError):
    pass


def normalize_origin(value: str) -> str:
    """'https://Example.com:443/' -> 'https://example.com'. Raises InvalidOrigin with a sentence."""
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in _DEFAULT_PORTS:
        raise InvalidOrigin(f"{value!r} must start with http:// or https://.")
    host = (parts.hostname or "").lower()
    if not host or (parts.path not in ("", "/")) or parts.query or parts.fragment or parts.username:
        raise InvalidOrigin(f"{value!r} must be only scheme://host[:port], e.g. https://www.example.com.")
    wildcard = host.startswith("*.")
    bare = host[2:] if wildcard else host
    if "*" in bare or not bare or ".." in bare:
        raise InvalidOrigin(f"{value!r} has an invalid host; a wildcard may only be a leading '*.'.")
    try:
        port = parts.port
    except ValueError as error:
        raise InvalidOrigin(f"{value!r} has an invalid port.") from error
    port_part = f":{port}" if port and port != _DEFAULT_PORTS[parts.scheme] else ""
    return f"{parts.scheme}://{host}{port_part}"


def origin_matches(origin: str, allowed: str) -> bool:
    """Scheme and port must be equal; '*.example.com' matches any subdomain, not the apex."""
    try:
        candidate = urlsplit(normalize_origin(origin))
        pattern = urlsplit(allowed)
    except InvalidOrigin:
        return False
    if candidate.scheme != pattern.scheme or candidate.port != pattern.port:
        return False
    host, allowed_host = candidate.hostname or "", pattern.hostname or ""
    if allowed_host.startswith("*."):
        return host.endswith(allowed_host[1:]) and len(host) > len(allowed_host) - 1
    return host == allowed_host


def origin_allowed(origin: str | None, allowlist: list[str]) -> bool:
    """An empty allowlist denies everything."""
    if not origin or origin == "null":
        return False
    return any(origin_matches(origin, allowed) for allowed in allowlist)


def origin_from_referer(referer: str | None) -> str | None:
    if not referer:
        return None
    parts = urlsplit(referer)
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc}"
