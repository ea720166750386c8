from django.apps import AppConfig


class ReviewQueueConfig(AppConfig):
    name = "controlplane.review_queue"
    label = "review_queue"
    default_auto_field = "django.db.models.BigAutoField"
