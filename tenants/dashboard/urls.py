"""Dashboard routes on client hosts. All GET (read-only dashboard) except the owner's billing actions;
see tests/integration/dashboard and tests/integration/billing."""

from django.urls import path

from tenants.dashboard import billing_views, cockpit_views, notification_views, views

urlpatterns = [
    path("", views.dashboard_home, name="home"),
    path("insights/questions/", views.questions_fragment, name="dashboard_questions"),
    # Issue 15: what customers ask, pain points, missed opportunities, suggestions, feedback rates.
    path("insights/", cockpit_views.client_insights, name="dashboard_insights"),
    path("setup/", views.setup, name="dashboard_setup"),
    path("leads/", views.leads, name="dashboard_leads"),
    path("leads/export.csv", views.leads_export, name="dashboard_leads_export"),
    path("conversations/", views.conversations, name="dashboard_conversations"),
    path("conversations/export.csv", views.conversations_export, name="dashboard_conversations_export"),
    path("conversations/<uuid:conversation_id>/", views.conversation, name="dashboard_conversation"),
    path("conversations/<uuid:conversation_id>/export.pdf", views.conversation_pdf,
         name="dashboard_conversation_pdf"),
    path("billing/", billing_views.billing, name="dashboard_billing"),
    path("billing/portal/", billing_views.billing_portal, name="dashboard_billing_portal"),
    path("billing/plan-request/", billing_views.billing_plan_request, name="dashboard_billing_plan_request"),
    path("report.pdf", views.report_pdf, name="dashboard_report_pdf"),
    # Issue 14: the client sees who is alerted; the owner may turn the weekly email off (one POST).
    path("notifications/", notification_views.notifications, name="dashboard_notifications"),
    path("notifications/weekly-email/", notification_views.weekly_digest, name="dashboard_digest"),
]
