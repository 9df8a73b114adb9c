"""What the indexer says about a file it could not read (fully): the Vietnamese messages of
the reason codes stored on `FileText`."""

from __future__ import annotations

from typing import Any, Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tinhso.files.limits import type_label

REASONS: Final[dict[str, Promise]] = {
    "encrypted": _("Tệp PDF được mã hóa bằng mật khẩu: không đọc được nội dung để tìm kiếm."),
    "malformed": _("Tệp %(type)s bị hỏng hoặc sai cấu trúc: không đọc được nội dung để tìm kiếm."),
    "zip_bomb": _(
        "Tệp %(type)s có cấu trúc nén bất thường (dung lượng giải nén quá lớn): hệ thống "
        "không đọc nội dung để bảo đảm an toàn."
    ),
    "type_mismatch": _(
        "Nội dung tệp là %(actual)s, không phải %(claimed)s như tên hoặc định dạng khai báo: "
        "hệ thống không đọc nội dung tệp này."
    ),
    "too_large": _("Tệp quá lớn để đọc nội dung (tối đa %(limit)s MB)."),
    "timeout": _("Đọc nội dung tệp quá thời gian cho phép (%(seconds)s giây)."),
    "memory": _("Đọc nội dung tệp vượt giới hạn bộ nhớ (%(megabytes)s MB)."),
    "crashed": _("Đọc nội dung tệp bị lỗi."),
    "missing": _("Không tìm thấy tệp trong kho lưu trữ."),
    "unsupported": _("Chưa hỗ trợ đọc nội dung tệp %(type)s để tìm kiếm."),
    "unknown_type": _("Không nhận ra định dạng tệp: không đọc được nội dung."),
}

OCR_REASONS: Final[dict[str, Promise]] = {
    "pending": _("Đang chờ nhận dạng chữ (OCR) trên bản quét."),
    "failed": _("Nhận dạng chữ (OCR) trên bản quét thất bại."),
    "timeout": _("Nhận dạng chữ (OCR) quá thời gian cho phép (%(seconds)s giây)."),
    "unavailable": _(
        "Máy chủ chưa cài phần mềm nhận dạng chữ (OCR): nội dung bản quét chưa tìm kiếm được."
    ),
    "disabled": _("Nhận dạng chữ (OCR) đang tắt: nội dung bản quét chưa tìm kiếm được."),
}


class _Values(dict[str, Any]):
    """Message parameters: one a row does not hold reads as empty, never a KeyError."""

    def __missing__(self, key: str) -> str:
        return ""


def reason_message(reason: str, detail: dict[str, Any] | None = None) -> str:
    return _message(REASONS, reason, detail)


def ocr_message(status: str, detail: dict[str, Any] | None = None) -> str:
    return _message(OCR_REASONS, status, detail)


def _message(table: dict[str, Promise], code: str, detail: dict[str, Any] | None) -> str:
    template = table.get(code)
    if template is None:
        return ""
    values = _Values({"type": "", "actual": "", "claimed": ""})
    values.update(detail or {})
    for key in ("type", "actual", "claimed"):
        if "/" in str(values[key]):
            values[key] = type_label(str(values[key]))
    if isinstance(values.get("seconds"), float) and float(values["seconds"]).is_integer():
        values["seconds"] = int(values["seconds"])
    return str(template) % values
