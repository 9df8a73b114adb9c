"""What the interconnection tests do to the running installations: the e-office steps through
the REST API (/api/v1/documents/…), packages made and signed in the test process, and waits."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from typing import Any

from tinhso.exchange import edxml
from tinhso.testing.interconnect import (
    NODE_A,
    NODE_B,
    AgencySpec,
    Installation,
    padded_pdf,
    sign_envelope,
    wait_for,
)

SNV = NODE_A.agencies[0]  # installation A: Sở Nội vụ, 000.00.31.H57
COMMUNE = NODE_B.agencies[0]  # installation B: Ủy ban nhân dân xã Hải Lăng, H50.26.19
STC = NODE_B.agencies[1]  # installation B: Sở Tài chính, 000.00.13.H50

#: How long a test waits for something that crosses the hub (worker polls + a verification).
DELIVERY_TIMEOUT = 60.0


def official_pdf(title: str = "Về việc báo cáo biên chế năm 2026") -> bytes:
    """A one-page official letter (a real PDF with a text layer)."""
    from tinhso.signatures.tests.pdfs import official_document

    return official_document(pages=1)


def attachment_bytes(size: int = 4096) -> bytes:
    """A valid one-page PDF of about `size` bytes, distinct each call (random metadata)."""
    return padded_pdf(size)


def unique_subject(prefix: str = "Về việc thử nghiệm liên thông") -> str:
    return f"{prefix} {secrets.token_hex(3).upper()}"


# --- Outgoing at installation A ---------------------------------------------------------------


def issue_to(
    node: Installation,
    recipients: Sequence[AgencySpec | tuple[str, str]],
    *,
    subject: str | None = None,
    pdf: bytes | None = None,
    attachments: Sequence[tuple[str, bytes]] = (),
    drafter: str = "a.chuyenvien",
    signer: str = "a.giamdoc",
    clerk: str = "a.vanthu",
    doc_type: str = "CV",
) -> dict[str, Any]:
    """Draft (with the PDF as version 1 and the attachments), submit, approve, issue: the
    outgoing document's detail as the clerk sees it after issuing."""
    writer = node.api(drafter)
    main_id = writer.upload("cong-van.pdf", pdf if pdf is not None else official_pdf())
    attachment_ids = [writer.upload(name, data) for name, data in attachments]
    externals = [
        {"name": r.name, "code": r.code}
        if isinstance(r, AgencySpec)
        else {"name": r[1], "code": r[0]}
        for r in recipients
    ]
    draft = writer.post(
        "/api/v1/documents/outgoing/",
        {
            "type": doc_type,
            "subject": subject or unique_subject(),
            "signer": node.user_id(signer),
            "external_recipients": externals,
            "files": [main_id],
            "attachments": attachment_ids,
        },
        expect=201,
    )
    document_id = draft["id"]
    writer.post(f"/api/v1/documents/outgoing/{document_id}/submit/")
    leader = node.api(signer)
    detail = leader.get(f"/api/v1/documents/outgoing/{document_id}/")
    while detail["status"] == "in_review":
        detail = leader.post(f"/api/v1/documents/outgoing/{document_id}/approve/", {"comment": ""})
    assert detail["status"] == "approved", detail
    issued: dict[str, Any] = node.api(clerk).post(
        f"/api/v1/documents/outgoing/{document_id}/issue/", {}
    )
    assert issued["status"] == "issued", issued
    return issued


def outgoing(node: Installation, document_id: int, user: str = "a.vanthu") -> dict[str, Any]:
    detail: dict[str, Any] = node.api(user).get(f"/api/v1/documents/outgoing/{document_id}/")
    return detail


def recipient_states(node: Installation, document_id: int) -> dict[str, str]:
    """{recipient code: state} of an outgoing document, as its detail shows them."""
    return {r["code"]: r["state"] for r in outgoing(node, document_id)["recipients"]}


def wait_states(
    node: Installation,
    document_id: int,
    wanted: dict[str, str | Sequence[str]],
    *,
    timeout: float = DELIVERY_TIMEOUT,
) -> dict[str, str]:
    """Wait until each recipient (by code) is in the state wanted (or one of them)."""
    seen: dict[str, str] = {}

    def reached() -> bool:
        seen.update(recipient_states(node, document_id))
        for code, state in wanted.items():
            allowed = (state,) if isinstance(state, str) else tuple(state)
            if seen.get(code) not in allowed:
                return False
        return True

    wait_for(
        reached,
        timeout=timeout,
        interval=0.25,
        message=lambda: f"recipient states {wanted} of outgoing {document_id}; last {seen}",
    )
    return seen


