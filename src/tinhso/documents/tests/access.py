"""The documents routes in the access matrix (see tinhso.testing.access_matrix).

The world (`tinhso.documents.tests.matrix.world`): agency A's documents in each state, made by
its clerk `van_thu_a`, its leader `lanh_dao_a` (an agency leader: no department) and the
specialist `chuyen_vien_a` of department A. Who sees a document follows `documents.access`:

- the clerk: A's incoming documents, and outgoing ones once approved — never a draft or one
  under review;
- the leader: every document of A except drafts not yet submitted (but he sees the draft he
  is to sign: "what they sign");
- the specialist: what he drafted and what was routed to department A;
- nobody else: A's counter officer and administrator, B's administrator and the provincial
  administrator get 404 for every document, as for one that does not exist; and nobody of
  agency A sees agency B's incoming copy of what A issued.

Citizens get 403 on every e-office page and API call (the e-office is the officials'); whoever
sees a document but may not take an action on it gets 403; the one whose step it is gets the
success answer (302 for the pages, 200/201 for the API), so "allowed" means the write happened.
A draft's file (`files:download`) follows the draft's readers: the documents' rule registered
with `tinhso.files`. The registers and work files come from `tests/registers/endpoints.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tinhso.documents.models import FileRole
from tinhso.documents.tests.matrix.world import (
    Maker,
    a_month_ago,
    approved,
    assigned,
    colleague_a,
    copy_in_b,
    draft,
    in_progress,
    issued,
    main_assignment,
    other_leader_a,
    persona,
    presented,
    received,
    registered,
    signer_everywhere,
    submitted,
)
from tinhso.documents.tests.registers.endpoints import ENDPOINTS as REGISTER_ENDPOINTS
from tinhso.testing.access_matrix import (
    ALLOWED,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    Endpoint,
    World,
    expect,
)
from tinhso.testing.eoffice import upload
from tinhso.testing.onestop import MINIMAL_PDF

#: Every official opens the lists (each sees what the rules let them); citizens may not.
OFFICIALS = expect(ALLOWED, anonymous=LOGIN, citizen=FORBIDDEN)
#: The clerk's pages and registration: agency A's clerk only.
CLERK_A = expect(FORBIDDEN, anonymous=LOGIN, van_thu_a=ALLOWED)
#: The leader's queue of documents to assign.
LEADER_A = expect(FORBIDDEN, anonymous=LOGIN, lanh_dao_a=ALLOWED)

#: Who sees agency A's document in each state (everyone else of the officials: 404).
RECEIVED_SEEN = ("van_thu_a", "lanh_dao_a")
REGISTERED_SEEN = ("van_thu_a", "lanh_dao_a")
ASSIGNED_SEEN = ("chuyen_vien_a", "van_thu_a", "lanh_dao_a")
#: A draft: its drafter (and department), and the leader named to sign it.
DRAFT_SEEN = ("chuyen_vien_a", "lanh_dao_a")
IN_REVIEW_SEEN = ("chuyen_vien_a", "lanh_dao_a")
APPROVED_SEEN = ("chuyen_vien_a", "van_thu_a", "lanh_dao_a")


def sees(*personas: str) -> dict[str, str]:
    """A document seen by `personas` only: the other officials get 404."""
    return expect(NOT_FOUND, anonymous=LOGIN, citizen=FORBIDDEN, **dict.fromkeys(personas, ALLOWED))


def acts(seen: tuple[str, ...], *allowed: str) -> dict[str, str]:
    """An action on a document seen by `seen`: `allowed` take it, the others who see it 403."""
    table = sees(*seen)
    table.update({p: FORBIDDEN for p in seen if p not in allowed})
    table.update(dict.fromkeys(allowed, ALLOWED))
    return table


PAGE_DONE = frozenset({302})
API_OK = frozenset({200})
API_CREATED = frozenset({201})


# --- URLs ---------------------------------------------------------------------------------------


def _detail(make: Maker) -> Callable[[World], str]:
    return lambda w: reverse("documents:detail", args=[make(w).pk])


def _act(action: str, make: Maker) -> Callable[[World], str]:
    return lambda w: reverse("documents:act", args=[make(w).pk, action])


def _api(route: str, make: Maker) -> Callable[[World], str]:
    return lambda w: reverse(route, args=[make(w).pk])


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")


# --- Payloads -----------------------------------------------------------------------------------


def _incoming_form(w: World) -> dict[str, Any]:
    """The registration page: a paper Quyết định (the form asks no agency or register: the
    clerk has one agency, and it has no register yet)."""
    return {
        "source": "paper",
        "issuer_name": "Ủy ban nhân dân tỉnh Thử Nghiệm",
        "number": "27",
        "notation": "QĐ-UBND",
        "issued_on": a_month_ago().isoformat(),
        "doc_type": "QĐ",
        "subject": "Quyết định phê duyệt kế hoạch kiểm tra",
        "urgency": "thuong",
    }


def _incoming_api(w: World) -> dict[str, Any]:
    return {
        "issuer_name": "Ủy ban nhân dân tỉnh Thử Nghiệm",
        "number": "28",
        "notation": "QĐ-UBND",
        "date": a_month_ago().isoformat(),
        "type": "QĐ",
        "subject": "Quyết định phê duyệt kế hoạch thanh tra",
    }


def _draft_form(w: World) -> dict[str, Any]:
    """A công văn without recipients or file yet; its signer leads every persona's agency, so
    any official's draft is valid (the signer must lead the drafter's agency)."""
    return {
        "doc_type": "CV",
        "subject": "Về việc góp ý dự thảo kế hoạch",
        "signer": signer_everywhere(w).pk,
        "urgency": "thuong",
        "unit": "TH",
    }


def _draft_api(w: World) -> dict[str, Any]:
    return {
        "type": "CV",
        "subject": "Về việc góp ý dự thảo kế hoạch",
        "signer": signer_everywhere(w).pk,
        "unit": "TH",
    }


def _assignment_field(action: str, make: Maker, **extra: str) -> Callable[[World], dict[str, Any]]:
    def payload(w: World) -> dict[str, Any]:
        return {f"{action}-assignment": main_assignment(w, make(w)).pk, **extra}

    return payload


def _assign_payload(w: World) -> Mapping[str, Any]:
    return {"main": persona(w, "chuyen_vien_a").pk, "direction": "Đề nghị tham mưu xử lý"}


# --- Pages --------------------------------------------------------------------------------------

#: One document per action, in the state the action applies to.
RECEIVED_ACCEPT = received("accept_page")
RECEIVED_REFUSE = received("refuse_page")
REGISTERED_PRESENT = registered("present_page")
PRESENTED_ASSIGN = presented("assign_page")
ASSIGNED_START = assigned("start_page")
ASSIGNED_PASS_ON = assigned("pass_on_page")
IN_PROGRESS_COMPLETE = in_progress("complete_page")
DRAFT_SUBMIT = draft("submit_page")
DRAFT_VERSION = draft("version_page")
IN_REVIEW_APPROVE = submitted("approve_page")
IN_REVIEW_RETURN = submitted("return_page")
IN_REVIEW_COMMENT = submitted("comment_page")
APPROVED_ISSUE = approved("issue_page")
ISSUED_RECALL = issued("recall_page")

PAGE_ENDPOINTS: list[Endpoint] = [
    Endpoint("documents:incoming_list", "GET", expect=OFFICIALS),
    Endpoint("documents:outgoing_list", "GET", expect=OFFICIALS),
    Endpoint(
        "documents:search",
        "GET",
        url=lambda w: reverse("documents:search") + "?q=kiem+tra",
        expect=OFFICIALS,
    ),
    Endpoint("documents:inbox", "GET", expect=OFFICIALS),
    Endpoint("documents:overdue", "GET", expect=OFFICIALS),
    Endpoint("documents:my_drafts", "GET", expect=OFFICIALS),
    Endpoint("documents:approvals", "GET", expect=OFFICIALS),
    Endpoint("documents:draft_new", "GET", expect=OFFICIALS),
    Endpoint(
        "documents:draft_new",
        "POST",
        payload=_draft_form,
        expect=OFFICIALS,
        success=PAGE_DONE,
    ),
    Endpoint("documents:incoming_new", "GET", expect=CLERK_A),
    Endpoint(
        "documents:incoming_new",
        "POST",
        payload=_incoming_form,
        expect=CLERK_A,
        success=PAGE_DONE,
    ),
    Endpoint("documents:clerk_queue", "GET", expect=CLERK_A),
    Endpoint("documents:clerk_present", "GET", expect=CLERK_A),
    Endpoint("documents:clerk_issue", "GET", expect=CLERK_A),
    Endpoint("documents:to_assign", "GET", expect=LEADER_A),
    # One document page per state: who sees it.
    Endpoint(
        "documents:detail",
        "GET",
        url=_detail(assigned("detail")),
        expect=sees(*ASSIGNED_SEEN),
    ),
    Endpoint(
        "documents:detail",
        "GET",
        label="received",
        url=_detail(received("detail")),
        expect=sees(*RECEIVED_SEEN),
    ),
    Endpoint(
        "documents:detail",
        "GET",
        label="registered",
        url=_detail(registered("detail")),
        expect=sees(*REGISTERED_SEEN),
    ),
    Endpoint(
        "documents:detail",
        "GET",
        label="draft",
        url=_detail(draft("detail")),
        expect=sees(*DRAFT_SEEN),
    ),
    Endpoint(
        "documents:detail",
        "GET",
        label="draft signed by another leader",
        url=_detail(draft("detail_other_signer", signer=other_leader_a)),
        expect=sees("chuyen_vien_a"),
    ),
    Endpoint(
        "documents:detail",
        "GET",
        label="in review",
        url=_detail(submitted("detail")),
        expect=sees(*IN_REVIEW_SEEN),
    ),
    Endpoint(
        "documents:detail",
        "GET",
        label="approved",
        url=_detail(approved("detail")),
        expect=sees(*APPROVED_SEEN),
    ),
    Endpoint(
        "documents:detail",
        "GET",
        label="issued",
        url=_detail(issued("detail")),
        expect=sees(*APPROVED_SEEN),
    ),
    Endpoint(
        "documents:detail",
        "GET",
        label="agency B's copy",
        url=_detail(copy_in_b("detail")),
        expect=sees(),
    ),
    # Assignment: the leader it was presented to; the clerk sees it but does not route it.
    Endpoint(
        "documents:assign",
        "GET",
        url=lambda w: reverse("documents:assign", args=[presented("assign_form")(w).pk]),
        expect=acts(REGISTERED_SEEN, "lanh_dao_a"),
    ),
    Endpoint(
        "documents:assign",
        "POST",
        url=lambda w: reverse("documents:assign", args=[PRESENTED_ASSIGN(w).pk]),
        payload=_assign_payload,
        expect=acts(REGISTERED_SEEN, "lanh_dao_a"),
        success=PAGE_DONE,
    ),
    # The actions of the document page, each on a document in the state it applies to.
    Endpoint(
        "documents:act",
        "POST",
        url=_act("accept", RECEIVED_ACCEPT),
        expect=acts(RECEIVED_SEEN, "van_thu_a"),
        success=PAGE_DONE,
    ),
    Endpoint(
        "documents:act",
        "POST",
        label="refuse",
        url=_act("refuse", RECEIVED_REFUSE),
        payload=lambda w: {"refuse-reason": "Văn bản gửi nhầm cơ quan"},
        expect=acts(RECEIVED_SEEN, "van_thu_a"),
        success=PAGE_DONE,
    ),
    Endpoint(
        "documents:act",
        "POST",
        label="present",
        url=_act("present", REGISTERED_PRESENT),
        payload=lambda w: {"present-leader": persona(w, "lanh_dao_a").pk},
        expect=acts(REGISTERED_SEEN, "van_thu_a"),
        success=PAGE_DONE,
    ),
    Endpoint(
        "documents:act",
        "POST",
        label="start",
        url=_act("start", ASSIGNED_START),
        payload=_assignment_field("start", ASSIGNED_START),
        expect=acts(ASSIGNED_SEEN, "chuyen_vien_a"),
        success=PAGE_DONE,
    ),
    # Who sees the document but holds no assignment must get 403 (the form of pass_on is built
    # from the poster's own assignment: without one it is shown again with an error, 200).
    Endpoint(
        "documents:act",
        "POST",
        label="pass_on",
        url=_act("pass_on", ASSIGNED_PASS_ON),
        payload=lambda w: {
            **_assignment_field("pass_on", ASSIGNED_PASS_ON)(w),
            "pass_on-to_user": colleague_a(w).pk,
            "pass_on-direction": "Đồng chí tiếp tục xử lý",
        },
        expect=acts(ASSIGNED_SEEN, "chuyen_vien_a"),
        success=PAGE_DONE,
    ),
    Endpoint(
        "documents:act",
        "POST",
        label="complete",
        url=_act("complete", IN_PROGRESS_COMPLETE),
        payload=_assignment_field(
            "complete", IN_PROGRESS_COMPLETE, **{"complete-result_note": "Đã tham mưu xử lý"}
        ),
        expect=acts(ASSIGNED_SEEN, "chuyen_vien_a"),
        success=PAGE_DONE,
    ),
    Endpoint(
        "documents:act",
        "POST",
        label="submit",
        url=_act("submit", DRAFT_SUBMIT),
        expect=acts(DRAFT_SEEN, "chuyen_vien_a"),
        success=PAGE_DONE,
    ),
    # The signer sees the draft before it is submitted but may not change it: 403, not the
    # state conflict (409) `outgoing_add_version` answers for every refusal.
    Endpoint(
        "documents:act",
        "POST",
        label="version",
        url=_act("version", DRAFT_VERSION),
        payload=lambda w: {"version-file": _pdf("du-thao-2.pdf"), "version-note": "Sửa số liệu"},
        expect=acts(DRAFT_SEEN, "chuyen_vien_a"),
        success=PAGE_DONE,
    ),
    Endpoint(
        "documents:act",
        "POST",
        label="approve",
        url=_act("approve", IN_REVIEW_APPROVE),
        payload=lambda w: {"approve-comment": "Đồng ý"},
        expect=acts(IN_REVIEW_SEEN, "lanh_dao_a"),
        success=PAGE_DONE,
    ),
    Endpoint(
        "documents:act",
        "POST",
        label="return",
        url=_act("return", IN_REVIEW_RETURN),
        payload=lambda w: {"return-comment": "Bổ sung số liệu quý IV"},
        expect=acts(IN_REVIEW_SEEN, "lanh_dao_a"),
        success=PAGE_DONE,
    ),
    Endpoint(
        "documents:act",
        "POST",
        label="comment",
        url=_act("comment", IN_REVIEW_COMMENT),
        payload=lambda w: {"comment-text": "Đề nghị rà soát lại căn cứ"},
        expect=acts(IN_REVIEW_SEEN, *IN_REVIEW_SEEN),
        success=PAGE_DONE,
    ),
    Endpoint(
        "documents:act",
        "POST",
        label="issue",
        url=_act("issue", APPROVED_ISSUE),
        expect=acts(APPROVED_SEEN, "van_thu_a"),
        success=PAGE_DONE,
    ),
    Endpoint(
        "documents:act",
        "POST",
        label="recall",
        url=_act("recall", ISSUED_RECALL),
        payload=lambda w: {"recall-reason": "Ban hành nhầm nơi nhận"},
        expect=acts(APPROVED_SEEN, "van_thu_a", "lanh_dao_a"),
        success=PAGE_DONE,
    ),
]

# --- API ----------------------------------------------------------------------------------------

API_ENDPOINTS: list[Endpoint] = [
    Endpoint("documents-incoming-list", "GET", expect=OFFICIALS),
    Endpoint(
        "documents-incoming-list",
        "POST",
        payload=_incoming_api,
        expect=CLERK_A,
        success=API_CREATED,
    ),
    Endpoint(
        "documents-incoming-detail",
        "GET",
        url=_api("documents-incoming-detail", assigned("api_detail")),
        expect=sees(*ASSIGNED_SEEN),
    ),
    Endpoint(
        "documents-incoming-detail",
        "GET",
        label="received",
        url=_api("documents-incoming-detail", received("api_detail")),
        expect=sees(*RECEIVED_SEEN),
    ),
    Endpoint(
        "documents-incoming-detail",
        "GET",
        label="agency B's copy",
        url=_api("documents-incoming-detail", copy_in_b("api_detail")),
        expect=sees(),
    ),
    Endpoint(
        "documents-incoming-accept",
        "POST",
        url=_api("documents-incoming-accept", received("api_accept")),
        expect=acts(RECEIVED_SEEN, "van_thu_a"),
        success=API_OK,
    ),
    Endpoint(
        "documents-incoming-refuse",
        "POST",
        url=_api("documents-incoming-refuse", received("api_refuse")),
        payload=lambda w: {"reason": "Văn bản gửi nhầm cơ quan"},
        expect=acts(RECEIVED_SEEN, "van_thu_a"),
        success=API_OK,
    ),
    Endpoint(
        "documents-incoming-present",
        "POST",
        url=_api("documents-incoming-present", registered("api_present")),
        payload=lambda w: {"leader": persona(w, "lanh_dao_a").pk},
        expect=acts(REGISTERED_SEEN, "van_thu_a"),
        success=API_OK,
    ),
    Endpoint(
        "documents-incoming-assign",
        "POST",
        url=_api("documents-incoming-assign", presented("api_assign")),
        payload=_assign_payload,
        expect=acts(REGISTERED_SEEN, "lanh_dao_a"),
        success=API_OK,
    ),
    Endpoint(
        "documents-incoming-process",
        "POST",
        url=_api("documents-incoming-process", assigned("api_process")),
        payload=lambda w: {"action": "start"},
        expect=acts(ASSIGNED_SEEN, "chuyen_vien_a"),
        success=API_OK,
    ),
    Endpoint("documents-outgoing-list", "GET", expect=OFFICIALS),
    Endpoint(
        "documents-outgoing-list",
        "POST",
        payload=_draft_api,
        expect=OFFICIALS,
        success=API_CREATED,
    ),
    Endpoint(
        "documents-outgoing-detail",
        "GET",
        url=_api("documents-outgoing-detail", draft("api_detail")),
        expect=sees(*DRAFT_SEEN),
    ),
    Endpoint(
        "documents-outgoing-detail",
        "GET",
        label="draft signed by another leader",
        url=_api(
            "documents-outgoing-detail", draft("api_detail_other_signer", signer=other_leader_a)
        ),
        expect=sees("chuyen_vien_a"),
    ),
    Endpoint(
        "documents-outgoing-detail",
        "GET",
        label="in review",
        url=_api("documents-outgoing-detail", submitted("api_detail")),
        expect=sees(*IN_REVIEW_SEEN),
    ),
    Endpoint(
        "documents-outgoing-detail",
        "GET",
        label="issued",
        url=_api("documents-outgoing-detail", issued("api_detail")),
        expect=sees(*APPROVED_SEEN),
    ),
    Endpoint(
        "documents-outgoing-submit",
        "POST",
        url=_api("documents-outgoing-submit", draft("api_submit")),
        expect=acts(DRAFT_SEEN, "chuyen_vien_a"),
        success=API_OK,
    ),
    Endpoint(
        "documents-outgoing-approve",
        "POST",
        url=_api("documents-outgoing-approve", submitted("api_approve")),
        payload=lambda w: {"comment": "Đồng ý"},
        expect=acts(IN_REVIEW_SEEN, "lanh_dao_a"),
        success=API_OK,
    ),
    Endpoint(
        "documents-outgoing-return",
        "POST",
        url=_api("documents-outgoing-return", submitted("api_return")),
        payload=lambda w: {"comment": "Bổ sung số liệu quý IV"},
        expect=acts(IN_REVIEW_SEEN, "lanh_dao_a"),
        success=API_OK,
    ),
    Endpoint(
        "documents-outgoing-issue",
        "POST",
        url=_api("documents-outgoing-issue", approved("api_issue")),
        expect=acts(APPROVED_SEEN, "van_thu_a"),
        success=API_OK,
    ),
    Endpoint(
        "documents-outgoing-recall",
        "POST",
        url=_api("documents-outgoing-recall", issued("api_recall")),
        payload=lambda w: {"reason": "Ban hành nhầm nơi nhận"},
        expect=acts(APPROVED_SEEN, "van_thu_a", "lanh_dao_a"),
        success=API_OK,
    ),
    # As the page's version action: the signer of a draft not yet submitted gets 403.
    Endpoint(
        "documents-outgoing-versions",
        "POST",
        url=_api("documents-outgoing-versions", draft("api_version")),
        payload=lambda w: {"file": upload(persona(w, "chuyen_vien_a"), "du-thao-2.pdf")},
        expect=acts(DRAFT_SEEN, "chuyen_vien_a"),
        success=API_CREATED,
    ),
    Endpoint(
        "documents-outgoing-comments",
        "POST",
        url=_api("documents-outgoing-comments", submitted("api_comment")),
        payload=lambda w: {"text": "Đề nghị rà soát lại căn cứ"},
        expect=acts(IN_REVIEW_SEEN, *IN_REVIEW_SEEN),
        success=API_CREATED,
    ),
    Endpoint(
        "documents-search",
        "GET",
        url=lambda w: reverse("documents-search") + "?q=kiem+tra",
        expect=OFFICIALS,
    ),
]

# --- A document's files (the documents' rule registered with tinhso.files) -----------------------


def _draft_file(w: World) -> str:
    d = submitted("file")(w)
    return reverse("files:download", args=[d.files.get(role=FileRole.DRAFT).file_id])


FILE_ENDPOINTS: list[Endpoint] = [
    # A draft under review is read by who sees it, not by every official of agency A (nor by
    # the provincial administrator, who does not see the document either).
    Endpoint(
        "files:download",
        "GET",
        label="a draft under review (documents' rule)",
        url=_draft_file,
        expect={**sees(*IN_REVIEW_SEEN), "citizen": NOT_FOUND},
    ),
]

ENDPOINTS: list[Endpoint] = [
    *PAGE_ENDPOINTS,
    *API_ENDPOINTS,
    *FILE_ENDPOINTS,
    *REGISTER_ENDPOINTS,
]
