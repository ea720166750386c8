"""Mounted at /portal/clients/<slug>/privacy/ on the public host only (config.urls_public)."""

from django.urls import path

from tenants.privacy import portal_views as views

app_name = "privacy"

urlpatterns = [
    path("", views.privacy_home, name="home"),
    path("retention/", views.retention_update, name="retention"),
    path("visitors/delete/", views.visitor_delete, name="visitor_delete"),
    path("visitors/export/", views.visitor_export, name="visitor_export"),
]