# --- Incoming at installation B ---------------------------------------------------------------


def incoming_with_subject(node: Installation, clerk: str, subject: str) -> list[dict[str, Any]]:
    """The clerk's incoming documents whose subject is `subject` (the full rows)."""
    page = node.api(clerk).get("/api/v1/documents/incoming/?" + _query({"q": subject}), expect=200)
    return [row for row in page["results"] if row["subject"] == subject]


def wait_incoming(
    node: Installation, clerk: str, subject: str, *, timeout: float = DELIVERY_TIMEOUT
) -> dict[str, Any]:
    """Wait for the one incoming document with this subject in the clerk's view; its detail."""
    rows = wait_for(
        lambda: incoming_with_subject(node, clerk, subject),
        timeout=timeout,
        interval=0.25,
        message=f"an incoming document {subject!r} for {clerk}",
    )
    assert len(rows) == 1, rows
    detail: dict[str, Any] = node.api(clerk).get(f"/api/v1/documents/incoming/{rows[0]['id']}/")
    return detail


def _query(params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


# --- Counting what arrived (straight from the databases) ----------------------------------------


def received_document_ids(node: Installation, document_ids: Sequence[str]) -> dict[str, int]:
    """How many incoming documents each DocumentId became at `node` (per recipient agency
    rows are summed): the exactly-once check reads this."""
    counts = dict.fromkeys(document_ids, 0)
    rows = node.sql(
        "SELECT r.edxml_document_id, count(*) FROM exchange_receivedpackage r "
        "JOIN documents_document d ON d.id = r.document_id "
        "WHERE r.message_type = 'edoc' AND d.direction = 'incoming' "
        "GROUP BY r.edxml_document_id"
    )
    for document_id, count in rows:
        if document_id in counts:
            counts[document_id] = int(count)
    return counts


# --- Packages made by hand ----------------------------------------------------------------------


def document_package(
    sender: AgencySpec,
    recipients: Sequence[tuple[str, str]],
    *,
    subject: str,
    number: str | None = None,
    attachment: bytes = b"",
    today: dt.date | None = None,
) -> edxml.DocumentPackage:
    """A công văn package from `sender` to (code, name) recipients, with one PDF attachment."""
    return edxml.DocumentPackage(
        sender=edxml.Organ(organ_id=sender.code, name=sender.name),
        recipients=tuple(edxml.Organ(organ_id=code, name=name) for code, name in recipients),
        code_number=number or str(secrets.randbelow(10**6) + 1),
        code_notation=f"{sender.short_name}-TCBC",
        promulgation_place="Huế",
        promulgation_date=today or dt.date.today(),
        type_code=1,
        type_detail=0,
        type_name="Công văn",
        subject=subject,
        content="",
        signer_position="Giám đốc",
        signer_name="Hoàng Thị Thanh Tâm",
        attachments=(
            edxml.Attachment(
                name="cong-van.pdf",
                content_type="application/pdf",
                data=attachment or attachment_bytes(),
            ),
        ),
    )


def signed_package(pki: Any, package: edxml.DocumentPackage) -> bytes:
    """The package built and signed with its sender's seal key on the test PKI's token."""
    return sign_envelope(pki, f"agency:{package.sender.organ_id}", edxml.build(package))


def flip_one_byte(data: bytes, marker: bytes) -> bytes:
    """`data` with the last byte of the first occurrence of `marker` changed (an ASCII letter
    for another: the XML stays well-formed, only the signed content differs)."""
    at = data.index(marker) + len(marker) - 1
    replacement = b"Q" if data[at : at + 1] != b"Q" else b"R"
    changed = data[:at] + replacement + data[at + 1 :]
    assert sum(x != y for x, y in zip(data, changed, strict=True)) == 1
    return changed


def eventually(
    check: Callable[[], bool],
    what: str,
    timeout: float = DELIVERY_TIMEOUT,
    interval: float = 0.25,
) -> None:
    wait_for(check, timeout=timeout, interval=interval, message=what)
