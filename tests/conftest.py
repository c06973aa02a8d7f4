"""Shared test fixtures: where the real data and the published reference values live."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
# CI lays a read-only copy of shared/ beside the clone; a developer has it beside main/.
SHARED = REPO_ROOT.parent / "shared"
SHARED_DATA = SHARED / "data"
REFERENCE = SHARED / "reference"
# Vendored: needed on every run, with or without ../shared (license in tests/data/ATTRIBUTION.md).
TEST_DATA = Path(__file__).resolve().parent / "data"
SARIF_SCHEMA = TEST_DATA / "sarif-schema-2.1.0.json"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test cleanly when that folder is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not present: {path}")
    return path


@pytest.fixture(autouse=True, scope="session")
def cache_key_folder(tmp_path_factory):
    """No test writes `.labellint_cache/` beside the data it checks (../shared is data, not a
    project) unless it asks for the cache (tests/test_check_cache.py does), even with
    LABELLINT_CACHE set where the suite runs; the key that signs entries stays out of the home folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LABELLINT_CACHE_KEY_DIR", str(tmp_path_factory.mktemp("cache-key")))
        patch.delenv("LABELLINT_CACHE", raising=False)
        yield
