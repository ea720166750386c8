"""Public-host routes of the notification layer (mounted at the root of config.urls_public)."""

from django.urls import path

from controlplane.notifications import views

app_name = "notifications"

_client = "portal/clients/<slug:slug>/notifications/"

urlpatterns = [
    path(_client, views.notification_settings, name="settings"),
    path(f"{_client}recipients/", views.recipient_add, name="recipient_add"),
    path(f"{_client}recipients/<int:recipient_id>/delete/", views.recipient_remove, name="recipient_remove"),
    path(f"{_client}quiet-hours/", views.quiet_hours_save, name="quiet_hours"),
    path(f"{_client}webhooks/", views.webhook_add, name="webhook_add"),
    path(f"{_client}webhooks/<int:endpoint_id>/delete/", views.webhook_remove, name="webhook_remove"),
    path(f"{_client}log/", views.delivery_log, name="log"),
    path(f"{_client}log/<int:delivery_id>/replay/", views.delivery_replay, name="replay"),
    path("portal/sent-messages/", views.sent_messages, name="sent_messages"),
    path("notifications/twilio/inbound/", views.twilio_inbound, name="twilio_inbound"),
]
