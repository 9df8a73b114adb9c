"""Why a signature or a PDF is judged as it is: reason codes and their Vietnamese messages.

The validator (`validation`, possibly in a sandboxed child process) records reasons as codes
with parameters; the message is rendered when it is read (`Reason.message`, `as_dict()`), in
the process and the language of the caller. The source strings are Vietnamese and are marked
with `gettext_noop` (a local one: Django's needs settings) so that `makemessages` collects them; `reason_message` translates them with
Django's gettext once Django is set up and returns the Vietnamese source otherwise, so this
module also works outside Django (the sandbox child, scripts).

Severity says what a reason does to a verdict: "invalid" makes the signature invalid,
"indeterminate" leaves it undecided, "warning" is a clearly marked soft failure (revocation not
checkable offline) that changes nothing by itself, "info" only explains.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final, Literal

Severity = Literal["invalid", "indeterminate", "warning", "info"]


def gettext_noop(message: str) -> str:
    """Marks a message for `makemessages` (same keyword as Django's; that one needs settings)."""
    return message


#: Reason code → Vietnamese source message (%-style named parameters).
MESSAGES: Final[Mapping[str, str]] = {
    # --- the file as a whole ---------------------------------------------------------------
    "not_a_pdf": gettext_noop("Tệp không phải là tệp PDF."),
    "too_large": gettext_noop("Tệp vượt quá dung lượng tối đa %(limit)s để kiểm tra chữ ký số."),
    "encrypted_pdf": gettext_noop(
        "Tệp PDF đã bị mã hóa (đặt mật khẩu) nên không kiểm tra được chữ ký số. "
        "Đề nghị gửi bản không mã hóa."
    ),
    "unreadable_pdf": gettext_noop(
        "Không đọc được cấu trúc tệp PDF (tệp bị hỏng hoặc không đúng chuẩn), "
        "nên không kiểm tra được chữ ký số."
    ),
    "dss_unreadable": gettext_noop(
        "Không đọc được kho dữ liệu kiểm tra dài hạn (DSS) của tệp; "
        "dữ liệu thu hồi kèm theo không được dùng."
    ),
    "timeout": gettext_noop(
        "Quá thời gian kiểm tra cho phép (%(seconds)s giây): tệp quá phức tạp "
        "hoặc có cấu trúc bất thường."
    ),
    "memory_limit": gettext_noop(
        "Tệp cần quá nhiều bộ nhớ để kiểm tra (giới hạn %(megabytes)s MB): "
        "tệp có cấu trúc bất thường."
    ),
    "crashed": gettext_noop("Trình kiểm tra chữ ký dừng bất thường khi đọc tệp này."),
    "agency_signature_missing": gettext_noop(
        "Không có chữ ký nào bằng chứng thư số của cơ quan ban hành (mã định danh %(expected)s)."
    ),
    # --- integrity and changes after signing ----------------------------------------------
    "digest_mismatch": gettext_noop(
        "Chữ ký bị thay đổi: nội dung tệp không còn khớp với giá trị băm đã được ký."
    ),
    "signature_value_invalid": gettext_noop(
        "Giá trị chữ ký không hợp lệ: không khớp với khóa công khai trong chứng thư số."
    ),
    "coverage_incomplete": gettext_noop(
        "Chữ ký không phủ toàn bộ tệp: phần dữ liệu sau vùng được ký không phải là "
        "một lần cập nhật hợp lệ của tài liệu."
    ),
    "byte_range_malformed": gettext_noop(
        "Vùng dữ liệu được ký (/ByteRange) không đúng chuẩn: không xác định được "
        "phần nào của tệp đã được ký."
    ),
    "modified_after_signing": gettext_noop(
        "Tài liệu bị sửa đổi sau khi ký: có thay đổi không được phép (ngoài việc điền "
        "biểu mẫu, thêm chữ ký và dữ liệu kiểm tra dài hạn)."
    ),
    "docmdp_violation": gettext_noop(
        "Tài liệu bị sửa đổi sau khi ký vượt quá mức mà chữ ký chứng nhận (DocMDP) cho phép."
    ),
    "annotations_after_signing": gettext_noop(
        "Sau khi ký, tài liệu được thêm chú thích (annotation); phần nội dung đã ký không đổi."
    ),
    "later_changes_allowed": gettext_noop(
        "Sau chữ ký này tài liệu chỉ được thêm chữ ký, điền biểu mẫu hoặc dữ liệu kiểm tra "
        "dài hạn (được phép)."
    ),
    "malformed_signature": gettext_noop("Chữ ký số bị lỗi định dạng, không đọc được."),
    "unsupported_format": gettext_noop("Định dạng chữ ký số “%(subfilter)s” không được hỗ trợ."),
    "signer_certificate_missing": gettext_noop(
        "Chữ ký không kèm chứng thư số của người ký (hoặc chứng thư không khớp với chữ ký)."
    ),
    "seed_value_violation": gettext_noop(
        "Chữ ký không đáp ứng các ràng buộc do trường chữ ký đặt ra (seed value)."
    ),
    "not_pades": gettext_noop(
        "Chữ ký không có thuộc tính ký (signed attributes): không đạt chuẩn PAdES baseline."
    ),
    "validation_error": gettext_noop("Đã xảy ra lỗi khi kiểm tra chữ ký này."),
    # --- certificate, trust and time ------------------------------------------------------
    "untrusted_chain": gettext_noop(
        "Chứng thư số không chuỗi đến chứng thư gốc nào trong danh sách tin cậy."
    ),
    "self_signed": gettext_noop("Chứng thư số tự ký, không thuộc danh sách chứng thư gốc tin cậy."),
    "key_usage": gettext_noop(
        "Chứng thư số không được cấp cho mục đích ký số (thiếu digitalSignature/nonRepudiation)."
    ),
    "chain_failure": gettext_noop("Không xác nhận được chuỗi chứng thư số của người ký."),
    "cert_expired_at_signing": gettext_noop(
        "Chứng thư số hết hạn hoặc chưa có hiệu lực tại thời điểm ký %(signed_at)s "
        "(hiệu lực từ %(not_before)s đến %(not_after)s)."
    ),
    "claimed_time_outside_validity": gettext_noop(
        "Thời điểm ký do người ký tự khai (%(signed_at)s) nằm ngoài thời hạn hiệu lực của chứng "
        "thư số (từ %(not_before)s đến %(not_after)s); không có dấu thời gian tin cậy để đối chiếu."
    ),
    "cert_expired": gettext_noop(
        "Chứng thư số trong chuỗi đã hết hạn ngày %(not_after)s; không có dấu thời gian tin cậy "
        "chứng minh chữ ký được tạo trước ngày đó."
    ),
    "cert_not_yet_valid": gettext_noop(
        "Chứng thư số chưa có hiệu lực tại thời điểm kiểm tra %(moment)s "
        "(hiệu lực từ %(not_before)s)."
    ),
    "revoked": gettext_noop("Chứng thư số đã bị thu hồi ngày %(revoked_at)s, trước thời điểm ký."),
    "revoked_no_poe": gettext_noop(
        "Chứng thư số đã bị thu hồi ngày %(revoked_at)s; không có dấu thời gian tin cậy "
        "chứng minh chữ ký được tạo trước đó."
    ),
    "ca_revoked": gettext_noop(
        "Một chứng thư của tổ chức cấp (CA) trong chuỗi đã bị thu hồi ngày %(revoked_at)s."
    ),
    "revocation_unchecked": gettext_noop(
        "Không kiểm tra được tình trạng thu hồi của chứng thư số (kiểm tra ngoại tuyến, tệp "
        "không kèm dữ liệu OCSP/CRL). Đây là cảnh báo, tự nó không làm chữ ký mất hiệu lực."
    ),
    "revocation_data_unusable": gettext_noop(
        "Dữ liệu thu hồi (OCSP/CRL) không dùng được hoặc đã quá hạn tại thời điểm kiểm tra."
    ),
    "algorithm_not_allowed": gettext_noop(
        "Chữ ký dùng thuật toán không được phép (%(algorithm)s)."
    ),
    "agency_mismatch": gettext_noop(
        "Chứng thư số thuộc cơ quan có mã định danh %(actual)s, không thuộc cơ quan ban hành "
        "%(expected)s."
    ),
    "validated_at_timestamp": gettext_noop(
        "Chứng thư số được kiểm tra tại thời điểm của dấu thời gian %(time)s "
        "(chữ ký được tạo khi chứng thư còn hiệu lực)."
    ),
    # --- timestamps -----------------------------------------------------------------------
    "timestamp_invalid": gettext_noop(
        "Dấu thời gian kèm chữ ký không hợp lệ (không khớp với chữ ký)."
    ),
    "timestamp_untrusted": gettext_noop(
        "Dấu thời gian kèm chữ ký do đơn vị không thuộc danh sách tin cậy cấp; "
        "thời điểm ký lấy theo khai báo của người ký."
    ),
    "timestamp_after_moment": gettext_noop(
        "Theo dấu thời gian, chữ ký được tạo lúc %(time)s, sau thời điểm kiểm tra %(moment)s."
    ),
    "doc_timestamp_invalid": gettext_noop(
        "Dấu thời gian tài liệu không hợp lệ (không khớp với nội dung tệp)."
    ),
    "doc_timestamp_untrusted": gettext_noop(
        "Dấu thời gian tài liệu do đơn vị không thuộc danh sách tin cậy cấp."
    ),
}

#: The reason codes refusals and sandbox failures use (also valid keys of MESSAGES).
REFUSAL_CODES: Final = frozenset({"not_a_pdf", "too_large", "encrypted_pdf"})


def _translate(text: str) -> str:
    """Django's gettext once Django is ready; the Vietnamese source string otherwise."""
    from django.apps import apps
    from django.conf import settings

    if not settings.configured or not apps.ready:
        return text
    from django.utils.translation import gettext

    return gettext(text)


def reason_message(code: str, params: Mapping[str, str] | None = None) -> str:
    """The message of a reason code in the active language (Vietnamese by default)."""
    template = MESSAGES.get(code)
    if template is None:
        template = MESSAGES["validation_error"]
    text = _translate(template)
    if "%(" not in text:
        return text
    values = _Values(params or {})
    try:
        return text % values
    except (TypeError, ValueError):
        # A broken translation must not hide the reason: fall back to the source.
        return template % values


class _Values(dict[str, str]):
    """Parameters for a message; a missing one shows as "?" instead of failing."""

    def __missing__(self, key: str) -> str:
        return "?"


def verdict_of(severities: Iterable[Severity]) -> Literal["valid", "invalid", "indeterminate"]:
    """Invalid if any reason invalidates, else indeterminate if any leaves it open, else valid."""
    seen = set(severities)
    if "invalid" in seen:
        return "invalid"
    if "indeterminate" in seen:
        return "indeterminate"
    return "valid"
