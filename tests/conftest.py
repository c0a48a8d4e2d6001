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
