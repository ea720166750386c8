import os

# One BLAS thread per process, set before anything imports numpy. MiniLM embeds one short message
# at a time: those matrix products ran 3-8x slower on several OpenBLAS threads contending for the
# cores that the other web/worker processes (one per core) already use (docs/benchmarks.md).
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

from .celery import app as celery_app  # noqa: E402

__all__ = ["celery_app"]
