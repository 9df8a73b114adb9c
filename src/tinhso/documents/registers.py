"""Printing the registers (sổ đăng ký văn bản đến / đi) of an agency for a period.

Nghị định 30/2020, Điều 16.2 (outgoing) and Điều 22.2 (incoming): a register kept in the
System is printed with every column of the paper form, signed and closed (Phụ lục IV). One
"book" is either one register or every register of a direction of an agency; each register
keeps its own number series, so it prints as its own section (PDF) or sheet (Excel).

Columns (vn-eoffice.md §3.4):

- incoming: ngày đến, số đến, tác giả, số/ký hiệu, ngày tháng văn bản, tên loại và trích yếu,
  đơn vị hoặc người nhận, ngày chuyển, ký nhận, ghi chú;
- outgoing: số, ký hiệu; ngày tháng văn bản; tên loại và trích yếu; người ký; nơi nhận; đơn
  vị, người nhận bản lưu; số lượng bản; ngày chuyển; ký nhận; ghi chú.

A document is in the register of the local day it was registered (`registered_at`: arrival
for incoming, issue for outgoing). Rows are read in chunks (`.iterator(chunk_size=…)`) with
their related rows prefetched per chunk: a year of 20,000 documents is a few dozen queries and
never all in memory. The PDF is limited to `pdf_row_limit()` rows (WeasyPrint lays out about
60 rows a second and a request must end in time); the spreadsheet has no limit.

Who reads a register: the agency's registry clerks (văn thư) and its leaders (lãnh đạo
without a department). Other officials get 403; a reader of agency A asking for agency B's
register gets 404.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Final

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from tinhso.accounts.access import Actor
from tinhso.documents.access import clerk_agencies, leader_agencies
from tinhso.documents.kinds import TYPES_BY_CODE, Urgency
from tinhso.documents.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Direction,
    Document,
    DocumentStatus,
    Recipient,
    RecipientState,
    Register,
)
from tinhso.dossiers.forms import printing
from tinhso.dossiers.forms.book import Period
from tinhso.dossiers.forms.render import html_to_pdf
from tinhso.organizations.models import Agency

#: The longest period one print covers: a (leap) year.
MAX_PERIOD_DAYS: Final = 366
#: Rows per PDF by default (see the module docstring); `TINHSO_REGISTER_PDF_MAX_ROWS`.
PDF_MAX_ROWS: Final = 1500
#: Rows fetched per query: each chunk brings its assignments or recipients in one more query.
CHUNK_SIZE: Final = 500
#: The form the registers follow.
REFERENCE: Final = "Phụ lục IV – Nghị định 30/2020/NĐ-CP"


def pdf_row_limit() -> int:
    return int(getattr(settings, "TINHSO_REGISTER_PDF_MAX_ROWS", PDF_MAX_ROWS))


# --- Period ---------------------------------------------------------------------------------


def register_period(first: dt.date | None, last: dt.date | None) -> Period:
    """The period to print, checked: both ends, in order, at most a year (366 days)."""
    errors: dict[str, list[str]] = {}
    if first is None:
        errors["date_from"] = [_("Cần chọn ngày bắt đầu của kỳ (Từ ngày).")]
    if last is None:
        errors["date_to"] = [_("Cần chọn ngày kết thúc của kỳ (Đến ngày).")]
    if first is not None and last is not None:
        if first > last:
            errors["date_from"] = [
                _("Từ ngày (%(first)s) phải trước hoặc cùng Đến ngày (%(last)s).")
                % {"first": printing.short_date(first), "last": printing.short_date(last)}
            ]
        elif (last - first).days + 1 > MAX_PERIOD_DAYS:
            errors["date_to"] = [
                _(
                    "Mỗi lần in sổ tối đa một năm (%(n)d ngày); kỳ đã chọn dài %(days)d ngày, "
                    "hãy chia thành nhiều kỳ."
                )
                % {"n": MAX_PERIOD_DAYS, "days": (last - first).days + 1}
            ]
    if errors:
        raise ValidationError(errors)
    assert first is not None and last is not None
    return Period(first, last)


# --- Who reads which register ----------------------------------------------------------------


def register_agency_ids(actor: Actor) -> frozenset[int]:
    """The agencies whose registers the actor prints: as registry clerk or as agency leader."""
    if not actor.is_authenticated or not actor.is_official:
        return frozenset()
    return clerk_agencies(actor) | leader_agencies(actor)


def require_register_reader(actor: Actor) -> None:
    if not register_agency_ids(actor):
        raise PermissionDenied(
            _("Sổ văn bản chỉ dành cho văn thư và lãnh đạo cơ quan (lãnh đạo không thuộc phòng).")
        )


def register_agencies(actor: Actor) -> list[Agency]:
    ids = register_agency_ids(actor)
    return list(Agency.objects.filter(pk__in=ids).order_by("name"))


@dataclass(frozen=True, slots=True)
class RegisterBook:
    """What one print covers: one register, or every register of a direction of an agency."""

    agency: Agency
    direction: str
    registers: tuple[Register, ...]
    #: True when one register was asked for (the title names it).
    single: bool

    @property
    def is_incoming(self) -> bool:
        return self.direction == Direction.INCOMING


def access_register_book(
    actor: Actor,
    *,
    agency_id: int | None = None,
    direction: str | None = None,
    register_id: int | None = None,
) -> RegisterBook:
    """The registers to print, if the actor reads that agency's registers (404 otherwise).

    Either `register_id` (one register; its agency is the register's) or `agency_id` and
    `direction` (all the agency's registers of that direction, in use or not: a register
    closed last year is still printed for last year).
    """
    require_register_reader(actor)
    readable = register_agency_ids(actor)
    if register_id is not None:
        register = (
            Register.objects.filter(pk=register_id, agency_id__in=readable)
            .select_related("agency", "agency__parent")
            .first()
        )
        if register is None or (agency_id is not None and register.agency_id != agency_id):
            raise Http404(_("Không tìm thấy sổ văn bản."))
        return RegisterBook(register.agency, register.direction, (register,), single=True)
    if agency_id is None or agency_id not in readable:
        raise Http404(_("Không tìm thấy cơ quan."))
    agency = Agency.objects.filter(pk=agency_id).select_related("parent").first()
    if agency is None:
        raise Http404(_("Không tìm thấy cơ quan."))
    if direction not in Direction.values:
        raise ValidationError({"register": [_("Cần chọn sổ văn bản đến hoặc sổ văn bản đi.")]})
    registers = Register.objects.filter(agency_id=agency_id, direction=direction).order_by("id")
    return RegisterBook(agency, str(direction), tuple(registers), single=False)


# --- Selectors ------------------------------------------------------------------------------


def _period_documents(register_ids: list[int], p: Period) -> QuerySet[Document]:
    return Document.objects.filter(
        register_id__in=register_ids,
        register_number__isnull=False,
        registered_at__gte=p.start,
        registered_at__lt=p.end,
    )


def register_counts(agency: Agency, p: Period) -> dict[int, int]:
    """{register id: documents registered in `p`} for every register of the agency (one query)."""
    ids = list(Register.objects.filter(agency=agency).values_list("pk", flat=True))
    counts = (
        _period_documents(ids, p)
        .order_by()
        .values("register_id")
        .annotate(n=Count("id"))
        .values_list("register_id", "n")
    )
    found = dict(counts)
    return {pk: int(found.get(pk, 0)) for pk in ids}


def book_size(book: RegisterBook, p: Period) -> int:
    return _period_documents([r.pk for r in book.registers], p).count()


def check_printable(book: RegisterBook, p: Period) -> None:
    """Refuse a PDF too long to print within a request, pointing to the spreadsheet."""
    size, limit = book_size(book, p), pdf_row_limit()
    if size > limit:
        raise ValidationError(
            {
                "date_to": [
                    _(
                        "Kỳ này có %(size)s văn bản, quá %(limit)s văn bản cho một bản in PDF: "
                        "hãy chọn kỳ ngắn hơn (ví dụ từng tháng) hoặc xuất tệp Excel."
                    )
                    % {"size": printing.amount(size), "limit": printing.amount(limit)}
                ]
            }
        )


@dataclass(frozen=True, slots=True)
class IncomingRow:
    arrived_at: dt.datetime
    number: int
    issuer: str
    reference: str
    issued_on: dt.date | None
    type_name: str
    subject: str
    receiver: str
    handed_at: dt.datetime | None
    note: str

    @property
    def type_and_subject(self) -> str:
        return _type_and_subject(self.type_name, self.subject)


@dataclass(frozen=True, slots=True)
class OutgoingRow:
    number: int
    reference: str
    issued_on: dt.date | None
    type_name: str
    subject: str
    signer: str
    recipients: str
    keeper: str
    copies: int | None
    handed_at: dt.datetime | None
    note: str

    @property
    def type_and_subject(self) -> str:
        return _type_and_subject(self.type_name, self.subject)


def _type_and_subject(type_name: str, subject: str) -> str:
    return f"{type_name} – {subject}" if type_name else subject


def _type_name(code: str) -> str:
    kind = TYPES_BY_CODE.get(code)
    return kind.name if kind is not None else code


def _person(user: Any) -> str:
    if user is None:
        return ""
    return str(user.full_name or user.username)


def _unit_and_person(department: Any, user: Any) -> str:
    return " – ".join(p for p in (department.name if department else "", _person(user)) if p)


def _note(d: Document) -> str:
    """Ghi chú: what the other columns do not say (urgency, recall, replacement, the clerk's note)."""
    parts: list[str] = []
    if d.urgency and d.urgency != Urgency.NORMAL:
        parts.append(str(Urgency(d.urgency).label))
    if d.status == DocumentStatus.RECALLED:
        parts.append(_("Đã thu hồi"))
    if d.note:
        parts.append(" ".join(d.note.split()))
    return "; ".join(parts)


_DOCUMENT_FIELDS: Final = (
    "register_id",
    "register_number",
    "registered_at",
    "issuer_name",
    "number",
    "notation",
    "issued_on",
    "doc_type",
    "subject",
    "urgency",
    "status",
    "note",
)


def incoming_rows(register: Register, p: Period) -> Iterator[IncomingRow]:
    """The incoming register's rows in `p`, in the order of arrival (số đến).

    Đơn vị hoặc người nhận: the main processor (department and person) once the leader has
    routed the document, else the leader it was presented to, else the processing
    department; ngày chuyển: when the registry first passed it on (the first main assignment).
    Withdrawn assignments do not count.
    """
    mains = (
        Assignment.objects.filter(role=AssignmentRole.MAIN)
        .exclude(status=AssignmentStatus.WITHDRAWN)
        .select_related("assignee", "department")
        .only(
            "document_id",
            "is_presentation",
            "assigned_at",
            "assignee__full_name",
            "assignee__username",
            "department__name",
        )
        .order_by("assigned_at", "id")
    )
    qs = (
        _period_documents([register.pk], p)
        .select_related("department")
        .prefetch_related(Prefetch("assignments", queryset=mains, to_attr="register_mains"))
        .only(*_DOCUMENT_FIELDS, "department__name")
        .order_by("registered_at", "register_number", "id")
    )
    for d in qs.iterator(chunk_size=CHUNK_SIZE):
        assert d.registered_at is not None and d.register_number is not None
        assignments: list[Assignment] = d.register_mains
        processor = next((a for a in assignments if not a.is_presentation), None)
        chosen = processor or (assignments[0] if assignments else None)
        if chosen is not None:
            receiver = _unit_and_person(chosen.department, chosen.assignee)
        else:
            receiver = d.department.name if d.department is not None else ""
        yield IncomingRow(
            arrived_at=d.registered_at,
            number=d.register_number,
            issuer=d.issuer_name,
            reference=d.reference,
            issued_on=d.issued_on,
            type_name=_type_name(d.doc_type),
            subject=d.subject,
            receiver=receiver,
            handed_at=assignments[0].assigned_at if assignments else None,
            note=_note(d),
        )


def outgoing_rows(register: Register, p: Period) -> Iterator[OutgoingRow]:
    """The outgoing register's rows in `p`, in the order of issue (số).

    Nơi nhận: every recipient; đơn vị, người nhận bản lưu: the drafting department and the
    drafter, who keep the file copy; ngày chuyển: when the first copy left (a recipient's
    first state after "waiting"), else the moment of issue.
    """
    recipients = Recipient.objects.only("document_id", "name", "state", "state_at").order_by("id")
    qs = (
        _period_documents([register.pk], p)
        .select_related("department", "created_by", "signer")
        .prefetch_related(Prefetch("recipients", queryset=recipients, to_attr="register_to"))
        .only(
            *_DOCUMENT_FIELDS,
            "signer_name",
            "copies",
            "department__name",
            "created_by__full_name",
            "created_by__username",
            "signer__full_name",
            "signer__username",
        )
        .order_by("registered_at", "register_number", "id")
    )
    for d in qs.iterator(chunk_size=CHUNK_SIZE):
        assert d.registered_at is not None and d.register_number is not None
        to: list[Recipient] = d.register_to
        sent = [
            r.state_at
            for r in to
            if r.state_at is not None
            and r.state not in (RecipientState.PENDING, RecipientState.RECALLED)
        ]
        yield OutgoingRow(
            number=d.register_number,
            reference=d.reference,
            issued_on=d.issued_on,
            type_name=_type_name(d.doc_type),
            subject=d.subject,
            signer=d.signer_name or _person(d.signer),
            recipients="; ".join(r.name for r in to),
            keeper=_unit_and_person(d.department, d.created_by),
            copies=d.copies,
            handed_at=min(sent) if sent else d.registered_at,
            note=_note(d),
        )


# --- PDF ------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Counted while the rows are printed, read by the closing line under the table."""

    count: int = 0
    first: str | None = None
    last: str | None = None

    def see(self, number: str) -> None:
        self.count += 1
        if self.first is None:
            self.first = number
        self.last = number


@dataclass
class Section:
    register: Register
    rows: Iterator[dict[str, str]]
    tally: Tally = field(default_factory=Tally)


def _day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = printing.local(value).date()
    return printing.short_date(value)


def _incoming_lines(register: Register, p: Period, tally: Tally) -> Iterator[dict[str, str]]:
    for r in incoming_rows(register, p):
        tally.see(_number(register, r.number))
        yield {
            "arrived": _day(r.arrived_at),
            "arrived_time": f"{printing.local(r.arrived_at):%H:%M}",
            "number": _number(register, r.number),
            "issuer": r.issuer,
            "reference": r.reference,
            "issued_on": _day(r.issued_on),
            "type_name": r.type_name,
            "subject": r.subject,
            "receiver": r.receiver,
            "handed": _day(r.handed_at),
            "note": r.note,
        }


def _outgoing_lines(register: Register, p: Period, tally: Tally) -> Iterator[dict[str, str]]:
    for r in outgoing_rows(register, p):
        tally.see(_number(register, r.number))
        yield {
            "reference": r.reference or _number(register, r.number),
            "issued_on": _day(r.issued_on),
            "type_name": r.type_name,
            "subject": r.subject,
            "signer": r.signer,
            "recipients": r.recipients,
            "keeper": r.keeper,
            "copies": "" if r.copies is None else str(r.copies),
            "handed": _day(r.handed_at),
            "note": r.note,
        }


def _number(register: Register, number: int) -> str:
    return str(number).zfill(max(register.number_width, 1))


def _sections(book: RegisterBook, p: Period) -> list[Section]:
    sections = []
    for register in book.registers:
        tally = Tally()
        lines = (_incoming_lines if book.is_incoming else _outgoing_lines)(register, p, tally)
        sections.append(Section(register, lines, tally))
    return sections


def book_title(book: RegisterBook) -> str:
    return _("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN") if book.is_incoming else _("SỔ ĐĂNG KÝ VĂN BẢN ĐI")


def _period_line(p: Period) -> str:
    years = str(p.first.year) if p.first.year == p.last.year else f"{p.first.year}–{p.last.year}"
    return _("Năm %(years)s – từ ngày %(first)s đến ngày %(last)s") % {
        "years": years,
        "first": printing.short_date(p.first),
        "last": printing.short_date(p.last),
    }


def _agency_lines(agency: Agency) -> tuple[str, str]:
    """The issuing body as printed top left: the governing body above, the agency below."""
    parent = agency.parent.name.upper() if agency.parent is not None else ""
    return parent, agency.name.upper()


def register_html(book: RegisterBook, p: Period, *, printed_at: dt.datetime | None = None) -> str:
    """The HTML of the register print (what `render_register` prints)."""
    printed_at = printed_at or timezone.now()
    parent, name = _agency_lines(book.agency)
    context = {
        "title": book_title(book),
        "reference": REFERENCE,
        "agency_parent": parent,
        "agency_name": name,
        "agency": book.agency,
        "book": book,
        "period_line": _period_line(p),
        "sections": _sections(book, p),
        "printed_on": printing.short_date(printing.local(printed_at).date()),
        "printed_at": f"{printing.local(printed_at):%H:%M}",
        "columns": range(1, 11),
    }
    with override("vi"):
        # The register is an official paper: Vietnamese whatever the reader's language.
        return render_to_string("documents/registers/register.html", context)


def render_register(
    book: RegisterBook, first: dt.date, last: dt.date, *, printed_at: dt.datetime | None = None
) -> bytes:
    """The register(s) of `book` for the local dates [first, last] as an A4 landscape PDF.

    Raises `ValidationError` for a bad period or one with more rows than a PDF prints within a
    request (`pdf_row_limit`).
    """
    p = register_period(first, last)
    check_printable(book, p)
    return html_to_pdf(register_html(book, p, printed_at=printed_at))


# --- Excel ----------------------------------------------------------------------------------

#: (header, width in characters), in the order of the paper register.
INCOMING_COLUMNS: Final[tuple[tuple[str, int], ...]] = (
    ("Ngày đến", 12),
    ("Số đến", 8),
    ("Tác giả", 30),
    ("Số, ký hiệu", 18),
    ("Ngày tháng văn bản", 12),
    ("Tên loại và trích yếu nội dung", 60),
    ("Đơn vị hoặc người nhận", 30),
    ("Ngày chuyển", 12),
    ("Ký nhận", 14),
    ("Ghi chú", 24),
)
OUTGOING_COLUMNS: Final[tuple[tuple[str, int], ...]] = (
    ("Số, ký hiệu văn bản", 18),
    ("Ngày tháng văn bản", 12),
    ("Tên loại và trích yếu nội dung", 60),
    ("Người ký", 24),
    ("Nơi nhận văn bản", 40),
    ("Đơn vị, người nhận bản lưu", 30),
    ("Số lượng bản", 8),
    ("Ngày chuyển", 12),
    ("Ký nhận", 14),
    ("Ghi chú", 24),
)
DATE_FORMAT: Final = "dd/mm/yyyy"
HEADER_ROW: Final = 4
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(name: str, taken: set[str]) -> str:
    """A worksheet name Excel accepts: no []:*?/\\, at most 31 characters, unique."""
    base = _SHEET_FORBIDDEN.sub("-", name).strip("' ") or "So"
    title, n = base[:31], 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return printing.local(value).date() if value is not None else None


def register_xlsx(book: RegisterBook, first: dt.date, last: dt.date, out: IO[bytes]) -> None:
    """Write the register(s) as an .xlsx workbook to `out`: one sheet per register, a title,
    the period, one frozen header row, one row per document; dates are real dates shown
    dd/mm/yyyy. Rows are written one at a time (write-only mode) so a year fits.

    Raises `ValidationError` for a bad period.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    p = register_period(first, last)
    columns = INCOMING_COLUMNS if book.is_incoming else OUTGOING_COLUMNS
    date_columns = {0, 4, 7} if book.is_incoming else {1, 7}
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="center", horizontal="center")
    registers = book.registers or ()
    if not registers:
        # An agency without a register still gets a workbook that says so.
        sheet = workbook.create_sheet(title=_sheet_title(book_title(book), taken))
        sheet.append([f"{book_title(book)} – {book.agency.name}"])
        sheet.append([_period_line(p)])
        sheet.append([_("Cơ quan chưa có sổ văn bản nào.")])
    for register in registers:
        sheet = workbook.create_sheet(title=_sheet_title(register.name, taken))
        for index, (_header, width) in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = f"A{HEADER_ROW + 1}"
        title = WriteOnlyCell(sheet, value=f"{book_title(book)} – {book.agency.name}")
        title.font = Font(bold=True, size=13)
        sheet.append([title])
        sheet.append([register.name])
        sheet.append([_period_line(p)])
        headers = []
        for header, _width in columns:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font, cell.alignment = bold, wrap
            headers.append(cell)
        sheet.append(headers)
        values: list[object]
        if book.is_incoming:
            rows: Iterator[IncomingRow | OutgoingRow] = incoming_rows(register, p)
        else:
            rows = outgoing_rows(register, p)
        for row in rows:
            if isinstance(row, IncomingRow):
                values = [
                    _local_date(row.arrived_at),
                    row.number,
                    row.issuer,
                    row.reference,
                    row.issued_on,
                    row.type_and_subject,
                    row.receiver,
                    _local_date(row.handed_at),
                    None,
                    row.note,
                ]
            else:
                values = [
                    row.reference or _number(register, row.number),
                    row.issued_on,
                    row.type_and_subject,
                    row.signer,
                    row.recipients,
                    row.keeper,
                    row.copies,
                    _local_date(row.handed_at),
                    None,
                    row.note,
                ]
            cells = []
            for index, value in enumerate(values):
                cell = WriteOnlyCell(sheet, value=value)
                if index in date_columns and value is not None:
                    cell.number_format = DATE_FORMAT
                cells.append(cell)
            sheet.append(cells)
    workbook.save(out)


def register_filename(book: RegisterBook, p: Period, extension: str) -> str:
    """ASCII: the agency code, the direction or register id, the period."""
    if book.single:
        which = f"so-{book.registers[0].pk}"
    else:
        which = "so-van-ban-den" if book.is_incoming else "so-van-ban-di"
    return f"{which}-{book.agency.code}-{p.first:%Y%m%d}-{p.last:%Y%m%d}.{extension}"
