"""Mounted at /portal/clients/<slug>/lead-values/ on the public host only (config.urls_public)."""

from django.urls import path

from tenants.analytics import portal_views as views

app_name = "lead_values"

urlpatterns = [
    path("", views.lead_values_edit, name="edit"),
]
