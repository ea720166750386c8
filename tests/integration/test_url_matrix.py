"""SEC-7: every URL pattern of both URL confs is classified, and probed as every role.

HOW TO EXTEND — a new route makes `test_every_route_is_classified` fail until it has a line in
PUBLIC_HOST_ROUTES (config.urls_public) or CLIENT_HOST_ROUTES (config.urls_tenant), keyed by its
URL name (with namespace), for example:

    "portal:invoices": agency(),                          # staff + admin get 200
    "portal:plan_edit": admin_only(method="post", ok=(302, "/portal/")),
    "dashboard:leads": member(),                          # this client's users get 200

Choose the narrowest access that works: anyone / signed_in / agency / admin_only / member.
`ok` is what an allowed role gets (a status, a tuple of statuses, or (status, location prefix));
everyone else gets 302 to the login page when anonymous (or signed in on another host, which
HostMembershipMiddleware turns into anonymous) and 403 when signed in with the wrong role.
Routes under SEPARATELY_TESTED_PREFIXES (matched against the pattern as written, converters and
all, e.g. "/portal/clients/<slug:slug>/bots/") are skipped here: they have their own authorization
test. test_secrets still renders them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django.test import Client as DjangoClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from controlplane.accounts.middleware import SESSION_HOST_KEY
from controlplane.accounts.models import User
from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, CLIENT_PASSWORD, STAFF_EMAIL, host_for, login

pytestmark = pytest.mark.django_db

PUBLIC_URLCONF = "config.urls_public"
TENANT_URLCONF = "config.urls_tenant"
# The widget API (django-ninja) authorizes by widget token and origin, not by session role;
# tests/integration for the widget walks its OpenAPI schema instead.
# Issue 5's agency pages on client data have their own matrix (every route × role, cross-tenant):
# tests/integration/knowledge/test_portal_knowledge_access.py.
# Embed tokens and allowlists: tests/integration/widget_embed/test_embed_portal.py.
SEPARATELY_TESTED_PREFIXES = ("/widget/v1/", "/portal/clients/<slug:slug>/bots/",
                              "/portal/clients/<slug:slug>/knowledge/",
                              # One client's review pages: tests/integration/knowledge/test_review_loop.py.
                              "/portal/review/<slug:slug>/",
                              "/portal/clients/<slug:slug>/embed/",
                              # BEY-6 privacy pages: tests/integration/test_privacy.py (roles, cross-tenant).
                              "/portal/clients/<slug:slug>/privacy/")

ANONYMOUS, CLIENT, STAFF, ADMIN = "anonymous", "client", "staff", "admin"
ROLES = (ANONYMOUS, CLIENT, STAFF, ADMIN)
ROLE_EMAILS = {CLIENT: "owner@alpha.test", STAFF: STAFF_EMAIL, ADMIN: ADMIN_EMAIL}
ROLE_PASSWORDS = {CLIENT: CLIENT_PASSWORD, STAFF: AGENCY_PASSWORD, ADMIN: AGENCY_PASSWORD}
# Who may hold a session on which host at all (anyone else is signed out by the middleware).
HOST_ROLES = {PUBLIC_URLCONF: frozenset({STAFF, ADMIN}), TENANT_URLCONF: frozenset({CLIENT})}
# Values for path converters, by parameter name: real objects of the seeded system.
SAMPLE_KWARGS = {"slug": "alpha", "conversation_id": "00000000-0000-4000-8000-000000000000",
                 "name": "0123456789abcdef0123.png"}


def _alpha_bot_id() -> str:
    from django_tenants.utils import schema_context

    from tenants.bots.models import Bot

    with schema_context("c_alpha"):
        return str(Bot.objects.order_by("id").values_list("id", flat=True)[0])


# For the routes only test_secrets renders (separately tested prefixes): alpha's real bot and its
# first config version; other ids exist nowhere (the view answers 404, which is fine there).
SAMPLE_KWARGS_EXTRA: dict[str, str | Callable[[], str]] = {
    "bot_id": _alpha_bot_id, "number": "1", "case_id": "987654", "faq_id": "987654", "source_id": "987654",
    "site_id": "987654", "rebuild_id": "987654", "item_id": "987654",
}
# Any other parameter gets a value of its converter's type (an object that does not exist).
SAMPLE_BY_CONVERTER = {"IntConverter": "987654", "SlugConverter": "alpha", "StringConverter": "alpha",
                       "UUIDConverter": "00000000-0000-4000-8000-000000000000", "PathConverter": "alpha"}

Outcome = int | tuple[int, ...] | tuple[int, str]


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]  # who is allowed; ANONYMOUS in it means anyone
    ok: Outcome = 200
    ok_signed_in: Outcome | None = None  # for public pages that answer signed-in users differently
    method: str = "get"
    kwargs: dict[str, str] = field(default_factory=dict)


def anyone(ok: Outcome = 200, *, signed_in: Outcome | None = None, method: str = "get") -> Rule:
    return Rule(frozenset(ROLES), ok, signed_in, method)


def signed_in(ok: Outcome = 200, *, method: str = "get") -> Rule:
    return Rule(frozenset({CLIENT, STAFF, ADMIN}), ok, None, method)


def agency(ok: Outcome = 200, *, method: str = "get") -> Rule:
    return Rule(frozenset({STAFF, ADMIN}), ok, None, method)


def admin_only(ok: Outcome = 200, *, method: str = "get") -> Rule:
    return Rule(frozenset({ADMIN}), ok, None, method)


def member(ok: Outcome = 200, *, method: str = "get") -> Rule:
    return Rule(frozenset({CLIENT}), ok, None, method)


PUBLIC_HOST_ROUTES: dict[str, Rule] = {
    "home": agency(ok=(302, "/portal/")),
    "healthz": anyone(ok=(200, 503)),  # 503 while no Celery worker answers; see test_health
    "login": anyone(ok=200, signed_in=(302, "/")),
    "logout": anyone(ok=(302, "/login/"), method="post"),
    "two_factor": agency(),
    "password_change": signed_in(),
    "portal:home": agency(),
    "portal:client_create": admin_only(),
    "portal:client_health": agency(),
    "portal:approvals": agency(),  # BOT-4 cross-client approvals (tests/integration/portal/test_approvals_list.py)
    "portal:client_detail": agency(),
    "portal:client_plan_change": admin_only(ok=(302, "/portal/clients/alpha/"), method="post"),
    "portal:client_plan_request_decide": admin_only(ok=404, method="post"),  # no such request
    # Issue 13: Stripe's webhook; its signature is its authentication (tests/integration/billing/).
    "stripe_webhook": anyone(ok=400, method="post"),  # unsigned: refused for everyone
    "portal:client_note_add": agency(ok=(302, "/portal/clients/alpha/"), method="post"),
    "portal:client_impersonate": admin_only(ok=(302, "http://alpha.shoreline.localhost:8000/impersonate/?ticket="),
                                            method="post"),
    "portal:staff": admin_only(),
    "portal:users": admin_only(),
    # An action that does not exist answers 404 to the admin; the real actions: tests/integration/test_users_admin.py.
    "portal:user_action": admin_only(ok=404, method="post"),
    "lead_values:edit": admin_only(),
    "portal:audit": admin_only(),
    "portal:errors": agency(),
    "portal:system": agency(),  # AX-7 live figures (tests/integration/portal/test_system_and_costs.py)
    "portal:system_live": agency(),
    "portal:costs": agency(),  # AX-8 model token costs
    "portal:error_detail": agency(ok=404),  # no such error group
    # Issue 16: white label and custom domains (tests/integration/dashboard/test_branding.py).
    "portal:branding": admin_only(),
    "portal:client_branding": admin_only(),
    "portal:domain_verify": admin_only(ok=404, method="post"),  # no such domain id
    "portal:domain_remove": admin_only(ok=404, method="post"),
    "brand_logo": anyone(ok=404),  # no such logo; logos are public by design (content-hash names)

    "styleguide": admin_only(),
    # Issue 6: the widget's pages. The iframe and avatars are public by design (token / content hash);
    # their real checks are in tests/integration/widget_frame/. The demo page exists only on its demo host.
    "widget_pages:frame": anyone(ok=404),  # no token: nothing to show
    "widget_pages:avatar": anyone(ok=404),  # no such avatar file
    "widget_pages:demo": anyone(ok=404),
    "portal_widget:settings": admin_only(),
    # Issue 14: notifications. Authorization + cross-client tests: tests/integration/notifications/test_pages.py.
    "notifications:settings": admin_only(),
    "notifications:recipient_add": admin_only(ok=400, method="post"),  # empty form: the page with its errors
    "notifications:recipient_remove": admin_only(ok=404, method="post"),  # no such recipient
    "notifications:quiet_hours": admin_only(ok=(302, "/portal/clients/alpha/notifications/"), method="post"),
    "notifications:webhook_add": admin_only(ok=400, method="post"),
    "notifications:webhook_remove": admin_only(ok=404, method="post"),
    "notifications:log": agency(),
    "notifications:replay": admin_only(ok=404, method="post"),
    "notifications:sent_messages": admin_only(),
    "notifications:twilio_inbound": anyone(ok=403, method="post"),  # unsigned: refused for everyone
    "weekly_summary:preview": agency(),
    # Issue 15 ADM-1: the cross-client triage list and its bulk actions (tests/integration/review/test_triage.py).
    "review:home": agency(),
    "review:bulk": agency(ok=(302, "/portal/review/"), method="post"),  # nothing selected: back with a message
    # Issue 15 AX-3 checklist and the client's insights (tests/integration/dashboard/test_cockpit.py).
    "checklist:page": agency(),
    "checklist:tick": agency(ok=(302, "/portal/clients/alpha/checklist/"), method="post"),  # no item: a message
    "client_insights:page": agency(),
    "client_insights:draft_faq": agency(ok=(302, "/portal/clients/alpha/insights/"), method="post"),  # nothing open
    "weekly_summary:send": admin_only(ok=(302, "/portal/clients/alpha/notifications/log/"), method="post"),
    # BEY-1 live handoffs (the real actions, cross-tenant: tests/integration/widget/test_live_handoff.py).
    "handoffs:home": agency(),
    "handoffs:detail": agency(ok=404),  # no such conversation in alpha's schema
    "handoffs:take": agency(ok=404, method="post"),
    "handoffs:reply": agency(ok=404, method="post"),
    "handoffs:release": agency(ok=404, method="post"),
}
CLIENT_HOST_ROUTES: dict[str, Rule] = {
    "home": member(),
    # Issue 7: the view-only dashboard (its own matrix: tests/integration/dashboard/test_access.py).
    "dashboard_questions": member(),
    "dashboard_setup": member(),
    "dashboard_insights": member(),  # issue 15: CXI-3/4/5, PRM-4, BEY-3 (tests/integration/dashboard/test_cockpit.py)
    "dashboard_leads": member(),
    "dashboard_leads_export": member(),
    "dashboard_conversations": member(),
    "dashboard_conversations_export": member(),
    "dashboard_conversation": member(ok=404),  # a conversation id that does not exist
    "dashboard_conversation_pdf": member(ok=404),
    "dashboard_report_pdf": member(),
    # Issue 13: billing (owner-only actions and cross-tenant checks: tests/integration/billing/).
    "dashboard_billing": member(),
    # Stripe is not reachable in this test (nothing listens): the owner is sent back with a message.
    "dashboard_billing_portal": member(ok=(302, "/billing/"), method="post"),
    "dashboard_billing_plan_request": member(ok=(302, "/billing/"), method="post"),
    "dashboard_notifications": member(),
    "dashboard_digest": member(ok=(302, "/notifications/"), method="post"),
    "login": anyone(ok=200, signed_in=(302, "/")),
    "logout": anyone(ok=(302, "/login/"), method="post"),
    "password_change": signed_in(),
    "brand_logo": anyone(ok=404),
    "impersonation_redeem": anyone(ok=403),  # without a valid ticket: refused for everyone
    "impersonation_end": anyone(ok=200, method="post"),
}
TABLES = {PUBLIC_URLCONF: PUBLIC_HOST_ROUTES, TENANT_URLCONF: CLIENT_HOST_ROUTES}


@dataclass(frozen=True)
class Route:
    urlconf: str
    name: str | None
    route: str  # the pattern as written, e.g. portal/clients/<slug:slug>/
    params: tuple[str, ...]
    converters: tuple[str, ...] = ()  # converter class names, parallel to params

    def path(self, rule: Rule | None = None) -> str:
        kwargs = {}
        samples = {**SAMPLE_KWARGS_EXTRA, **SAMPLE_KWARGS}
        for param, converter in zip(self.params, self.converters or ("",) * len(self.params), strict=True):
            value = (rule.kwargs.get(param) if rule else None) or samples.get(param) or SAMPLE_BY_CONVERTER[converter]
            kwargs[param] = value() if callable(value) else value
        return reverse(self.name, kwargs=kwargs, urlconf=self.urlconf)


def _walk(resolver: URLResolver, urlconf: str, prefix: str = "", namespace: str = "",
          params: tuple[tuple[str, str], ...] = ()) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        own = tuple((name, type(conv).__name__) for name, conv in getattr(entry.pattern, "converters", {}).items())
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else (
                entry.namespace or namespace)
            yield from _walk(entry, urlconf, route, inner, params + own)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            every = params + own
            yield Route(urlconf, name, route, tuple(p for p, _ in every), tuple(c for _, c in every))


def every_route(urlconf: str) -> list[Route]:
    """Every pattern of a URL conf, walked recursively (test_secrets renders them all)."""
    return list(_walk(get_resolver(urlconf), urlconf))


def all_routes(urlconf: str) -> list[Route]:
    """Every pattern this matrix classifies: all of them but the separately tested prefixes."""
    return [r for r in every_route(urlconf) if not ("/" + r.route).startswith(SEPARATELY_TESTED_PREFIXES)]


def classified_routes(urlconf: str) -> list[tuple[Route, Rule]]:
    table = TABLES[urlconf]
    return [(r, table[r.name]) for r in all_routes(urlconf) if r.name in table]


def session_for(role: str, urlconf: str) -> DjangoClient:
    """A browser on that URL conf's host, signed in as `role` as firmly as that role can be there.

    Where the role belongs, it signs in through the real login form. Elsewhere (a client user on
    the public host, agency staff on a client host) no login is possible, so the session is forged
    to claim the host — the strongest position a copied cookie could give — and must still fail.
    """
    slug = None if urlconf == PUBLIC_URLCONF else "alpha"
    browser = DjangoClient(HTTP_HOST=host_for(slug))
    if role == ANONYMOUS:
        return browser
    if role in HOST_ROLES[urlconf]:
        response = login(browser, ROLE_EMAILS[role], ROLE_PASSWORDS[role])
        assert response.status_code == 302, f"{role} could not sign in on {host_for(slug)}"
        return browser
    browser.force_login(User.objects.get(email=ROLE_EMAILS[role]),
                        backend="django.contrib.auth.backends.ModelBackend")
    session = browser.session
    session[SESSION_HOST_KEY] = "public" if slug is None else "c_alpha"
    session.save()
    return browser


def expected(rule: Rule, role: str, urlconf: str, path: str) -> Outcome:
    effective = role if role in HOST_ROLES[urlconf] else ANONYMOUS
    if ANONYMOUS in rule.roles:
        if effective != ANONYMOUS and rule.ok_signed_in is not None:
            return rule.ok_signed_in
        return rule.ok
    if effective == ANONYMOUS:
        return (302, f"/login/?next={quote(path)}")
    return rule.ok if effective in rule.roles else 403


def matches(response, outcome: Outcome) -> bool:
    if isinstance(outcome, int):
        return response.status_code == outcome
    if len(outcome) == 2 and isinstance(outcome[1], str):
        status, location = outcome
        return response.status_code == status and response.get("Location", "").startswith(location)
    return response.status_code in outcome


def probe(browser: DjangoClient, method: str, path: str):
    return getattr(browser, method)(path)


# --- the table is complete and honest --------------------------------------------------------------


@pytest.mark.parametrize("urlconf", [PUBLIC_URLCONF, TENANT_URLCONF])
def test_every_route_is_classified(urlconf):
    table = TABLES[urlconf]
    unnamed = [r.route for r in all_routes(urlconf) if not r.name]
    assert unnamed == [], f"Give these routes in {urlconf} a name so they can be classified: {unnamed}"
    missing = sorted({r.name for r in all_routes(urlconf)} - set(table))
    table_name = "PUBLIC_HOST_ROUTES" if urlconf == PUBLIC_URLCONF else "CLIENT_HOST_ROUTES"
    assert missing == [], (
        f"New route(s) {missing} in {urlconf} have no access rule: classify each one in {table_name} in "
        f"tests/integration/test_url_matrix.py (anyone / signed_in / agency / admin_only / member) — SEC-7."
    )
    stale = sorted(set(table) - {r.name for r in all_routes(urlconf)})
    assert stale == [], f"{table_name} lists routes that no longer exist in {urlconf}: {stale}"


def test_no_agency_route_is_mounted_on_client_hosts():
    tenant_names = {r.name for r in all_routes(TENANT_URLCONF)}
    leaked = [name for name, rule in PUBLIC_HOST_ROUTES.items()
              if rule.roles & {STAFF, ADMIN} and not rule.roles & {CLIENT} and name in tenant_names]
    # `home` exists on both, but is a different view (the dashboard) on a client host
    assert leaked == ["home"]


# --- every route × every role ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("urlconf", [PUBLIC_URLCONF, TENANT_URLCONF], ids=["public-host", "client-host"])
def test_role_matrix(urlconf, role, client_alpha, staff_user, admin_user):
    failures = []
    for route, rule in classified_routes(urlconf):
        path = route.path(rule)
        browser = session_for(role, urlconf)  # fresh per probe: a logout probe must not leak into the next
        response = probe(browser, rule.method, path)
        want = expected(rule, role, urlconf, path)
        if not matches(response, want):
            failures.append(f"{rule.method.upper()} {path} as {role}: got {response.status_code} "
                            f"{response.get('Location', '')!r}, expected {want}")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("role", [ANONYMOUS, CLIENT])
def test_public_host_only_paths_are_404_on_a_client_host(role, client_alpha):
    """SEC-7: the portal is not mounted on client hosts at all — not even a redirect to login."""
    tenant_paths = {r.path() for r in all_routes(TENANT_URLCONF)}
    checked = []
    for route, rule in classified_routes(PUBLIC_URLCONF):
        path = route.path(rule)
        if path in tenant_paths:
            continue
        for method in ("get", "post"):
            response = probe(session_for(role, TENANT_URLCONF), method, path)
            assert (method, path, response.status_code) == (method, path, 404)
        checked.append(path)
    assert "/portal/" in checked
    assert "/portal/clients/alpha/impersonate/" in checked
    assert "/healthz" in checked


def test_client_host_only_paths_are_404_on_the_public_host(admin_user):
    public_paths = {r.path() for r in all_routes(PUBLIC_URLCONF)}
    only_tenant = [r.path() for r in all_routes(TENANT_URLCONF) if r.path() not in public_paths]
    assert {"/impersonate/", "/impersonate/end/"} <= set(only_tenant)
    for path in only_tenant:
        for role in (ANONYMOUS, ADMIN):
            assert (path, role, session_for(role, PUBLIC_URLCONF).get(path).status_code) == (path, role, 404)


def test_unknown_host_is_404(http):
    from django.test import Client as Browser

    response = Browser(HTTP_HOST="nosuchclient.shoreline.localhost").get("/login/")
    assert response.status_code == 404


@pytest.mark.parametrize("urlconf", [PUBLIC_URLCONF, TENANT_URLCONF])
def test_every_role_restricted_view_checks_the_role_itself(urlconf):
    """Defense in depth: besides the host check, each restricted view carries its own role decorator
    (controlplane.accounts.decorators / tenants.dashboard.access), whose roles match the table."""
    resolver = get_resolver(urlconf)
    role_names = {ADMIN: "platform_admin", STAFF: "staff", CLIENT: "client"}
    unchecked, mismatched = [], []
    for route, rule in classified_routes(urlconf):
        if ANONYMOUS in rule.roles or rule.roles == {CLIENT, STAFF, ADMIN}:
            continue
        if (urlconf, route.name) == (PUBLIC_URLCONF, "home"):
            continue  # only redirects to portal:home, which checks
        required = getattr(resolver.resolve(route.path(rule)).func, "required_roles", None)
        if required is None:
            unchecked.append(route.name)
        elif {str(r) for r in required} != {role_names[r] for r in rule.roles}:
            mismatched.append((route.name, sorted(map(str, required))))
    assert (unchecked, mismatched) == ([], [])
