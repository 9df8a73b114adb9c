"""The access matrix: every endpoint × every persona, with the outcome each must get.

Why: "who may open this page" is the rule most easily broken by a new view. Declaring the
answer for every persona, next to the endpoint, makes a forgotten check a failing test.

How an app registers its endpoints (the only step: nothing else to edit)
-----------------------------------------------------------------------
Create `src/tinhso/<app>/tests/access.py` holding a module-level list `ENDPOINTS`::

    from django.urls import reverse

    from tinhso.testing.access_matrix import (
        ALLOWED, FORBIDDEN, LOGIN, NOT_FOUND, Endpoint, World, expect,
    )
    from tinhso.testing.factories import AgencyFactory

    def _register_a(w: World) -> str:
        register = w.make("register_a", lambda: RegisterFactory(agency=w.agency_a))
        return reverse("documents:register_detail", args=[register.pk])

    ENDPOINTS = [
        Endpoint("documents:register_list", "GET",
                 expect=expect(FORBIDDEN, anonymous=LOGIN, van_thu_a=ALLOWED,
                               lanh_dao_a=ALLOWED, quan_tri_tinh=ALLOWED)),
        Endpoint("documents:register_detail", "GET", url=_register_a,
                 expect=expect(NOT_FOUND, anonymous=LOGIN, citizen=FORBIDDEN,
                               van_thu_a=ALLOWED, quan_tri_tinh=ALLOWED)),
        Endpoint("documents_api:register_create", "POST",
                 payload=lambda w: {"agency": w.agency_a.pk, "name": "Sổ văn bản đến"},
                 expect=expect(FORBIDDEN, anonymous=LOGIN, van_thu_a=ALLOWED)),
    ]

`collect_endpoints()` imports `<app>.tests.access` of every installed `tinhso.*` app, and
`src/tinhso/api/tests/test_access_matrix.py` runs each entry once per persona. Once an app
has that module, every named route of its `urls.py` and `api/urls.py` must appear in
`ENDPOINTS` (a test checks it), so a new view cannot be left out.

The world and the personas
--------------------------
`World` (the `access_world` fixture) holds agency A with a department, agency B, and the
provincial office; persona users are made on first use. Personas:

    anonymous, citizen, chuyen_vien_a (in department A), van_thu_a, lanh_dao_a, mot_cua_a,
    quan_tri_co_quan_a, quan_tri_co_quan_b, quan_tri_tinh

Administrators are signed in with their second factor done, HTML endpoints are requested with
a session, API endpoints (paths under /api/) with a bearer token from `api_token_issue`.
`World.make(key, factory)` builds an object once per world for URL and payload builders.

Outcomes
--------
`ALLOWED` (2xx, or 3xx to a page other than the sign-in page), `LOGIN` (redirect to the
sign-in page, or 401), `FORBIDDEN` (403), `NOT_FOUND` (404). Anything else (400, 405, 500, a
redirect to the second-factor page) is reported as unexpected: fix the payload or the view.
For a POST, "allowed" should mean the write happened: give a valid payload and set
`success={302}` (or the API's 201/204), so a form shown again with errors does not pass.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, cast
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, resolve, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tinhso.accounts.models import Role, User
from tinhso.accounts.services import api_token_issue
from tinhso.accounts.two_factor import requires_two_factor
from tinhso.organizations.models import Agency, Department
from tinhso.testing.factories import (
    AgencyFactory,
    DepartmentFactory,
    MembershipFactory,
    UserFactory,
)

ALLOWED: Final = "allowed"
LOGIN: Final = "login"
FORBIDDEN: Final = "forbidden"
NOT_FOUND: Final = "not_found"
OUTCOMES: Final = frozenset({ALLOWED, LOGIN, FORBIDDEN, NOT_FOUND})

#: persona → (role, agency attribute of World, in department A?); None for the two without.
_OFFICIALS: Final[dict[str, tuple[str, str, bool]]] = {
    "chuyen_vien_a": (Role.CHUYEN_VIEN, "agency_a", True),
    "van_thu_a": (Role.VAN_THU, "agency_a", False),
    "lanh_dao_a": (Role.LANH_DAO, "agency_a", False),
    "mot_cua_a": (Role.MOT_CUA, "agency_a", False),
    "quan_tri_co_quan_a": (Role.QUAN_TRI_CO_QUAN, "agency_a", False),
    "quan_tri_co_quan_b": (Role.QUAN_TRI_CO_QUAN, "agency_b", False),
    "quan_tri_tinh": (Role.QUAN_TRI_TINH, "agency_province", False),
}
PERSONAS: Final[tuple[str, ...]] = ("anonymous", "citizen", *_OFFICIALS)

_METHODS: Final = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


def expect(default: str, **outcomes: str) -> dict[str, str]:
    """The outcome of every persona: `default`, except those named.

    `expect(FORBIDDEN, anonymous=LOGIN, quan_tri_tinh=ALLOWED)`
    """
    unknown = set(outcomes) - set(PERSONAS)
    if unknown:
        raise ValueError(f"unknown personas {sorted(unknown)}; known: {PERSONAS}")
    table = {persona: outcomes.get(persona, default) for persona in PERSONAS}
    wrong = {value for value in table.values() if value not in OUTCOMES}
    if wrong:
        raise ValueError(f"unknown outcomes {sorted(wrong)}; known: {sorted(OUTCOMES)}")
    return table


#: Anyone, signed in or not.
EVERYONE: Final = expect(ALLOWED)
#: Any signed-in account (citizens included); the anonymous visitor is sent to sign in.
SIGNED_IN: Final = expect(ALLOWED, anonymous=LOGIN)
#: The officials-management pages: agency and provincial administrators.
OFFICIAL_ADMINS: Final = expect(
    FORBIDDEN,
    anonymous=LOGIN,
    quan_tri_co_quan_a=ALLOWED,
    quan_tri_co_quan_b=ALLOWED,
    quan_tri_tinh=ALLOWED,
)
#: An object of agency A managed by administrators: B's administrator does not see it.
AGENCY_A_ADMINS: Final = expect(
    FORBIDDEN,
    anonymous=LOGIN,
    quan_tri_co_quan_a=ALLOWED,
    quan_tri_co_quan_b=NOT_FOUND,
    quan_tri_tinh=ALLOWED,
)


@dataclass
class World:
    """Agencies A (with department A) and B, the provincial office, and personas on demand."""

    agency_a: Agency
    department_a: Department
    agency_b: Agency
    agency_province: Agency
    _users: dict[str, User] = field(default_factory=dict)
    _objects: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls) -> World:
        agency_a = cast(Agency, AgencyFactory.create(name="Sở Thử Nghiệm A", short_name="STNA"))
        return cls(
            agency_a=agency_a,
            department_a=cast(
                Department, DepartmentFactory.create(agency=agency_a, name="Phòng Nghiệp vụ A")
            ),
            agency_b=cast(Agency, AgencyFactory.create(name="Sở Thử Nghiệm B", short_name="STNB")),
            agency_province=cast(
                Agency,
                AgencyFactory.create(name="Văn phòng Ủy ban nhân dân tỉnh", short_name="VP"),
            ),
        )

    def user(self, persona: str) -> User | None:
        """The persona's account (None for anonymous), created on first use."""
        if persona not in PERSONAS:
            raise ValueError(f"unknown persona {persona!r}; known: {PERSONAS}")
        if persona == "anonymous":
            return None
        if persona not in self._users:
            if persona == "citizen":
                self._users[persona] = cast(
                    User,
                    UserFactory.create(
                        citizen=True, username="persona_citizen", full_name="Công Dân Thử"
                    ),
                )
            else:
                role, agency_attr, in_department = _OFFICIALS[persona]
                user = cast(
                    User,
                    UserFactory.create(
                        username=f"persona_{persona}", full_name=f"Cán Bộ {persona}"
                    ),
                )
                MembershipFactory.create(
                    user=user,
                    agency=getattr(self, agency_attr),
                    department=self.department_a if in_department else None,
                    role=role,
                )
                self._users[persona] = user
        return self._users[persona]

    def make(self, key: str, factory: Callable[[], Any]) -> Any:
        """An object built once per world (the first builder that asks creates it)."""
        if key not in self._objects:
            self._objects[key] = factory()
        return self._objects[key]


