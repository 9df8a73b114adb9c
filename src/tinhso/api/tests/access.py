"""Access-matrix entries of the API shell: the OpenAPI schema and its browsable docs are public."""

from __future__ import annotations

from tinhso.testing.access_matrix import EVERYONE, Endpoint

ENDPOINTS = [
    Endpoint("api-schema", "GET", expect=EVERYONE),
    Endpoint("api-docs", "GET", expect=EVERYONE),
]
