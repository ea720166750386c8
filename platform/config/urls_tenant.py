"""Client hosts (<slug>.SHORELINE_DOMAIN): the view-only dashboard and its sign-in.

No agency route is mounted here at all (SEC-7).
"""

from django.urls import include, path

from config.urls_common import auth_urlpatterns
from controlplane.accounts import views as account_views

urlpatterns = [
    path("", include("tenants.dashboard.urls")),
    path("impersonate/", account_views.impersonation_redeem, name="impersonation_redeem"),
    path("impersonate/end/", account_views.impersonation_end, name="impersonation_end"),
    *auth_urlpatterns,
]
