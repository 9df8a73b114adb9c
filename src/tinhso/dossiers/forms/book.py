"""Sổ theo dõi hồ sơ (Thông tư 01/2018/TT-VPCP Mẫu 06; Thông tư 03/2025/TT-VPCP Mẫu 07): the
dossiers a counter received in a period, one row each, as plain data for the PDF and Excel.

A dossier enters the book of its receiving agency on the local day it was received
(`received_at`); dossiers that were never received (a supplement asked at the counter and not
answered, a refusal) are not in the book: they got Mẫu 02 or 03 instead of Mẫu 01. Rows are read
with `.iterator()` so a year's book does not hold every model row in memory at once.

Columns (vn-onestop §2, after R1 `SoTheoDoiHoSo.tsx` and the official layout [I]): STT; mã hồ sơ;
tên thủ tục hành chính; số lượng hồ sơ (bộ); tên, địa chỉ, số điện thoại của chủ hồ sơ; cơ quan
chủ trì giải quyết; nhận hồ sơ; hẹn trả kết quả; chuyển hồ sơ đến cơ quan giải quyết; nhận kết
quả từ cơ quan giải quyết; trả kết quả; ghi chú. The paper book adds a signature column under
each hand-over; the spreadsheet keeps only the data.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from tinhso.dossiers.forms import printing
from tinhso.dossiers.models import Dossier, Handover, Status
from tinhso.organizations.models import Agency
from tinhso.workcalendar.arithmetic import TIMEZONE

#: The longest period one book covers: a (leap) year.
MAX_PERIOD_DAYS: Final = 366
#: The most rows printed in one PDF by default: WeasyPrint lays out about 60 rows a second
#: (measured: 1,000 rows in 17 s of CPU), and a request must finish well within the
#: server's 60 s timeout. The spreadsheet has no such limit.
PDF_MAX_ROWS: Final = 1500


def pdf_row_limit() -> int:
    """`TINHSO_TRACKING_BOOK_PDF_MAX_ROWS`, else `PDF_MAX_ROWS`."""
    from django.conf import settings

    return int(getattr(settings, "TINHSO_TRACKING_BOOK_PDF_MAX_ROWS", PDF_MAX_ROWS))


@dataclass(frozen=True, slots=True)
class Period:
    """Local dates, both included."""

    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time.min, tzinfo=TIMEZONE)

    @property
    def end(self) -> dt.datetime:
        """The first moment after the period (exclusive bound)."""
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time.min, tzinfo=TIMEZONE)


def period(first: dt.date | None, last: dt.date | None) -> Period:
    """The book's period, checked: both ends given, in order, at most 366 days."""
    errors: dict[str, list[str]] = {}
    if first is None:
        errors["from"] = [_("Cần chọn ngày bắt đầu của kỳ.")]
    if last is None:
        errors["to"] = [_("Cần chọn ngày kết thúc của kỳ.")]
    if first is not None and last is not None:
        if last < first:
            errors["to"] = [_("Ngày kết thúc phải từ ngày bắt đầu trở đi.")]
        elif (last - first).days + 1 > MAX_PERIOD_DAYS:
            errors["to"] = [
                _("Mỗi sổ theo dõi tối đa %(n)d ngày; hãy chia thành nhiều kỳ.")
                % {"n": MAX_PERIOD_DAYS}
            ]
    if errors:
        raise ValidationError(errors)
    assert first is not None and last is not None
    return Period(first, last)


@dataclass(frozen=True, slots=True)
class BookRow:
    number: int
    code: str
    procedure: str
    sets: int
    applicant_name: str
    applicant_address: str
    applicant_phone: str
    resolving_agency: str
    received_at: dt.datetime
    due_at: dt.datetime | None
    transferred_at: dt.datetime | None
    resolved_at: dt.datetime | None
    returned_at: dt.datetime | None
    note: str

    @property
    def applicant(self) -> str:
        """Tên, địa chỉ, số điện thoại on one line, as the book's column holds them."""
        return "; ".join(
            p for p in (self.applicant_name, self.applicant_address, self.applicant_phone) if p
        )


def _note(d: Dossier) -> str:
    """Ghi chú: what the dates alone do not say (late, a new appointment, an early end)."""
    parts: list[str] = []
    if d.status not in (Status.RETURNED, Status.RESOLVED):
        parts.append(str(Status(d.status).label))
    if d.extended_due_at is not None:
        parts.append(
            _("Hẹn lại: %(day)s")
            % {"day": printing.short_date(printing.local(d.extended_due_at).date())}
        )
    if d.is_late:
        parts.append(_("Quá hạn"))
    return "; ".join(parts)


def _book_queryset(agency: Agency | int, p: Period) -> QuerySet[Dossier]:
    agency_id = agency.pk if isinstance(agency, Agency) else agency
    return Dossier.objects.filter(
        receiving_agency_id=agency_id, received_at__gte=p.start, received_at__lt=p.end
    )


def book_size(agency: Agency | int, p: Period) -> int:
    """How many rows the book of `agency` has for `p`."""
    return _book_queryset(agency, p).count()


