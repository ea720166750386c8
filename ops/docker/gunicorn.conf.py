"""gunicorn settings for the image (web). Overridable with GUNICORN_CMD_ARGS."""

import os
import shutil

bind = "0.0.0.0:8000"
worker_class = "gthread"
workers = 2
# The model call waits on the network for seconds: threads keep the process busy meanwhile.
threads = 8
timeout = 60
graceful_timeout = 20
accesslog = None  # the app logs one JSON line per request itself (request id, client, route, timing)
# One control socket per instance (gunicorn 27's default path is shared by every instance).
control_socket = "/tmp/gunicorn.ctl"  # noqa: S108 — the container's own /tmp (an emptyDir)
preload_app = False


def on_starting(server):  # type: ignore[no-untyped-def]
    """Fresh Prometheus multiprocess directory: samples of a previous run must not be summed in."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path, exist_ok=True)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
