"""The public URL conf plus one view that raises, for the error-log capture test only."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls_public import urlpatterns as public_urlpatterns


def explode(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the flux capacitor is out of flux")


urlpatterns = [path("explode/", explode, name="explode"), *public_urlpatterns]
