"""mypy over the whole code base against a baseline that can only shrink: `python -m ops.mypy_baseline`.

agents/ and industry_modes/ are strict (pyproject.toml) and may have no error at all. The Django
side is checked with the django-stubs plugin; the errors it had when the gate was introduced are
listed in ops/mypy-baseline.txt (one `path: message [code]` per line, line numbers dropped so
unrelated edits do not churn it). The gate fails when

- an error is not in the baseline (new code must type-check), or
- a baseline entry no longer occurs (it was fixed: run with `--update` to shrink the file).

`--update` rewrites the baseline from the current errors but refuses to add any entry (it creates
the file only when there is none).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "ops" / "mypy-baseline.txt"
TARGETS = ["platform/config", "platform/controlplane", "tenants", "widget", "frontend", "ops", "agents",
           "industry_modes"]
STRICT_PREFIXES = ("agents/", "industry_modes/")
ERROR_LINE = re.compile(r"^(?P<path>[^:]+):\d+(?::\d+)?: error: (?P<message>.*)$")


def current_errors() -> Counter[str]:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "mypy", "--no-error-summary", "--hide-error-context", "--no-pretty",
         "--show-error-codes", *TARGETS],
        cwd=ROOT, capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)])},
    )
    if result.returncode not in (0, 1):  # 2: mypy itself failed (bad config, crash)
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(2)
    errors: Counter[str] = Counter()
    for line in result.stdout.splitlines():
        match = ERROR_LINE.match(line)
        if match:
            errors[f"{match['path']}: {match['message']}"] += 1
    return errors


def read_baseline() -> Counter[str]:
    if not BASELINE.exists():
        return Counter()
    lines = [ln for ln in BASELINE.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    return Counter(lines)


def write_baseline(errors: Counter[str]) -> None:
    header = "# mypy errors accepted when the gate was introduced; this file may only shrink (ops/mypy_baseline.py).\n"
    BASELINE.write_text(header + "".join(f"{key}\n" for key in sorted(errors.elements())))


def main(argv: list[str]) -> int:
    errors = current_errors()
    baseline = read_baseline()
    strict = sorted(key for key in errors if key.startswith(STRICT_PREFIXES))
    new = errors - baseline
    fixed = baseline - errors
    if strict:
        print("mypy --strict errors in agents/ or industry_modes/ (these have no baseline):")
        print("\n".join(f"  {key}" for key in strict))
        return 1
    if "--update" in argv:
        if new and BASELINE.exists():
            print(f"refusing to grow the baseline: {sum(new.values())} new error(s):")
            print("\n".join(f"  {key}" for key in sorted(new.elements())))
            return 1
        write_baseline(errors)
        print(f"mypy baseline: {sum(errors.values())} error(s) ({sum(fixed.values())} removed)")
        return 0
    if new:
        print(f"mypy: {sum(new.values())} error(s) not in the baseline (fix them; the baseline only shrinks):")
        print("\n".join(f"  {key}" for key in sorted(new.elements())))
    if fixed:
        print(f"mypy: {sum(fixed.values())} baseline error(s) are fixed: run `python -m ops.mypy_baseline --update`")
        print("\n".join(f"  {key}" for key in sorted(fixed.elements())))
    if new or fixed:
        return 1
    print(f"mypy: no new errors ({sum(errors.values())} in the shrinking baseline)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
