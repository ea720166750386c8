"""Mounted on the public host only, at /styleguide/ (config/urls_public.py)."""

from django.urls import path

from frontend import views

urlpatterns = [
    path("", views.styleguide, name="styleguide"),
]
