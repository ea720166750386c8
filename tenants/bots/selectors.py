from tenants.bots.models import Bot


def bot_primary() -> Bot | None:
    return Bot.objects.order_by("id").first()
