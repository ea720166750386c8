from __future__ import annotations

from django import forms

from tenants.knowledge.documents import MAX_DOCUMENT_BYTES
from tenants.knowledge.website import MAX_DEPTH_LIMIT, MAX_PAGES_LIMIT


class FaqForm(forms.Form):
    question = forms.CharField(max_length=500)
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))


class ArticleForm(forms.Form):
    title = forms.CharField(max_length=300)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), label="Text",
                           help_text="Plain text or Markdown. Blank lines separate paragraphs.")


class DocumentUploadForm(forms.Form):
    file = forms.FileField(help_text=f"PDF, Word (.docx), text or Markdown, up to {MAX_DOCUMENT_BYTES // 1048576} MB.",
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.txt,.md,.markdown"}))


class WebsiteForm(forms.Form):
    start_url = forms.URLField(max_length=2000, assume_scheme="https", label="Start page or sitemap URL")
    max_depth = forms.IntegerField(min_value=0, max_value=MAX_DEPTH_LIMIT, initial=2, label="Link depth")
    max_pages = forms.IntegerField(min_value=1, max_value=MAX_PAGES_LIMIT, initial=50, label="Page limit")
    weekly_refresh = forms.BooleanField(required=False, initial=True, label="Re-crawl weekly and record changes")
