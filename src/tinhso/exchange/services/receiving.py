"""Receiving from the hub: list the inbox, fetch each delivery, verify it, store it and place it
in the clerk's queue, tell the sender, acknowledge (decision 0005 §4).

For each delivery:

1. not yet stored (the hub's delivery id)? Otherwise it was handled before a crash or a lost
   acknowledgement: acknowledge it again, nothing else;
2. outside any transaction (no lock is held while XML and PDFs are checked): parse it; check
   the envelope's XML signature against the installation's trust list (the certificate must be
   the From agency's); check the PAdES signatures of its PDFs (`expected_agency_code` = From);
   the To agency must be one of this installation's;
3. in ONE transaction: the package and its files stored, the incoming document created in the
   clerk's queue (`received`) with status 01 for the sender, or — verification failed — the
   refusal recorded with status 02 and the reasons, no document; a status package moves the
   recipient's state of our document; a revoke waits for the clerk's answer;
4. after the commit, the acknowledgement: `done` (a refused package did reach us, and the
   sender learns why through status 02), or `fail` with the reason when the package is not
   for this installation (no agency of ours can sign a 02 for it).

Nghị định 30/2020, Điều 21 (receive, check, refuse and notify); vn-eoffice.md §2.4 and §5.
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tinhso.audit.services import audit_record
from tinhso.documents.models import (
    Direction,
    Document,
    DocumentFile,
    DocumentStatus,
    ExchangeOutbox,
    FileRole,
    Recipient,
    RecipientState,
    Source,
)
from tinhso.documents.services.common import activity, lock_document, reindex, search_text
from tinhso.exchange import edxml, kept, mapping, states
from tinhso.exchange.client import (
    TAKE_MAX,
    AckItem,
    AckStatus,
    HubClient,
    HubFault,
    HubUnavailable,
    InboxItem,
    TakenItem,
)
from tinhso.exchange.locks import lock_document_id
from tinhso.exchange.models import MessageType, ReceivedPackage, Verdict
from tinhso.exchange.storage import UnsafeFile, content_type_of, store_received
from tinhso.organizations.models import Agency

logger = logging.getLogger(__name__)

SYSTEM_ACTOR: Final = "system:exchange"
PDF: Final = "application/pdf"
BUSINESS_REVOKE, BUSINESS_UPDATE, BUSINESS_REPLACE = 1, 2, 3

#: Received status codes → the recipient's state of our document.
STATUS_STATES: Final[dict[str, str]] = {
    "01": RecipientState.ARRIVED,
    "02": RecipientState.REFUSED,
    "03": RecipientState.REGISTERED,
    "04": RecipientState.ASSIGNED,
    "05": RecipientState.PROCESSING,
    "06": RecipientState.COMPLETED,
    "15": RecipientState.RECALL_AGREED,
    "16": RecipientState.RECALL_REFUSED,
}


@dataclass
class ReceiveReport:
    accepted: int = 0
    refused: int = 0
    duplicate: int = 0
    unmatched: int = 0
    misdirected: int = 0
    again: int = 0  # stored before, acknowledged again
    errors: int = 0

    def add(self, verdict: str) -> None:
        setattr(self, verdict, getattr(self, verdict) + 1)

    @property
    def handled(self) -> int:
        return (
            self.accepted
            + self.refused
            + self.duplicate
            + self.unmatched
            + self.misdirected
            + self.again
        )


@dataclass(frozen=True)
class Outcome:
    """What became of a delivery and how to acknowledge it."""

    verdict: str
    ack: AckStatus
    reason: str = ""
    received_id: int | None = None
    document_id: int | None = None


def _ack_of(row: ReceivedPackage) -> tuple[AckStatus, str]:
    if row.verdict == Verdict.MISDIRECTED or (
        row.verdict == Verdict.REFUSED and row.message_type == MessageType.STATUS
    ):
        return "fail", "; ".join(str(r.get("message", "")) for r in row.reasons)[:2000]
    return "done", ""


# --- The round ------------------------------------------------------------------------------


def inbox_pull(
    client: HubClient,
    *,
    now: dt.datetime | None = None,
    limit: int | None = None,
    stop: Callable[[], bool] | None = None,
) -> ReceiveReport:
    """One pass over the inbox: documents first, then statuses (a revoke may follow its
    document in the same pass). A hub that stops answering ends the pass (`HubUnavailable`
    propagates: the caller sleeps and comes back); `stop()` true ends it after the delivery
    at hand. A delivery that cannot be handled is left unacknowledged: the hub offers it again
    and, after its attempts, parks it for its operator.

    Deliveries are taken in batches with their packages and acknowledged together after each
    package's own transaction committed (decision 0005 §5); a hub (or another axis's client)
    without the batch calls is read one delivery at a time (§3)."""
    report = ReceiveReport()
    batch = limit or int(settings.TINHSO_EXCHANGE_PULL_BATCH)
    for message_type in (MessageType.EDOC, MessageType.STATUS):
        if stop is not None and stop():
            return report
        taken = _take(client, str(message_type), batch)
        if taken is None:
            _pull_one_by_one(client, str(message_type), batch, report, now=now, stop=stop)
        else:
            _receive_taken(client, taken, report, now=now, stop=stop)
    return report


#: Clients whose hub answered 404 to `inbox/take`: read one by one from then on.
_WITHOUT_TAKE: weakref.WeakSet[Any] = weakref.WeakSet()


def _take(client: HubClient, message_type: str, limit: int) -> list[TakenItem] | None:
    """The batch of deliveries, or None when the client or its hub has no batch call."""
    take = getattr(client, "take", None)
    if take is None or client in _WITHOUT_TAKE:
        return None
    try:
        items: list[TakenItem] = take(message_type, min(limit, TAKE_MAX))
    except HubFault as exc:
        if exc.status in (404, 405, 501):
            # A hub from before the batch calls (decision 0005 §5): the single calls remain.
            logger.info("exchange.take_unsupported", extra={"status": exc.status})
            _WITHOUT_TAKE.add(client)
            return None
        raise
    except NotImplementedError:
        _WITHOUT_TAKE.add(client)
        return None
    return items


def _receive_taken(
    client: HubClient,
    taken: list[TakenItem],
    report: ReceiveReport,
    *,
    now: dt.datetime | None,
    stop: Callable[[], bool] | None,
) -> None:
    """Receive a taken batch, each package in its own transaction, then acknowledge what was
    committed in one call. A lost acknowledgement costs nothing: the hub offers the deliveries
    again after their lease, and the delivery id (stored with each) makes the next pass
    acknowledge them again without receiving them twice."""
    acks: list[AckItem] = []
    known = {
        row.hub_id: row
        for row in ReceivedPackage.objects.filter(hub_id__in=[item.id for item in taken]).only(
            "hub_id", "verdict", "message_type", "reasons", "document_id"
        )
    }
    for item in taken:
        if stop is not None and stop():
            break  # the rest stays leased and comes back after the lease
        before = known.get(item.id)
        if before is not None:
            ack, reason = _ack_of(before)
            acks.append(AckItem(item.id, ack, reason))
            report.add("again")
            continue
        try:
            outcome = package_receive(data=item.body, item=item, now=now)
        except Exception:
            logger.exception("exchange.receive_failed", extra={"delivery": item.id})
            report.errors += 1
            continue
        acks.append(AckItem(item.id, outcome.ack, outcome.reason))
        report.add(outcome.verdict)
    if not acks:
        return
    ack_many = getattr(client, "ack_many", None)
    try:
        if ack_many is None:
            for a in acks:
                client.ack(a.id, status=a.status, reason=a.reason)
            return
        for result in ack_many(acks):
            if result.fault:
                logger.warning(
                    "exchange.ack_refused", extra={"delivery": result.id, "fault": result.fault}
                )
    except (HubUnavailable, HubFault) as exc:
        # Stored and committed: the hub offers them again after their lease and the next
        # pass acknowledges them without receiving them twice.
        logger.info("exchange.ack_later", extra={"deliveries": len(acks), "error": str(exc)})


def _pull_one_by_one(
    client: HubClient,
    message_type: str,
    batch: int,
    report: ReceiveReport,
    *,
    now: dt.datetime | None,
    stop: Callable[[], bool] | None,
) -> None:
    """List, fetch and acknowledge each delivery (the single calls of §3)."""
    for item in client.inbox(message_type=message_type, limit=batch):
        if stop is not None and stop():
            return
        try:
            outcome = delivery_receive(client, item, now=now)
        except HubUnavailable:
            raise
        except HubFault as exc:
            # The delivery went away (redelivered, dead): the next listing says more.
            logger.warning("exchange.fetch_refused", extra={"delivery": item.id, "fault": exc.code})
            report.errors += 1
            continue
        except Exception:
            logger.exception("exchange.receive_failed", extra={"delivery": item.id})
            report.errors += 1
            continue
        report.add(outcome.verdict)


def delivery_receive(
    client: HubClient, item: InboxItem, *, now: dt.datetime | None = None
) -> Outcome:
    """Fetch, receive and acknowledge one delivery (the acknowledgement after the commit)."""
    known = ReceivedPackage.objects.filter(hub_id=item.id).first()
    if known is not None:
        ack, reason = _ack_of(known)
        client.ack(item.id, status=ack, reason=reason)
        return Outcome("again", ack, reason, known.pk, known.document_id)
    data = client.fetch(item.id)
    outcome = package_receive(data=data, item=item, now=now)
    try:
        client.ack(item.id, status=outcome.ack, reason=outcome.reason)
    except HubUnavailable:
        # Stored and committed: the hub offers it again after its lease and the next pass
        # acknowledges it without receiving it twice.
        logger.info("exchange.ack_later", extra={"delivery": item.id})
    return outcome


# --- Verification (no transaction) ----------------------------------------------------------


def _reason(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value or "").strip()


def _normalise_code(code: str | None) -> str:
    return (code or "").strip().upper()


@dataclass
class _Checked:
    """What verification found, before anything is written."""

    item: InboxItem
    data: bytes
    moment: dt.datetime
    parsed: edxml.Parsed | None = None
    agency: Agency | None = None
    to_code: str = ""
    reasons: list[dict[str, str]] = field(default_factory=list)
    signature: dict[str, Any] = field(default_factory=dict)
    files: list[tuple[edxml.Attachment, str]] = field(default_factory=list)
    misdirected: bool = False
    _roots: tuple[bytes, ...] | None = None

    @property
    def roots(self) -> tuple[bytes, ...]:
        """The trust list at the package's moment (read once per package)."""
        if self._roots is None:
            self._roots = kept.trust_roots_der(self.moment)
        return self._roots

    @property
    def package(self) -> edxml.Package | None:
        return self.parsed.package if self.parsed is not None else None

    @property
    def message_type(self) -> str:
        if self.parsed is not None:
            return MessageType.STATUS if self.parsed.kind == "status" else MessageType.EDOC
        return MessageType.STATUS if self.item.message_type == "status" else MessageType.EDOC

    @property
    def from_code(self) -> str:
        pkg = self.package
        return pkg.sender.organ_id if pkg is not None else self.item.from_code

    @property
    def from_name(self) -> str:
        pkg = self.package
        return pkg.sender.name if pkg is not None else ""


