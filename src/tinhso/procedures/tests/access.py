"""The catalogue's routes in the access matrix (see tinhso.testing.access_matrix).

The catalogue's pages are for officials (every role reads it; citizens read procedures on
the public portal and through the API); drafts, the editor, new versions and publication
belong to the provincial administrator, for whom a draft exists; others do not see drafts
(404). The API is open to every signed-in account and shows only versions in force.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.urls import reverse

from tinhso.procedures.models import ProcedureLevel, ProcedureVersion, StepAgency, StepKind
from tinhso.procedures.services import (
    ComponentInput,
    StepInput,
    VersionInput,
    procedure_version_create,
    procedure_version_publish,
)
from tinhso.procedures.tests.factories import form_payload
from tinhso.testing.access_matrix import (
    ALLOWED,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    SIGNED_IN,
    Endpoint,
    World,
    expect,
)

OFFICIALS = expect(ALLOWED, anonymous=LOGIN, citizen=FORBIDDEN)
PROVINCIAL_ADMIN = expect(FORBIDDEN, anonymous=LOGIN, quan_tri_tinh=ALLOWED)
#: A draft: hidden from every official but the provincial administrator.
DRAFT_READERS = expect(NOT_FOUND, anonymous=LOGIN, citizen=FORBIDDEN, quan_tri_tinh=ALLOWED)
REDIRECT = frozenset({302})

PUBLISHED = "1.000001"
DRAFT = "1.000002"
SECOND = "1.000003"


def _input(w: World) -> VersionInput:
    """A publishable version: agency A receives, resolves and returns."""
    steps = (
        StepInput("Tiếp nhận", StepKind.RECEIVE, "mot_cua", Decimal(2)),
        StepInput("Xử lý", StepKind.PROCESS, "chuyen_vien", Decimal(4), StepAgency.COMPETENT),
        StepInput("Trả kết quả", StepKind.RETURN, "mot_cua", Decimal(2)),
    )
    return VersionInput(
        name="Thủ tục của ma trận quyền",
        processing_time=Decimal(1),
        levels=(ProcedureLevel.PROVINCE,),
        competent_agency=w.agency_a,
        components=(ComponentInput("Đơn đề nghị"),),
        steps=steps,
    )


def _catalogue(w: World) -> dict[str, ProcedureVersion]:
    def build() -> dict[str, ProcedureVersion]:
        versions = {}
        for code in (PUBLISHED, SECOND):
            draft = procedure_version_create(actor="system:test", code=code, data=_input(w))
            versions[code] = procedure_version_publish(actor="system:test", version=draft)
        versions[DRAFT] = procedure_version_create(actor="system:test", code=DRAFT, data=_input(w))
        return versions

    catalogue: dict[str, ProcedureVersion] = w.make("catalogue", build)
    return catalogue


def _procedure(code: str) -> Callable[[World], str]:
    def url(w: World) -> str:
        _catalogue(w)
        return reverse("procedures:procedure_detail", args=[code])

    return url


def _version(code: str, suffix: str = "") -> Callable[[World], str]:
    def url(w: World) -> str:
        version = _catalogue(w)[code]
        name = f"procedures:version_{suffix}" if suffix else "procedures:version_detail"
        return reverse(name, args=[code, version.number])

    return url


def _new_version(w: World) -> str:
    _catalogue(w)
    return reverse("procedures:version_new", args=[SECOND])


def _api_detail(w: World) -> str:
    _catalogue(w)
    return reverse("procedure-detail", args=[PUBLISHED])


def _editor_payload(w: World) -> dict[str, object]:
    return form_payload(
        name="Thủ tục đã sửa", components=[{"name": "Đơn", "originals": "1", "copies": "0"}]
    )


ENDPOINTS = [
    Endpoint("procedures:procedure_list", "GET", expect=OFFICIALS),
    Endpoint("procedures:procedure_create", "GET", expect=PROVINCIAL_ADMIN),
    Endpoint(
        "procedures:procedure_create",
        "POST",
        payload=lambda w: form_payload(code="2.999999"),
        expect=PROVINCIAL_ADMIN,
        success=REDIRECT,
    ),
    Endpoint("procedures:procedure_detail", "GET", url=_procedure(PUBLISHED), expect=OFFICIALS),
    Endpoint(
        "procedures:procedure_detail",
        "GET",
        url=_procedure(DRAFT),
        expect=DRAFT_READERS,
        label="draft only",
    ),
    Endpoint("procedures:version_detail", "GET", url=_version(PUBLISHED), expect=OFFICIALS),
    Endpoint(
        "procedures:version_detail",
        "GET",
        url=_version(DRAFT),
        expect=DRAFT_READERS,
        label="draft",
    ),
    Endpoint(
        "procedures:version_edit", "GET", url=_version(DRAFT, "edit"), expect=PROVINCIAL_ADMIN
    ),
    Endpoint(
        "procedures:version_edit",
        "POST",
        url=_version(DRAFT, "edit"),
        payload=_editor_payload,
        expect=PROVINCIAL_ADMIN,
        success=REDIRECT,
    ),
    Endpoint(
        "procedures:version_new",
        "POST",
        url=_new_version,
        expect=PROVINCIAL_ADMIN,
        success=REDIRECT,
    ),
    Endpoint(
        "procedures:version_publish",
        "POST",
        url=_version(DRAFT, "publish"),
        expect=PROVINCIAL_ADMIN,
        success=REDIRECT,
    ),
    Endpoint("procedure-list", "GET", expect=SIGNED_IN),
    Endpoint("procedure-detail", "GET", url=_api_detail, expect=SIGNED_IN),
]
