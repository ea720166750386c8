from django.apps import AppConfig


class BotsConfig(AppConfig):
    name = "tenants.bots"
    label = "bots"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenants.bots import receivers  # noqa: F401
