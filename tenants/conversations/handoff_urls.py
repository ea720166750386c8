"""BEY-1 live handoffs, mounted at /portal/handoffs/ on the public host (config/urls_portal.py)."""

from django.urls import path

from tenants.conversations import handoff_views as views

app_name = "handoffs"

urlpatterns = [
    path("", views.handoff_home, name="home"),
    path("<slug:slug>/<uuid:conversation_id>/", views.handoff_detail, name="detail"),
    path("<slug:slug>/<uuid:conversation_id>/take/", views.handoff_take_view, name="take"),
    path("<slug:slug>/<uuid:conversation_id>/reply/", views.handoff_reply_view, name="reply"),
    path("<slug:slug>/<uuid:conversation_id>/release/", views.handoff_release_view, name="release"),
]
