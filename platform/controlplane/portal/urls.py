from django.urls import path

from controlplane.portal import branding_views, views

app_name = "portal"

urlpatterns = [
    path("", views.portal_home, name="home"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<slug:slug>/", views.client_detail, name="client_detail"),
    path("clients/<slug:slug>/plan/", views.client_plan_change, name="client_plan_change"),
    path("clients/<slug:slug>/notes/", views.client_note_add, name="client_note_add"),
    path("clients/<slug:slug>/impersonate/", views.client_impersonate, name="client_impersonate"),
    path("staff/", views.staff_list, name="staff"),
    path("audit/", views.audit_log, name="audit"),
    # Issue 16: white label and custom domains (admin only).
    path("branding/", branding_views.agency_branding, name="branding"),
    path("clients/<slug:slug>/branding/", branding_views.client_branding, name="client_branding"),
    path("clients/<slug:slug>/domains/<int:domain_id>/verify/", branding_views.domain_verify, name="domain_verify"),
    path("clients/<slug:slug>/domains/<int:domain_id>/remove/", branding_views.domain_remove, name="domain_remove"),
]
