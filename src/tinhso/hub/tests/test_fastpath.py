"""The nodes' calls skip the operator's middleware; the operator's pages keep it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tinhso.hub.tests.conftest import BNV, FAST_PATH, Hub, document

pytestmark = pytest.mark.urls("tinhso.config.urls_hub")


def test_a_node_call_runs_no_session_csrf_or_sign_in_middleware(hub: Hub) -> None:
    response = hub.call(hub.b, "GET", "agencies", headers={"X-Request-ID": "abcdef123456"})
    assert response.status_code == 200
    # no session touched (no Vary: Cookie), no CSRF cookie, no clickjacking header: the
    # operator's chain did not run; the request id did.
    assert "Cookie" not in response.get("Vary", "")
    assert "X-Frame-Options" not in response
    assert not response.cookies
    assert response["X-Request-ID"] == "abcdef123456"
    match = response.wsgi_request.resolver_match
    assert match is not None
    assert match.url_name == "agencies"
    assert not hasattr(response.wsgi_request, "user")


def test_the_operator_pages_keep_the_full_chain(hub: Hub) -> None:
    response = Client().get("/hub/")
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]
    assert response["X-Frame-Options"] == "DENY"


def test_an_unknown_node_path_is_a_json_fault(hub: Hub) -> None:
    response = hub.call(hub.b, "GET", "nothing/here")
    assert response.status_code == 404
    assert response.json()["fault"] == "not_found"


def test_a_wrong_method_and_a_refused_signature_are_json_faults(hub: Hub) -> None:
    assert hub.call(hub.b, "DELETE", "inbox").json()["fault"] == "method_not_allowed"
    assert hub.call(None, "GET", "inbox").json()["fault"] == "unauthorised"


def test_without_the_hub_urls_the_middleware_does_nothing(hub: Hub, settings: Any) -> None:
    settings.ROOT_URLCONF = "tinhso.config.urls"
    assert FAST_PATH in settings.MIDDLEWARE
    response = hub.call(hub.b, "GET", "agencies")
    # the installation has no /hub/v1/: Django's own 404, not the hub's fault
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_send_through_the_fast_path_is_stored(hub: Hub) -> None:
    response = hub.send(hub.a, hub.sealed(document(to=(BNV,))))
    assert response.status_code == 201, response.content
    assert json.loads(response.content)["recipients"][0]["organ_id"] == BNV
