from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from controlplane.accounts.forms import HostLoginForm, PasswordChangeForm
from controlplane.accounts.impersonation import ImpersonationError, impersonation_ticket_redeem
from controlplane.accounts.middleware import (
    SESSION_HOST_KEY,
    SESSION_HOSTNAME_KEY,
    SESSION_IMPERSONATION_KEY,
    request_hostname,
)
from controlplane.accounts.models import Role, User
from controlplane.accounts.services import user_set_password
from controlplane.audit.services import audit_record
from controlplane.core import tenancy


class LoginView(auth_views.LoginView):
    form_class = HostLoginForm
    template_name = "auth/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)  # logs in and rotates the session key
        self.request.session[SESSION_HOST_KEY] = tenancy.schema_name()
        self.request.session[SESSION_HOSTNAME_KEY] = request_hostname(self.request)
        if form.otp_device is not None:
            # Lazy: django-otp's login helper is needed only for the few accounts with a device.
            from django_otp import login as otp_login

            otp_login(self.request, form.otp_device)
        return response


class LogoutView(auth_views.LogoutView):
    template_name = "auth/logged_out.html"


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # @login_required: never the anonymous user here
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_set_password(user=user, new_password=form.cleaned_data["new_password"], request=request)
        update_session_auth_hash(request, user)
        messages.success(request, "Your password has been changed.")
        return redirect("home")
    return render(
        request,
        "auth/password_change.html",
        {"form": form, "forced": user.must_change_password},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET"])
def impersonation_redeem(request: HttpRequest) -> HttpResponse:
    """Client host: open a read-only, bannered session for the admin who asked (AX-9)."""


    try:
        payload = impersonation_ticket_redeem(ticket=request.GET.get("ticket", ""),
                                              schema_name=tenancy.schema_name())
    except ImpersonationError as error:
        return render(request, "auth/impersonation_error.html", {"error": str(error)}, status=403)
    admin = User.objects.filter(pk=payload["admin"], role=Role.PLATFORM_ADMIN, is_active=True).first()
    if admin is None:
        return render(request, "auth/impersonation_error.html",
                      {"error": "The admin account behind this link no longer exists."}, status=403)
    login(request, admin, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_HOST_KEY] = tenancy.schema_name()
    request.session[SESSION_HOSTNAME_KEY] = request_hostname(request)
    request.session[SESSION_IMPERSONATION_KEY] = {"schema": tenancy.schema_name(), "admin": admin.email}
    return redirect("home")


@require_http_methods(["POST"])
def impersonation_end(request: HttpRequest) -> HttpResponse:


    impersonation = request.session.get(SESSION_IMPERSONATION_KEY)
    if impersonation and request.user.is_authenticated:
        audit_record(action="impersonation.ended", actor=request.user,
                     client_slug=getattr(getattr(request, "tenant", None), "slug", ""), request=request)
    logout(request)
    return render(request, "auth/logged_out.html", {"impersonation_ended": bool(impersonation)})
