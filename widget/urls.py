"""Widget pages that are not the API, mounted at /widget/ on the public host (config/urls_public.py)."""

from django.urls import path

from widget import frame_views

app_name = "widget_pages"

urlpatterns = [
    path("frame/", frame_views.widget_frame, name="frame"),
    path("avatars/<slug:slug>/<str:name>", frame_views.widget_avatar, name="avatar"),
    path("demo/", frame_views.widget_demo, name="demo"),
]
