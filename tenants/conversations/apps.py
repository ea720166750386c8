from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "tenants.conversations"
    label = "conversations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The bot sandbox (tenants.bots, a layer below) runs the live graph through this port
        # (docs/decisions/0016-import-layers.md).
        from tenants.bots.sandbox import sandbox_install
        from tenants.conversations.sandbox import sandbox_turn

        sandbox_install(sandbox_turn)
