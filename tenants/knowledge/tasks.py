from celery import shared_task

from controlplane.core.tasks import ClientTask


@shared_task(base=ClientTask, name="tenants.knowledge.seed_from_pack", acks_late=True)
def knowledge_seed_from_pack_task(bot_id: int, pack_key: str, details: dict[str, str]) -> int:
    from tenants.knowledge.services import knowledge_seed_from_pack

    return knowledge_seed_from_pack(bot_id=bot_id, pack_key=pack_key, details=details)
