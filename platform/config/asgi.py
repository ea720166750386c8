"""ASGI entry point (the same application as config.wsgi; nothing here is async-only yet)."""

import sys
from pathlib import Path

_root = Path(__file__).resolve().parents[2]
for _path in (_root / "platform", _root):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from config.env import settings_module  # noqa: E402

settings_module()

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
