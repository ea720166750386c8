"""Routes both hosts serve: sign-in, sign-out, password change."""

from django.urls import path

from controlplane.accounts import views as account_views
from controlplane.portal.branding_views import brand_logo

auth_urlpatterns = [
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", account_views.LogoutView.as_view(), name="logout"),
    path("password/change/", account_views.password_change, name="password_change"),
    path("brand/logos/<str:name>", brand_logo, name="brand_logo"),  # issue 16: agency and client logos
]
