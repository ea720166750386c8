"""White label and custom domains in the agency portal (platform admin only).

/portal/branding/                         the agency's name, logo, colour, support email, domain, "Powered by"
/portal/clients/<slug>/branding/          a client's logo and brand colour (UX-2) and its custom domains
/portal/clients/<slug>/domains/<id>/...   verify or remove one custom domain
/brand/logos/<name>                       a stored logo (both hosts; content-hash names, cached)
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from controlplane.accounts.decorators import admin_required
from controlplane.clients.branding import (
    HEX_COLOR,
    LogoRejected,
    agency_brand,
    agency_brand_update,
    client_branding_update,
    logo_open,
)
from controlplane.clients.domains import (
    DomainRejected,
    custom_domain_add,
    custom_domain_remove,
    custom_domain_verify,
    dns_records,
)
from controlplane.clients.models import Client, CustomDomain
from controlplane.clients.selectors import client_get
from controlplane.core.images import MAX_UPLOAD_BYTES

_IMAGE_ACCEPT = forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"})
_LOGO_HELP = "PNG, JPEG, WebP or GIF, up to 5 MB; shown at most 640×200. SVG is not accepted."


def _color_field(label: str) -> forms.CharField:
    return forms.CharField(label=label, max_length=7, widget=forms.TextInput(attrs={"type": "color"}),
                           help_text="Used for buttons and the top bar; text colour is picked for contrast.")


def _clean_color(value: str) -> str:
    if not HEX_COLOR.match(value or ""):
        raise forms.ValidationError("Pick a colour (#rrggbb).")
    return value.lower()


class AgencyBrandForm(forms.Form):
    name = forms.CharField(label="Agency name", max_length=80,
                           help_text="Shown as “Powered by …” in the chat widget, the dashboard and the sign-in page.")
    accent_color = _color_field("Agency colour")
    support_email = forms.EmailField(label="Support email", required=False,
                                     help_text="Where clients write for help or an upgrade.")
    website = forms.CharField(label="Agency domain", max_length=253, required=False,
                              help_text="Your own website, e.g. youragency.com.")
    show_powered_by = forms.BooleanField(label="Show “Powered by” with the agency name", required=False)
    logo = forms.FileField(label="Agency logo", required=False, help_text=_LOGO_HELP, widget=_IMAGE_ACCEPT)

    def clean_accent_color(self) -> str:
        return _clean_color(self.cleaned_data["accent_color"])


class ClientBrandForm(forms.Form):
    accent_color = _color_field("Brand colour")
    logo = forms.FileField(label="Logo", required=False, help_text=_LOGO_HELP, widget=_IMAGE_ACCEPT)
    remove_logo = forms.BooleanField(label="Remove the logo (show the initials instead)", required=False)

    def clean_accent_color(self) -> str:
        return _clean_color(self.cleaned_data["accent_color"])


class DomainForm(forms.Form):
    hostname = forms.CharField(label="Custom domain", max_length=253,
                               help_text="The client's own host for its dashboard, e.g. dashboard.clientbusiness.com.")


def _upload(form: forms.Form) -> bytes | None:
    upload = form.cleaned_data.get("logo")
    if not upload:
        return None
    if upload.size > MAX_UPLOAD_BYTES:
        raise LogoRejected(f"The image is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    data: bytes = upload.read()
    return data


@require_http_methods(["GET", "POST"])
@admin_required
def agency_branding(request: HttpRequest) -> HttpResponse:
    brand = agency_brand()
    form = AgencyBrandForm(request.POST or None, request.FILES or None, initial={
        "name": brand.name, "accent_color": brand.accent_color, "support_email": brand.support_email,
        "website": brand.website, "show_powered_by": brand.show_powered_by})
    if request.method == "POST" and form.is_valid():
        try:
            agency_brand_update(actor=request.user, request=request, logo=_upload(form), **{
                k: form.cleaned_data[k] for k in ("name", "accent_color", "support_email", "website",
                                                  "show_powered_by")})
        except LogoRejected as error:
            form.add_error("logo", str(error))
        else:
            messages.success(request, "Agency branding saved.")
            return redirect("portal:branding")
    return render(request, "portal/branding.html", {"form": form, "current": agency_brand()},
                  status=400 if request.method == "POST" else 200)


def _client_or_404(slug: str) -> Client:
    client = client_get(slug=slug)
    if client is None:
        raise Http404("No such client.")
    return client


def _client_page(request: HttpRequest, client: Client, brand_form: ClientBrandForm, domain_form: DomainForm,
                 status: int = 200) -> HttpResponse:
    domains = [(d, dns_records(d)) for d in CustomDomain.objects.filter(client=client).select_related("client")]
    return render(request, "portal/client_branding.html", {
        "client": client, "brand_form": brand_form, "domain_form": domain_form, "domains": domains}, status=status)


@require_http_methods(["GET", "POST"])
@admin_required
def client_branding(request: HttpRequest, slug: str) -> HttpResponse:
    client = _client_or_404(slug)
    brand_form = ClientBrandForm(initial={"accent_color": client.accent_color})
    domain_form = DomainForm()
    if request.method == "POST" and request.POST.get("form") == "domain":
        domain_form = DomainForm(request.POST)
        if domain_form.is_valid():
            try:
                added = custom_domain_add(client=client, hostname=domain_form.cleaned_data["hostname"],
                                          actor=request.user, request=request)
            except DomainRejected as error:
                domain_form.add_error("hostname", str(error))
            else:
                messages.success(request, f"{added.hostname} added. Create the DNS record below, then verify.")
                return redirect("portal:client_branding", slug=slug)
        return _client_page(request, client, brand_form, domain_form, status=400)
    if request.method == "POST":
        brand_form = ClientBrandForm(request.POST, request.FILES)
        if brand_form.is_valid():
            try:
                client_branding_update(client=client, actor=request.user, request=request, logo=_upload(brand_form),
                                       accent_color=brand_form.cleaned_data["accent_color"],
                                       remove_logo=brand_form.cleaned_data["remove_logo"])
            except LogoRejected as error:
                brand_form.add_error("logo", str(error))
            else:
                messages.success(request, "Branding saved: the client's dashboard, sign-in page and reports use it.")
                return redirect("portal:client_branding", slug=slug)
        return _client_page(request, client, brand_form, domain_form, status=400)
    return _client_page(request, client, brand_form, domain_form)


def _domain_or_404(slug: str, domain_id: int) -> CustomDomain:
    found = CustomDomain.objects.select_related("client").filter(pk=domain_id, client__slug=slug).first()
    if found is None:
        raise Http404("No such domain for this client.")
    return found


@require_POST
@admin_required
def domain_verify(request: HttpRequest, slug: str, domain_id: int) -> HttpResponse:
    custom = _domain_or_404(slug, domain_id)
    if custom_domain_verify(custom=custom, actor=request.user, request=request):
        messages.success(request, f"{custom.hostname} is verified: the client's dashboard is served there.")
    else:
        messages.error(request, custom.last_error)
    return redirect("portal:client_branding", slug=slug)


@require_POST
@admin_required
def domain_remove(request: HttpRequest, slug: str, domain_id: int) -> HttpResponse:
    custom = _domain_or_404(slug, domain_id)
    custom_domain_remove(custom=custom, actor=request.user, request=request)
    messages.success(request, f"{custom.hostname} removed; it no longer serves the dashboard.")
    return redirect("portal:client_branding", slug=slug)


@require_GET
def brand_logo(request: HttpRequest, name: str) -> FileResponse:
    """A stored logo. Public by design: content-hash names, PNGs we encoded ourselves."""
    handle = logo_open(name)
    if handle is None:
        raise Http404
    response = FileResponse(handle, content_type="image/png")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response
