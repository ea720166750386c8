"""WID-4 in the agency portal: /portal/clients/<slug>/widget/ — the bot avatar, admin only.

Mounted from config/urls_portal.py. Enters the client's schema through tenants.portal_access, like
every agency page on one client's data (admin role check → client → its schema).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from controlplane.clients.models import Client
from controlplane.core.images import MAX_UPLOAD_BYTES
from tenants.bots.models import Bot
from tenants.bots.selectors import bot_published_config
from tenants.portal_access import client_portal_view
from widget.avatar import AvatarRejected, bot_avatar_set


class AvatarForm(forms.Form):
    bot = forms.TypedChoiceField(coerce=int, label="Bot")
    avatar = forms.FileField(
        label="Avatar image",
        help_text="PNG, JPEG, WebP or GIF, up to 5 MB. It is cropped to a 256×256 square. SVG is not accepted.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}),
    )

    def __init__(self, *args: object, bots: list[Bot], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["bot"].choices = [(b.pk, b.name) for b in bots]  # type: ignore[attr-defined]
        if len(bots) == 1:
            self.fields["bot"].widget = forms.HiddenInput()
            self.fields["bot"].initial = bots[0].pk


@require_http_methods(["GET", "POST"])
@client_portal_view(admin=True)
def widget_settings(request: HttpRequest, client: Client) -> HttpResponse:
    bots = list(Bot.objects.select_related("published_version").order_by("id"))
    form = AvatarForm(request.POST or None, request.FILES or None, bots=bots)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["avatar"]
        bot = next(b for b in bots if b.pk == form.cleaned_data["bot"])
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("avatar", f"The image is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
        else:
            try:
                version = bot_avatar_set(client=client, bot=bot, upload=upload.read(), actor=request.user)
            except AvatarRejected as error:
                form.add_error("avatar", str(error))
            else:
                messages.success(request, f"Avatar saved in draft version {version.number} of {bot.name}. "
                                          "It goes live when an admin approves that draft.")
                return redirect("portal_widget:settings", slug=client.slug)
    looks = [(bot, bot_published_config(bot).widget) for bot in bots]
    return render(request, "widget/portal_settings.html", {"client": client, "form": form, "looks": looks},
                  status=400 if request.method == "POST" else 200)
