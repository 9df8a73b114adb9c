"""The register and work-file routes for the access matrix (`tinhso.testing.access_matrix`).

The documents app's `tests/access.py` adds these to its `ENDPOINTS`::

    from tinhso.documents.tests.registers.endpoints import ENDPOINTS as REGISTER_ENDPOINTS

    ENDPOINTS = [..., *REGISTER_ENDPOINTS]

Agency A's objects are made once per world: its registers, a document of department A, and
work files planned, opened (with the document), filled and closed by the specialist of
department A (`chuyen_vien_a`, who is then the owner). `test_endpoints.py` runs them too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from django.urls import reverse
from django.utils import timezone

from tinhso.accounts.models import User
from tinhso.documents.models import (
    Assignment,
    AssignmentRole,
    Direction,
    Document,
    DocumentStatus,
    Register,
    Source,
    WorkFile,
)
from tinhso.documents.services.workfiles import (
    workfile_add_document,
    workfile_close,
    workfile_open,
    workfile_plan,
)
from tinhso.testing.access_matrix import (
    ALLOWED,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    Endpoint,
    World,
    expect,
)

#: The officials of agency A among the personas.
_A = ("chuyen_vien_a", "van_thu_a", "lanh_dao_a", "mot_cua_a", "quan_tri_co_quan_a")
#: Those who close a file owned by chuyen_vien_a, and export it.
_CLOSERS = ("chuyen_vien_a", "van_thu_a", "lanh_dao_a")
#: Those who record its submission to the archive.
_KEEPERS = ("van_thu_a", "lanh_dao_a")

#: Registers: the clerk and the leader of agency A only.
REGISTER_READERS = expect(FORBIDDEN, anonymous=LOGIN, van_thu_a=ALLOWED, lanh_dao_a=ALLOWED)
#: A page of work files any official opens for their own agency (list, overdue, plan form).
ANY_OFFICIAL = expect(ALLOWED, anonymous=LOGIN, citizen=FORBIDDEN)


def _file_of_a(allowed: tuple[str, ...]) -> dict[str, str]:
    """Agency A's file: the named officials of A; the others of A 403; other agencies 404."""
    table = expect(
        NOT_FOUND,
        anonymous=LOGIN,
        citizen=FORBIDDEN,
        **{p: FORBIDDEN for p in _A},
    )
    table.update({p: ALLOWED for p in allowed})
    return table


def _plan_in_a() -> dict[str, str]:
    return expect(FORBIDDEN, anonymous=LOGIN, **{p: ALLOWED for p in _A})


def _owner(w: World) -> User:
    user = w.user("chuyen_vien_a")
    assert user is not None
    return user


def _register(w: World) -> Register:
    return cast(
        Register,
        w.make(
            "register_in_a",
            lambda: Register.objects.create(
                agency=w.agency_a, direction=Direction.INCOMING, name="Sổ văn bản đến"
            ),
        ),
    )


def _document(w: World) -> Document:
    """An issued document of department A, routed to every official of A (so each may see it)."""

    def build() -> Document:
        owner = _owner(w)
        d = Document.objects.create(
            agency=w.agency_a,
            direction=Direction.OUTGOING,
            status=DocumentStatus.ISSUED,
            source=Source.INTERNAL,
            department=w.department_a,
            doc_type="QĐ",
            number="01",
            notation="QĐ-STNA",
            subject="Quyết định thử nghiệm",
            issuer_name=w.agency_a.name,
            created_by=owner,
        )
        for persona in _A:
            user = w.user(persona)
            assert user is not None
            Assignment.objects.create(
                document=d, assignee=user, role=AssignmentRole.READER, assigned_by=owner
            )
        return d

    return cast(Document, w.make("document_in_a", build))


def _planned(w: World, key: str = "planned") -> WorkFile:
    def build() -> WorkFile:
        return workfile_plan(
            actor=_owner(w),
            agency_id=w.agency_a.pk,
            year=timezone.localdate().year,
            code=f"HS-{key}",
            title="Hồ sơ thử nghiệm",
            retention_years=10,
        )

    return cast(WorkFile, w.make(f"workfile_{key}", build))


def _opened(w: World) -> WorkFile:
    return cast(
        WorkFile,
        w.make(
            "workfile_opened",
            lambda: workfile_open(actor=_owner(w), work_file=_planned(w, "opened")),
        ),
    )


def _filled(w: World) -> WorkFile:
    def build() -> WorkFile:
        wf = workfile_open(actor=_owner(w), work_file=_planned(w, "filled"))
        workfile_add_document(actor=_owner(w), work_file=wf, document_id=_document(w).pk)
        return wf

    return cast(WorkFile, w.make("workfile_filled", build))


def _closed(w: World) -> WorkFile:
    return cast(
        WorkFile,
        w.make("workfile_closed", lambda: workfile_close(actor=_owner(w), work_file=_filled(w))),
    )


