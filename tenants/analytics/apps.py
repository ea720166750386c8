from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "tenants.analytics"
    label = "analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenants.analytics import receivers  # noqa: F401
