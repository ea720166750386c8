from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "tenants.leads"
    label = "leads"
    default_auto_field = "django.db.models.BigAutoField"
