"""Reading an edXML package (QCVN 102:2016): liberal where nothing is at stake, strict where
it matters.

Liberal (a warning, the value kept or left empty): dates written dd/MM/yyyy or with dashes
(code "date_format"), an impossible date (2014/02/30 in a vendor DocumentId: kept as text, code
"bad_date"), fields over their length limit ("too_long"), missing optional fields (silently),
children without the edXML namespace ("no_namespace"), elements in any order, a status code
outside the known set ("bad_status_code"), a duplicate To (dropped, "duplicate_recipient").

Strict (EdxmlRefused): anything over a limit of `Limits`, not XML, a DOCTYPE, not edXML, a
missing From, To (documents), Code, Subject or promulgation date (documents) or ResponseFor
(statuses), an attachment that does not decode or unzip within the limits.

Attachments: a file whose ContentType is a zip is unzipped; its content type is then guessed
from its name (the wire only says "zip"). A zip holding several files gives one Attachment per
file (warning "zip_several_entries"): nothing in them is dropped, and each is checked against
the limits like any attachment. An attachment whose ContentType is not a zip is taken as is.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
import mimetypes
import re
import struct
import zipfile
from collections.abc import Iterator
from typing import Literal

from lxml import etree

from tinhso.exchange.edxml.model import (
    NS,
    STATUS_CODES,
    VN_TZ,
    Attachment,
    Business,
    DocumentPackage,
    EdxmlRefused,
    Limits,
    Organ,
    Package,
    Parsed,
    Problem,
    Receiver,
    Replacement,
    ResponseFor,
    Staff,
    StatusPackage,
    Trace,
    document_id,
    gettext_noop,
    split_document_id,
)
from tinhso.exchange.edxml.validate import LENGTH_LIMITS
from tinhso.exchange.edxml.xmlsafe import MSG_NOT_EDXML, MSG_TOO_LARGE, load

__all__ = ["DSIG_NS", "find_signatures", "guess_content_type", "parse"]

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"

_MSG_MISSING = gettext_noop("Gói tin thiếu trường bắt buộc.")
_MSG_BAD_ATTACHMENT = gettext_noop("Tệp đính kèm không giải mã hoặc giải nén được.")
_MSG_ZIP_BOMB = gettext_noop(
    "Tệp đính kèm nén có tỷ lệ nén bất thường (nghi ngờ bom nén), không được giải nén."
)
_W_DATE_FORMAT = gettext_noop(
    "Ngày không viết theo định dạng yyyy/MM/dd; đã đọc theo định dạng khác."
)
_W_BAD_DATE = gettext_noop("Ngày không hợp lệ; giữ nguyên giá trị dạng chữ.")
_W_BAD_NUMBER = gettext_noop("Giá trị không phải là số; đã bỏ qua.")
_W_NO_NS = gettext_noop("Có phần tử không thuộc không gian tên edXML (thiếu tiền tố edXML:).")
_W_STATUS = gettext_noop("Mã trạng thái không thuộc danh mục đã biết.")
_W_DUPLICATE_TO = gettext_noop("Một cơ quan nhận xuất hiện nhiều lần; đã bỏ bản trùng.")
_W_OUT_OF_RANGE = gettext_noop("Giá trị nằm ngoài khoảng cho phép.")
_W_DOCUMENT_ID = gettext_noop("Thiếu mã định danh văn bản (DocumentId); đã tính lại từ các trường.")
_W_BAD_DOCUMENT_ID = gettext_noop("Mã định danh văn bản (DocumentId) không đúng cấu trúc.")
_W_SEVERAL = gettext_noop("Tệp nén chứa nhiều tệp; mỗi tệp được đọc thành một tệp đính kèm.")
_W_NOT_ZIPPED = gettext_noop("Tệp đính kèm ghi là tệp nén nhưng không phải; giữ nguyên nội dung.")
_W_BAD_NAME = gettext_noop("Tên tệp đính kèm không hợp lệ; đã đặt lại tên.")
_W_NO_FILE = gettext_noop("Tệp đính kèm có trong danh mục (edXMLManifest) nhưng không có nội dung.")
_W_DATE_FROM_ID = gettext_noop(
    "Thiếu ngày ban hành; đã lấy ngày trong mã định danh văn bản (DocumentId)."
)
_W_CODE_FROM_ID = gettext_noop(
    "Thiếu số, ký hiệu văn bản; đã lấy từ mã định danh văn bản (DocumentId)."
)

_ZIP_TYPES = frozenset({"application/zip", "application/x-zip-compressed", "application/x-zip"})
#: Below this unzipped size a high ratio is no threat (a page of spaces compresses 500:1).
_RATIO_FLOOR = 1024 * 1024
_CHUNK = 1024 * 1024

_STRICT_DATE = re.compile(r"(\d{4})/(\d{2})/(\d{2})")
_LOOSE_DATES = (
    re.compile(r"(?P<y>\d{4})[/.-](?P<m>\d{1,2})[/.-](?P<d>\d{1,2})"),
    re.compile(r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})"),
)
_STRICT_TS = re.compile(r"(\d{4})/(\d{2})/(\d{2}) (\d{2}):(\d{2}):(\d{2})")
_LOOSE_TS = re.compile(
    r"(?P<date>[\d/.-]{8,10})[ T](?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?"
)
_MIME_EXTRA = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".rtf": "application/rtf",
    ".txt": "text/plain",
    ".xml": "application/xml",
    ".zip": "application/zip",
    ".rar": "application/vnd.rar",
    ".7z": "application/x-7z-compressed",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".p7s": "application/pkcs7-signature",
    ".edxml": "application/xml",
}
# The built-in table only: the host's /etc/mime.types would make the guess machine-dependent.
_MIME = mimetypes.MimeTypes()


def guess_content_type(name: str) -> str:
    """The media type of a file by its name (fixed tables, not the host's)."""
    dot = name.rfind(".")
    if dot >= 0:
        known = _MIME_EXTRA.get(name[dot:].lower())
        if known:
            return known
    guessed, _ = _MIME.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


_DEFAULT_LIMITS = Limits()


def parse(data: bytes, *, limits: Limits = _DEFAULT_LIMITS) -> Parsed:
    """The package in `data` with the warnings met while reading it; raises EdxmlRefused."""
    root = load(data, max_bytes=limits.max_package_bytes)
    reader = _Reader()
    root_kids = reader.kids(root)
    envelope = _one(root_kids, "edXMLEnvelope")
    if envelope is None:
        raise EdxmlRefused("not_edxml", MSG_NOT_EDXML, "edXMLEnvelope")
    envelope_kids = reader.kids(envelope)
    header = _one(envelope_kids, "edXMLHeader")
    if header is None:
        raise EdxmlRefused("not_edxml", MSG_NOT_EDXML, "edXMLHeader")
    header_kids = reader.kids(header)
    message = _one(header_kids, "MessageHeader")
    if message is None:
        raise EdxmlRefused("not_edxml", MSG_NOT_EDXML, "MessageHeader")
    message_kids = reader.kids(message)
    signature_present = bool(find_signatures(root, header))
    package: Package
    kind: Literal["document", "status"]
    if "StatusCode" in message_kids:
        kind = "status"
        package = reader.status(message_kids)
    else:
        kind = "document"
        package = reader.document(
            message_kids,
            header_kids,
            reader.kids_of(envelope_kids, "edXMLBody"),
            root_kids,
            limits,
        )
    return Parsed(
        package=package,
        warnings=reader.warnings,
        kind=kind,
        signature_present=signature_present,
    )


def find_signatures(root: etree._Element, header: etree._Element) -> list[etree._Element]:
    """Every XML-DSig Signature of the document, plus a Signature of another namespace placed
    as a child of edXMLHeader (the vendor samples write theirs in the edXML namespace)."""
    found: list[etree._Element] = list(root.iter(f"{{{DSIG_NS}}}Signature"))
    for child in header:
        tag = child.tag
        if (
            isinstance(tag, str)
            and etree.QName(tag).localname == "Signature"
            and child not in found
        ):
            found.append(child)
    return found


# --- Reading --------------------------------------------------------------------------------

_Kids = dict[str, list[etree._Element]]


def _one(kids: _Kids, name: str) -> etree._Element | None:
    found = kids.get(name)
    return found[0] if found else None


class _Reader:
    def __init__(self) -> None:
        self.warnings: list[Problem] = []
        self._no_ns_warned = False

    def warn(self, code: str, field: str, message: str) -> None:
        self.warnings.append(Problem(code, field, message))

    def kids(self, element: etree._Element | None) -> _Kids:
        """Children by local name: in the edXML namespace, or in none (with a warning)."""
        out: _Kids = {}
        if element is None:
            return out
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):  # comment, processing instruction
                continue
            if tag[0] == "{":
                namespace, _, local = tag[1:].partition("}")
                if namespace != NS:
                    continue
            else:
                local = tag
                if not self._no_ns_warned:
                    self._no_ns_warned = True
                    self.warn("no_namespace", local, _W_NO_NS)
            out.setdefault(local, []).append(child)
        return out

    def kids_of(self, kids: _Kids, name: str) -> _Kids:
        return self.kids(_one(kids, name))

    # --- leaves --------------------------------------------------------------------------

    def text(self, kids: _Kids, name: str, field: str = "") -> str:
        element = _one(kids, name)
        if element is None:
            return ""
        value = _text_of(element)
        limit = LENGTH_LIMITS.get(field or name)
        if limit is not None and len(value) > limit[0]:
            self.warn("too_long", field or name, limit[1])
        return value

    def integer(self, kids: _Kids, name: str, field: str) -> int | None:
        value = self.text(kids, name)
        if not value:
            return None
        try:
            number = int(value, 10)
        except ValueError:
            self.warn("bad_number", field, _W_BAD_NUMBER)
            return None
        return number

    def date(self, kids: _Kids, name: str, field: str) -> dt.date | None:
        return self.date_text(self.text(kids, name), field)

    def date_text(self, value: str, field: str) -> dt.date | None:
        if not value:
            return None
        day, problem = _read_date(value)
        if problem == "date_format":
            self.warn("date_format", field, _W_DATE_FORMAT)
        elif problem is not None:
            self.warn("bad_date", field, _W_BAD_DATE)
        return day

    def timestamp(self, kids: _Kids, name: str, field: str) -> dt.datetime | None:
        value = self.text(kids, name)
        if not value:
            return None
        moment, loose = _read_timestamp(value)
        if moment is None:
            self.warn("bad_date", field, _W_BAD_DATE)
        elif loose:
            self.warn("date_format", field, _W_DATE_FORMAT)
        return moment

    # --- parts ---------------------------------------------------------------------------

    def organ(self, element: etree._Element) -> Organ:
        kids = self.kids(element)
        return Organ(
            organ_id=self.text(kids, "OrganId"),
            name=self.text(kids, "OrganName"),
            organization_in_charge=self.text(kids, "OrganizationInCharge"),
            address=self.text(kids, "OrganAdd"),
            email=self.text(kids, "Email"),
            telephone=self.text(kids, "Telephone"),
            fax=self.text(kids, "Fax"),
            website=self.text(kids, "Website"),
        )

    def sender(self, message: _Kids) -> Organ:
        element = _one(message, "From")
        sender = self.organ(element) if element is not None else None
        if sender is None or not sender.organ_id:
            raise EdxmlRefused("missing_field", _MSG_MISSING, "From/OrganId")
        return sender

    def recipients(self, message: _Kids) -> tuple[Organ, ...]:
        recipients: dict[str, Organ] = {}
        for element in message.get("To", ()):
            organ = self.organ(element)
            if not organ.organ_id:
                continue
            if organ.organ_id in recipients:
                self.warn("duplicate_recipient", "To", _W_DUPLICATE_TO)
                continue
            recipients[organ.organ_id] = organ
        return tuple(recipients.values())

    def staff(self, element: etree._Element) -> Staff:
        kids = self.kids(element)
        return Staff(
            department=self.text(kids, "Department"),
            staff=self.text(kids, "Staff"),
            mobile=self.text(kids, "Mobile"),
            email=self.text(kids, "Email"),
        )

    def response_for(self, element: etree._Element) -> ResponseFor:
        kids = self.kids(element)
        organ_id = self.text(kids, "OrganId")
        code = self.text(kids, "Code")
        date = self.date(kids, "PromulgationDate", "ResponseFor/PromulgationDate")
        identifier = self.text(kids, "DocumentId")
        split = split_document_id(identifier) if identifier else None
        if identifier and split is None:
            self.warn("bad_document_id", "ResponseFor/DocumentId", _W_BAD_DOCUMENT_ID)
        if split is not None:
            organ_id = organ_id or split[0]
            code = code or split[2]
            if split[1] is None:
                self.warn("bad_date", "ResponseFor/DocumentId", _W_BAD_DATE)
        if not identifier and organ_id and code and date:
            identifier = f"{organ_id},{date.year:04d}/{date.month:02d}/{date.day:02d},{code}"
            self.warn("missing_document_id", "ResponseFor/DocumentId", _W_DOCUMENT_ID)
        if not identifier or not organ_id:
            raise EdxmlRefused("missing_field", _MSG_MISSING, "ResponseFor/DocumentId")
        return ResponseFor(
            organ_id=organ_id, code=code, promulgation_date=date, document_id=identifier
        )

    def status(self, message: _Kids) -> StatusPackage:
        sender = self.sender(message)
        answered = _one(message, "ResponseFor")
        if answered is None:
            raise EdxmlRefused("missing_field", _MSG_MISSING, "ResponseFor")
        staff_element = _one(message, "StaffInfo")
        code = self.text(message, "StatusCode")
        if code not in STATUS_CODES:
            self.warn("bad_status_code", "StatusCode", _W_STATUS)
        return StatusPackage(
            sender=sender,
            response_for=self.response_for(answered),
            status_code=code,
            description=self.text(message, "Description"),
            timestamp=self.timestamp(message, "Timestamp", "Timestamp"),
            staff=self.staff(staff_element) if staff_element is not None else Staff(),
            recipients=self.recipients(message),
        )

    def document(
        self,
        message: _Kids,
        header: _Kids,
        body: _Kids,
        root: _Kids,
        limits: Limits,
    ) -> DocumentPackage:
        sender = self.sender(message)
        recipients = self.recipients(message)
        if not recipients:
            raise EdxmlRefused("missing_field", _MSG_MISSING, "To")
        identifier = self.text(message, "DocumentId")
        split = split_document_id(identifier) if identifier else None
        if identifier and split is None:
            self.warn("bad_document_id", "DocumentId", _W_BAD_DOCUMENT_ID)
        code = self.kids_of(message, "Code")
        number = self.text(code, "CodeNumber", "Code/CodeNumber")
        notation = self.text(code, "CodeNotation", "Code/CodeNotation")
        if (not number or not notation) and split is not None and "/" in split[2]:
            from_id = split[2].split("/", 1)
            number, notation = number or from_id[0], notation or from_id[1]
            self.warn("code_from_document_id", "Code", _W_CODE_FROM_ID)
        if not number:
            raise EdxmlRefused("missing_field", _MSG_MISSING, "Code/CodeNumber")
        if not notation:
            raise EdxmlRefused("missing_field", _MSG_MISSING, "Code/CodeNotation")
        promulgation = self.kids_of(message, "PromulgationInfo")
        date = self.date(promulgation, "PromulgationDate", "PromulgationInfo/PromulgationDate")
        if date is None and split is not None and split[1] is not None:
            date = split[1]
            self.warn("date_from_document_id", "PromulgationInfo/PromulgationDate", _W_DATE_FROM_ID)
        if date is None:
            raise EdxmlRefused("missing_field", _MSG_MISSING, "PromulgationInfo/PromulgationDate")
        subject = self.text(message, "Subject")
        if not subject:
            raise EdxmlRefused("missing_field", _MSG_MISSING, "Subject")
        if not identifier:
            identifier = document_id(sender.organ_id, date, number, notation)
            self.warn("missing_document_id", "DocumentId", _W_DOCUMENT_ID)
        doc_type = self.kids_of(message, "DocumentType")
        signer = self.kids_of(message, "SignerInfo")
        other = self.kids_of(message, "OtherInfo")
        priority = self.integer(other, "Priority", "OtherInfo/Priority") or 0
        if not 0 <= priority <= 4:
            self.warn("out_of_range", "OtherInfo/Priority", _W_OUT_OF_RANGE)
        return DocumentPackage(
            sender=sender,
            recipients=recipients,
            code_number=number,
            code_notation=notation,
            promulgation_place=self.text(promulgation, "Place", "PromulgationInfo/Place"),
            promulgation_date=date,
            type_code=self.integer(doc_type, "Type", "DocumentType/Type") or 0,
            type_detail=self.integer(doc_type, "TypeDetail", "DocumentType/TypeDetail") or 0,
            type_name=self.text(doc_type, "TypeName", "DocumentType/TypeName"),
            subject=subject,
            content=self.text(message, "Content"),
            signer_competence=self.text(signer, "Competence"),
            signer_position=self.text(signer, "Position"),
            signer_name=self.text(signer, "FullName"),
            due_date=self.date(message, "DueDate", "DueDate"),
            to_places=self.texts(self.kids_of(message, "ToPlaces"), "Place"),
            priority=priority,
            sphere=self.text(other, "SphereOfPromulgation", "OtherInfo/SphereOfPromulgation"),
            typer_notation=self.text(other, "TyperNotation", "OtherInfo/TyperNotation"),
            promulgation_amount=self.integer(
                other, "PromulgationAmount", "OtherInfo/PromulgationAmount"
            ),
            page_amount=self.integer(other, "PageAmount", "OtherInfo/PageAmount"),
            appendixes=self.texts(self.kids_of(other, "Appendixes"), "Appendix"),
            steering_type=self.integer(message, "SteeringType", "SteeringType"),
            response_for=tuple(
                self.response_for(element) for element in message.get("ResponseFor", ())
            ),
            traces=self.traces(header),
            business=self.business(header),
            attachments=tuple(self.attachments(body, root, limits)),
            document_id=identifier,
        )

    def texts(self, kids: _Kids, name: str) -> tuple[str, ...]:
        values = (_text_of(element) for element in kids.get(name, ()))
        return tuple(value for value in values if value)

    def traces(self, header: _Kids) -> tuple[Trace, ...]:
        traces = []
        for element in self.kids_of(header, "TraceHeaderList").get("TraceHeader", ()):
            kids = self.kids(element)
            traces.append(
                Trace(
                    organ_id=self.text(kids, "OrganId"),
                    timestamp=self.timestamp(kids, "Timestamp", "TraceHeader/Timestamp"),
                )
            )
        return tuple(traces)

    def business(self, header: _Kids) -> Business:
        element = _one(self.kids_of(header, "TraceHeaderList"), "Bussiness")
        if element is None:
            return Business()
        kids = self.kids(element)
        business_type = self.integer(kids, "BussinessDocType", "Bussiness/BussinessDocType") or 0
        if not 0 <= business_type <= 3:
            self.warn("out_of_range", "Bussiness/BussinessDocType", _W_OUT_OF_RANGE)
        identifier = self.text(kids, "DocumentId")
        if identifier:
            split = split_document_id(identifier)
            if split is None:
                self.warn("bad_document_id", "Bussiness/DocumentId", _W_BAD_DOCUMENT_ID)
            elif split[1] is None:
                # An impossible date in an identifier: the identifier is kept as written.
                self.warn("bad_date", "Bussiness/DocumentId", _W_BAD_DATE)
        receivers = []
        info = self.kids_of(kids, "BussinessDocumentInfo")
        for receiver in self.kids_of(info, "ReceiverList").get("Receiver", ()):
            receiver_kids = self.kids(receiver)
            organ_id = self.text(receiver_kids, "OrganId")
            receiver_type = self.integer(
                receiver_kids, "ReceiverType", "ReceiverList/Receiver/ReceiverType"
            )
            if not organ_id:
                continue
            if receiver_type not in (0, 1):
                self.warn("out_of_range", "ReceiverList/Receiver/ReceiverType", _W_OUT_OF_RANGE)
            receivers.append(Receiver(organ_id, receiver_type if receiver_type is not None else 1))
        replacements = []
        for replacement in self.kids_of(kids, "ReplacementInfoList").get("ReplacementInfo", ()):
            replacement_kids = self.kids(replacement)
            replacements.append(
                Replacement(
                    document_id=self.text(replacement_kids, "DocumentId"),
                    organ_ids=self.texts(self.kids_of(replacement_kids, "OrganIdList"), "OrganId"),
                )
            )
        staff = _one(kids, "StaffInfo")
        return Business(
            business_type=business_type,
            reason=self.text(kids, "BussinessDocReason"),
            document_id=identifier,
            paper=self.integer(kids, "Paper", "Bussiness/Paper") or 0,
            staff=self.staff(staff) if staff is not None else None,
            receivers=tuple(receivers),
            replacements=tuple(replacements),
        )

    # --- attachments ---------------------------------------------------------------------

    def attachments(self, body: _Kids, root: _Kids, limits: Limits) -> Iterator[Attachment]:
        manifest: dict[str, _Kids] = {}
        for reference in self.kids_of(body, "edXMLManifest").get("Reference", ()):
            reference_kids = self.kids(reference)
            manifest.setdefault(self.text(reference_kids, "ContentId"), reference_kids)
        encoded = self.kids_of(root, "AttachmentEncoded").get("Attachment", [])
        if len(encoded) > limits.max_attachments:
            raise EdxmlRefused("too_large", MSG_TOO_LARGE, "AttachmentEncoded/Attachment")
        budget = _Budget(limits)
        seen: set[str] = set()
        for index, element in enumerate(encoded, 1):
            kids = self.kids(element)
            content_id = self.text(kids, "ContentId")
            reference = manifest.get(content_id, {})
            seen.add(content_id)
            name = self.text(kids, "AttachmentName") or self.text(reference, "AttachmentName")
            description = self.text(kids, "Description") or self.text(reference, "Description")
            content_type = (
                self.text(kids, "ContentType") or self.text(reference, "ContentType")
            ).lower()
            payload = _one(kids, "ContentTransferEncoded")
            raw = _decode_base64(payload.text or "" if payload is not None else "", limits)
            if content_type.split(";", 1)[0].strip() in _ZIP_TYPES:
                if raw[:2] != b"PK":
                    self.warn("not_zipped", "Attachment/ContentType", _W_NOT_ZIPPED)
                    budget.take(len(raw))
                    yield Attachment(
                        name=self._name(name, index),
                        content_type=guess_content_type(name),
                        data=raw,
                        description=description,
                        content_id=content_id,
                    )
                    continue
                entries = _unzip(raw, limits, budget)
                if len(entries) > 1:
                    self.warn("zip_several_entries", "Attachment", _W_SEVERAL)
                for number, (entry_name, data) in enumerate(entries, 1):
                    file_name = self._name(
                        name if len(entries) == 1 and name else entry_name, index
                    )
                    yield Attachment(
                        name=file_name,
                        content_type=guess_content_type(file_name),
                        data=data,
                        description=description,
                        content_id=content_id if number == 1 else f"{content_id}-{number}",
                    )
            else:
                budget.take(len(raw))
                yield Attachment(
                    name=self._name(name, index),
                    content_type=content_type or guess_content_type(name),
                    data=raw,
                    description=description,
                    content_id=content_id,
                )
        if any(content_id not in seen for content_id in manifest):
            self.warn("attachment_missing", "edXMLManifest/Reference", _W_NO_FILE)

    def _name(self, name: str, index: int) -> str:
        """The file's own name: no directories, no control characters, never empty."""
        clean = name.replace("\\", "/").rsplit("/", 1)[-1]
        clean = "".join(char for char in clean if char >= " " and char != "\x7f").strip()
        if clean in ("", ".", ".."):
            clean = f"tep-dinh-kem-{index}"
        if clean != name:
            self.warn("bad_name", "Attachment/AttachmentName", _W_BAD_NAME)
        return clean


