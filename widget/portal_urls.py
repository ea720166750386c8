"""Mounted at /portal/clients/<slug:slug>/widget/ on the public host (config/urls_portal.py)."""

from django.urls import path

from widget import portal_views

app_name = "portal_widget"

urlpatterns = [
    path("", portal_views.widget_settings, name="settings"),
]
