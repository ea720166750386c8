from celery import shared_task

from controlplane.core.tasks import ClientTask


@shared_task(base=ClientTask, name="tenants.knowledge.seed_from_pack", acks_late=True)
def knowledge_seed_from_pack_task(bot_id: int, pack_key: str, details: dict[str, str]) -> int:
    # Lazy: services pull documents/website parsers; task modules load at worker boot (decision 0013).
    from tenants.knowledge.services import knowledge_seed_from_pack

    return knowledge_seed_from_pack(bot_id=bot_id, pack_key=pack_key, details=details)


@shared_task(base=ClientTask, name="tenants.knowledge.rebuild", acks_late=True)
def knowledge_rebuild_task(rebuild_id: int) -> str:
    # Lazy: see knowledge_seed_from_pack_task.
    from tenants.knowledge.rebuild import knowledge_rebuild_run

    rebuild = knowledge_rebuild_run(rebuild_id=rebuild_id)
    return rebuild.state if rebuild else "skipped"


@shared_task(base=ClientTask, name="tenants.knowledge.website_refresh", acks_late=True)
def website_refresh_task(site_id: int, trigger: str = "manual", publish: bool = False) -> str:
    """`publish`: an admin asked for this crawl, so what changed goes live; otherwise it waits for one."""
    # Lazy: knowledge.website imports trafilatura (~1.5 s); a worker boots without it (decision 0013).
    from tenants.knowledge.models import WebsiteSource
    from tenants.knowledge.website import website_refresh

    site = WebsiteSource.objects.filter(pk=site_id).first()
    if site is None:
        return "gone"
    return website_refresh(site=site, trigger=trigger, publish=publish).summary


@shared_task(name="tenants.knowledge.weekly_refresh")
def knowledge_weekly_refresh() -> int:
    """BEY-7, scheduled by beat in the public schema: queue one refresh per site per client,
    each task carrying its client's schema (ClientTask refuses to run without one)."""
    # Lazy: keep the worker's task-module import small (decision 0013).
    from django_tenants.utils import schema_context

    from controlplane.clients.models import Client
    from tenants.knowledge.models import WebsiteSource

    queued = 0
    for schema in Client.objects.exclude(schema_name="public").values_list("schema_name", flat=True):
        with schema_context(schema):
            for site_id in WebsiteSource.objects.filter(weekly_refresh=True).values_list("id", flat=True):
                website_refresh_task.apply_async(args=[site_id, "weekly"], headers={"_schema_name": schema})
                queued += 1
    return queued


@shared_task(base=ClientTask, name="tenants.knowledge.process_upload", acks_late=True)
def document_upload_task(upload_id: int) -> str:
    """KB-3: parse and save one uploaded document, here in the worker and never in a web request
    (decision 0034). The parser itself runs in a memory- and CPU-limited child (documents.py)."""
    # Lazy: see knowledge_seed_from_pack_task.
    from tenants.knowledge.uploads import document_upload_process

    upload = document_upload_process(upload_id=upload_id)
    return upload.status if upload else "gone"
