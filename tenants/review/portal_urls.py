"""Mounted at /portal/review/ on the public host only (config/urls_portal.py)."""

from django.urls import path

from tenants.review import portal_views as views

app_name = "review"

urlpatterns = [
    path("", views.review_home, name="home"),
    path("actions/bulk/", views.review_bulk, name="bulk"),  # two segments, never an item (ids are numbers)
    path("<slug:slug>/", views.review_client, name="client"),
    path("<slug:slug>/<int:item_id>/", views.review_item_detail, name="item"),
    path("<slug:slug>/<int:item_id>/faq/", views.review_item_faq, name="item_faq"),
    path("<slug:slug>/<int:item_id>/dismiss/", views.review_item_dismiss_view, name="item_dismiss"),
    path("<slug:slug>/<int:item_id>/resolve/", views.review_item_resolve_view, name="item_resolve"),
]
