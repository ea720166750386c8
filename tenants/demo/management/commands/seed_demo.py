"""Seed the demo agency and its six clients. Safe to run on every `make demo`.

Accounts get generated one-time passwords (SEC-5 applies to the demo too). They are
kept in .data/demo-credentials.json, which never leaves this machine, so each run can
print them again until the account has chosen its own password.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from controlplane.accounts.models import Role, User
from controlplane.accounts.services import user_create
from controlplane.clients.models import Client
from controlplane.clients.selectors import client_public_url, host_origin, public_url
from controlplane.clients.services import client_provision
from tenants.demo.clients import DEMO_ADMIN_EMAIL, DEMO_CLIENTS, DEMO_STAFF_EMAIL, demo_site_origins
from tenants.demo.history import history_seed_all
from tenants.demo.setup import demo_branding_ensure, demo_site_domain_ensure, demo_widget_setup


class Command(BaseCommand):
    help = "Create the demo agency (one admin, one staff member) and six clients, one per industry mode."

    def handle(self, *args: Any, **options: Any) -> None:
        path = settings.ENV.data_dir / "demo-credentials.json"
        credentials: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}

        for email, role in ((DEMO_ADMIN_EMAIL, Role.PLATFORM_ADMIN), (DEMO_STAFF_EMAIL, Role.STAFF)):
            if not User.objects.filter(email=email).exists():
                credentials[email] = user_create(email=email, role=role).one_time_password
        for spec in DEMO_CLIENTS:
            client = Client.objects.filter(slug=spec["slug"]).first()
            if client is None:
                result = client_provision(name=spec["name"], slug=spec["slug"], industry=spec["industry"],
                                          plan_key=spec["plan"], owner_email=spec["owner"], details=spec["details"])
                credentials[spec["owner"]] = result.one_time_password
                client = result.client
            credentials[f"widget:{client.slug}"] = demo_widget_setup(client=client, details=spec["details"],
                                                                     existing=credentials.get(f"widget:{client.slug}"))
        demo_site_domain_ensure()
        custom_host = demo_branding_ensure()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(credentials, indent=2))
        path.chmod(0o600)
        # Issue 4/7: ~90 days of history per client through the real services, then fresh rollups.
        history_seed_all(clients=[c for c in Client.objects.exclude(schema_name="public")
                                  if c.slug in {spec["slug"] for spec in DEMO_CLIENTS}],
                         origin=demo_site_origins(settings.SHORELINE_PUBLIC_PORT)[0], stdout=self.stdout)
        self._print_logins(credentials, custom_host)

    def _print_logins(self, credentials: dict[str, str], custom_host: str = "") -> None:
        def password_for(email: str) -> str:
            user = User.objects.filter(email=email).first()
            if user is not None and not user.must_change_password:
                return "(you chose your own password)"
            return f"{credentials.get(email, '(unknown: run make clean-data)')}  (change at first sign-in)"

        out = self.stdout
        out.write("\n=== Shoreline demo ===")
        out.write(f"Agency portal   {public_url('/')}")
        out.write(f"  admin   {DEMO_ADMIN_EMAIL}   {password_for(DEMO_ADMIN_EMAIL)}")
        out.write(f"  staff   {DEMO_STAFF_EMAIL}   {password_for(DEMO_STAFF_EMAIL)}")
        out.write("Client dashboards")
        for client in Client.objects.exclude(schema_name="public").order_by("name"):
            owner = client.memberships.select_related("user").order_by("id").first()
            email = owner.user.email if owner else "-"
            out.write(f"  {client.name:<26} {client_public_url(client)}")
            out.write(f"      {email}   {password_for(email)}")
        if custom_host:
            out.write(f"Custom domain   {host_origin(custom_host)}/  (Harbor Grill's dashboard on its own host)")
        out.write(f"Widget demo     {host_origin('demo-site.localhost')}/widget/demo/  (a pretend client website)")
        out.write(f"Health          {public_url('/healthz')}\n")