@dataclass(frozen=True)
class Endpoint:
    """One request to check: route name, method, how to build the URL and payload, outcomes.

    `url` defaults to `reverse(route)` (for routes without arguments); `label` tells apart
    several entries of one route and method (e.g. the same action on different objects);
    `success` narrows which statuses count as ALLOWED.
    """

    route: str
    method: str
    expect: Mapping[str, str]
    url: Callable[[World], str] | None = None
    payload: Callable[[World], Mapping[str, Any]] | None = None
    label: str = ""
    #: The statuses that count as ALLOWED (e.g. {302} for a form whose success redirects),
    #: so that a re-displayed form with errors (200) is not mistaken for an allowed write.
    success: frozenset[int] | None = None
    #: How an API request's payload is sent: "json", or "multipart" for a file upload.
    format: str = "json"

    def __post_init__(self) -> None:
        if self.method not in _METHODS:
            raise ValueError(f"{self.route}: method must be one of {sorted(_METHODS)}")
        missing = set(PERSONAS) - set(self.expect)
        if missing:
            raise ValueError(f"{self.route}: no outcome for {sorted(missing)}; use expect()")

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}" + (f" [{self.label}]" if self.label else "")

    def build_url(self, world: World) -> str:
        return self.url(world) if self.url is not None else reverse(self.route)


