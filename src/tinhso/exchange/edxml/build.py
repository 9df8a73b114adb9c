"""Writing an edXML package (QCVN 102:2016; layout of vn-eoffice.md §2.1).

The layout follows the packages the national axis exchanges: the root `edXML` declares the
namespace as default, `edXMLEnvelope` declares the `edXML:` prefix and every element inside the
envelope carries it (the VPCP's .NET XmlSerializer refuses children without it, vn-eoffice.md
§2.1). Attachments sit outside the envelope in `AttachmentEncoded/Attachment`, each file zipped
(one entry named after the file, as the VNPT SDK does) and base64-encoded on one line, with
ContentType application/zip in both the manifest and the attachment.

The output is deterministic: the same package gives the same bytes (zip entries carry a fixed
date), so a retry sends what was signed the first time.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import zipfile
import zlib
from collections.abc import Iterable

from tinhso.exchange.edxml.model import (
    NS,
    VN_TZ,
    Attachment,
    Business,
    DocumentPackage,
    EdxmlInvalid,
    Organ,
    Package,
    ResponseFor,
    Staff,
    StatusPackage,
    format_date,
)
from tinhso.exchange.edxml.validate import validate

__all__ = ["ZIP_CONTENT_TYPE", "build", "format_timestamp", "zip_attachment"]

ZIP_CONTENT_TYPE = "application/zip"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def build(pkg: Package) -> bytes:
    """The edXML bytes (UTF-8) of `pkg`; raises EdxmlInvalid when a field breaks a rule.

    An attachment without a content id gets "cid:{n}" (n counted from 1 in package order).
    """
    problems = validate(pkg)
    if problems:
        raise EdxmlInvalid(problems)
    w = _Writer()
    w.raw(_DECLARATION)
    w.raw(f'<edXML xmlns="{NS}">\n')
    w.raw(f'  <edXML:edXMLEnvelope xmlns:edXML="{NS}">\n')
    w.open("edXMLHeader", 2)
    w.open("MessageHeader", 3)
    content_ids: list[str] = []
    if isinstance(pkg, DocumentPackage):
        _document_header(w, pkg)
        w.close("MessageHeader", 3)
        _trace_list(w, pkg)
        w.close("edXMLHeader", 2)
        content_ids = [a.content_id or f"cid:{n}" for n, a in enumerate(pkg.attachments, 1)]
        w.open("edXMLBody", 2)
        w.raw('      <edXML:edXMLManifest version="1.0">\n')
        for attachment, content_id in zip(pkg.attachments, content_ids, strict=True):
            w.open("Reference", 4)
            w.leaf("ContentId", content_id, 5)
            w.leaf("ContentType", ZIP_CONTENT_TYPE, 5)
            w.leaf("Description", attachment.description, 5)
            w.leaf("AttachmentName", attachment.name, 5)
            w.close("Reference", 4)
        w.close("edXMLManifest", 3)
        w.close("edXMLBody", 2)
    else:
        _status_header(w, pkg)
        w.close("MessageHeader", 3)
        w.close("edXMLHeader", 2)
    w.close("edXMLEnvelope", 1)
    head = w.getvalue().encode("utf-8")
    if not isinstance(pkg, DocumentPackage) or not pkg.attachments:
        return head + b"</edXML>\n"
    parts = [head, b"  <AttachmentEncoded>\n"]
    for attachment, content_id in zip(pkg.attachments, content_ids, strict=True):
        # Outside the envelope the vendor files write the attachment's own fields in the
        # default namespace and only ContentTransferEncoded with the prefix; both are NS.
        parts.append(
            (
                "    <Attachment>\n"
                f"      <ContentId>{_escape(content_id)}</ContentId>\n"
                f"      <AttachmentName>{_escape(attachment.name)}</AttachmentName>\n"
                f"      <Description>{_escape(attachment.description)}</Description>\n"
                f"      <ContentType>{ZIP_CONTENT_TYPE}</ContentType>\n"
                f'      <edXML:ContentTransferEncoded xmlns:edXML="{NS}">'
            ).encode()
        )
        parts.append(base64.b64encode(zip_attachment(attachment)))
        parts.append(b"</edXML:ContentTransferEncoded>\n    </Attachment>\n")
    parts.append(b"  </AttachmentEncoded>\n</edXML>\n")
    return b"".join(parts)


#: Bytes of each of three slices (start, middle, end) deflated to judge a file's compressibility.
_SAMPLE_BYTES = 4096
#: Deflate only where the samples shrink to this share of their size or less.
_WORTH_DEFLATING = 0.9


def worth_deflating(data: bytes) -> bool:
    """Whether deflating `data` would shrink it noticeably, judged on three small slices.

    Most attachments are already compressed (PDF streams, DOCX and XLSX are zips, JPEG): deflate
    spends ~17 ms a megabyte on them to gain nothing. A file of a few slices is judged whole."""
    if len(data) <= 3 * _SAMPLE_BYTES:
        samples = [data]
    else:
        middle = len(data) // 2 - _SAMPLE_BYTES // 2
        samples = [
            data[:_SAMPLE_BYTES],
            data[middle : middle + _SAMPLE_BYTES],
            data[-_SAMPLE_BYTES:],
        ]
    size = sum(len(sample) for sample in samples)
    packed = sum(len(zlib.compress(sample, 1)) for sample in samples)
    return size > 0 and packed <= size * _WORTH_DEFLATING


def zip_attachment(attachment: Attachment) -> bytes:
    """A zip holding the attachment's file as its one entry, named after it: deflated, or
    stored when deflating would not shrink it (both are plain zip, read by every reader)."""
    data = bytes(attachment.data)
    info = zipfile.ZipInfo(attachment.name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED if worth_deflating(data) else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, data, compresslevel=6)
    return buffer.getvalue()


def format_timestamp(value: dt.datetime) -> str:
    """yyyy/MM/dd HH:mm:ss in Vietnam time (a naive value is taken as Vietnam time)."""
    if value.tzinfo is not None:
        value = value.astimezone(VN_TZ)
    return f"{format_date(value)} {value.hour:02d}:{value.minute:02d}:{value.second:02d}"


# --- Parts ----------------------------------------------------------------------------------


def _document_header(w: _Writer, pkg: DocumentPackage) -> None:
    """MessageHeader of a document, in the order of vn-eoffice.md §2.2."""
    _organ(w, "From", pkg.sender)
    for recipient in pkg.recipients:
        _organ(w, "To", recipient)
    w.leaf("DocumentId", pkg.document_id, 4)
    w.open("Code", 4)
    w.leaf("CodeNumber", pkg.code_number, 5)
    w.leaf("CodeNotation", pkg.code_notation, 5)
    w.close("Code", 4)
    w.open("PromulgationInfo", 4)
    w.leaf("Place", pkg.promulgation_place, 5)
    w.leaf("PromulgationDate", format_date(pkg.promulgation_date), 5)
    w.close("PromulgationInfo", 4)
    w.open("DocumentType", 4)
    w.leaf("Type", str(pkg.type_code), 5)
    w.leaf("TypeDetail", str(pkg.type_detail), 5)
    w.leaf("TypeName", pkg.type_name, 5)
    w.close("DocumentType", 4)
    w.leaf("Subject", pkg.subject, 4)
    w.leaf("Content", pkg.content, 4)
    w.open("SignerInfo", 4)
    w.leaf("Competence", pkg.signer_competence, 5)
    w.leaf("Position", pkg.signer_position, 5)
    w.leaf("FullName", pkg.signer_name, 5)
    w.close("SignerInfo", 4)
    w.leaf("DueDate", format_date(pkg.due_date) if pkg.due_date else "", 4)
    _list(w, "ToPlaces", "Place", pkg.to_places, 4)
    w.open("OtherInfo", 4)
    w.leaf("Priority", str(pkg.priority), 5)
    w.leaf("SphereOfPromulgation", pkg.sphere, 5)
    w.leaf("TyperNotation", pkg.typer_notation, 5)
    # Integers are left out when unknown: an empty element breaks XmlSerializer's int parsing.
    if pkg.promulgation_amount is not None:
        w.leaf("PromulgationAmount", str(pkg.promulgation_amount), 5)
    if pkg.page_amount is not None:
        w.leaf("PageAmount", str(pkg.page_amount), 5)
    _list(w, "Appendixes", "Appendix", pkg.appendixes, 5)
    w.close("OtherInfo", 4)
    for answered in pkg.response_for:
        _response_for(w, answered)
    if pkg.steering_type is not None:
        w.leaf("SteeringType", str(pkg.steering_type), 4)


def _trace_list(w: _Writer, pkg: DocumentPackage) -> None:
    w.open("TraceHeaderList", 3)
    for trace in pkg.traces:
        w.open("TraceHeader", 4)
        w.leaf("OrganId", trace.organ_id, 5)
        w.leaf("Timestamp", format_timestamp(trace.timestamp) if trace.timestamp else "", 5)
        w.close("TraceHeader", 4)
    _business(w, pkg.business)
    w.close("TraceHeaderList", 3)


def _business(w: _Writer, business: Business) -> None:
    """Bussiness (sic), in the order of the vendor samples (vn-eoffice.md §2.3)."""
    w.open("Bussiness", 4)
    w.leaf("DocumentId", business.document_id, 5)
    w.leaf("BussinessDocType", str(business.business_type), 5)
    w.leaf("BussinessDocReason", business.reason, 5)
    w.leaf("Paper", str(business.paper), 5)
    if business.business_type == 2 or business.receivers:
        # [I] DocumentInfo/DocumentReceiver read as flags "the document's data changed" and
        # "its recipients changed": the update sample sets both to 1 with a receiver list.
        w.open("BussinessDocumentInfo", 5)
        w.leaf("DocumentInfo", "1" if business.business_type == 2 else "0", 6)
        w.leaf("DocumentReceiver", "1" if business.receivers else "0", 6)
        if business.receivers:
            w.open("ReceiverList", 6)
            for receiver in business.receivers:
                w.open("Receiver", 7)
                w.leaf("OrganId", receiver.organ_id, 8)
                w.leaf("ReceiverType", str(receiver.receiver_type), 8)
                w.close("Receiver", 7)
            w.close("ReceiverList", 6)
        w.close("BussinessDocumentInfo", 5)
    if business.staff is not None:
        _staff(w, business.staff, 5)
    if business.replacements:
        w.open("ReplacementInfoList", 5)
        for replacement in business.replacements:
            w.open("ReplacementInfo", 6)
            w.leaf("DocumentId", replacement.document_id, 7)
            _list(w, "OrganIdList", "OrganId", replacement.organ_ids, 7)
            w.close("ReplacementInfo", 6)
        w.close("ReplacementInfoList", 5)
    w.close("Bussiness", 4)


def _status_header(w: _Writer, pkg: StatusPackage) -> None:
    """MessageHeader of a status package (vn-eoffice.md §2.4)."""
    _organ(w, "From", pkg.sender)
    for recipient in pkg.recipients:
        _organ(w, "To", recipient)
    _response_for(w, pkg.response_for)
    _staff(w, pkg.staff, 4)
    w.leaf("StatusCode", pkg.status_code, 4)
    w.leaf("Description", pkg.description, 4)
    w.leaf("Timestamp", format_timestamp(pkg.timestamp) if pkg.timestamp else "", 4)


def _organ(w: _Writer, tag: str, organ: Organ) -> None:
    # Every sub-element is written, empty or not: the national checker wants them all.
    w.open(tag, 4)
    w.leaf("OrganId", organ.organ_id, 5)
    w.leaf("OrganizationInCharge", organ.organization_in_charge, 5)
    w.leaf("OrganName", organ.name, 5)
    w.leaf("OrganAdd", organ.address, 5)
    w.leaf("Email", organ.email, 5)
    w.leaf("Telephone", organ.telephone, 5)
    w.leaf("Fax", organ.fax, 5)
    w.leaf("Website", organ.website, 5)
    w.close(tag, 4)


def _staff(w: _Writer, staff: Staff, depth: int) -> None:
    w.open("StaffInfo", depth)
    w.leaf("Department", staff.department, depth + 1)
    w.leaf("Staff", staff.staff, depth + 1)
    w.leaf("Mobile", staff.mobile, depth + 1)
    w.leaf("Email", staff.email, depth + 1)
    w.close("StaffInfo", depth)


def _response_for(w: _Writer, answered: ResponseFor) -> None:
    w.open("ResponseFor", 4)
    w.leaf("OrganId", answered.organ_id, 5)
    w.leaf("Code", answered.code, 5)
    date_text = format_date(answered.promulgation_date) if answered.promulgation_date else ""
    w.leaf("PromulgationDate", date_text, 5)
    w.leaf("DocumentId", answered.document_id, 5)
    w.close("ResponseFor", 4)


def _list(w: _Writer, tag: str, item: str, values: Iterable[str], depth: int) -> None:
    values = list(values)
    if not values:
        w.raw(f"{'  ' * depth}<edXML:{tag}/>\n")
        return
    w.open(tag, depth)
    for value in values:
        w.leaf(item, value, depth + 1)
    w.close(tag, depth)


# --- Writing --------------------------------------------------------------------------------


def _escape(text: str) -> str:
    # CR is written as a reference: a literal one would come back as LF (XML 1.0 §2.11).
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


class _Writer:
    """Collects the envelope's text; joined once at the end."""

    __slots__ = ("_parts",)

    def __init__(self) -> None:
        self._parts: list[str] = []

    def raw(self, text: str) -> None:
        self._parts.append(text)

    def open(self, tag: str, depth: int) -> None:
        self._parts.append(f"{'  ' * depth}<edXML:{tag}>\n")

    def close(self, tag: str, depth: int) -> None:
        self._parts.append(f"{'  ' * depth}</edXML:{tag}>\n")

    def leaf(self, tag: str, value: str, depth: int) -> None:
        if value:
            self._parts.append(f"{'  ' * depth}<edXML:{tag}>{_escape(value)}</edXML:{tag}>\n")
        else:
            self._parts.append(f"{'  ' * depth}<edXML:{tag}/>\n")

    def getvalue(self) -> str:
        return "".join(self._parts)