def check_printable(agency: Agency | int, p: Period) -> None:
    """Refuse a PDF book too long to print within a request, pointing to the spreadsheet."""
    size, limit = book_size(agency, p), pdf_row_limit()
    if size > limit:
        raise ValidationError(
            {
                "to": [
                    _(
                        "Kỳ này có %(size)s hồ sơ, quá %(limit)s hồ sơ cho một bản in PDF: hãy "
                        "chọn kỳ ngắn hơn hoặc tải tệp Excel."
                    )
                    % {
                        "size": f"{size:,}".replace(",", "."),
                        "limit": f"{limit:,}".replace(",", "."),
                    }
                ]
            }
        )


def book_rows(agency: Agency | int, p: Period) -> Iterator[BookRow]:
    """The rows of `agency`'s book for `p`, in the order the dossiers were received."""
    first_transfer = (
        Handover.objects.filter(dossier=OuterRef("pk"), action="transfer")
        .order_by("seq")
        .values("handed_at")[:1]
    )
    qs = (
        _book_queryset(agency, p)
        .select_related("procedure_version", "resolving_agency")
        .annotate(first_transfer_at=Subquery(first_transfer))
        .only(
            "code",
            "status",
            "sets",
            "applicant_name",
            "applicant_address",
            "applicant_phone",
            "received_at",
            "due_at",
            "extended_due_at",
            "resolved_at",
            "returned_at",
            "is_late",
            "procedure_version__name",
            "resolving_agency__name",
        )
        .order_by("received_at", "id")
    )
    for number, d in enumerate(qs.iterator(chunk_size=500), start=1):
        assert d.received_at is not None
        yield BookRow(
            number=number,
            code=d.code,
            procedure=d.procedure_version.name,
            sets=d.sets,
            applicant_name=d.applicant_name,
            applicant_address=d.applicant_address,
            applicant_phone=d.applicant_phone,
            resolving_agency=d.resolving_agency.name,
            received_at=d.received_at,
            due_at=d.due_at,
            transferred_at=d.first_transfer_at,
            resolved_at=d.resolved_at,
            returned_at=d.returned_at,
            note=_note(d),
        )


# --- Excel --------------------------------------------------------------------------------------

#: (header, width in characters) of the spreadsheet, in the order of the paper book.
XLSX_COLUMNS: Final[tuple[tuple[str, int], ...]] = (
    ("STT", 6),
    ("Mã hồ sơ", 24),
    ("Tên thủ tục hành chính", 48),
    ("Số lượng hồ sơ (bộ)", 10),
    ("Tên, địa chỉ, số điện thoại", 48),
    ("Cơ quan chủ trì giải quyết", 30),
    ("Nhận hồ sơ", 12),
    ("Hẹn trả kết quả", 12),
    ("Chuyển hồ sơ đến cơ quan giải quyết", 14),
    ("Nhận kết quả từ cơ quan giải quyết", 14),
    ("Trả kết quả", 12),
    ("Ghi chú", 30),
)
DATE_FORMAT: Final = "dd/mm/yyyy"
_DATE_COLUMNS: Final = frozenset({7, 8, 9, 10, 11})


def _day(moment: dt.datetime | None) -> dt.date | None:
    return printing.local(moment).date() if moment is not None else None


def tracking_book_xlsx(agency: Agency, date_from: dt.date, date_to: dt.date) -> bytes:
    """The book as an .xlsx workbook: a title, then one header row (frozen) and one row per
    dossier; dates are real dates shown dd/mm/yyyy. Written row by row (write-only mode), so a
    year of a busy counter fits. Raises `ValidationError` for a bad period."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    p = period(date_from, date_to)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="Sổ theo dõi hồ sơ")
    for index, (_header, width) in enumerate(XLSX_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header_row = 3
    # The header row stays on screen while scrolling: freeze everything above row 4.
    sheet.freeze_panes = f"A{header_row + 1}"

    title = WriteOnlyCell(
        sheet, value=_("SỔ THEO DÕI HỒ SƠ – %(agency)s") % {"agency": agency.name}
    )
    title.font = Font(bold=True, size=13)
    sheet.append([title])
    sheet.append(
        [
            _("Từ ngày %(first)s đến ngày %(last)s")
            % {"first": printing.short_date(p.first), "last": printing.short_date(p.last)}
        ]
    )
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    headers = []
    for header, _width in XLSX_COLUMNS:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        cell.alignment = wrap
        headers.append(cell)
    sheet.append(headers)

    for row in book_rows(agency, p):
        values: list[object] = [
            row.number,
            row.code,
            row.procedure,
            row.sets,
            row.applicant,
            row.resolving_agency,
            _day(row.received_at),
            _day(row.due_at),
            _day(row.transferred_at),
            _day(row.resolved_at),
            _day(row.returned_at),
            row.note,
        ]
        cells = []
        for index, value in enumerate(values, start=1):
            cell = WriteOnlyCell(sheet, value=value)
            if index in _DATE_COLUMNS and value is not None:
                cell.number_format = DATE_FORMAT
            cells.append(cell)
        sheet.append(cells)

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
