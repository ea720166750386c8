"""ALLOWED_HOSTS that also admits verified custom domains (no model import here: settings-safe)."""

from __future__ import annotations

from collections.abc import Iterator


class AllowedHosts(list):  # type: ignore[type-arg]
    """Django iterates ALLOWED_HOSTS on every request (validate_host): our hosts, then verified custom ones."""

    def __iter__(self) -> Iterator[str]:
        yield from super().__iter__()
        try:
            from controlplane.clients.domains import served_custom_hosts

            yield from served_custom_hosts()
        except Exception:  # noqa: BLE001 - no database (checks, collectstatic, test setup): our hosts only
            return


def allowed_hosts_install() -> None:
    """Wrap settings.ALLOWED_HOSTS once the apps are ready (ClientsConfig.ready)."""
    from django.conf import settings

    if not isinstance(settings.ALLOWED_HOSTS, AllowedHosts) and "*" not in list.__iter__(settings.ALLOWED_HOSTS):
        settings.ALLOWED_HOSTS = AllowedHosts(settings.ALLOWED_HOSTS)
