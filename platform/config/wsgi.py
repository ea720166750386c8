import sys
from pathlib import Path

_root = Path(__file__).resolve().parents[2]
for _path in (_root / "platform", _root):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from config.env import settings_module  # noqa: E402

settings_module()

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

# Load the embedding model now, not on the first visitor's message (~5 s on a cold process).
from tenants.knowledge.embedding import knowledge_embedder  # noqa: E402

knowledge_embedder().embed(["warm up"])

# Import both URL confs now too (the widget API and agent code behind them are most of the heap),
# then freeze everything loaded so far (~270k objects that live as long as the process; see
# config/heap.py).
import config.urls_public  # noqa: E402, F401
import config.urls_tenant  # noqa: E402, F401
from config.heap import freeze_startup_heap  # noqa: E402

freeze_startup_heap()
