from django.urls import path

from tenants.dashboard import weekly_summary_views

app_name = "weekly_summary"

urlpatterns = [
    path("", weekly_summary_views.weekly_summary_preview, name="preview"),
    path("send/", weekly_summary_views.weekly_summary_send_now, name="send"),
]
