from __future__ import annotations

from collections.abc import Iterator

import pytest


# Shadow the root conftest's Django-touching autouse fixtures: these tests run without Django.
@pytest.fixture(autouse=True)
def _public_schema_after_each_test() -> Iterator[None]:
    return


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    return
