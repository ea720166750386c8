"""Mounted at /portal/clients/<slug>/knowledge/ on the public host only (config/urls_portal.py)."""

from django.urls import path

from tenants.knowledge import portal_views as views

app_name = "knowledge"

urlpatterns = [
    path("<int:bot_id>/", views.knowledge_home, name="home"),
    path("<int:bot_id>/faqs/new/", views.faq_edit, name="faq_new"),
    path("<int:bot_id>/faqs/<int:faq_id>/", views.faq_edit, name="faq_edit"),
    path("<int:bot_id>/faqs/<int:faq_id>/approve/", views.faq_approve_view, name="faq_approve"),
    path("<int:bot_id>/faqs/<int:faq_id>/delete/", views.faq_delete_view, name="faq_delete"),
    path("<int:bot_id>/articles/new/", views.article_edit, name="article_new"),
    path("<int:bot_id>/articles/<int:source_id>/", views.article_edit, name="article_edit"),
    path("<int:bot_id>/sources/<int:source_id>/delete/", views.source_delete, name="source_delete"),
    path("<int:bot_id>/documents/upload/", views.document_upload, name="document_upload"),
    path("<int:bot_id>/websites/add/", views.website_add, name="website_add"),
    path("<int:bot_id>/websites/<int:site_id>/", views.website_detail, name="website"),
    path("<int:bot_id>/websites/<int:site_id>/crawl/", views.website_crawl_now, name="website_crawl"),
    path("<int:bot_id>/websites/<int:site_id>/delete/", views.website_delete, name="website_delete"),
    path("<int:bot_id>/approvals/", views.approvals, name="approvals"),
    path("<int:bot_id>/faqs/<int:faq_id>/review/", views.faq_review, name="faq_review"),
    path("<int:bot_id>/drafts/<int:draft_id>/", views.draft_review, name="draft"),
    path("<int:bot_id>/drafts/<int:draft_id>/approve/", views.draft_approve, name="draft_approve"),
    path("<int:bot_id>/drafts/<int:draft_id>/discard/", views.draft_discard, name="draft_discard"),
    path("<int:bot_id>/rebuild/", views.rebuild_start, name="rebuild_start"),
    path("<int:bot_id>/rebuild/<int:rebuild_id>/", views.rebuild_detail, name="rebuild"),
    path("<int:bot_id>/rebuild/<int:rebuild_id>/cancel/", views.rebuild_cancel, name="rebuild_cancel"),
]
