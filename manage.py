#!/usr/bin/env python
"""Django's command-line utility. Puts the platform/ source root on sys.path.

platform/ is a source root, never a package: `import platform` must stay the stdlib's.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main() -> None:
    for path in (ROOT / "platform", ROOT):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    from config.env import settings_module

    settings_module()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
