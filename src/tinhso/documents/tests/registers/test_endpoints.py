"""The register and work-file routes of `endpoints.py` against every persona of the access
matrix, as `tinhso/api/tests/test_access_matrix.py` runs them once the app registers them."""

from __future__ import annotations

import pytest

from tinhso.documents.tests.registers.endpoints import ENDPOINTS
from tinhso.documents.urls_registers import urlpatterns as page_routes
from tinhso.testing.access_matrix import (
    PERSONAS,
    Endpoint,
    World,
    access_world,  # noqa: F401  (the fixture)
    observe,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.id for e in ENDPOINTS])
def test_endpoint_answers_each_persona(
    endpoint: Endpoint,
    persona: str,
    access_world: World,  # noqa: F811
) -> None:
    assert observe(endpoint, persona, access_world) == endpoint.expect[persona]


def test_every_route_is_in_the_matrix() -> None:
    from tinhso.documents.api.workfiles import urlpatterns as api_routes

    declared = {e.route for e in ENDPOINTS}
    pages = {f"documents:{p.name}" for p in page_routes}
    api = {p.name for p in api_routes}
    assert pages | api <= declared
