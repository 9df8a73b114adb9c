"""/api/v1/documents/outgoing/: the issue's journey from draft to issue by API, versions
(the DOCX zip bomb among them), comments, return and resubmission, recall, refused input,
who sees drafts, and the list's query budget."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Model

from tinhso.audit.models import AuditEvent
from tinhso.documents import services
from tinhso.documents.models import (
    ApprovalStep,
    Comment,
    Document,
    DocumentFile,
    DocumentStatus,
    DraftVersion,
    Recipient,
)
from tinhso.testing.eoffice import EofficeWorld, docx_bomb_past_upload, upload

from .helpers import (
    COMMUNE_CLERK,
    COMMUNE_SPECIALIST,
    OUTGOING,
    api_upload,
    bearer,
    draft_body,
    ok,
    problem,
)

pytestmark = pytest.mark.django_db

ROWS: tuple[type[Model], ...] = (
    Document,
    DocumentFile,
    DraftVersion,
    Recipient,
    ApprovalStep,
    Comment,
    AuditEvent,
)


def counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in ROWS}


def test_the_issues_journey_draft_submit_approve_issue(eoffice: EofficeWorld) -> None:
    # given the specialist, the head who signs and the clerk, each with a bearer token
    specialist, head, clerk = (
        bearer(eoffice.specialist),
        bearer(eoffice.head),
        bearer(eoffice.clerk),
    )
    draft_file = api_upload(specialist, "du-thao.pdf")

    # when the specialist drafts with the issue's smallest body
    body = draft_body(eoffice.demo.ubnd.pk, eoffice.head.pk, draft_file)
    response = specialist.post(OUTGOING, body, format="json")
    drafted = ok(response, 201)
    url = f"{OUTGOING}{drafted['id']}/"
    # and submits, the head approves, the clerk issues
    submitted = ok(specialist.post(f"{url}submit/", {}, format="json"))
    approved = ok(head.post(f"{url}approve/", {"comment": "Đồng ý"}, format="json"))
    issued = ok(clerk.post(f"{url}issue/", {}, format="json"))

    # then the draft had its version, recipient and signer
    assert drafted["status"] == DocumentStatus.DRAFT
    assert (drafted["number"], drafted["notation"]) == ("", "")
    assert [(v["number"], v["file"]) for v in drafted["versions"]] == [(1, draft_file)]
    assert [(r["agency"], r["state"]) for r in drafted["recipients"]] == [
        (eoffice.demo.ubnd.pk, "pending")
    ]
    assert drafted["signer"] == {"id": eoffice.head.pk, "name": eoffice.head.full_name}
    assert response["Location"] == url
    # the review went to the head, who also signs: one step
    assert submitted["status"] == DocumentStatus.IN_REVIEW
    assert [
        (a["round"], a["order"], a["approver"]["id"], a["decision"]) for a in submitted["approvals"]
    ] == [(1, 1, eoffice.head.pk, "waiting")]
    assert approved["status"] == DocumentStatus.APPROVED
    assert approved["approvals"][0]["decision"] == "approved"
    assert approved["approvals"][0]["comment"] == "Đồng ý"
    # and the issued document has its number and notation, delivered at once
    assert issued["status"] == DocumentStatus.ISSUED
    assert (issued["number"], issued["notation"]) == ("01", "SNV-TCBC")
    assert issued["reference"] == "01/SNV-TCBC"
    assert issued["date"] is not None
    assert [r["state"] for r in issued["recipients"]] == ["01"]
    assert {f["role"] for f in issued["files"]} == {"draft", "issued"}


def test_numbers_run_01_02_across_issues(eoffice: EofficeWorld) -> None:
    clerk = bearer(eoffice.clerk)
    numbers = []
    for _ in range(2):
        d = eoffice.approved(doc_type="QĐ")
        numbers.append(ok(clerk.post(f"{OUTGOING}{d.pk}/issue/", {}, format="json"))["number"])
    assert numbers == ["01", "02"]
    second = Document.objects.get(number="02", agency=eoffice.snv, direction="outgoing")
    assert second.notation == "QĐ-SNV"


def test_return_and_resubmit(eoffice: EofficeWorld) -> None:
    # given a draft under review
    d = eoffice.submitted()
    head, specialist = bearer(eoffice.head), bearer(eoffice.specialist)
    url = f"{OUTGOING}{d.pk}/"

    # when the head returns it without a comment, then with one
    blank = problem(head.post(f"{url}return/", {}, format="json"), 400)
    returned = ok(head.post(f"{url}return/", {"comment": "Sửa lại căn cứ"}, format="json"))
    # and the specialist adds a version and submits again
    version = ok(
        specialist.post(
            f"{url}versions/", {"file": api_upload(specialist), "note": "Đã sửa"}, format="json"
        ),
        201,
    )
    again = ok(specialist.post(f"{url}submit/", {}, format="json"))

    # then the comment is required, the return shows, round 2 waits for the head
    assert blank["errors"] == {"comment": ["Cần ghi ý kiến khi trả lại dự thảo."]}
    assert returned["status"] == DocumentStatus.RETURNED
    assert [c["text"] for c in returned["comments"]] == ["Sửa lại căn cứ"]
    assert (version["number"], version["note"]) == (2, "Đã sửa")
    assert again["status"] == DocumentStatus.IN_REVIEW
    assert [(a["round"], a["decision"]) for a in again["approvals"]] == [
        (1, "returned"),
        (2, "waiting"),
    ]


def test_a_decision_out_of_turn_or_state(eoffice: EofficeWorld) -> None:
    # given a draft under review, the head's turn
    d = eoffice.submitted()
    url = f"{OUTGOING}{d.pk}/"

    # when the director (who sees it) approves, and the head approves twice
    director = problem(bearer(eoffice.director).post(f"{url}approve/", {}, format="json"), 403)
    ok(bearer(eoffice.head).post(f"{url}approve/", {}, format="json"))
    twice = problem(bearer(eoffice.head).post(f"{url}approve/", {}, format="json"), 409)

    # then 403 says whose turn it is not, 409 that it is past review
    assert director["detail"] == "Chưa đến lượt bạn duyệt văn bản này."
    assert twice["detail"] == "Văn bản không ở bước trình duyệt."
    assert twice["code"] == "illegal_transition"


def test_recall(eoffice: EofficeWorld) -> None:
    # given an issued document delivered to the People's Committee
    d = eoffice.issued()
    clerk = bearer(eoffice.clerk)
    url = f"{OUTGOING}{d.pk}/recall/"

    # when recalled without, then with a reason
    blank = problem(clerk.post(url, {}, format="json"), 400)
    body = ok(clerk.post(url, {"reason": "Ban hành sai thẩm quyền"}, format="json"))

    # then
    assert blank["errors"] == {"reason": ["Cần ghi lý do thu hồi văn bản."]}
    assert body["status"] == DocumentStatus.RECALLED
    assert body["recall_reason"] == "Ban hành sai thẩm quyền"
    assert [r["state"] for r in body["recipients"]] == ["recalled"]
    assert Document.objects.get(origin=d).status == DocumentStatus.RECALLED
    # and a second recall is a conflict
    assert problem(clerk.post(url, {"reason": "Lần nữa"}, format="json"), 409)


def test_comments(eoffice: EofficeWorld) -> None:
    # given a draft under review and another draft's version
    d = eoffice.submitted()
    other = eoffice.draft()
    foreign_version = other.versions.get().pk
    own_version = d.versions.get().pk
    head = bearer(eoffice.head)
    url = f"{OUTGOING}{d.pk}/comments/"

    # when the head comments on a version, sends nothing, names another draft's version
    body = ok(
        head.post(url, {"text": "Bổ sung căn cứ", "version": own_version}, format="json"), 201
    )
    empty = problem(head.post(url, {"text": " "}, format="json"), 400)
    foreign = problem(
        head.post(url, {"text": "Góp ý", "version": foreign_version}, format="json"), 400
    )

    # then
    assert (body["text"], body["version"], body["author"]["id"]) == (
        "Bổ sung căn cứ",
        own_version,
        eoffice.head.pk,
    )
    assert empty["errors"] == {"text": ["Chưa nhập nội dung góp ý."]}
    assert foreign["errors"] == {"version": ["Phiên bản không thuộc dự thảo này."]}
    assert Comment.objects.filter(document=d).count() == 1


def test_issuing_with_a_file_that_is_not_a_pdf(eoffice: EofficeWorld) -> None:
    d = eoffice.approved()
    clerk = bearer(eoffice.clerk)
    png = api_upload(clerk, "anh.png", _png())
    response = clerk.post(f"{OUTGOING}{d.pk}/issue/", {"file": png}, format="json")
    assert problem(response, 400)["errors"] == {"file": ["Văn bản phát hành phải là tệp PDF."]}
    d.refresh_from_db()
    assert (d.status, d.number) == (DocumentStatus.APPROVED, "")


def _png() -> bytes:
    from tinhso.files.tests import samples

    return samples.png()


# --- Refused input ----------------------------------------------------------------------------


def _bomb(w: EofficeWorld) -> dict[str, Any]:
    return {"files": [upload(w.specialist, "du-thao.docx", docx_bomb_past_upload())]}


BAD_DRAFTS = [
    pytest.param(
        lambda w: {"type": "XX"},
        "type",
        "Loại văn bản không có trong danh mục của Nghị định 30/2020.",
        id="unknown-type",
    ),
    pytest.param(
        lambda w: {"subject": "Về việc " * 80},
        "subject",
        "Trích yếu dài quá 500 ký tự.",
        id="subject-over-500",
    ),
    pytest.param(
        lambda w: {"files": [upload(w.commune_clerk, "cua-xa.pdf")]},
        "files",
        "bạn không được dùng tệp này.",
        id="file-of-another-agency",
    ),
    pytest.param(
        _bomb,
        "files",
        "giải nén ra quá lớn (nghi là tệp nén độc hại), không xử lý.",
        id="docx-zip-bomb",
    ),
    pytest.param(
        lambda w: {"signer": w.specialist.pk},
        "signer",
        "Người ký phải là lãnh đạo của cơ quan.",
        id="signer-not-a-leader",
    ),
    pytest.param(
        lambda w: {"recipients": [w.snv.pk]},
        "recipients",
        "Không gửi văn bản cho chính cơ quan mình.",
        id="sent-to-itself",
    ),
    pytest.param(
        lambda w: {"reply_to": Document.objects.get(origin__isnull=False).pk},
        "reply_to",
        "Không tìm thấy văn bản được trả lời.",
        id="reply-to-a-hidden-document",
    ),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_DRAFTS)
def test_a_bad_draft_is_400_with_the_fields_message_and_nothing_saved(
    eoffice: EofficeWorld, change: Any, field: str, message: str
) -> None:
    # given the specialist's client (and, for the hidden reply, a copy at the committee)
    if field == "reply_to":
        eoffice.issued()
    client = bearer(eoffice.specialist)
    body = draft_body(eoffice.demo.ubnd.pk, eoffice.head.pk, api_upload(client))
    body.update(change(eoffice))
    before = counts()

    # when the bad draft is sent
    response = client.post(OUTGOING, body, format="json")

    # then 400 names the field in Vietnamese, and nothing was written
    errors = problem(response, 400)["errors"]
    assert message in " ".join(errors[field]), errors
    assert counts() == before


def test_a_docx_zip_bomb_as_a_new_version_is_400_and_no_version_is_added(
    eoffice: EofficeWorld,
) -> None:
    # given a draft and a DOCX bomb that passed the upload's own check
    d = eoffice.draft()
    client = bearer(eoffice.specialist)
    bomb = api_upload(client, "du-thao-v2.docx", docx_bomb_past_upload())
    before = counts()

    # when it is sent as version 2
    response = client.post(
        f"{OUTGOING}{d.pk}/versions/", {"file": bomb, "note": "v2"}, format="json"
    )

    # then 400 on `file`, and the draft still has one version
    errors = problem(response, 400)["errors"]
    assert errors == {
        "file": [
            "Tệp “du-thao-v2.docx” giải nén ra quá lớn (nghi là tệp nén độc hại), không xử lý."
        ]
    }
    assert counts() == before
    assert list(d.versions.values_list("number", flat=True)) == [1]


# --- Who sees drafts --------------------------------------------------------------------------


def test_nobody_sees_another_agencys_drafts(eoffice: EofficeWorld) -> None:
    # given a draft of Sở Nội vụ, and one under review
    draft = eoffice.draft()
    reviewed = eoffice.submitted()

    def listed(username: str) -> set[int]:
        body = ok(bearer(eoffice.demo.user(username)).get(OUTGOING))
        return {row["id"] for row in body["results"]}

    # then the drafter's department sees both; the director only what was submitted; the
    # clerk neither (not approved yet); the commune nothing of Sở Nội vụ
    assert {draft.pk, reviewed.pk} <= listed("chuyenvien")
    assert {draft.pk, reviewed.pk} <= listed("lanhdao")
    assert listed("giamdoc.snv") == {reviewed.pk}
    assert listed("vanthu") == set()
    assert listed(COMMUNE_CLERK) == set()
    assert listed(COMMUNE_SPECIALIST) == set()


def test_the_list_keeps_its_query_budget(
    eoffice: EofficeWorld, api_client: Any, django_assert_max_num_queries: Any
) -> None:
    # given drafts in every state
    for _ in range(3):
        eoffice.draft()
        eoffice.submitted()
        eoffice.issued()
    api_client.force_authenticate(eoffice.head)

    # when the head lists them, the queries do not grow with the rows
    with django_assert_max_num_queries(3):
        response = api_client.get(OUTGOING, {"page_size": 100})

    # then all nine are there
    assert ok(response)["count"] == 9


def test_the_detail_keeps_its_query_budget(
    eoffice: EofficeWorld, api_client: Any, django_assert_max_num_queries: Any
) -> None:
    # given an issued document with versions, comments, recipients, steps and history
    d = eoffice.draft(
        recipients=(eoffice.demo.ubnd.pk, eoffice.demo.phu_xuan.pk),
        attachments=(upload(eoffice.specialist),),
    )
    for n in range(3):
        services.outgoing_add_version(
            actor=eoffice.specialist, document_id=d.pk, file_id=upload(eoffice.specialist)
        )
        services.outgoing_comment(actor=eoffice.head, document_id=d.pk, text=f"Góp ý {n}")
    services.outgoing_submit(actor=eoffice.specialist, document_id=d.pk)
    services.outgoing_approve(actor=eoffice.head, document_id=d.pk)
    services.outgoing_issue(actor=eoffice.clerk, document_id=d.pk)
    api_client.force_authenticate(eoffice.head)

    # when the head opens it, a fixed number of queries reads everything
    with django_assert_max_num_queries(11):
        body = ok(api_client.get(f"{OUTGOING}{d.pk}/"))

    # then all of it is there
    assert len(body["versions"]) == 4
    assert len(body["comments"]) == 3
    assert len(body["recipients"]) == 2
    assert len(body["approvals"]) == 1
    assert body["number"] == "01"


def test_a_draft_that_corrects_an_issued_document(eoffice: EofficeWorld) -> None:
    # given an issued document
    old = eoffice.issued()
    client = bearer(eoffice.specialist)
    body = draft_body(eoffice.demo.ubnd.pk, eoffice.head.pk, api_upload(client))

    # when a draft says it corrects it, and another names no known kind of amendment
    wrong = client.post(OUTGOING, {**body, "replaces": old.pk, "amendment": "sua"}, format="json")
    right = client.post(
        OUTGOING, {**body, "replaces": old.pk, "amendment": "correct"}, format="json"
    )

    # then
    assert problem(wrong, 400)["errors"] == {"amendment": ["“sua” không phải là lựa chọn hợp lệ."]}
    created = ok(right, 201)
    assert (created["replaces"], created["amendment"]) == (old.pk, "correct")
