from typing import Any

from django.dispatch import receiver
from django_tenants.utils import schema_context

from controlplane.clients.signals import client_provisioned
from tenants.bots.services import bot_create


@receiver(client_provisioned)
def create_default_bot(sender: Any, client: Any, **kwargs: Any) -> None:
    with schema_context(client.schema_name):
        bot_create(name=f"{client.name} assistant")