def _at(route: str, make: Callable[[World], WorkFile], **extra: Any) -> Callable[[World], str]:
    return lambda w: reverse(route, kwargs={"pk": make(w).pk, **extra})


def _register_query(route: str) -> Callable[[World], str]:
    def url(w: World) -> str:
        today = timezone.localdate()
        first = (today - dt.timedelta(days=30)).isoformat()
        return f"{reverse(route)}?register={_register(w).pk}&date_from={first}&date_to={today}"

    return url


def _with_document(route: str, make: Callable[[World], WorkFile]) -> Callable[[World], str]:
    return lambda w: reverse(route, kwargs={"pk": make(w).pk, "document_id": _document(w).pk})


ENDPOINTS: list[Endpoint] = [
    # Registers.
    Endpoint("documents:register_list", "GET", expect=REGISTER_READERS),
    Endpoint(
        "documents:register_pdf",
        "GET",
        url=_register_query("documents:register_pdf"),
        expect=REGISTER_READERS,
    ),
    Endpoint(
        "documents:register_xlsx",
        "GET",
        url=_register_query("documents:register_xlsx"),
        expect=REGISTER_READERS,
    ),
    # Work files: pages.
    Endpoint("documents:workfile_list", "GET", expect=ANY_OFFICIAL),
    Endpoint("documents:workfile_overdue", "GET", expect=ANY_OFFICIAL),
    Endpoint("documents:workfile_plan", "GET", expect=ANY_OFFICIAL),
    Endpoint(
        "documents:workfile_plan",
        "POST",
        payload=lambda w: {
            "agency": w.agency_a.pk,
            "year": timezone.localdate().year,
            "code": "HS-new",
            "title": "Hồ sơ mới",
            "retention_years": 5,
        },
        expect=_plan_in_a(),
        success=frozenset({302}),
    ),
    Endpoint(
        "documents:workfile_detail",
        "GET",
        url=_at("documents:workfile_detail", _planned),
        expect=_file_of_a(_A),
    ),
    Endpoint(
        "documents:workfile_open",
        "POST",
        url=_at("documents:workfile_open", _planned),
        expect=_file_of_a(_A),
        success=frozenset({302}),
    ),
    Endpoint(
        "documents:workfile_add_document",
        "POST",
        url=_at("documents:workfile_add_document", _opened),
        payload=lambda w: {"document": _document(w).pk},
        expect=_file_of_a(_A),
        success=frozenset({302}),
    ),
    Endpoint(
        "documents:workfile_remove_document",
        "POST",
        url=_with_document("documents:workfile_remove_document", _filled),
        expect=_file_of_a(_A),
        success=frozenset({302}),
    ),
    Endpoint(
        "documents:workfile_close",
        "POST",
        url=_at("documents:workfile_close", _filled),
        expect=_file_of_a(_CLOSERS),
        success=frozenset({302}),
    ),
    Endpoint(
        "documents:workfile_submit",
        "POST",
        url=_at("documents:workfile_submit", _closed),
        expect=_file_of_a(_KEEPERS),
        success=frozenset({302}),
    ),
    Endpoint(
        "documents:workfile_export",
        "GET",
        url=_at("documents:workfile_export", _closed),
        expect=_file_of_a(_CLOSERS),
    ),
    # Work files: API.
    Endpoint("work-file-list", "GET", expect=ANY_OFFICIAL),
    Endpoint(
        "work-file-list",
        "POST",
        payload=lambda w: {
            "agency": w.agency_a.pk,
            "code": "HS-api",
            "title": "Hồ sơ qua API",
            "retention_years": None,
        },
        expect=_plan_in_a(),
        success=frozenset({201}),
    ),
    Endpoint(
        "work-file-detail",
        "GET",
        url=_at("work-file-detail", _planned),
        expect=_file_of_a(_A),
    ),
    Endpoint(
        "work-file-open",
        "POST",
        url=_at("work-file-open", _planned),
        expect=_file_of_a(_A),
        success=frozenset({200}),
    ),
    Endpoint(
        "work-file-add-document",
        "POST",
        url=_at("work-file-add-document", _opened),
        payload=lambda w: {"document": _document(w).pk},
        expect=_file_of_a(_A),
        success=frozenset({201}),
    ),
    Endpoint(
        "work-file-remove-document",
        "DELETE",
        url=_with_document("work-file-remove-document", _filled),
        expect=_file_of_a(_A),
        success=frozenset({200}),
    ),
    Endpoint(
        "work-file-close",
        "POST",
        url=_at("work-file-close", _filled),
        expect=_file_of_a(_CLOSERS),
        success=frozenset({200}),
    ),
    Endpoint(
        "work-file-submit",
        "POST",
        url=_at("work-file-submit", _closed),
        expect=_file_of_a(_KEEPERS),
        success=frozenset({200}),
    ),
    Endpoint(
        "work-file-export",
        "GET",
        url=_at("work-file-export", _closed),
        expect=_file_of_a(_CLOSERS),
    ),
]
