"""The public host (SHORELINE_DOMAIN): agency portal, widget API, health."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path

from config.urls_common import auth_urlpatterns
from controlplane.accounts.two_factor import two_factor
from controlplane.billing.views import stripe_webhook
from controlplane.core.views import healthz
from widget.api import api as widget_api


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("portal:home")


urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("account/two-factor/", two_factor, name="two_factor"),
    path("billing/stripe/webhook", stripe_webhook, name="stripe_webhook"),
    path("portal/", include("config.urls_portal")),  # the agency portal's whole tree
    path("styleguide/", include("frontend.urls")),
    path("widget/v1/", widget_api.urls),
    path("widget/", include("widget.urls")),
    path("", include("controlplane.notifications.urls")),  # issue 14: settings, log, sent messages, Twilio
    *auth_urlpatterns,
]
