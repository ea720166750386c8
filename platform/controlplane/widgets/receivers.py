"""Any change to what the widget's hot path caches bumps its config version (issue 17).

Model signals rather than calls in each service, so no writer can forget: tokens, allowed origins
and clients are the `public` scope (plus the client's own schema scope), see
controlplane/core/config_versions.py.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from controlplane.clients.models import Client, Domain
from controlplane.core.config_versions import PUBLIC, version_bump
from controlplane.widgets.models import AllowedOrigin, WidgetToken


@receiver([post_save, post_delete], sender=WidgetToken)
@receiver([post_save, post_delete], sender=AllowedOrigin)
@receiver([post_save, post_delete], sender=Domain)
def _widget_access_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    version_bump(PUBLIC)


@receiver([post_save, post_delete], sender=Client)
def _client_changed(sender: Any, instance: Client, **kwargs: Any) -> None:
    version_bump(PUBLIC)
    version_bump(instance.schema_name)