def _read_date(value: str) -> tuple[dt.date | None, str | None]:
    """(the date, None) for yyyy/MM/dd; (the date, "date_format") for another way of writing
    it; (None, "bad_date") for an impossible or unreadable one."""
    match = _STRICT_DATE.fullmatch(value)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3])), None
        except ValueError:
            return None, "bad_date"
    # A datetime where a date belongs: its date part.
    head = value.split(" ", 1)[0].split("T", 1)[0]
    for pattern in _LOOSE_DATES:
        loose = pattern.fullmatch(head)
        if loose:
            try:
                return dt.date(int(loose["y"]), int(loose["m"]), int(loose["d"])), "date_format"
            except ValueError:
                return None, "bad_date"
    return None, "bad_date"


def _read_timestamp(value: str) -> tuple[dt.datetime | None, bool]:
    """(the moment in Vietnam time, written otherwise than yyyy/MM/dd HH:mm:ss?)."""
    try:
        match = _STRICT_TS.fullmatch(value)
        if match:
            y, mo, d, h, mi, se = (int(part) for part in match.groups())
            return dt.datetime(y, mo, d, h, mi, se, tzinfo=VN_TZ), False
        loose = _LOOSE_TS.fullmatch(value)
        if loose is None:
            return None, True
        day, _ = _read_date(loose["date"])
        if day is None:
            return None, True
        moment = dt.datetime(
            day.year, day.month, day.day, int(loose["h"]), int(loose["mi"]), int(loose["s"] or 0)
        )
    except ValueError:
        return None, True
    offset = loose["tz"]
    if offset:
        zone = dt.UTC if offset == "Z" else _offset(offset)
        return moment.replace(tzinfo=zone).astimezone(VN_TZ), True
    return moment.replace(tzinfo=VN_TZ), True


