"""Mounted by config/urls_portal.py: clients/<slug>/checklist/ and clients/<slug>/insights/ (agency only)."""

from django.urls import path

from tenants.dashboard import cockpit_views as views

checklist_patterns = ([
    path("", views.checklist, name="page"),
    path("tick/", views.checklist_tick, name="tick"),
], "checklist")

insights_patterns = ([
    path("", views.agency_insights, name="page"),
    path("draft-faq/", views.insights_faq_draft, name="draft_faq"),
], "client_insights")
