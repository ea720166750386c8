from celery import shared_task


@shared_task(name="tenants.privacy.retention_nightly")
def retention_nightly() -> dict[str, dict[str, int]]:
    """BEY-6, nightly from beat (public schema): apply each client's retention period in its schema."""
    from django_tenants.utils import tenant_context

    from controlplane.clients.models import Client
    from tenants.privacy.services import retention_purge

    done: dict[str, dict[str, int]] = {}
    for client in Client.objects.exclude(schema_name="public").exclude(retention_days__isnull=True):
        with tenant_context(client):
            done[client.slug] = retention_purge(days=client.retention_days).as_dict()
    return done
