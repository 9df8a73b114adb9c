"""The dossiers routes in the access matrix (see tinhso.testing.access_matrix).

The world: a province-level procedure resolved by department A of agency A, and a dossier
received at agency A's counter by `mot_cua_a` (Monday 7 December 2026, 09:00, so it went on
at once to department A's processing step). Who sees it: the counter of the receiving agency,
department A (the step is theirs), agency A's leader and administrator and the agency-wide
clerk (the dossier passed through agency A), the provincial administrator. Agency B's
administrator does not (404). Citizens get 403: the officials' API carries personal data.
Public tracking answers everyone.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tinhso.dossiers.models import Dossier
from tinhso.procedures.models import ProcedureVersion
from tinhso.testing.access_matrix import (
    ALLOWED,
    EVERYONE,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    Endpoint,
    World,
    expect,
)

#: Every official may call the list; citizens may not.
OFFICIALS = expect(ALLOWED, anonymous=LOGIN, citizen=FORBIDDEN)
#: The dossier of agency A: seen by A's officials and the province, hidden from B.
SEES_DOSSIER_A = expect(ALLOWED, anonymous=LOGIN, citizen=FORBIDDEN, quan_tri_co_quan_b=NOT_FOUND)
#: Only agency A's counter receives.
COUNTER_A = expect(FORBIDDEN, anonymous=LOGIN, mot_cua_a=ALLOWED)
#: An action on dossier A that one persona may take; the others who see it get 403.
ONLY_COUNTER_A = expect(FORBIDDEN, anonymous=LOGIN, mot_cua_a=ALLOWED, quan_tri_co_quan_b=NOT_FOUND)
ONLY_SPECIALIST_A = expect(
    FORBIDDEN, anonymous=LOGIN, chuyen_vien_a=ALLOWED, quan_tri_co_quan_b=NOT_FOUND
)


def _procedure(w: World) -> ProcedureVersion:
    from tinhso.testing.onestop import make_procedure

    version: ProcedureVersion = w.make(
        "dossiers_procedure",
        lambda: make_procedure(
            code="1.000901",
            name="Thủ tục thử quyền truy cập",
            competent=w.agency_a,
            department=w.department_a,
        ),
    )
    return version


def _receipt_payload(w: World) -> dict[str, Any]:
    from tinhso.testing.onestop import upload

    version = _procedure(w)
    counter = w.user("mot_cua_a")
    assert counter is not None
    return {
        "procedure_code": version.procedure.code,
        "channel": "counter",
        "applicant": {
            "kind": "citizen",
            "name": "Nguyễn Văn An",
            "id_number": "046090001234",
            "phone": "0912345678",
            "email": "an@example.vn",
            "address": "12 Lê Lợi",
        },
        "components": [
            {"component": c.pk, "file": upload(counter)}
            for c in version.components.filter(required=True).order_by("order")
        ],
    }


def _dossier_a(w: World) -> Dossier:
    def build() -> Dossier:
        from tinhso.dossiers.services import (
            ApplicantInput,
            ComponentInput,
            ReceiptInput,
            dossier_receive,
        )
        from tinhso.testing.onestop import local

        payload = _receipt_payload(w)
        counter = w.user("mot_cua_a")
        assert counter is not None
        dossier, _created = dossier_receive(
            actor=counter,
            data=ReceiptInput(
                procedure_code=payload["procedure_code"],
                channel="counter",
                applicant=ApplicantInput(**payload["applicant"]),
                components=[ComponentInput(**c) for c in payload["components"]],
            ),
            now=local(2026, 12, 7, 9, 0),
        )
        return dossier

    dossier: Dossier = w.make("dossiers_dossier_a", build)
    return dossier


def _detail(w: World) -> str:
    return reverse("dossier-detail", args=[_dossier_a(w).code])


def _action(action: str) -> Any:
    def url(w: World) -> str:
        return reverse("dossier-action", args=[_dossier_a(w).code, action])

    return url


def _public(w: World) -> str:
    return reverse("public-dossier-detail", args=[_dossier_a(w).code])


def _result_a(w: World) -> Any:
    def build() -> Any:
        from tinhso.dossiers.models import ResultFile
        from tinhso.testing.signing_world import pdf_of_agency_a

        clerk = w.user("van_thu_a")
        assert clerk is not None
        return ResultFile.objects.create(
            dossier=_dossier_a(w), file=pdf_of_agency_a(w), name="Quyết định", added_by=clerk
        )

    return w.make("dossiers_result_a", build)


def _sign_result_api(w: World) -> str:
    return reverse("dossier-result-sign", args=[_dossier_a(w).code, _result_a(w).pk])


def _sign_result_page(w: World) -> str:
    return reverse("dossiers:sign_result", args=[_dossier_a(w).code, _result_a(w).pk])


def _sign_result_payload(w: World) -> dict[str, Any]:
    from tinhso.testing.signing_world import PASSPHRASE, seal_key_a

    return {"key": seal_key_a(w).pk, "pin": PASSPHRASE}


#: Result signing: the step holder, the counter and the resolving agency's clerk reach it; the
#: seal key of agency A then signs only for its clerk and its counter officer.
SIGNS_RESULT_A = expect(
    FORBIDDEN, anonymous=LOGIN, quan_tri_co_quan_b=NOT_FOUND, chuyen_vien_a=ALLOWED,
    van_thu_a=ALLOWED, mot_cua_a=ALLOWED,
)  # fmt: skip
SEALS_RESULT_A = expect(
    NOT_FOUND, anonymous=LOGIN, citizen=FORBIDDEN, van_thu_a=ALLOWED, mot_cua_a=ALLOWED
)

API_ENDPOINTS: list[Endpoint] = [
    Endpoint("dossier-list", "GET", expect=OFFICIALS),
    Endpoint(
        "dossier-list",
        "POST",
        payload=_receipt_payload,
        expect=COUNTER_A,
        success=frozenset({201}),
    ),
    Endpoint("dossier-detail", "GET", url=_detail, expect=SEES_DOSSIER_A),
    # The step holder (department A's specialist) asks for a supplement.
    Endpoint(
        "dossier-action",
        "POST",
        url=_action("request-supplement"),
        payload=lambda w: {"reason": "Bổ sung bản sao giấy tờ tùy thân"},
        expect=ONLY_SPECIALIST_A,
        success=frozenset({200}),
    ),
    # The counter records the applicant's withdrawal.
    Endpoint(
        "dossier-action",
        "POST",
        label="withdraw",
        url=_action("withdraw"),
        payload=lambda w: {"reason": "Công dân rút hồ sơ"},
        expect=ONLY_COUNTER_A,
        success=frozenset({200}),
    ),
    Endpoint("public-dossier-detail", "GET", url=_public, expect=EVERYONE),
    Endpoint(
        "dossier-result-sign",
        "POST",
        url=_sign_result_api,
        payload=_sign_result_payload,
        expect=SEALS_RESULT_A,
        success=frozenset({200}),
    ),
]

# --- Pages (the one-stop screens) ---------------------------------------------------------------

#: Pages of the desks: the officials' lists; citizens are refused (the citizens' portal is
#: another module).
LEADER_A = expect(FORBIDDEN, anonymous=LOGIN, lanh_dao_a=ALLOWED)
PROVINCE = expect(FORBIDDEN, anonymous=LOGIN, quan_tri_tinh=ALLOWED)


def _receive_form(w: World) -> str:
    return reverse("dossiers:receive_form", args=[_procedure(w).procedure.code])


def _receive_form_payload(w: World) -> dict[str, Any]:
    """A complete receipt, every required paper checked at the counter (no scan)."""
    payload: dict[str, Any] = {
        "applicant_kind": "citizen",
        "applicant_name": "Nguyễn Văn An",
        "applicant_id_number": "046090001234",
        "applicant_phone": "0912345678",
        "sets": "1",
        "fee_status": "unpaid",
    }
    for c in _procedure(w).components.filter(required=True):
        payload[f"c{c.pk}_paper"] = "on"
    return payload


def _page(action: str) -> Any:
    def url(w: World) -> str:
        return reverse("dossiers:act", args=[_dossier_a(w).code, action])

    return url


PAGE_ENDPOINTS: list[Endpoint] = [
    Endpoint("dossiers:track", "GET", expect=EVERYONE),
    Endpoint("dossiers:sign_result", "GET", url=_sign_result_page, expect=SIGNS_RESULT_A),
    Endpoint("dossiers:queue", "GET", expect=COUNTER_A),
    Endpoint("dossiers:receive", "GET", expect=COUNTER_A),
    Endpoint("dossiers:receive_form", "GET", url=_receive_form, expect=COUNTER_A),
    Endpoint(
        "dossiers:receive_form",
        "POST",
        url=_receive_form,
        payload=_receive_form_payload,
        expect=COUNTER_A,
        success=frozenset({302}),
    ),
    Endpoint("dossiers:search", "GET", expect=OFFICIALS),
    Endpoint("dossiers:near_due", "GET", expect=OFFICIALS),
    Endpoint("dossiers:overdue", "GET", expect=OFFICIALS),
    Endpoint("dossiers:inbox", "GET", expect=OFFICIALS),
    Endpoint("dossiers:approvals", "GET", expect=LEADER_A),
    Endpoint("dossiers:board", "GET", expect=LEADER_A),
    Endpoint("dossiers:province_board", "GET", expect=PROVINCE),
    Endpoint(
        "dossiers:detail",
        "GET",
        url=lambda w: reverse("dossiers:detail", args=[_dossier_a(w).code]),
        expect=SEES_DOSSIER_A,
    ),
    # The step holder forwards from the dossier page; the counter records a withdrawal.
    Endpoint(
        "dossiers:act",
        "POST",
        url=_page("forward"),
        payload=lambda w: {"forward-note": "Đủ điều kiện"},
        expect=ONLY_SPECIALIST_A,
        success=frozenset({302}),
    ),
    Endpoint(
        "dossiers:act",
        "POST",
        label="withdraw",
        url=_page("withdraw"),
        payload=lambda w: {"withdraw-reason": "Công dân rút hồ sơ"},
        expect=ONLY_COUNTER_A,
        success=frozenset({302}),
    ),
]

# --- The official forms and the tracking book (dossiers.forms) ----------------------------------

#: The tracking book of agency A: its counter, its leaders and the provincial administrator.
BOOK_A = expect(
    FORBIDDEN, anonymous=LOGIN, mot_cua_a=ALLOWED, lanh_dao_a=ALLOWED, quan_tri_tinh=ALLOWED
)
#: The same book asked for through a dossier's form number: who cannot see the dossier gets 404.
BOOK_A_OF_DOSSIER = expect(
    FORBIDDEN,
    anonymous=LOGIN,
    mot_cua_a=ALLOWED,
    lanh_dao_a=ALLOWED,
    quan_tri_tinh=ALLOWED,
    quan_tri_co_quan_b=NOT_FOUND,
)


def _form(slug: str) -> Any:
    def url(w: World) -> str:
        return reverse("dossiers:form_pdf", args=[_dossier_a(w).code, slug])

    return url


def _book(route: str, **kwargs: str) -> Any:
    def url(w: World) -> str:
        base = reverse(route, kwargs=kwargs or None)
        return f"{base}?agency={w.agency_a.pk}&from=2026-12-07&to=2026-12-07"

    return url


FORM_ENDPOINTS: list[Endpoint] = [
    Endpoint("dossiers:form_pdf", "GET", url=_form("mau-01"), expect=SEES_DOSSIER_A),
    Endpoint(
        "dossiers:form_pdf",
        "GET",
        url=_form("mau-07"),
        label="the day's tracking book",
        expect=BOOK_A_OF_DOSSIER,
    ),
    Endpoint("dossiers:form_tracking_book", "GET", expect=BOOK_A),
    Endpoint(
        "dossiers:form_tracking_book_pdf",
        "GET",
        url=_book("dossiers:form_tracking_book_pdf"),
        expect=BOOK_A,
    ),
    Endpoint(
        "dossiers:form_tracking_book_xlsx",
        "GET",
        url=_book("dossiers:form_tracking_book_xlsx"),
        expect=BOOK_A,
    ),
    Endpoint(
        "dossier-form",
        "GET",
        url=lambda w: reverse("dossier-form", args=[_dossier_a(w).code, "mau-01"]),
        expect=SEES_DOSSIER_A,
    ),
    Endpoint(
        "dossier-tracking-book",
        "GET",
        url=_book("dossier-tracking-book", fmt="xlsx"),
        expect=BOOK_A,
    ),
]

ENDPOINTS = [*API_ENDPOINTS, *PAGE_ENDPOINTS, *FORM_ENDPOINTS]