def collect_endpoints() -> list[Endpoint]:
    """Every `ENDPOINTS` entry of every installed tinhso app's `tests/access.py`."""
    endpoints: list[Endpoint] = []
    for module in _access_modules():
        declared = getattr(module, "ENDPOINTS", None)
        if not isinstance(declared, list) or not all(isinstance(e, Endpoint) for e in declared):
            raise TypeError(f"{module.__name__}.ENDPOINTS must be a list of Endpoint")
        endpoints.extend(declared)
    seen: set[str] = set()
    for endpoint in endpoints:
        if endpoint.id in seen:
            raise ValueError(f"{endpoint.id} is registered twice; give one a label")
        seen.add(endpoint.id)
    return endpoints


def _access_modules() -> Iterator[Any]:
    for config in apps.get_app_configs():
        if not config.name.startswith("tinhso."):
            continue
        try:
            yield importlib.import_module(f"{config.name}.tests.access")
        except ModuleNotFoundError as exc:
            if exc.name not in {f"{config.name}.tests", f"{config.name}.tests.access"}:
                raise


def registering_apps() -> list[str]:
    """The apps that declare an access module (and so must register every route)."""
    return [module.__name__.rsplit(".tests.access", 1)[0] for module in _access_modules()]


def routes_of(app: str) -> set[str]:
    """The named routes of an app's `urls.py` and `api/urls.py`, with their namespaces."""
    names: set[str] = set()
    for module_name in (f"{app}.urls", f"{app}.api.urls"):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                continue  # the app has no such module (or no api package)
            raise
        namespace = getattr(module, "app_name", None)
        for pattern in getattr(module, "urlpatterns", []):
            if isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


# --- Running one case ---------------------------------------------------------------------------


def is_api(path: str) -> bool:
    return path.startswith("/api/")


def signed_in_client(world: World, persona: str, *, api: bool) -> Client | APIClient:
    """A client acting as the persona: a bearer token for the API, a session for pages.

    An administrator's session has passed the second factor, as after a real sign-in.
    """
    user = world.user(persona)
    if api:
        api_client = APIClient()
        if user is not None:
            _token, key = api_token_issue(actor=user)
            api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return api_client
    client = Client()
    if user is not None:
        client.force_login(user)
        if requires_two_factor(user):
            device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
    return client


def classify(response: Any) -> str:
    """The outcome of a response (see the module docstring); anything else is described."""
    status = response.status_code
    if status in {301, 302, 303, 307, 308}:
        target = urlsplit(response["Location"]).path
        if target == reverse(settings.LOGIN_URL):
            return LOGIN
        if target == reverse("accounts:two_factor"):
            return f"unexpected redirect to the second-factor page ({response['Location']})"
        return ALLOWED
    if status == 401:
        return LOGIN
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return NOT_FOUND
    if 200 <= status < 300:
        return ALLOWED
    return f"unexpected status {status}: {response.content[:300]!r}"


def observe(endpoint: Endpoint, persona: str, world: World) -> str:
    """Make the endpoint's request as the persona and classify the answer."""
    path = endpoint.build_url(world)
    resolved = resolve(urlsplit(path).path).view_name
    if resolved != endpoint.route:
        raise AssertionError(f"{endpoint.id}: URL {path} resolves to {resolved}")
    api = is_api(path)
    client = signed_in_client(world, persona, api=api)
    data = dict(endpoint.payload(world)) if endpoint.payload is not None else {}
    send = getattr(client, endpoint.method.lower())
    if api and endpoint.method != "GET":
        response = send(path, data, format=endpoint.format)
    else:
        response = send(path, data)
    outcome = classify(response)
    if (
        outcome == ALLOWED
        and endpoint.success is not None
        and response.status_code not in endpoint.success
    ):
        return (
            f"unexpected status {response.status_code} (allowed answers are "
            f"{sorted(endpoint.success)}): {response.content[:300]!r}"
        )
    return outcome


@pytest.fixture
def access_world(db: None) -> World:
    """The world of the access matrix: agencies A (with a department) and B, the province."""
    return World.build()
