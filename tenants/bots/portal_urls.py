"""Mounted at /portal/clients/<slug>/bots/ on the public host only (config/urls_portal.py)."""

from django.urls import path

from tenants.bots import portal_views as views

app_name = "bots"

urlpatterns = [
    path("", views.bot_list, name="list"),
    path("<int:bot_id>/", views.bot_detail, name="detail"),
    path("<int:bot_id>/status/", views.bot_status_change, name="status"),
    path("<int:bot_id>/apply-pack/", views.pack_apply, name="pack_apply"),
    path("<int:bot_id>/edit/", views.draft_edit, name="edit"),
    path("<int:bot_id>/rules/", views.triggers_edit, name="rules"),
    path("<int:bot_id>/diff/", views.version_diff, name="diff"),
    path("<int:bot_id>/tests/", views.test_cases, name="tests"),
    path("<int:bot_id>/tests/<int:case_id>/delete/", views.test_case_delete, name="test_delete"),
    path("<int:bot_id>/versions/<int:number>/", views.version_detail, name="version"),
    path("<int:bot_id>/versions/<int:number>/submit/", views.version_submit, name="submit"),
    path("<int:bot_id>/versions/<int:number>/approve/", views.version_approve, name="approve"),
    path("<int:bot_id>/versions/<int:number>/reject/", views.version_reject, name="reject"),
    path("<int:bot_id>/versions/<int:number>/restore/", views.version_restore, name="restore"),
    path("<int:bot_id>/versions/<int:number>/sandbox/", views.version_sandbox, name="sandbox"),
]
