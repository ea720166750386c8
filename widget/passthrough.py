"""Middleware the widget API has no use for, letting its requests through untouched (issue 17).

The widget API (/widget/v1/) is called by visitors' browsers with a bearer token: it never reads the
session, the signed-in user, flash messages, or htmx headers, and
answers no differently for a visitor who happens to be signed in to the portal. Each class here is
the installed middleware, unchanged for every other path; for the widget API it calls the next one
at once, saving a fifth of the request's CPU outside the turn. Security headers, CORS, tenant
resolution, request ids, logs and metrics are not in this list and run for the widget API as before.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.middleware import AuthenticationMiddleware as _Authentication
from django.contrib.messages.middleware import MessageMiddleware as _Message
from django.contrib.sessions.middleware import SessionMiddleware as _Session
from django.http import HttpRequest
from django_htmx.middleware import HtmxMiddleware as _Htmx
from django_otp.middleware import OTPMiddleware as _OTP

from controlplane.accounts.middleware import (
    ForcePasswordChangeMiddleware as _ForcePasswordChange,
)
from controlplane.accounts.middleware import (
    HostMembershipMiddleware as _HostMembership,
)
from controlplane.accounts.two_factor import RequireAdminTwoFactorMiddleware as _RequireAdminTwoFactor
from widget.cors import WIDGET_PREFIX


def _skips_widget_api(middleware: type[Any]) -> type[Any]:
    def __call__(self: Any, request: HttpRequest) -> Any:
        if request.path_info.startswith(WIDGET_PREFIX):
            return self.get_response(request)
        return middleware.__call__(self, request)

    return type(middleware.__name__, (middleware,), {"__call__": __call__, "__module__": __name__,
                                                     "__doc__": f"{middleware.__doc__ or ''} (not on the widget API)"})


SessionMiddleware = _skips_widget_api(_Session)
AuthenticationMiddleware = _skips_widget_api(_Authentication)
OTPMiddleware = _skips_widget_api(_OTP)
HostMembershipMiddleware = _skips_widget_api(_HostMembership)
ForcePasswordChangeMiddleware = _skips_widget_api(_ForcePasswordChange)
RequireAdminTwoFactorMiddleware = _skips_widget_api(_RequireAdminTwoFactor)
MessageMiddleware = _skips_widget_api(_Message)
HtmxMiddleware = _skips_widget_api(_Htmx)