def _limits() -> edxml.Limits:
    return edxml.Limits(
        max_package_bytes=int(settings.TINHSO_EDXML_MAX_PACKAGE_BYTES),
        max_attachment_bytes=int(settings.TINHSO_EDXML_MAX_ATTACHMENT_BYTES),
    )


def _our_agency(codes: Sequence[str]) -> Agency | None:
    for code in codes:
        found = kept.agency_by_code(code)
        if found is not None:
            return found
    return None


def check_package(data: bytes, item: InboxItem, *, now: dt.datetime) -> _Checked:
    """Parse and verify a delivery; reasons collect every failure (Vietnamese)."""
    checked = _Checked(item=item, data=data, moment=now)
    try:
        checked.parsed = edxml.parse(data, limits=_limits())
    except edxml.EdxmlRefused as exc:
        checked.reasons.append(_reason(exc.code, _("Gói tin không đọc được: %s") % exc))
    pkg = checked.package
    # The delivery is for one recipient: the hub says which; the package's To list must name it.
    candidates = [item.to_code] if item.to_code else []
    if pkg is not None and not item.to_code:
        candidates += [o.organ_id for o in pkg.recipients]
    checked.to_code = _normalise_code(candidates[0]) if candidates else ""
    checked.agency = _our_agency(candidates)
    if checked.agency is None:
        checked.misdirected = True
        checked.reasons.append(
            _reason(
                "not_our_agency",
                _("Cơ quan nhận %(code)s không thuộc hệ thống nhận gói tin này.")
                % {"code": checked.to_code or "?"},
            )
        )
        return checked
    if pkg is None:
        return checked
    if (
        isinstance(pkg, edxml.DocumentPackage)
        and pkg.recipients
        and checked.to_code not in {_normalise_code(o.organ_id) for o in pkg.recipients}
    ):
        checked.reasons.append(
            _reason(
                "not_addressed",
                _("Gói tin không ghi %(code)s trong danh sách nơi nhận (To).")
                % {"code": checked.to_code},
            )
        )
    _check_envelope(checked)
    if isinstance(pkg, edxml.DocumentPackage):
        _check_files(checked, pkg)
    return checked


