from django.apps import AppConfig


class ErrorLogConfig(AppConfig):
    name = "controlplane.errorlog"
    label = "errorlog"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Error log"

    def ready(self) -> None:
        from controlplane.errorlog import capture

        capture.connect()
