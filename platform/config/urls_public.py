"""The public host (SHORELINE_DOMAIN): agency portal, widget API, health."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path

from config.urls_common import auth_urlpatterns
from controlplane.accounts.two_factor import two_factor
from controlplane.core.views import healthz
from widget.api import api as widget_api


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("portal:home")


urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("account/two-factor/", two_factor, name="two_factor"),
    path("portal/", include("controlplane.portal.urls")),
    # Agency pages on one client's data: they enter that client's schema after the role check.
    path("portal/clients/<slug:slug>/bots/", include("tenants.bots.portal_urls")),
    path("portal/clients/<slug:slug>/knowledge/", include("tenants.knowledge.portal_urls")),
    path("portal/clients/<slug:slug>/privacy/", include("tenants.privacy.portal_urls")),
    path("portal/review/", include("tenants.review.portal_urls")),
    path("styleguide/", include("frontend.urls")),
    path("widget/v1/", widget_api.urls),
    path("widget/", include("widget.urls")),
    path("portal/clients/<slug:slug>/widget/", include("widget.portal_urls")),
    path("portal/clients/<slug:slug>/embed/", include("widget.embed_urls")),
    *auth_urlpatterns,
]
