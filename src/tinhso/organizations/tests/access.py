"""The organizations routes in the access matrix (see tinhso.testing.access_matrix).

The agency directory and the list of administrative units are shared information: every
signed-in account reads them. Agencies are created, edited and closed by the provincial
administrator; an agency's administrator edits its contact details and departments. An
administrator of another agency sees the agency (the directory is shared) but may not edit
it: 403, not 404.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tinhso.testing.access_matrix import (
    ALLOWED,
    FORBIDDEN,
    LOGIN,
    SIGNED_IN,
    Endpoint,
    World,
    expect,
)

PROVINCIAL_ADMIN = expect(FORBIDDEN, anonymous=LOGIN, quan_tri_tinh=ALLOWED)
AGENCY_A_EDITORS = expect(
    FORBIDDEN, anonymous=LOGIN, quan_tri_co_quan_a=ALLOWED, quan_tri_tinh=ALLOWED
)


def _agency_a(w: World) -> str:
    return reverse("organizations:agency_detail", args=[w.agency_a.pk])


def _edit_a(w: World) -> str:
    return reverse("organizations:agency_edit", args=[w.agency_a.pk])


def _close_a(w: World) -> str:
    return reverse("organizations:agency_close", args=[w.agency_a.pk])


def _new_department_a(w: World) -> str:
    return reverse("organizations:department_create", args=[w.agency_a.pk])


def _edit_department_a(w: World) -> str:
    return reverse("organizations:department_edit", args=[w.department_a.pk])


def _agency_payload(w: World) -> dict[str, Any]:
    return {
        "code": "H57.Z9",
        "name": "Sở Du lịch",
        "short_name": "SDL",
        "level": "province",
        "kind": "so",
        "phone": "0234 3822 120",
    }


def _agency_a_payload(w: World) -> dict[str, Any]:
    # Fits both forms: the provincial administrator's (every field) and the agency
    # administrator's (contact details only); only the telephone changes.
    a = w.agency_a
    return {
        "code": a.code,
        "name": a.name,
        "short_name": a.short_name,
        "level": a.level,
        "kind": a.kind,
        "phone": "0234 3822 999",
    }


ENDPOINTS = [
    Endpoint("organizations:agency_list", "GET", expect=SIGNED_IN),
    Endpoint("organizations:agency_detail", "GET", url=_agency_a, expect=SIGNED_IN),
    Endpoint("organizations:agency_create", "GET", expect=PROVINCIAL_ADMIN),
    Endpoint(
        "organizations:agency_create", "POST", payload=_agency_payload, expect=PROVINCIAL_ADMIN
    ),
    Endpoint("organizations:agency_edit", "GET", url=_edit_a, expect=AGENCY_A_EDITORS),
    Endpoint(
        "organizations:agency_edit",
        "POST",
        url=_edit_a,
        payload=_agency_a_payload,
        expect=AGENCY_A_EDITORS,
    ),
    Endpoint("organizations:agency_close", "GET", url=_close_a, expect=PROVINCIAL_ADMIN),
    Endpoint(
        "organizations:agency_close",
        "POST",
        url=_close_a,
        payload=lambda w: {"valid_to": "2026-01-31"},
        expect=PROVINCIAL_ADMIN,
    ),
    Endpoint(
        "organizations:department_create", "GET", url=_new_department_a, expect=AGENCY_A_EDITORS
    ),
    Endpoint(
        "organizations:department_create",
        "POST",
        url=_new_department_a,
        payload=lambda w: {"name": "Phòng Kế hoạch", "short_name": "KH"},
        expect=AGENCY_A_EDITORS,
    ),
    Endpoint(
        "organizations:department_edit", "GET", url=_edit_department_a, expect=AGENCY_A_EDITORS
    ),
    Endpoint(
        "organizations:department_edit",
        "POST",
        url=_edit_department_a,
        payload=lambda w: {"name": "Phòng Nghiệp vụ A1", "is_active": "on"},
        expect=AGENCY_A_EDITORS,
    ),
    Endpoint("organizations:unit_list", "GET", expect=SIGNED_IN),
    Endpoint("api-agency-list", "GET", expect=SIGNED_IN),
]
