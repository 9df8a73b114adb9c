"""Every registered endpoint × every persona gets the outcome its app declared.

Entries come from each app's `tests/access.py` (see `tinhso.testing.access_matrix`).
"""

from __future__ import annotations

import pytest
from django.http import HttpResponse

from tinhso.testing.access_matrix import (
    ALLOWED,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    PERSONAS,
    SIGNED_IN,
    Endpoint,
    World,
    access_world,  # noqa: F401  (the fixture)
    classify,
    collect_endpoints,
    expect,
    observe,
    registering_apps,
    routes_of,
)

ENDPOINTS = collect_endpoints()
CASES = [(endpoint, persona) for endpoint in ENDPOINTS for persona in PERSONAS]


@pytest.mark.parametrize(("endpoint", "persona"), CASES, ids=[f"{e.id} as {p}" for e, p in CASES])
def test_endpoint_answers_each_persona_as_declared(
    endpoint: Endpoint,
    persona: str,
    access_world: World,  # noqa: F811
) -> None:
    # given the world and the persona's client (built inside observe)
    # when the persona makes the request
    outcome = observe(endpoint, persona, access_world)

    # then the answer is the declared one
    assert outcome == endpoint.expect[persona], (
        f"{endpoint.id} as {persona}: expected {endpoint.expect[persona]}, got {outcome}"
    )


@pytest.mark.parametrize("app", registering_apps())
def test_every_route_of_a_registering_app_is_in_the_matrix(app: str) -> None:
    # given the routes the app declares and the entries registered
    registered = {endpoint.route for endpoint in ENDPOINTS}

    # when comparing
    missing = routes_of(app) - registered

    # then none is missing
    assert not missing, f"{app}: add these routes to {app}/tests/access.py: {sorted(missing)}"


def test_the_matrix_covers_accounts_and_api() -> None:
    # given the collected entries
    routes = {endpoint.route for endpoint in ENDPOINTS}

    # then the accounts pages and API and the API shell are there
    assert {"accounts:login", "accounts_api:token", "accounts_api:me", "api-schema"} <= routes
    assert {"tinhso.accounts", "tinhso.api"} <= set(registering_apps())


# --- The framework itself: it must be able to fail -----------------------------------------------


def test_a_wrong_declaration_is_caught(access_world: World) -> None:  # noqa: F811
    # given an entry that wrongly lets a chuyên viên into the officials list
    wrong = Endpoint("accounts:official_list", "GET", expect=expect(ALLOWED, anonymous=LOGIN))

    # when the chuyên viên makes the request
    outcome = observe(wrong, "chuyen_vien_a", access_world)

    # then the observed outcome differs from the declaration
    assert outcome == FORBIDDEN != wrong.expect["chuyen_vien_a"]


def test_a_form_shown_again_is_not_an_allowed_write(access_world: World) -> None:  # noqa: F811
    # given a POST whose payload is invalid and which expects the success redirect
    endpoint = Endpoint(
        "accounts:password_change",
        "POST",
        payload=lambda w: {"old_password": "sai", "new_password1": "x", "new_password2": "x"},
        expect=SIGNED_IN,
        success=frozenset({302}),
    )

    # when a signed-in persona posts it
    outcome = observe(endpoint, "chuyen_vien_a", access_world)

    # then the 200 with errors is reported, not taken for ALLOWED
    assert outcome.startswith("unexpected status 200")


def test_a_url_of_another_route_is_refused(access_world: World) -> None:  # noqa: F811
    # given an entry whose URL builder points elsewhere
    endpoint = Endpoint(
        "accounts:official_list", "GET", url=lambda w: "/accounts/login/", expect=SIGNED_IN
    )

    # when / then
    with pytest.raises(AssertionError, match="resolves to accounts:login"):
        observe(endpoint, "anonymous", access_world)


@pytest.mark.parametrize(
    ("status", "location", "outcome"),
    [
        (200, None, ALLOWED),
        (204, None, ALLOWED),
        (302, "/", ALLOWED),
        (302, "/accounts/login/?next=/x/", LOGIN),
        (401, None, LOGIN),
        (403, None, FORBIDDEN),
        (404, None, NOT_FOUND),
    ],
)
def test_classify(status: int, location: str | None, outcome: str) -> None:
    # given a response
    response = HttpResponse(status=status)
    if location:
        response["Location"] = location

    # when / then
    assert classify(response) == outcome


@pytest.mark.parametrize("status", [400, 405, 500])
def test_classify_reports_other_statuses(status: int) -> None:
    assert classify(HttpResponse(status=status)).startswith(f"unexpected status {status}")


def test_classify_reports_a_redirect_to_the_second_factor() -> None:
    response = HttpResponse(status=302)
    response["Location"] = "/accounts/two-factor/?next=/"
    assert classify(response).startswith("unexpected redirect to the second-factor page")


def test_expect_names_every_persona_and_rejects_unknown_ones() -> None:
    # when
    table = expect(FORBIDDEN, anonymous=LOGIN)

    # then
    assert set(table) == set(PERSONAS)
    assert table["anonymous"] == LOGIN and table["quan_tri_tinh"] == FORBIDDEN
    with pytest.raises(ValueError, match="unknown personas"):
        expect(FORBIDDEN, quan_tri_huyen=ALLOWED)
    with pytest.raises(ValueError, match="unknown outcomes"):
        expect("maybe")


def test_an_endpoint_must_declare_every_persona() -> None:
    with pytest.raises(ValueError, match="no outcome for"):
        Endpoint("accounts:official_list", "GET", expect={"anonymous": LOGIN})
