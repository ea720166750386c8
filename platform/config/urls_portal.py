"""The agency portal's whole URL tree (/portal/ on the public host), in one place.

Agency pages on public data come from controlplane.portal; each feature mounts its own agency views
on one client's data under clients/<slug>/… (those views enter the client's schema through
tenants.portal_access.client_portal_view). The tree lives in config, the composition root, because
controlplane may not import tenants or widget (import-linter contract).
"""

from django.urls import include, path

from tenants.dashboard.cockpit_urls import checklist_patterns, insights_patterns

urlpatterns = [
    path("", include("controlplane.portal.urls")),  # home, clients, staff, audit log
    path("clients/<slug:slug>/bots/", include("tenants.bots.portal_urls")),
    path("clients/<slug:slug>/knowledge/", include("tenants.knowledge.portal_urls")),
    path("clients/<slug:slug>/lead-values/", include("tenants.analytics.portal_urls")),
    path("clients/<slug:slug>/widget/", include("widget.portal_urls")),
    path("clients/<slug:slug>/embed/", include("widget.embed_urls")),
    path("clients/<slug:slug>/weekly-summary/", include("tenants.dashboard.weekly_summary_urls")),
    path("clients/<slug:slug>/privacy/", include("tenants.privacy.portal_urls")),
    path("review/", include("tenants.review.portal_urls")),
    # Issue 15 (h15b): AX-3 weekly checklist; CXI-3/4/5, PRM-4, BEY-3 insights on one client.
    path("clients/<slug:slug>/checklist/", include(checklist_patterns)),
    path("clients/<slug:slug>/insights/", include(insights_patterns)),
    path("handoffs/", include("tenants.conversations.handoff_urls")),  # BEY-1 live handoffs
]
