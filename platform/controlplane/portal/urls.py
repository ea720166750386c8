from django.urls import path

from controlplane.portal import branding_views, system_views, views

app_name = "portal"

urlpatterns = [
    path("", views.portal_home, name="home"),
    path("clients/new/", views.client_create, name="client_create"),
    path("health/", views.client_health, name="client_health"),
    path("approvals/", views.approvals, name="approvals"),
    path("clients/<slug:slug>/", views.client_detail, name="client_detail"),
    path("clients/<slug:slug>/plan/", views.client_plan_change, name="client_plan_change"),
    path("clients/<slug:slug>/plan-requests/<int:request_id>/", views.client_plan_request_decide,
         name="client_plan_request_decide"),
    path("clients/<slug:slug>/notes/", views.client_note_add, name="client_note_add"),
    path("clients/<slug:slug>/impersonate/", views.client_impersonate, name="client_impersonate"),
    path("staff/", views.staff_list, name="staff"),
    path("users/", views.user_list, name="users"),
    path("users/<int:user_id>/<slug:action>/", views.user_action, name="user_action"),
    path("audit/", views.audit_log, name="audit"),
    path("errors/", views.error_list, name="errors"),
    path("errors/<int:group_id>/", views.error_detail, name="error_detail"),
    # AX-7 live system figures (the page polls the JSON) and AX-8 model token costs.
    path("system/", system_views.system_metrics, name="system"),
    path("system/live.json", system_views.system_metrics_live, name="system_live"),
    path("costs/", system_views.token_costs, name="costs"),
    # Issue 16: white label and custom domains (admin only).
    path("branding/", branding_views.agency_branding, name="branding"),
    path("clients/<slug:slug>/branding/", branding_views.client_branding, name="client_branding"),
    path("clients/<slug:slug>/domains/<int:domain_id>/verify/", branding_views.domain_verify, name="domain_verify"),
    path("clients/<slug:slug>/domains/<int:domain_id>/remove/", branding_views.domain_remove, name="domain_remove"),
]
