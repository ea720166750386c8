from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "tenants.knowledge"
    label = "knowledge"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenants.knowledge import approval_index, receivers  # noqa: F401
