"""SEC-4: optional TOTP two-step sign-in for agency accounts (django-otp), required for the platform
admin when OTP_REQUIRED_FOR_PLATFORM_ADMIN is on (production)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from controlplane.accounts.decorators import agency_required
from controlplane.audit.services import audit_record

ISSUER = "Shoreline"


def confirmed_device(user: Any) -> TOTPDevice | None:
    if not getattr(user, "pk", None):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _qr_data_uri(device: TOTPDevice, email: str) -> str:
    import segno

    uri = device.config_url.replace("otpauth://totp/", f"otpauth://totp/{ISSUER}:", 1) + f"&issuer={ISSUER}"
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


@agency_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = confirmed_device(user)
    if request.method == "POST":
        code = (request.POST.get("code") or "").replace(" ", "")
        action = request.POST.get("action")
        if action == "disable" and device is not None:
            if settings.OTP_REQUIRED_FOR_PLATFORM_ADMIN and user.is_platform_admin:  # type: ignore[union-attr]
                messages.error(request, "Two-step sign-in is required for the platform admin here.")
            elif device.verify_token(code):
                with transaction.atomic():
                    TOTPDevice.objects.filter(user=user).delete()
                    audit_record(action="user.two_factor_disabled", actor=user, target=user, request=request)
                messages.success(request, "Two-step sign-in is off.")
            else:
                messages.error(request, "That code is not right. Enter the current 6-digit code from your app.")
            return redirect("two_factor")
        pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if pending is not None and pending.verify_token(code):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=user, confirmed=True).delete()
                pending.confirmed = True
                pending.save(update_fields=["confirmed"])
                audit_record(action="user.two_factor_enabled", actor=user, target=user, request=request)
            otp_login(request, pending)
            messages.success(request, "Two-step sign-in is on. You will be asked for a code each time you sign in.")
            return redirect("two_factor")
        messages.error(request, "That code is not right. Check the time on your phone and enter the newest code.")
        return redirect("two_factor")
    context: dict[str, Any] = {"enabled": device is not None,
                               "required": settings.OTP_REQUIRED_FOR_PLATFORM_ADMIN and user.is_platform_admin}  # type: ignore[union-attr]
    if device is None:
        pending = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=False)
        context.update({"qr": _qr_data_uri(pending, user.email),  # type: ignore[union-attr]
                        "secret": base64.b32encode(pending.bin_key).decode().rstrip("=")})
    return render(request, "auth/two_factor.html", context)


class RequireAdminTwoFactorMiddleware:
    """With OTP_REQUIRED_FOR_PLATFORM_ADMIN, a platform admin session that has not passed a TOTP check
    reaches only the two-step setup page and sign-out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (settings.OTP_REQUIRED_FOR_PLATFORM_ADMIN and user is not None and user.is_authenticated
                and getattr(user, "is_platform_admin", False) and not user.is_verified()):
            urlconf = getattr(request, "urlconf", None)
            setup = reverse("two_factor", urlconf=urlconf) if urlconf == settings.PUBLIC_SCHEMA_URLCONF else None
            if setup is None:  # an admin session off the public host is refused elsewhere (SEC-7)
                return self.get_response(request)
            if request.path not in {setup, reverse("logout", urlconf=urlconf)}:
                return redirect(setup)
        return self.get_response(request)