def _check_envelope(checked: _Checked) -> None:
    """The envelope's XML signature: valid, chained to the trust list, the From agency's."""
    check = edxml.verify(
        checked.data,
        trust_roots=checked.roots,
        at=checked.moment,
        accept_sha1=bool(settings.TINHSO_EDXML_ACCEPT_SHA1),
    )
    checked.signature = {
        "present": check.present,
        "valid": check.valid,
        "agency_code": check.agency_code,
        "reasons": [p.text for p in check.reasons],
    }
    if not check.valid:
        details = "; ".join(p.text for p in check.reasons) or _("chữ ký không hợp lệ")
        checked.reasons.append(
            _reason(
                "envelope_signature",
                _("Chữ ký số của gói tin không hợp lệ: %(details)s") % {"details": details},
            )
        )
        return
    sender = _normalise_code(checked.from_code)
    if _normalise_code(check.agency_code) != sender:
        checked.reasons.append(
            _reason(
                "signer_not_sender",
                _(
                    "Chữ ký số của gói tin không phải của cơ quan gửi %(sender)s (chứng thư ghi "
                    "mã %(code)s)."
                )
                % {"sender": sender, "code": check.agency_code or "—"},
            )
        )


def _verify_pdfs() -> bool:
    return bool(getattr(settings, "TINHSO_EXCHANGE_VERIFY_PDF", True))


