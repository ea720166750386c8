from tests.integration.widget.support import _fresh_cors_cache, alpha  # noqa: F401 (shared fixtures)
