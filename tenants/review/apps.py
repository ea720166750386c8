from django.apps import AppConfig


class ReviewConfig(AppConfig):
    """ADM-1/ADM-2: the agency's side of the Needs Review queue (the items live in conversations)."""

    name = "tenants.review"
    label = "review"

    def ready(self) -> None:
        from tenants.review import receivers  # noqa: F401
