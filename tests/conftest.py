"""Shared test fixtures: paths to the real OpenAlex records kept beside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
SHARED_WORKS = SHARED_DATA / "works"


@pytest.fixture
def shared_works() -> Path:
    """The folder of real OpenAlex work records, or skip when this checkout has none beside it."""
    if not SHARED_WORKS.is_dir():
        pytest.skip(f"real OpenAlex records not available ({SHARED_WORKS} is absent)")
    return SHARED_WORKS


@pytest.fixture(autouse=True, scope="session")
def _table_cache_outside_the_checkout(tmp_path_factory):
    """collabnet keeps the tables it reads in its cache (./cache by default): tests that do
    not choose a cache folder use one of their own, never the checkout's."""
    import os

    if "COLLABNET_CACHE" in os.environ:
        yield
        return
    os.environ["COLLABNET_CACHE"] = str(tmp_path_factory.mktemp("collabnet-cache"))
    try:
        yield
    finally:
        os.environ.pop("COLLABNET_CACHE", None)
