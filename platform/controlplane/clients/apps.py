from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "controlplane.clients"
    label = "clients"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from controlplane.clients.hosts import allowed_hosts_install

        allowed_hosts_install()  # verified custom domains are served (controlplane.clients.domains)
