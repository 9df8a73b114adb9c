"""Fixtures: the small e-office world, a private file store, and the site's URLs with the
register and work-file routes wired (`tests.registers.urlconf`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tinhso.documents.tests.registers.world import World, build_world


@pytest.fixture(autouse=True)
def _wired_urls(settings: Any) -> None:
    settings.ROOT_URLCONF = "tinhso.documents.tests.registers.urlconf"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Each test stores its files in its own directory (the default storage follows)."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture
def w(db: None) -> World:
    return build_world()
