"""The dev runner: embedded services, migrations, demo data and every process of the platform.

    python -m ops.dev demo              # services + migrate + seed + web + worker + beat, foreground
    python -m ops.dev services start|stop|status
    python -m ops.dev migrate

Ctrl-C or SIGTERM stops every process this runner started, then the embedded services.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ops import embedded

if TYPE_CHECKING:
    from config.env import ShorelineEnv

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CELERY_QUEUES = ("interactive", "knowledge", "analytics", "notifications")  # = settings.SHORELINE_CELERY_QUEUES


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "platform"), str(ROOT), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _settings_env() -> ShorelineEnv:
    """The platform's typed settings object (the only reader of the environment)."""
    if str(ROOT / "platform") not in sys.path:
        sys.path.insert(0, str(ROOT / "platform"))
    from config.env import load_env

    return load_env()


# SEC-9: web, worker and beat of `make demo` connect as this role; migrations stay with the owner.
DEMO_APP_ROLE = "shoreline_app"


def manage(*args: str, owner: bool = False) -> None:
    env = _env()
    if owner:
        env["SHORELINE_DB_ROLE"] = "owner"
    subprocess.run([PY, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT, env=env)  # noqa: S603


def migrate() -> None:
    """Every schema, as the owner role; then (re)grant the restricted application role."""
    manage("migrate_schemas", "--shared", "-v", "0", owner=True)
    manage("migrate_schemas", "--tenant", "--executor", "multiprocessing", "-v", "0", owner=True)
    manage("ensure_public_tenant", "-v", "0", owner=True)
    if "DATABASE_URL" not in os.environ:  # the embedded PostgreSQL: we own it, so we make the role
        manage("db_app_role", DEMO_APP_ROLE, owner=True)


def _services_start() -> None:
    needs_pg = "DATABASE_URL" not in os.environ
    needs_redis = "REDIS_URL" not in os.environ
    if needs_pg or needs_redis:
        status = embedded.start_all(postgres=needs_pg, valkey=needs_redis)
        print(f"embedded services: postgres pid {status.postgres_pid}, valkey pid {status.valkey_pid}", flush=True)


def _services_stop() -> None:
    embedded.stop_all()
    print("embedded services stopped", flush=True)


# Local stand-ins for Twilio, SendGrid and a client's CRM (issue 14), unless real keys are configured.
# Their ports follow the web port (8000 → 8791, 8792, 8793), so two demos on one machine do not collide.
FAKE_PORT_OFFSETS = {"twilio": 791, "sendgrid": 792, "webhooks": 793}
# The local Stripe follows the web port too (8000 → 8420): a fixed port made a second demo on the
# machine lose its Stripe server, and the runner stops everything when one process exits.
STRIPE_PORT_OFFSET = 420


def _provider_fakes(env: dict[str, str], web_port: int) -> list[list[str]]:
    """Commands of the fakes to start, and the settings that point the platform at them (in `env`)."""
    FAKE_PORTS = {name: web_port + offset for name, offset in FAKE_PORT_OFFSETS.items()}  # noqa: N806
    from ops.fake_sendgrid import DEMO_API_KEY
    from ops.fake_twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN

    commands = []
    if not env.get("TWILIO_AUTH_TOKEN"):
        env.update({"TWILIO_ACCOUNT_SID": DEMO_ACCOUNT_SID, "TWILIO_AUTH_TOKEN": DEMO_AUTH_TOKEN,
                    "TWILIO_FROM_NUMBER": env.get("TWILIO_FROM_NUMBER", "+15550100000"),
                    "TWILIO_API_BASE": f"http://127.0.0.1:{FAKE_PORTS['twilio']}"})
        commands.append([PY, "-m", "ops.fake_twilio", "--port", str(FAKE_PORTS["twilio"])])
    if not env.get("SENDGRID_API_KEY"):
        env.update({"SENDGRID_API_KEY": DEMO_API_KEY, "SENDGRID_API_HOST": f"http://127.0.0.1:{FAKE_PORTS['sendgrid']}"})
        commands.append([PY, "-m", "ops.fake_sendgrid", "--port", str(FAKE_PORTS["sendgrid"])])
    receiver = f"127.0.0.1:{FAKE_PORTS['webhooks']}"
    env.update({"SHORELINE_DEMO_WEBHOOK_RECEIVER": f"http://{receiver}", "SHORELINE_WEBHOOK_PRIVATE_HOSTS": receiver})
    commands.append([PY, "-m", "ops.fake_webhook_receiver", "--port", str(FAKE_PORTS["webhooks"])])
    return commands


def demo(port: int, bind: str) -> int:
    _services_start()
    children: list[subprocess.Popen[bytes]] = []
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        env = _env()
        # Two gunicorn workers and a Celery worker: Prometheus multiprocess mode, so /metrics and the
        # portal's System page sum every process (docs/decisions/0033-live-metrics-and-token-costs.md). Emptied at each start.
        metrics_dir = embedded.DATA_DIR / "prometheus"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True, exist_ok=True)
        env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(metrics_dir))
        for command in _provider_fakes(env, port):
            children.append(subprocess.Popen(command, cwd=ROOT, env=env))  # noqa: S603
        if not _settings_env().stripe_secret_key:
            env.setdefault("STRIPE_API_BASE", f"http://127.0.0.1:{port + STRIPE_PORT_OFFSET}")
        os.environ.update({k: v for k, v in env.items()
                           if k.startswith(("TWILIO_", "SENDGRID_", "SHORELINE_", "STRIPE_API_BASE"))})
        migrate()
        if not _settings_env().stripe_secret_key:
            # No Stripe keys: the local Stripe-compatible server, which also delivers signed webhooks
            # to this platform, so plan change → subscription → invoice → webhook works offline.
            stripe_port = port + STRIPE_PORT_OFFSET
            env.setdefault("STRIPE_API_BASE", f"http://127.0.0.1:{stripe_port}")
            os.environ.setdefault("STRIPE_API_BASE", env["STRIPE_API_BASE"])  # seed and sync commands too
            children.append(subprocess.Popen(  # noqa: S603
                [PY, "-m", "ops.fakes.stripe_server", "--port", str(stripe_port),
                 "--webhook-url", f"http://127.0.0.1:{port}/billing/stripe/webhook",
                 "--webhook-host", f"{_settings_env().shoreline_domain}:{port}",
                 "--state-file", str(embedded.DATA_DIR / "stripe-local.json")], cwd=ROOT, env=env))
            print(f"started local Stripe (pid {children[-1].pid})", flush=True)
        manage("seed_demo", owner=True)
        manage("notifications_demo_seed", owner=True)
        manage("stripe_sync_plans", owner=True)
        if "DATABASE_URL" not in os.environ:
            manage("db_app_role", DEMO_APP_ROLE, owner=True)  # grants on the schemas the seed just created
            env["DATABASE_APP_USER"] = DEMO_APP_ROLE
        # Threads per web worker: the offline model is CPU-bound, so on 2 cores more than 2 threads
        # only queue on the GIL inside the request (p95 doubles); a real model call waits on the
        # network for seconds and wants many. See docs/benchmarks.md "Widget API".
        threads = "8" if _settings_env().openai_api_key else "2"
        commands = {
            "web": [PY, "-m", "gunicorn", "config.wsgi:application", "--bind", f"{bind}:{port}",
                    "--workers", "2", "--threads", threads, "--worker-class", "gthread", "--timeout", "60",
                    "--graceful-timeout", "5", "--access-logfile", "-",
                    # Its own control socket: gunicorn's default path is shared by every instance on the
                    # machine, and a second demo would remove the first one's (docs: STACK-FACTS).
                    "--control-socket", str(embedded.DATA_DIR / "gunicorn.ctl")],
            # One demo worker consumes every queue; production runs one worker deployment per queue.
            "worker": [PY, "-m", "celery", "-A", "config", "worker", "--loglevel", "INFO", "--concurrency",
                       "2", "--hostname", "demo@%h", "--without-mingle", "--without-gossip",
                       "-Q", ",".join(CELERY_QUEUES)],
            # RedBeat keeps the schedule (and the one-beat lock) in Valkey: no local schedule file.
            "beat": [PY, "-m", "celery", "-A", "config", "beat", "--loglevel", "WARNING"],
        }
        for name, command in commands.items():
            children.append(subprocess.Popen(command, cwd=ROOT, env=env))  # noqa: S603
            print(f"started {name} (pid {children[-1].pid})", flush=True)
        print(f"\nShoreline is running. Agency portal: http://shoreline.localhost:{port}/  (Ctrl-C to stop)\n"
              f"Text messages, emails and webhooks go to local stand-ins: see "
              f"http://shoreline.localhost:{port}/portal/sent-messages/\n", flush=True)
        while not stopping:
            for child in children:
                if child.poll() is not None:
                    module = child.args[2] if isinstance(child.args, list) else str(child.args)  # [PY, "-m", module]
                    print(f"process {module} exited with {child.returncode}; stopping", flush=True)
                    stopping = True
            time.sleep(0.5)
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        _services_stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.dev")
    sub = parser.add_subparsers(dest="command", required=True)
    demo_p = sub.add_parser("demo", help="run the whole platform with demo data in the foreground")
    demo_p.add_argument("--port", type=int, default=int(os.environ.get("SHORELINE_PORT", "8000")))
    demo_p.add_argument("--bind", default="127.0.0.1")
    services_p = sub.add_parser("services", help="start, stop or show the embedded services")
    services_p.add_argument("action", choices=["start", "stop", "status"])
    sub.add_parser("migrate", help="start services if needed and migrate every schema")
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            return demo(args.port, args.bind)
        if args.command == "services":
            if args.action == "start":
                _services_start()
            elif args.action == "stop":
                _services_stop()
            else:
                print(embedded.status())
            return 0
        if args.command == "migrate":
            _services_start()
            migrate()
            return 0
    except embedded.EmbeddedServiceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as error:
        print(f"error: {' '.join(map(str, error.cmd[1:3]))} failed with exit code {error.returncode}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
