"""Every endpoint of the e-office API × every persona: the status each must get.

The world is the demo's Sở Nội vụ: its clerk (`vanthu`, in the office), specialist
(`chuyenvien`) and head of department who signs (`lanhdao`, both in Phòng Tổ chức, biên chế),
and director (`giamdoc.snv`, a leader without a department); the clerk and a specialist of
the commune of Phú Xuân (another agency); a citizen; nobody signed in.

401 for nobody signed in; 403 for a citizen (the e-office is the officials'); 404 for a
document the persona does not see (another agency's, a draft not theirs…); 403 for one they
see but may not act on; 200/201 for the one whose step it is. Each case starts from a new
document in the state the endpoint acts on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import pytest
from django.urls import URLPattern
from rest_framework.test import APIClient

from tinhso.accounts.models import User
from tinhso.documents.models import Document
from tinhso.testing.eoffice import EofficeWorld, upload

from .helpers import (
    COMMUNE_CHAIRMAN,
    COMMUNE_CLERK,
    COMMUNE_SPECIALIST,
    INCOMING,
    OUTGOING,
    SEARCH,
    bearer,
    draft_body,
    register_body,
)

pytestmark = pytest.mark.django_db

USERNAMES: Final[dict[str, str | None]] = {
    "clerk": "vanthu",
    "specialist": "chuyenvien",
    "head": "lanhdao",
    "director": "giamdoc.snv",
    "other_clerk": COMMUNE_CLERK,
    "other_specialist": COMMUNE_SPECIALIST,
    "citizen": "congdan",
    "anonymous": None,
}
PERSONAS: Final = tuple(USERNAMES)
OTHER_AGENCY: Final = ("other_clerk", "other_specialist")

Request = tuple[str, dict[str, Any]]
Builder = Callable[[EofficeWorld, User | None], Request]


def expect(default: int, **codes: int) -> dict[str, int]:
    """The status of every persona: `default` for the officials not named; 403 for the
    citizen and 401 for nobody signed in, unless named."""
    unknown = set(codes) - set(PERSONAS)
    assert not unknown, unknown
    table = {persona: default for persona in PERSONAS}
    table.update(citizen=403, anonymous=401)
    table.update(codes)
    return table


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    build: Builder
    expect: dict[str, int]


def _own_file(w: EofficeWorld, user: User | None, name: str = "van-ban.pdf") -> list[int]:
    """A file the persona uploaded (officials and citizens may upload; nobody else)."""
    return [upload(user, name)] if user is not None else []


def _leader_of(w: EofficeWorld, user: User | None) -> tuple[int, int]:
    """(recipient agency, signer) fitting the persona's agency: a draft of their own."""
    if user is not None and user.username in (COMMUNE_CLERK, COMMUNE_SPECIALIST):
        return w.snv.pk, w.demo.user(COMMUNE_CHAIRMAN).pk
    return w.demo.ubnd.pk, w.head.pk


def _incoming(w: EofficeWorld, suffix: str, make: Callable[[], Document]) -> str:
    return f"{INCOMING}{make().pk}/{suffix}"


def _outgoing(w: EofficeWorld, suffix: str, make: Callable[[], Document]) -> str:
    return f"{OUTGOING}{make().pk}/{suffix}"


