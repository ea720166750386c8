"""`platform/` is a source root, never a package: `import platform` must stay the standard library's.

Both ways the project puts the source root on sys.path are checked in a fresh interpreter started
from the repo root: pytest's `pythonpath = ["platform", "."]` (the PYTHONPATH below) and
manage.py's own sys.path insertion.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()

_PROBE = (
    "import json, platform, sys, config; "
    "print(json.dumps({'file': platform.__file__, 'version': platform.python_version(), "
    "'config': config.__file__, 'path': sys.path}))"
)


def _probe(argv: list[str], pythonpath: str | None) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    result = subprocess.run(argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _assert_stdlib(found: dict[str, object]) -> None:
    assert Path(str(found["file"])).resolve().parent == STDLIB
    assert found["version"] == ".".join(map(str, sys.version_info[:3]))
    # the source root really was on the path: `config` is platform/config
    assert Path(str(found["config"])).resolve() == REPO_ROOT / "platform" / "config" / "__init__.py"


def test_platform_dir_is_not_a_package() -> None:
    assert (REPO_ROOT / "platform").is_dir()
    assert not (REPO_ROOT / "platform" / "__init__.py").exists()


def test_import_platform_with_pytest_pythonpath_is_stdlib() -> None:
    found = _probe([sys.executable, "-c", _PROBE], pythonpath=os.pathsep.join(["platform", "."]))
    _assert_stdlib(found)
    assert str(REPO_ROOT / "platform") in found["path"]  # type: ignore[operator]


def test_import_platform_under_manage_py_is_stdlib() -> None:
    # manage.py inserts platform/ and the repo root at the front of sys.path itself.
    found = _probe([sys.executable, "manage.py", "shell", "--no-startup", "-c", _PROBE], pythonpath=None)
    _assert_stdlib(found)
    assert found["path"][:2] == [str(REPO_ROOT), str(REPO_ROOT / "platform")]  # type: ignore[index]


def test_import_platform_in_this_process_is_stdlib() -> None:
    import platform

    assert Path(platform.__file__).resolve().parent == STDLIB
    assert platform.python_version() == ".".join(map(str, sys.version_info[:3]))
