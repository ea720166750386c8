from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "tenants.privacy"
    label = "privacy"
    verbose_name = "Privacy: retention and visitor deletion"
