"""Who may be logged in where (SEC-7) and the forced password change (SEC-5)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from controlplane.accounts.selectors import user_may_use_host

SESSION_HOST_KEY = "shoreline_host_schema"
# The exact host a session was made on: a client's custom domain and its subdomain share a schema,
# and a session of one must not work on the other (issue 16).
SESSION_HOSTNAME_KEY = "shoreline_hostname"
SESSION_IMPERSONATION_KEY = "shoreline_impersonation"
_PASSWORD_CHANGE_ALLOWED = frozenset({"password_change", "logout", "impersonation_end"})
# AX-9: while impersonating, ending the impersonation is the only write; in particular the
# admin's own password change and a logout that would skip the "impersonation.ended" audit.
_IMPERSONATION_WRITES_ALLOWED = frozenset({"impersonation_end"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def request_hostname(request: HttpRequest) -> str:
    return request.get_host().rsplit(":", 1)[0].lower()


def _tenant_schema(request: HttpRequest) -> str:
    tenant = getattr(request, "tenant", None)
    return tenant.schema_name if tenant is not None else "public"


class HostMembershipMiddleware:
    """A session is valid only on the host it was created on, for a user allowed there.

    Cookies are host-only already; this also defeats a cookie copied to another host
    and a membership revoked while the session lives.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            schema = _tenant_schema(request)
            impersonation = request.session.get(SESSION_IMPERSONATION_KEY)
            hostname = request.session.get(SESSION_HOSTNAME_KEY)
            on_own_host = request.session.get(SESSION_HOST_KEY) == schema and (
                hostname is None or hostname == request_hostname(request))
            if impersonation:
                allowed = on_own_host and impersonation.get("schema") == schema and user.is_platform_admin
            else:
                allowed = on_own_host and user_may_use_host(user=user, tenant=getattr(request, "tenant", None))
            if not allowed:
                logout(request)
            elif impersonation and request.method not in _SAFE_METHODS and _url_name(request) not in (
                _IMPERSONATION_WRITES_ALLOWED
            ):
                # AX-9: an impersonated view is read-only, whatever the page offers.
                return JsonResponse({"detail": "Impersonation is read-only."}, status=403)
        return self.get_response(request)


def _url_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info, urlconf=getattr(request, "urlconf", None)).url_name
    except Resolver404:
        return None


class ForcePasswordChangeMiddleware:
    """SEC-5: an account with a generated password reaches only the change page (and logout)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.must_change_password:
            if not request.path_info.startswith(settings.STATIC_URL) and (
                _url_name(request) not in _PASSWORD_CHANGE_ALLOWED
            ):
                if request.path_info.startswith(("/api/", "/portal/api/", "/dashboard/api/")):
                    return JsonResponse({"detail": "You must change your password first."}, status=403)
                return redirect("password_change")
        return self.get_response(request)
