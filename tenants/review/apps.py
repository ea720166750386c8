from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """ADM-1/ADM-2: the Needs Review queue — the item model, its services and selectors, the agency's pages."""

    name = "tenants.review"
    label = "review"
    default_auto_field = "django.db.models.BigAutoField"