def _text_of(element: etree._Element) -> str:
    if len(element):
        return "".join(element.itertext()).strip()
    return (element.text or "").strip()


def _offset(text: str) -> dt.timezone:
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


class _Budget:
    """The bytes of unzipped files the package may still hold."""

    def __init__(self, limits: Limits) -> None:
        self.left = limits.max_total_attachment_bytes
        self.count = limits.max_attachments

    def take(self, size: int) -> None:
        self.left -= size
        self.count -= 1
        if self.left < 0 or self.count < 0:
            raise EdxmlRefused("too_large", MSG_TOO_LARGE, "AttachmentEncoded")


_WHITESPACE = b" \t\r\n"


def _decode_base64(text: str, limits: Limits) -> bytes:
    try:
        encoded = text.encode("ascii")
    except UnicodeEncodeError:
        raise EdxmlRefused("bad_attachment", _MSG_BAD_ATTACHMENT, "base64") from None
    encoded = encoded.translate(None, _WHITESPACE)
    # Size check before decoding: 4 characters give 3 bytes.
    if len(encoded) // 4 * 3 > limits.max_attachment_bytes + 3:
        raise EdxmlRefused("too_large", MSG_TOO_LARGE, "Attachment")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise EdxmlRefused("bad_attachment", _MSG_BAD_ATTACHMENT, "base64") from None
    if len(raw) > limits.max_attachment_bytes:
        raise EdxmlRefused("too_large", MSG_TOO_LARGE, "Attachment")
    return raw


