"""Document types, urgency and the edXML codes they map to: pure data from the law.

Types: Nghị định 30/2020, Điều 7 (29 types) and Phụ lục III (abbreviations); công văn and thư
công carry no abbreviation in the notation (Phụ lục I). Urgency: Điều 4 and Phụ lục I; the
edXML Priority 0–4 follows QCVN 102:2016 (vn-eoffice.md §2.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.db import models
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True, slots=True)
class DocumentType:
    code: str
    name: str
    #: Printed in the notation (`15/QĐ-UBND`); empty for công văn and thư công.
    abbreviation: str


#: Code = the Phụ lục III abbreviation (what integrators send as `type`); công văn is `CV`
#: and thư công `THC`, codes only: neither prints an abbreviation.
DOCUMENT_TYPES: Final[tuple[DocumentType, ...]] = (
    DocumentType("NQ", "Nghị quyết", "NQ"),
    DocumentType("QĐ", "Quyết định", "QĐ"),
    DocumentType("CT", "Chỉ thị", "CT"),
    DocumentType("QC", "Quy chế", "QC"),
    DocumentType("QyĐ", "Quy định", "QyĐ"),
    DocumentType("TC", "Thông cáo", "TC"),
    DocumentType("TB", "Thông báo", "TB"),
    DocumentType("HD", "Hướng dẫn", "HD"),
    DocumentType("CTr", "Chương trình", "CTr"),
    DocumentType("KH", "Kế hoạch", "KH"),
    DocumentType("PA", "Phương án", "PA"),
    DocumentType("ĐA", "Đề án", "ĐA"),
    DocumentType("DA", "Dự án", "DA"),
    DocumentType("BC", "Báo cáo", "BC"),
    DocumentType("BB", "Biên bản", "BB"),
    DocumentType("TTr", "Tờ trình", "TTr"),
    DocumentType("HĐ", "Hợp đồng", "HĐ"),
    DocumentType("CV", "Công văn", ""),
    DocumentType("CĐ", "Công điện", "CĐ"),
    DocumentType("BGN", "Bản ghi nhớ", "BGN"),
    DocumentType("BTT", "Bản thỏa thuận", "BTT"),
    DocumentType("GUQ", "Giấy ủy quyền", "GUQ"),
    DocumentType("GM", "Giấy mời", "GM"),
    DocumentType("GGT", "Giấy giới thiệu", "GGT"),
    DocumentType("GNP", "Giấy nghỉ phép", "GNP"),
    DocumentType("PG", "Phiếu gửi", "PG"),
    DocumentType("PC", "Phiếu chuyển", "PC"),
    DocumentType("PB", "Phiếu báo", "PB"),
    DocumentType("THC", "Thư công", ""),
)

TYPES_BY_CODE: Final = {t.code: t for t in DOCUMENT_TYPES}
TYPE_CHOICES: Final = [(t.code, t.name) for t in DOCUMENT_TYPES]
#: Types whose notation carries no type abbreviation (Phụ lục I).
LETTER_TYPES: Final = frozenset({"CV", "THC"})


class Urgency(models.TextChoices):
    NORMAL = "thuong", _("Thường")
    URGENT = "khan", _("Khẩn")
    VERY_URGENT = "thuong_khan", _("Thượng khẩn")
    EXPRESS = "hoa_toc", _("Hỏa tốc")
    EXPRESS_TIMED = "hoa_toc_hen_gio", _("Hỏa tốc hẹn giờ")


#: edXML OtherInfo/Priority (QCVN 102:2016).
EDXML_PRIORITY: Final = {
    Urgency.NORMAL: 0,
    Urgency.URGENT: 1,
    Urgency.VERY_URGENT: 2,
    Urgency.EXPRESS: 3,
    Urgency.EXPRESS_TIMED: 4,
}


class EdxmlStatus(models.TextChoices):
    """Status codes of edXML status packages (vn-eoffice.md §2.4)."""

    ARRIVED = "01", _("Đã đến")
    REFUSED = "02", _("Từ chối tiếp nhận")
    REGISTERED = "03", _("Đã tiếp nhận")
    ASSIGNED = "04", _("Phân công")
    PROCESSING = "05", _("Đang xử lý")
    COMPLETED = "06", _("Hoàn thành")
    RECALL = "13", _("Thu hồi")
    RECALL_AGREED = "15", _("Đồng ý thu hồi")
    RECALL_REFUSED = "16", _("Từ chối thu hồi")


#: Words that mark state secrets (Luật Bảo vệ bí mật nhà nước 2018, Điều 8): such documents
#: never travel on this system. Matched on the folded marking the clerk enters.
SECRECY_MARKINGS: Final = ("tuyet mat", "toi mat", "mat")
