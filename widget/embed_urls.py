"""Mounted at /portal/clients/<slug:slug>/embed/ on the public host (config/urls_portal.py)."""

from django.urls import path

from widget import embed_views as views

app_name = "portal_embed"

urlpatterns = [
    path("", views.embed_settings, name="settings"),
    path("bots/<int:bot_id>/tokens/", views.token_issue, name="token_issue"),
    path("tokens/<int:token_id>/rotate/", views.token_rotate, name="token_rotate"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("bots/<int:bot_id>/origins/", views.origin_add, name="origin_add"),
    path("origins/<int:origin_id>/remove/", views.origin_remove, name="origin_remove"),
]
