from django.apps import AppConfig


class WidgetsConfig(AppConfig):
    name = "controlplane.widgets"
    label = "widgets"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from controlplane.widgets import receivers  # noqa: F401
