"""Field limits and formats of an edXML package (QCVN 102:2016, vn-eoffice.md §2.2–§2.4).

The limits are those of the national checker (S1 XmlChecker/Checker) and the metadata table of
Thông tư 01/2011 as carried into the spec: CodeNumber ≤ 11, CodeNotation ≤ 30, Place ≤ 50,
TypeName ≤ 100, Subject ≤ 500 (required), Content ≤ 500, SphereOfPromulgation ≤ 100,
TyperNotation ≤ 10, Priority 0–4, BussinessDocType 0–3.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from tinhso.exchange.edxml.model import (
    STATUS_CODES,
    DocumentPackage,
    Organ,
    Package,
    Problem,
    ResponseFor,
    Staff,
    StatusPackage,
    gettext_noop,
)

__all__ = ["LENGTH_LIMITS", "validate"]

#: field → (max length, message). Lengths count characters (code points) as the checker does.
LENGTH_LIMITS: dict[str, tuple[int, str]] = {
    "Code/CodeNumber": (11, gettext_noop("Số văn bản dài quá 11 ký tự.")),
    "Code/CodeNotation": (30, gettext_noop("Ký hiệu văn bản dài quá 30 ký tự.")),
    "PromulgationInfo/Place": (50, gettext_noop("Địa danh ban hành dài quá 50 ký tự.")),
    "DocumentType/TypeName": (100, gettext_noop("Tên loại văn bản dài quá 100 ký tự.")),
    "Subject": (500, gettext_noop("Trích yếu nội dung dài quá 500 ký tự.")),
    "Content": (500, gettext_noop("Tóm tắt nội dung dài quá 500 ký tự.")),
    "OtherInfo/SphereOfPromulgation": (
        100,
        gettext_noop("Phạm vi ban hành dài quá 100 ký tự."),
    ),
    "OtherInfo/TyperNotation": (10, gettext_noop("Ký hiệu người đánh máy dài quá 10 ký tự.")),
}

_REQUIRED = gettext_noop("Trường bắt buộc chưa có giá trị.")
_BAD_CHAR = gettext_noop("Có ký tự không được phép trong XML (ký tự điều khiển).")
_NOT_TEXT = gettext_noop("Giá trị phải là chuỗi ký tự.")
_NOT_INT = gettext_noop("Giá trị phải là số nguyên không âm.")
_NOT_DATE = gettext_noop("Giá trị phải là một ngày.")
_NOT_DATETIME = gettext_noop("Giá trị phải là ngày giờ.")
_PRIORITY = gettext_noop("Độ khẩn phải từ 0 (thường) đến 4 (hỏa tốc hẹn giờ).")
_BUSINESS_TYPE = gettext_noop("Loại nghiệp vụ phải từ 0 (văn bản mới) đến 3 (thay thế).")
_RECEIVER_TYPE = gettext_noop("Loại thay đổi nơi nhận phải là 0 (bỏ) hoặc 1 (thêm).")
_STATUS_CODE = gettext_noop(
    "Mã trạng thái không hợp lệ (chỉ dùng 01, 02, 03, 04, 05, 06, 13, 15, 16)."
)
_DUPLICATE_TO = gettext_noop("Một cơ quan nhận xuất hiện nhiều lần.")
_NO_RECIPIENT = gettext_noop("Văn bản phải có ít nhất một cơ quan nhận.")
_DUPLICATE_CID = gettext_noop("Hai tệp đính kèm có cùng ContentId.")
_BAD_NAME = gettext_noop(
    "Tên tệp đính kèm không được trống, không được chứa ký tự /, \\ hoặc ký tự điều khiển."
)
_COMMA = gettext_noop("Mã định danh cơ quan không được chứa dấu phẩy.")
_YEAR = gettext_noop("Năm phải có bốn chữ số.")

# A file's own name: no directory part, no control character (parse() would change it).
_NAME_BAD = re.compile("[/\\\\\x00-\x1f\x7f]")
# XML 1.0 Char production: no C0 controls except tab, LF, CR; no surrogates, no U+FFFE/FFFF.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def validate(pkg: Package) -> list[Problem]:
    """The problems that stop `pkg` from being written as edXML (empty when it can be)."""
    problems: list[Problem] = []
    if isinstance(pkg, DocumentPackage):
        _document(pkg, problems)
    elif isinstance(pkg, StatusPackage):
        _status(pkg, problems)
    else:  # pragma: no cover - typing forbids it; a caller outside mypy might not
        raise TypeError(f"Not an edXML package: {type(pkg).__name__}")
    return problems


def _document(pkg: DocumentPackage, problems: list[Problem]) -> None:
    _organ(pkg.sender, "From", problems)
    if not pkg.recipients:
        problems.append(Problem("required", "To", _NO_RECIPIENT))
    _recipients(pkg.recipients, problems)
    _text(pkg.document_id, "DocumentId", problems, required=True)
    _text(pkg.code_number, "Code/CodeNumber", problems, required=True)
    _text(pkg.code_notation, "Code/CodeNotation", problems, required=True)
    _text(pkg.promulgation_place, "PromulgationInfo/Place", problems)
    _date(pkg.promulgation_date, "PromulgationInfo/PromulgationDate", problems, required=True)
    _int(pkg.type_code, "DocumentType/Type", problems)
    _int(pkg.type_detail, "DocumentType/TypeDetail", problems)
    _text(pkg.type_name, "DocumentType/TypeName", problems)
    _text(pkg.subject, "Subject", problems, required=True)
    _text(pkg.content, "Content", problems)
    _text(pkg.signer_competence, "SignerInfo/Competence", problems)
    _text(pkg.signer_position, "SignerInfo/Position", problems)
    _text(pkg.signer_name, "SignerInfo/FullName", problems)
    _date(pkg.due_date, "DueDate", problems)
    for place in pkg.to_places:
        _text(place, "ToPlaces/Place", problems, required=True)
    if _int(pkg.priority, "OtherInfo/Priority", problems) and not 0 <= pkg.priority <= 4:
        problems.append(Problem("out_of_range", "OtherInfo/Priority", _PRIORITY))
    _text(pkg.sphere, "OtherInfo/SphereOfPromulgation", problems)
    _text(pkg.typer_notation, "OtherInfo/TyperNotation", problems)
    _int(pkg.promulgation_amount, "OtherInfo/PromulgationAmount", problems, optional=True)
    _int(pkg.page_amount, "OtherInfo/PageAmount", problems, optional=True)
    for appendix in pkg.appendixes:
        _text(appendix, "OtherInfo/Appendixes/Appendix", problems, required=True)
    _int(pkg.steering_type, "SteeringType", problems, optional=True)
    for answered in pkg.response_for:
        _response_for(answered, problems)
    for trace in pkg.traces:
        _text(trace.organ_id, "TraceHeader/OrganId", problems, required=True)
        _datetime(trace.timestamp, "TraceHeader/Timestamp", problems)
    business = pkg.business
    if (
        _int(business.business_type, "Bussiness/BussinessDocType", problems)
        and not 0 <= business.business_type <= 3
    ):
        problems.append(Problem("out_of_range", "Bussiness/BussinessDocType", _BUSINESS_TYPE))
    _text(business.reason, "Bussiness/BussinessDocReason", problems)
    _text(business.document_id, "Bussiness/DocumentId", problems)
    _int(business.paper, "Bussiness/Paper", problems)
    if business.staff is not None:
        _staff(business.staff, "Bussiness/StaffInfo", problems)
    for receiver in business.receivers:
        _text(receiver.organ_id, "ReceiverList/Receiver/OrganId", problems, required=True)
        if receiver.receiver_type not in (0, 1) or isinstance(receiver.receiver_type, bool):
            problems.append(
                Problem("out_of_range", "ReceiverList/Receiver/ReceiverType", _RECEIVER_TYPE)
            )
    for replacement in business.replacements:
        _text(replacement.document_id, "ReplacementInfo/DocumentId", problems, required=True)
        for organ_id in replacement.organ_ids:
            _text(organ_id, "ReplacementInfo/OrganIdList/OrganId", problems, required=True)
    content_ids: set[str] = set()
    for attachment in pkg.attachments:
        if (
            not isinstance(attachment.name, str)
            or not attachment.name.strip()
            or _NAME_BAD.search(attachment.name)
            or attachment.name.strip() in (".", "..")
        ):
            problems.append(Problem("bad_name", "Attachment/AttachmentName", _BAD_NAME))
        else:
            _text(attachment.name, "Attachment/AttachmentName", problems)
        _text(attachment.content_type, "Attachment/ContentType", problems)
        _text(attachment.description, "Attachment/Description", problems)
        _text(attachment.content_id, "Attachment/ContentId", problems)
        if not isinstance(attachment.data, bytes | bytearray | memoryview):
            problems.append(Problem("not_bytes", "Attachment/ContentTransferEncoded", _NOT_TEXT))
        if attachment.content_id:
            if attachment.content_id in content_ids:
                problems.append(Problem("duplicate", "Attachment/ContentId", _DUPLICATE_CID))
            content_ids.add(attachment.content_id)


def _status(pkg: StatusPackage, problems: list[Problem]) -> None:
    _organ(pkg.sender, "From", problems)
    _recipients(pkg.recipients, problems)
    _response_for(pkg.response_for, problems)
    _staff(pkg.staff, "StaffInfo", problems)
    if pkg.status_code not in STATUS_CODES:
        problems.append(Problem("bad_status_code", "StatusCode", _STATUS_CODE))
    _text(pkg.description, "Description", problems)
    _datetime(pkg.timestamp, "Timestamp", problems)


def _recipients(recipients: Iterable[Organ], problems: list[Problem]) -> None:
    seen: set[str] = set()
    for organ in recipients:
        _organ(organ, "To", problems)
        if organ.organ_id in seen:
            problems.append(Problem("duplicate_recipient", "To", _DUPLICATE_TO))
        seen.add(organ.organ_id)


def _organ(organ: Organ, where: str, problems: list[Problem]) -> None:
    if _text(organ.organ_id, f"{where}/OrganId", problems, required=True) and (
        "," in organ.organ_id
    ):
        # The organ id is the first part of a DocumentId, comma-separated.
        problems.append(Problem("bad_format", f"{where}/OrganId", _COMMA))
    _text(organ.name, f"{where}/OrganName", problems)
    _text(organ.organization_in_charge, f"{where}/OrganizationInCharge", problems)
    _text(organ.address, f"{where}/OrganAdd", problems)
    _text(organ.email, f"{where}/Email", problems)
    _text(organ.telephone, f"{where}/Telephone", problems)
    _text(organ.fax, f"{where}/Fax", problems)
    _text(organ.website, f"{where}/Website", problems)


def _staff(staff: Staff, where: str, problems: list[Problem]) -> None:
    _text(staff.department, f"{where}/Department", problems)
    _text(staff.staff, f"{where}/Staff", problems)
    _text(staff.mobile, f"{where}/Mobile", problems)
    _text(staff.email, f"{where}/Email", problems)


def _response_for(answered: ResponseFor, problems: list[Problem]) -> None:
    _text(answered.organ_id, "ResponseFor/OrganId", problems, required=True)
    _text(answered.code, "ResponseFor/Code", problems)
    _date(answered.promulgation_date, "ResponseFor/PromulgationDate", problems)
    _text(answered.document_id, "ResponseFor/DocumentId", problems, required=True)


def _text(value: object, where: str, problems: list[Problem], *, required: bool = False) -> bool:
    """Check one text field; True when it is a usable string (possibly empty)."""
    if not isinstance(value, str):
        problems.append(Problem("not_text", where, _NOT_TEXT))
        return False
    if required and not value.strip():
        problems.append(Problem("required", where, _REQUIRED))
        return False
    if _XML_BAD.search(value):
        problems.append(Problem("invalid_char", where, _BAD_CHAR))
        return False
    limit = LENGTH_LIMITS.get(where)
    if limit is not None and len(value) > limit[0]:
        problems.append(Problem("too_long", where, limit[1]))
        return False
    return True


def _int(value: object, where: str, problems: list[Problem], *, optional: bool = False) -> bool:
    if value is None and optional:
        return False
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        problems.append(Problem("not_integer", where, _NOT_INT))
        return False
    return True


def _date(value: object, where: str, problems: list[Problem], *, required: bool = False) -> None:
    if value is None and not required:
        return
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        problems.append(Problem("not_date", where, _NOT_DATE))
    elif value.year < 1000:
        problems.append(Problem("bad_date", where, _YEAR))


def _datetime(value: object, where: str, problems: list[Problem]) -> None:
    if value is None:
        return
    if not isinstance(value, dt.datetime):
        problems.append(Problem("not_datetime", where, _NOT_DATETIME))
    elif value.year < 1000 or value.year > 9998:
        problems.append(Problem("bad_date", where, _YEAR))