def _check_files(checked: _Checked, pkg: edxml.DocumentPackage) -> None:
    """Each file's type read from its content; every PDF's signatures checked (the first PDF,
    the document itself, must be signed and valid; a signed appendix must be valid too)."""
    from tinhso.signatures.sandbox import validate_pdf_isolated
    from tinhso.signatures.validation import PdfRefused

    main_seen = False
    roots = checked.roots
    for attachment in pkg.attachments:
        try:
            kind = content_type_of(attachment.data)
        except UnsafeFile:
            checked.reasons.append(
                _reason(
                    "unsafe_file",
                    _(
                        "Tệp “%(name)s” bị hỏng hoặc có nội dung không an toàn (macro, tệp nén bất thường)."
                    )
                    % {"name": attachment.name},
                )
            )
            continue
        checked.files.append((attachment, kind))
        if kind != PDF:
            continue
        is_main = not main_seen
        main_seen = True
        if not _verify_pdfs():
            continue
        try:
            result = validate_pdf_isolated(
                attachment.data,
                trust_roots=roots,
                at=checked.moment,
                expected_agency_code=checked.from_code or None,
            )
        except PdfRefused as exc:
            checked.reasons.append(_reason("pdf_refused", f"{attachment.name}: {exc.message}"))
            continue
        if result.verdict == "valid" or (result.verdict == "unsigned" and not is_main):
            continue
        if result.verdict == "unsigned":
            message = _("Văn bản “%(name)s” không có chữ ký số.") % {"name": attachment.name}
        else:
            why = [r.message for r in result.reasons] + [
                r.message for s in result.signatures for r in s.reasons if s.verdict != "valid"
            ]
            message = _("Chữ ký số trên tệp “%(name)s” không hợp lệ: %(why)s") % {
                "name": attachment.name,
                "why": "; ".join(dict.fromkeys(why)) or result.verdict,
            }
        checked.reasons.append(_reason("pdf_signature", message))
    if not main_seen:
        checked.reasons.append(
            _reason(
                "no_pdf",
                _("Gói tin không có văn bản điện tử (tệp PDF có chữ ký số) kèm theo."),
            )
        )