def _zip_entry_count(raw: bytes) -> int | None:
    """Entries announced by the end-of-central-directory record, read before zipfile builds
    its list (a forged directory of a million entries would cost memory); None if absent."""
    end = raw.rfind(b"PK\x05\x06", max(0, len(raw) - 65_557))
    if end < 0 or end + 22 > len(raw):
        return None
    (total,) = struct.unpack_from("<H", raw, end + 10)
    return int(total)


def _unzip(raw: bytes, limits: Limits, budget: _Budget) -> list[tuple[str, bytes]]:
    count = _zip_entry_count(raw)
    if count is None or count == 0xFFFF or count > limits.max_attachments:
        raise EdxmlRefused("bad_attachment", _MSG_BAD_ATTACHMENT, "zip directory")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, NotImplementedError, EOFError, OSError):
        raise EdxmlRefused("bad_attachment", _MSG_BAD_ATTACHMENT, "zip") from None
    entries: list[tuple[str, bytes]] = []
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if not infos:
            raise EdxmlRefused("bad_attachment", _MSG_BAD_ATTACHMENT, "empty zip")
        for info in infos:
            if info.flag_bits & 0x1:
                raise EdxmlRefused("bad_attachment", _MSG_BAD_ATTACHMENT, "encrypted zip")
            if info.file_size > _RATIO_FLOOR and info.file_size > limits.max_unzip_ratio * max(
                info.compress_size, 1
            ):
                raise EdxmlRefused("bad_attachment", _MSG_ZIP_BOMB, "ratio")
            if info.file_size > limits.max_attachment_bytes:
                raise EdxmlRefused("too_large", MSG_TOO_LARGE, "Attachment")
            data = _read_entry(archive, info, limits)
            if len(data) > _RATIO_FLOOR and len(data) > limits.max_unzip_ratio * max(
                info.compress_size, 1
            ):
                raise EdxmlRefused("bad_attachment", _MSG_ZIP_BOMB, "ratio")
            budget.take(len(data))
            entries.append((info.filename, data))
    return entries


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> bytes:
    # Declared sizes may lie: read in chunks and stop past the limits, whatever the header says.
    ceiling = min(
        limits.max_attachment_bytes,
        max(_RATIO_FLOOR, limits.max_unzip_ratio * max(info.compress_size, 1)),
    )
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > ceiling:
                    if size > limits.max_attachment_bytes:
                        raise EdxmlRefused("too_large", MSG_TOO_LARGE, "Attachment")
                    raise EdxmlRefused("bad_attachment", _MSG_ZIP_BOMB, "ratio")
                chunks.append(chunk)
    except EdxmlRefused:
        raise
    except (zipfile.BadZipFile, ValueError, NotImplementedError, EOFError, OSError, RuntimeError):
        raise EdxmlRefused("bad_attachment", _MSG_BAD_ATTACHMENT, "zip entry") from None
    except Exception:  # zlib.error, lzma/bz2 errors on corrupt data
        raise EdxmlRefused("bad_attachment", _MSG_BAD_ATTACHMENT, "zip entry") from None
    return b"".join(chunks)
