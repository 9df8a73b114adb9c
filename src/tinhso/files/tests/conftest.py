"""Fixtures of the file store's tests: a private storage directory, uploaders by kind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tinhso.accounts.models import Role, User
from tinhso.organizations.models import Agency
from tinhso.testing.factories import make_agency, make_citizen, official


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Each test stores its files in its own directory (the default storage follows)."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    return root


def stored_objects(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def agency_a(db: None) -> Agency:
    return make_agency()


@pytest.fixture
def agency_b(db: None) -> Agency:
    return make_agency()


@pytest.fixture
def specialist_a(agency_a: Agency) -> User:
    return official(Role.CHUYEN_VIEN, agency=agency_a)


@pytest.fixture
def clerk_a(agency_a: Agency) -> User:
    return official(Role.VAN_THU, agency=agency_a)


@pytest.fixture
def specialist_b(agency_b: Agency) -> User:
    return official(Role.CHUYEN_VIEN, agency=agency_b)


@pytest.fixture
def province_admin(db: None) -> User:
    return official(Role.QUAN_TRI_TINH)


@pytest.fixture
def citizen(db: None) -> User:
    return make_citizen()
