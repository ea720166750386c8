"""Provisioning and plan changes for clients (tenants)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from controlplane.accounts.models import Membership, Role, User
from controlplane.accounts.services import user_create
from controlplane.audit.services import audit_record
from controlplane.billing.models import Plan
from controlplane.clients.models import INDUSTRY_MODES, AdminNote, Client, Domain
from controlplane.clients.signals import client_provisioned
from controlplane.core import tenancy

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
RESERVED_SLUGS = frozenset({
    "public", "www", "admin", "api", "static", "media", "widget", "portal", "app", "dashboard",
    "login", "logout", "auth", "account", "accounts", "billing", "stripe", "webhooks", "mail",
    "email", "smtp", "help", "support", "status", "docs", "cdn", "assets", "shoreline", "root",
    "system", "healthz", "internal", "postgres", "information-schema", "default", "test", "staging",
})
INDUSTRY_KEYS = frozenset(key for key, _ in INDUSTRY_MODES)


class ProvisioningError(Exception):
    """Raised with one sentence a person can act on; nothing has been created."""


@dataclass(frozen=True)
class ProvisionedClient:
    client: Client
    domain: str
    owner: User
    one_time_password: str

    def as_dict(self) -> dict[str, str]:
        return {
            "slug": self.client.slug,
            "domain": self.domain,
            "owner_email": self.owner.email,
            "one_time_password": self.one_time_password,
        }


def schema_name_for(slug: str) -> str:
    # Hyphens are not valid in unquoted identifiers; slugs never hold underscores,
    # so this mapping cannot make two slugs collide.
    return "c_" + slug.replace("-", "_")


def client_domain_for(slug: str) -> str:
    return f"{slug}.{settings.SHORELINE_DOMAIN}"


def _validate_request(*, name: str, slug: str, industry: str, plan_key: str, owner_email: str) -> Plan:
    if not name.strip():
        raise ProvisioningError("The client name cannot be empty.")
    if not SLUG_PATTERN.fullmatch(slug):
        raise ProvisioningError(
            f"The slug {slug!r} is invalid: use 1-40 lowercase letters, digits and hyphens, "
            "starting and ending with a letter or digit."
        )
    if slug in RESERVED_SLUGS or slug.startswith("pg-"):
        raise ProvisioningError(f"The slug {slug!r} is reserved; choose another.")
    if Client.objects.filter(slug__iexact=slug).exists() or Client.objects.filter(
        schema_name__iexact=schema_name_for(slug)
    ).exists():
        raise ProvisioningError(f"A client with the slug {slug!r} already exists.")
    if Domain.objects.filter(domain__iexact=client_domain_for(slug)).exists():
        raise ProvisioningError(f"The domain {client_domain_for(slug)} is already in use.")
    if industry not in INDUSTRY_KEYS:
        raise ProvisioningError(
            f"Unknown industry mode {industry!r}; use one of: {', '.join(sorted(INDUSTRY_KEYS))}."
        )
    plan = Plan.objects.filter(key=plan_key).first()
    if plan is None:
        keys = ", ".join(Plan.objects.values_list("key", flat=True))
        raise ProvisioningError(f"Unknown plan {plan_key!r}; use one of: {keys}.")
    try:

        validate_email(owner_email)
    except ValidationError as error:
        raise ProvisioningError(f"The owner email {owner_email!r} is not a valid address.") from error
    if User.objects.filter(email__iexact=owner_email.strip()).exists():
        raise ProvisioningError(f"An account with the email {owner_email.strip().lower()} already exists.")
    return plan


def client_provision(
    *,
    name: str,
    slug: str,
    industry: str,
    plan_key: str,
    owner_email: str,
    actor: Any = None,
    request: Any = None,
    details: dict[str, str] | None = None,
) -> ProvisionedClient:
    """Create the client, its schema, its domain and its owner, all or nothing.

    `details` are business details (phone, booking URL, …) for the industry pack's placeholders.
    """
    if tenancy.schema_name() != "public":
        raise ProvisioningError("Clients can only be provisioned from the public schema.")
    plan = _validate_request(name=name, slug=slug, industry=industry, plan_key=plan_key,
                             owner_email=owner_email)
    try:
        # Postgres DDL is transactional: a failure anywhere below rolls the schema back too.
        with transaction.atomic():
            client = Client(schema_name=schema_name_for(slug), name=name.strip(), slug=slug,
                            industry_mode=industry, plan=plan)
            client.save(verbosity=0)
            domain = Domain.objects.create(domain=client_domain_for(slug), tenant=client, is_primary=True)
            owner = user_create(
                email=owner_email, role=Role.CLIENT, client=client,
                membership_role=Membership.MemberRole.OWNER, actor=actor, request=request,
            )
            client_provisioned.send(sender=Client, client=client, actor=actor, details=details or {})
            # The Stripe customer: once committed, tried briefly; never fails provisioning
            # (controlplane.billing.services.customer_ensure_quietly, retried by a beat task).
            transaction.on_commit(lambda: _stripe_customer_later(client.pk))
            audit_record(
                action="client.created", actor=actor, target=client, client_slug=slug, request=request,
                data={"name": client.name, "industry": industry, "plan": plan.key, "owner": owner.user.email},
            )
    except ProvisioningError:
        raise
    except Exception as error:
        tenancy.schema_set_public()
        raise ProvisioningError(f"Provisioning {slug!r} failed and was rolled back: {error}") from error
    finally:
        if tenancy.schema_name() != "public":
            tenancy.schema_set_public()
    return ProvisionedClient(client=client, domain=domain.domain, owner=owner.user,
                             one_time_password=owner.one_time_password)


def _stripe_customer_later(client_id: int) -> None:
    from controlplane.billing.services import customer_ensure_quietly

    customer_ensure_quietly(client_id=client_id)


def client_change_plan(*, client: Client, plan_key: str, actor: Any, request: Any = None) -> Client:
    """BILL-1: the admin picks a plan. Stripe first (create or change the subscription, prorated);
    if Stripe refuses, nothing changes here (BillingUnavailable carries a message for the admin)."""
    from controlplane.billing.models import BillingAccount
    from controlplane.billing.services import limits_changed, subscription_set_plan

    plan = Plan.objects.filter(key=plan_key).first()
    if plan is None:
        raise ProvisioningError(f"Unknown plan {plan_key!r}.")
    previous = client.plan.key if client.plan else None
    subscribed = BillingAccount.objects.filter(client=client).exclude(stripe_subscription_id="").exclude(
        subscription_status="canceled").exists()
    if previous == plan.key and subscribed:
        return client
    account = subscription_set_plan(client=client, plan=plan)
    with transaction.atomic():
        client.plan = plan
        client.save(update_fields=["plan"])
        audit_record(
            action="client.plan_changed", actor=actor, target=client, client_slug=client.slug,
            data={"from": previous, "to": plan.key, "stripe_subscription": account.stripe_subscription_id},
            request=request,
        )
    limits_changed(client=client, actor=actor, reason=f"Plan changed to {plan.name}")
    return client


def admin_note_add(*, client: Client, author: Any, body: str) -> AdminNote:
    """AX-2: a private agency note on a client."""
    body = body.strip()
    if not body:
        raise ValidationError("A note needs some text.")
    return AdminNote.objects.create(client=client, author=author, body=body[:4000])