# --- Recording (one transaction) ------------------------------------------------------------


def package_receive(*, data: bytes, item: InboxItem, now: dt.datetime | None = None) -> Outcome:
    """Verify, then record one delivery in one transaction (idempotent on `item.id`).

    What is stored (refusal reasons, the 02 sent back) is written in the installation's
    language, whatever language the calling thread last served a page in.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _package_receive(data=data, item=item, now=now)


def _package_receive(*, data: bytes, item: InboxItem, now: dt.datetime | None) -> Outcome:
    moment = now or timezone.now()
    checked = check_package(data, item, now=moment)
    uploader = kept.exchange_user()
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                if ReceivedPackage.objects.filter(hub_id=item.id).exists():
                    raise _AlreadyStored
                return _record(checked, uploader)
        except (_AlreadyStored, IntegrityError):
            # Another worker stored this delivery, or the same document under another
            # delivery, at the same moment: read what it stored, or record a duplicate.
            known = ReceivedPackage.objects.filter(hub_id=item.id).first()
            if known is not None:
                ack, reason = _ack_of(known)
                return Outcome("again", ack, reason, known.pk, known.document_id)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


class _AlreadyStored(Exception):
    pass


def _base_row(checked: _Checked, verdict: str, package_file: Any) -> ReceivedPackage:
    pkg = checked.package
    row = ReceivedPackage(
        hub_id=checked.item.id,
        message_type=checked.message_type,
        agency=checked.agency,
        from_code=checked.from_code[:35],
        from_name=_nfc(checked.from_name)[:255],
        to_code=checked.to_code[:35],
        verdict=verdict,
        reasons=checked.reasons,
        warnings=[
            {"code": w.code, "field": w.field, "message": w.text}
            for w in (checked.parsed.warnings if checked.parsed is not None else [])
        ],
        signature=checked.signature,
        package=package_file,
        sent_at=checked.item.created_at,
        received_at=checked.moment,
        edxml_document_id=checked.item.document_id[:255],
    )
    if isinstance(pkg, edxml.DocumentPackage):
        row.edxml_document_id = pkg.document_id[:255]
        row.business_type = pkg.business.business_type
        row.reference = f"{pkg.code_number}/{pkg.code_notation}"[:50]
        row.subject = _nfc(pkg.subject)[:500]
        row.description = _nfc(pkg.business.reason)
    elif isinstance(pkg, edxml.StatusPackage):
        row.edxml_document_id = pkg.response_for.document_id[:255]
        row.status_code = pkg.status_code
        row.reference = pkg.response_for.code[:50]
        row.description = _nfc(pkg.description)
    return row


def _record(checked: _Checked, uploader: Any) -> Outcome:
    # The package itself belongs to no agency: it holds the document, whose files follow the
    # document's readers; left agency-wide, any official of the agency could read it.
    package_file = store_received(
        name=f"goi-tin-{checked.item.id}.edxml",
        data=checked.data,
        content_type="application/xml",
        agency_id=None,
        uploader=uploader,
    )
    if checked.misdirected:
        row = _base_row(checked, Verdict.MISDIRECTED, package_file)
        row.save(force_insert=True)
        _audit(row)
        ack, reason = _ack_of(row)
        return Outcome(row.verdict, ack, reason, row.pk)
    if checked.reasons:
        return _refuse(checked, package_file)
    pkg = checked.package
    assert pkg is not None and checked.agency is not None
    if isinstance(pkg, edxml.StatusPackage):
        if pkg.status_code == "13":
            return _revoke_request(checked, package_file, pkg.response_for.document_id)
        return _apply_status(checked, package_file, pkg)
    if pkg.business.business_type == BUSINESS_REVOKE:
        return _revoke_request(checked, package_file, pkg.business.document_id or pkg.document_id)
    return _create_document(checked, package_file, pkg, uploader)


def _audit(row: ReceivedPackage) -> None:
    audit_record(
        actor=SYSTEM_ACTOR,
        action=f"exchange.package.receive.{row.verdict}",
        obj=row,
        agency=row.agency_id,
        changes={
            "hub_id": row.hub_id,
            "message_type": row.message_type,
            "from": row.from_code,
            "to": row.to_code,
            "document_id": row.edxml_document_id,
            "status_code": row.status_code,
            "business_type": row.business_type,
            "document": row.document_id,
            "reasons": [r.get("code") for r in row.reasons],
        },
    )


def _refuse(checked: _Checked, package_file: Any) -> Outcome:
    """Verification failed: the refusal recorded; for a document, status 02 with the reasons
    goes back to the sender (Nghị định 30/2020, Điều 21.2b; vn-eoffice.md §5)."""
    row = _base_row(checked, Verdict.REFUSED, package_file)
    row.save(force_insert=True)
    if row.message_type == MessageType.EDOC and checked.from_code and checked.agency is not None:
        pkg = checked.package
        answered: dict[str, str | None]
        if isinstance(pkg, edxml.DocumentPackage):
            answered = {
                "organ_id": pkg.sender.organ_id,
                "code": f"{pkg.code_number}/{pkg.code_notation}",
                "promulgation_date": pkg.promulgation_date.isoformat(),
                "document_id": pkg.document_id,
            }
        else:
            split = edxml.split_document_id(checked.item.document_id)
            answered = {
                "organ_id": checked.from_code,
                "code": split[2] if split else "",
                "promulgation_date": split[1].isoformat() if split and split[1] else None,
                "document_id": checked.item.document_id,
            }
        ExchangeOutbox.objects.create(
            agency=checked.agency,
            kind=ExchangeOutbox.Kind.STATUS,
            status_code="02",
            to_code=checked.from_code[:35],
            description="; ".join(r["message"] for r in checked.reasons)[:2000],
            data={"response_for": answered, "to_name": checked.from_name[:255]},
            created_at=checked.moment,
        )
    _audit(row)
    ack, reason = _ack_of(row)
    return Outcome(row.verdict, ack, reason, row.pk)


def _files(checked: _Checked, d: Document, uploader: Any) -> None:
    rows = []
    main_done = False
    for attachment, kind in checked.files:
        stored = store_received(
            name=_nfc(attachment.name),
            data=attachment.data,
            content_type=kind,
            agency_id=d.agency_id,
            uploader=uploader,
        )
        role = FileRole.ATTACHMENT
        if kind == PDF and not main_done:
            role, main_done = FileRole.MAIN, True
        rows.append(DocumentFile(document=d, file=stored, role=role, added_by=uploader))
    DocumentFile.objects.bulk_create(rows, ignore_conflicts=True)


def _earlier_copy(agency: Agency, document_id: str) -> Document | None:
    if not document_id:
        return None
    return (
        Document.objects.filter(
            agency=agency,
            direction=Direction.INCOMING,
            source=Source.EXCHANGE,
            edxml_document_id=document_id,
        )
        .order_by("-id")
        .first()
    )


def _create_document(
    checked: _Checked, package_file: Any, pkg: edxml.DocumentPackage, uploader: Any
) -> Outcome:
    agency = checked.agency
    assert agency is not None
    business = pkg.business.business_type
    earlier = ReceivedPackage.objects.filter(
        message_type=MessageType.EDOC,
        verdict=Verdict.ACCEPTED,
        edxml_document_id=pkg.document_id[:255],
        to_code=checked.to_code,
        business_type=business,
    ).first()
    if earlier is not None:
        # The same document for the same recipient under another delivery: one document.
        row = _base_row(checked, Verdict.DUPLICATE, package_file)
        row.document_id = earlier.document_id
        row.save(force_insert=True)
        _audit(row)
        return Outcome(row.verdict, "done", "", row.pk, row.document_id)
    sender_code = _normalise_code(pkg.sender.organ_id)
    signer_position = " ".join(
        p for p in (_nfc(pkg.signer_competence), _nfc(pkg.signer_position)) if p
    )
    page_count = pkg.page_amount if pkg.page_amount and 0 < pkg.page_amount <= 10_000 else None
    d = Document(
        agency=agency,
        direction=Direction.INCOMING,
        status=DocumentStatus.RECEIVED,
        source=Source.EXCHANGE,
        doc_type=mapping.doc_type_from(pkg.type_name, pkg.type_code),
        number=_nfc(pkg.code_number)[:11],
        notation=_nfc(pkg.code_notation)[:30],
        issued_on=pkg.promulgation_date,
        subject=_nfc(pkg.subject)[:500] or _("(không có trích yếu)"),
        urgency=mapping.urgency_from(pkg.priority),
        page_count=page_count,
        issuer_name=(_nfc(pkg.sender.name) or sender_code)[:255],
        issuer_code=sender_code[:35],
        issuer_agency=kept.agency_by_code(sender_code),
        signer_name=_nfc(pkg.signer_name)[:150],
        signer_position=signer_position[:150],
        due_on=pkg.due_date,
        edxml_document_id=pkg.document_id[:255],
        created_by=uploader,
        created_at=checked.moment,
    )
    replaced = None
    if business in (BUSINESS_UPDATE, BUSINESS_REPLACE):
        replaced = _earlier_copy(agency, pkg.business.document_id)
        if replaced is not None:
            d.replaces = replaced
            d.amendment = "correct" if business == BUSINESS_UPDATE else "replace"
    for answered in pkg.response_for:
        ours = (
            Document.objects.filter(
                agency=agency,
                direction=Direction.OUTGOING,
                edxml_document_id=answered.document_id,
            )
            .only("pk")
            .first()
        )
        if answered.document_id and ours is not None:
            d.reply_to = ours
            break
    d.search_text = search_text(d)
    d.save(force_insert=True)
    _files(checked, d, uploader)
    # 01 đã đến: the history row writes the status package for the sender (common.activity).
    activity(
        d,
        "arrive",
        None,
        edxml_status="01",
        data={"hub_id": checked.item.id, "document_id": d.edxml_document_id},
        at=checked.moment,
    )
    if replaced is not None:
        locked = lock_document(replaced.pk)
        action = "corrected" if business == BUSINESS_UPDATE else "replaced"
        activity(
            locked, action, None, data={"by": d.pk, "reference": d.reference}, at=checked.moment
        )
    row = _base_row(checked, Verdict.ACCEPTED, package_file)
    row.document = d
    row.save(force_insert=True)
    _early_revokes(d, checked)
    _audit(row)
    reindex(d)
    return Outcome(row.verdict, "done", "", row.pk, d.pk)


def _early_revokes(d: Document, checked: _Checked) -> None:
    """A revoke that arrived before its document (packages travel apart) now finds it."""
    from tinhso.exchange.services.revoke import REVOKES

    early = list(
        ReceivedPackage.objects.select_for_update()
        .filter(
            REVOKES,
            verdict=Verdict.UNMATCHED,
            edxml_document_id=d.edxml_document_id,
            to_code=checked.to_code,
        )
        .order_by("received_at", "id")
    )
    for revoke in early:
        revoke.verdict = Verdict.ACCEPTED
        revoke.document = d
        revoke.reasons = []
        revoke.save(update_fields=["verdict", "document", "reasons"])
    if early:
        activity(
            d,
            "revoke_requested",
            None,
            note=early[-1].description,
            edxml_status="13",
            data={"hub_id": early[-1].hub_id},
            at=checked.moment,
        )


def _revoke_request(checked: _Checked, package_file: Any, document_id: str) -> Outcome:
    """The sender recalls a document (13, or a document package with Bussiness 1): our copy
    shows the request; the clerk agrees (15, the copy is recalled) or refuses (16)."""
    agency = checked.agency
    assert agency is not None
    target = _earlier_copy(agency, document_id)
    if target is None:
        checked.reasons.append(
            _reason("unknown_document", _("Không tìm thấy văn bản %(id)s.") % {"id": document_id})
        )
        row = _base_row(checked, Verdict.UNMATCHED, package_file)
        row.edxml_document_id = document_id[:255]  # the document it revokes, when it comes
        row.save(force_insert=True)
        _audit(row)
        return Outcome(row.verdict, "done", "", row.pk)
    d = lock_document(target.pk)
    row = _base_row(checked, Verdict.ACCEPTED, package_file)
    row.document = d
    row.edxml_document_id = document_id[:255]
    if d.status == DocumentStatus.RECALLED:
        row.answer = "15"  # already cancelled here: nothing for the clerk to answer
        row.answered_at = checked.moment
    row.save(force_insert=True)
    if not row.answer:
        activity(
            d,
            "revoke_requested",
            None,
            note=row.description,
            edxml_status="13",
            data={"hub_id": checked.item.id},
            at=checked.moment,
        )
    _audit(row)
    return Outcome(row.verdict, "done", "", row.pk, d.pk)


def _apply_status(checked: _Checked, package_file: Any, pkg: edxml.StatusPackage) -> Outcome:
    """A recipient's status about one of our documents: its state moves forwards only."""
    agency = checked.agency
    assert agency is not None
    answered = pkg.response_for.document_id
    sender = _normalise_code(pkg.sender.organ_id)
    # Our document is the receiving agency's, or the one the status names as its issuer.
    agency_ids = {agency.pk}
    named = kept.agency_by_code(pkg.response_for.organ_id)
    if named is not None:
        agency_ids.add(named.pk)
    ours = Document.objects.filter(
        direction=Direction.OUTGOING, edxml_document_id=answered, agency_id__in=agency_ids
    )
    found: int | None = None
    recipient_id: int | None = None
    if answered:
        pair = (
            Recipient.objects.filter(document__in=ours.values("pk"), is_internal=False, code=sender)
            .order_by("document_id", "pk")
            .values_list("document_id", "pk")
            .first()
        )
        if pair is not None:
            found, recipient_id = pair
        else:
            found = ours.order_by("pk").values_list("pk", flat=True).first()
    target = STATUS_STATES.get(pkg.status_code)
    if found is None or recipient_id is None or target is None:
        checked.reasons.append(
            _reason(
                "unknown_document",
                _("Không tìm thấy văn bản %(id)s gửi cho %(sender)s.")
                % {"id": answered or "?", "sender": sender},
            )
        )
        row = _base_row(checked, Verdict.UNMATCHED, package_file)
        row.document_id = found
        row.save(force_insert=True)
        _audit(row)
        return Outcome(row.verdict, "done", "", row.pk, found)
    # The document first (the services' lock order), its id only; the recipient's state in
    # one conditional UPDATE, forwards only.
    lock_document_id(found)
    reason = _nfc(pkg.description) if pkg.status_code in ("02", "16") else ""
    moved = states.advance_row(recipient_id, target, pkg.timestamp or checked.moment, reason)
    if moved and pkg.status_code in ("02", "15", "16"):
        # A decision of the recipient stays in the document's history with its reason.
        d = Document.objects.only("id", "agency_id", "source", "direction", "issuer_code").get(
            pk=found
        )
        r = Recipient.objects.only("id", "name", "state").get(pk=recipient_id)
        activity(
            d,
            "exchange_status",
            None,
            note=f"{r.name}: {r.get_state_display()}" + (f" — {reason}" if reason else ""),
            data={"recipient": r.pk, "status": pkg.status_code},
            at=checked.moment,
        )
    row = _base_row(checked, Verdict.ACCEPTED, package_file)
    row.document_id = found
    row.save(force_insert=True)
    _audit(row)
    return Outcome(row.verdict, "done", "", row.pk, found)