CASES: Final = [
    # --- Incoming ---
    Case("incoming list", "GET", lambda w, u: (INCOMING, {}), expect(200)),
    Case(
        "incoming register",
        "POST",
        lambda w, u: (INCOMING, register_body(files=_own_file(w, u))),
        expect(403, clerk=201, other_clerk=201),
    ),
    Case(
        "incoming detail, assigned to the specialist",
        "GET",
        lambda w, u: (_incoming(w, "", lambda: w.assigned()[0]), {}),
        expect(200, other_clerk=404, other_specialist=404),
    ),
    Case(
        "incoming detail, registered only",
        "GET",
        lambda w, u: (_incoming(w, "", w.register), {}),
        expect(404, clerk=200, director=200),
    ),
    Case(
        "incoming accept",
        "POST",
        lambda w, u: (_incoming(w, "accept/", lambda: w.received()), {}),
        expect(404, clerk=200, director=403),
    ),
    Case(
        "incoming refuse",
        "POST",
        lambda w, u: (
            _incoming(w, "refuse/", lambda: w.received()),
            {"reason": "Gửi nhầm"},
        ),
        expect(404, clerk=200, director=403),
    ),
    Case(
        "incoming present",
        "POST",
        lambda w, u: (_incoming(w, "present/", w.register), {"leader": w.director.pk}),
        expect(404, clerk=200, director=403),
    ),
    Case(
        "incoming assign",
        "POST",
        lambda w, u: (
            _incoming(w, "assign/", w.presented),
            {"main": w.specialist.pk},
        ),
        expect(404, clerk=403, director=200),
    ),
    Case(
        "incoming process",
        "POST",
        lambda w, u: (_incoming(w, "process/", lambda: w.assigned()[0]), {"action": "start"}),
        expect(403, specialist=200, other_clerk=404, other_specialist=404),
    ),
    # --- Outgoing ---
    Case("outgoing list", "GET", lambda w, u: (OUTGOING, {}), expect(200)),
    Case(
        "outgoing draft",
        "POST",
        lambda w, u: (OUTGOING, draft_body(*_leader_of(w, u), *_own_file(w, u))),
        expect(201),
    ),
    Case(
        "outgoing detail, draft",
        "GET",
        lambda w, u: (_outgoing(w, "", w.draft), {}),
        expect(404, specialist=200, head=200),
    ),
    Case(
        "outgoing detail, issued",
        "GET",
        lambda w, u: (_outgoing(w, "", w.issued), {}),
        expect(200, other_clerk=404, other_specialist=404),
    ),
    Case(
        "outgoing submit",
        "POST",
        lambda w, u: (_outgoing(w, "submit/", w.draft), {}),
        expect(404, specialist=200, head=200),
    ),
    Case(
        "outgoing approve",
        "POST",
        lambda w, u: (_outgoing(w, "approve/", w.submitted), {}),
        expect(404, head=200, specialist=403, director=403),
    ),
    Case(
        "outgoing return",
        "POST",
        lambda w, u: (_outgoing(w, "return/", w.submitted), {"comment": "Sửa lại"}),
        expect(404, head=200, specialist=403, director=403),
    ),
    Case(
        "outgoing issue",
        "POST",
        lambda w, u: (_outgoing(w, "issue/", w.approved), {}),
        expect(403, clerk=200, other_clerk=404, other_specialist=404),
    ),
    Case(
        "outgoing recall",
        "POST",
        lambda w, u: (_outgoing(w, "recall/", w.issued), {"reason": "Sai thẩm quyền"}),
        expect(403, clerk=200, director=200, other_clerk=404, other_specialist=404),
    ),
    Case(
        "outgoing versions",
        "POST",
        lambda w, u: (
            _outgoing(w, "versions/", w.draft),
            {"file": (_own_file(w, u) or [0])[0]},
        ),
        expect(404, specialist=201, head=201),
    ),
    Case(
        "outgoing comments",
        "POST",
        lambda w, u: (_outgoing(w, "comments/", w.submitted), {"text": "Góp ý"}),
        expect(404, specialist=201, head=201, director=201),
    ),
    # --- Search ---
    Case("search", "GET", lambda w, u: (SEARCH, {"q": "biên chế"}), expect(200)),
]

MATRIX: Final = [(case, persona) for case in CASES for persona in PERSONAS]


def client_of(user: User | None) -> APIClient:
    return bearer(user) if user is not None else APIClient()


@pytest.mark.parametrize(("case", "persona"), MATRIX, ids=[f"{c.name} as {p}" for c, p in MATRIX])
def test_each_persona_gets_the_declared_status(
    eoffice: EofficeWorld, case: Case, persona: str
) -> None:
    # given the persona and a document in the state the endpoint acts on
    username = USERNAMES[persona]
    user = eoffice.demo.user(username) if username else None
    url, payload = case.build(eoffice, user)

    # when the persona calls the endpoint
    client = client_of(user)
    if case.method == "GET":
        response = client.get(url, payload)
    else:
        response = client.post(url, payload, format="json")

    # then the status is the declared one (and an error is a problem document)
    wanted = case.expect[persona]
    assert response.status_code == wanted, response.content[:500]
    if wanted >= 400:
        assert response["Content-Type"].startswith("application/problem+json")
        assert response.json()["detail"]


def test_every_route_is_in_the_matrix() -> None:
    # given the routes of the documents API (the work files have their own tests)
    from tinhso.documents.api import urls

    names = {p.name for p in urls.urlpatterns if isinstance(p, URLPattern) and p.name}
    covered = {
        "incoming list": "documents-incoming-list",
        "incoming detail": "documents-incoming-detail",
        "incoming accept": "documents-incoming-accept",
        "incoming refuse": "documents-incoming-refuse",
        "incoming present": "documents-incoming-present",
        "incoming assign": "documents-incoming-assign",
        "incoming process": "documents-incoming-process",
        "outgoing list": "documents-outgoing-list",
        "outgoing detail": "documents-outgoing-detail",
        "outgoing submit": "documents-outgoing-submit",
        "outgoing approve": "documents-outgoing-approve",
        "outgoing return": "documents-outgoing-return",
        "outgoing issue": "documents-outgoing-issue",
        "outgoing recall": "documents-outgoing-recall",
        "outgoing versions": "documents-outgoing-versions",
        "outgoing comments": "documents-outgoing-comments",
        "search": "documents-search",
    }
    cased = {covered[k] for k in covered if any(c.name.startswith(k) for c in CASES)}

    # then every named route has at least one case
    assert names == cased
