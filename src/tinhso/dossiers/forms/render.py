"""The official one-stop forms as A4 PDF: HTML templates laid out like the forms of Thông tư
01/2018/TT-VPCP and Thông tư 03/2025/TT-VPCP, printed by WeasyPrint.

`render_form(dossier, slug)` prints one form of a dossier (refusing one that does not apply),
`render_tracking_book(agency, first, last)` the counter's tracking book for a period. Nothing is
cached on disk; the PDF is made anew from the database each time. The printer reaches no
network and no file: the only resources are inline (SVG marks, the stylesheet) and fonts are
the system's, found by family name through fontconfig.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import override

from tinhso.accounts.models import Membership
from tinhso.dossiers.forms import marks, printing
from tinhso.dossiers.forms.book import BookRow, Period, book_rows, check_printable, period
from tinhso.dossiers.forms.registry import (
    FormKind,
    FormNotApplicable,
    FormSpec,
    book_spec,
    check_applies,
    form_spec,
)
from tinhso.dossiers.models import (
    Activity,
    Dossier,
    DossierComponent,
    FeeStatus,
    Handover,
    Outcome,
    ReturnMethod,
    Status,
    rule_set_on,
)
from tinhso.dossiers.rules import Action
from tinhso.organizations.models import Agency, Department
from tinhso.procedures.models import TimeUnit

# --- Printing HTML --------------------------------------------------------------------------


def _offline_fetcher() -> Any:
    """A WeasyPrint URL fetcher that fetches nothing but `data:` URLs.

    A form carries text typed by applicants; whatever ends up in it, printing must not make
    the server call out (http, https, ftp) or read local files (file:).
    """
    from weasyprint import URLFetcher

    class OfflineFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].strip().lower()
            if scheme != "data":
                raise ValueError(f"refused while printing a form: {scheme} URL")
            return super().fetch(url, headers)

    return OfflineFetcher(allowed_protocols={"data"}, allow_redirects=False)


def html_to_pdf(html: str) -> bytes:
    """Print an HTML document to PDF, offline."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=None, url_fetcher=_offline_fetcher())
    pdf: bytes = document.write_pdf()
    return pdf


# --- What every form shares -----------------------------------------------------------------


def _agency_lines(agency: Agency) -> tuple[str, str]:
    """The issuing body as printed top left: the governing body above, the agency below."""
    parent = agency.parent.name.upper() if agency.parent is not None else ""
    return parent, agency.name.upper()


def _place(agency: Agency) -> str:
    unit = agency.admin_unit
    if unit is not None:
        return printing.place_name(unit.name)
    return printing.place_name(str(getattr(settings, "TINHSO_PROVINCE_NAME", "")))


def _latest(d: Dossier, *actions: str) -> Activity | None:
    return (
        Activity.objects.filter(dossier=d, action__in=actions)
        .order_by("-occurred_at", "-id")
        .first()
    )


def _unit_name(agency: Agency | None, department: Department | None) -> str:
    if agency is None:
        return ""
    if department is not None:
        return f"{department.name} – {agency.name}"
    return agency.name


def _base(d: Dossier, spec: FormSpec, issuer: Agency, issued_at: dt.datetime) -> dict[str, Any]:
    parent, name = _agency_lines(issuer)
    return {
        "d": d,
        "spec": spec,
        "title": str(spec.title),
        "reference": spec.reference,
        "agency_parent": parent,
        "agency_name": name,
        "issuer": issuer,
        "place_date": printing.place_line(_place(issuer), printing.local(issued_at).date()),
        "procedure_name": d.procedure_version.name,
        "procedure_code": d.procedure_version.procedure.code,
        "applicant_phone": d.applicant_phone,
        "applicant_email": d.applicant_email,
    }


def _load(d: Dossier) -> Dossier:
    """The dossier with what every form prints, in a fixed number of queries."""
    return (
        Dossier.objects.select_related(
            "procedure_version",
            "procedure_version__procedure",
            "receiving_agency",
            "receiving_agency__parent",
            "receiving_agency__admin_unit",
            "resolving_agency",
            "resolving_agency__parent",
            "resolving_agency__admin_unit",
        )
        .prefetch_related(
            Prefetch(
                "components",
                queryset=DossierComponent.objects.order_by("id"),
            )
        )
        .get(pk=d.pk)
    )


# --- One context per form -------------------------------------------------------------------


def _legal_time(d: Dossier) -> str:
    version = d.procedure_version
    unit = TimeUnit(version.time_unit).label if version.time_unit in TimeUnit.values else ""
    return f"{printing.quantity(version.processing_time)} {unit}".strip()


def _fee(d: Dossier) -> str:
    if d.fee_status == FeeStatus.NONE or not d.fee_amount:
        return _("Không thu")
    text = f"{printing.amount(d.fee_amount)} đồng ({FeeStatus(d.fee_status).label.lower()})"
    if d.fee_receipt_number:
        text += _("; biên lai số %(n)s") % {"n": d.fee_receipt_number}
    return text


def _return_place(d: Dossier, desk: str) -> str:
    """Đăng ký nhận kết quả tại: the method chosen at return, else where it was filed."""
    method = d.return_method or (
        ReturnMethod.ONLINE if d.channel == "online" else ReturnMethod.COUNTER
    )
    if method == ReturnMethod.COUNTER:
        return desk
    return str(ReturnMethod(method).label)


def book_position(code: str) -> tuple[str, int]:
    """(Quyển số, Số thứ tự) of Mẫu 01 from the dossier code `{agency}-{yyMMdd}-{NNNN}`.

    The code's sequence restarts every day at each counter (vn-onestop §3.1), so each day is
    one book of the counter: the book is the day's `yyMMdd`, the entry the day's number [I].
    """
    _agency, day, sequence = code.rsplit("-", 2)
    return day, int(sequence)


def _receipt(d: Dossier, spec: FormSpec) -> dict[str, Any]:
    assert d.received_at is not None and d.due_at is not None
    receive = (
        Handover.objects.filter(dossier=d, action="receive")
        .select_related("to_user")
        .order_by("seq")
        .first()
    )
    desk = d.receiving_agency.name
    receiver = _person(receive.to_user) if receive is not None else ""
    url = marks.tracking_url(d)
    book, entry = book_position(d.code)
    return {
        **_base(d, spec, d.receiving_agency, d.received_at),
        "desk": desk,
        "receiver": receiver,
        "components": [c for c in d.components.all() if c.provided],
        "legal_time": _legal_time(d),
        "received": printing.long_moment(d.received_at),
        "due": printing.long_moment(d.due_at),
        "fee": _fee(d),
        "return_place": _return_place(d, desk),
        "book_number": book,
        "book_entry": entry,
        "tracking_url": url,
        # Generated here from the code and the URL, never from user input: safe as markup.
        "qr": mark_safe(marks.qr_svg(url)),  # noqa: S308
        "barcode": mark_safe(marks.barcode_svg(d.code)),  # noqa: S308
    }


def _supplement(d: Dossier, spec: FormSpec) -> dict[str, Any]:
    activity = _latest(d, Action.REQUEST_SUPPLEMENT)
    note = activity.note if activity is not None else d.reason
    issued_at = activity.occurred_at if activity is not None else d.submitted_at
    components = {c.name.strip().lower(): c for c in d.procedure_version.components.all()}
    items = []
    for line in (line.strip() for line in note.splitlines()):
        if not line:
            continue
        component = components.get(line.lower())
        items.append(
            {
                "name": line,
                "originals": component.originals if component is not None else None,
                "copies": component.copies if component is not None else None,
            }
        )
    return {
        **_base(d, spec, d.receiving_agency, issued_at),
        "items": items,
        "guide": activity.actor_label if activity is not None else "",
        "contact": d.receiving_agency.name,
        "contact_phone": d.receiving_agency.phone,
    }


def _refusal(d: Dossier, spec: FormSpec) -> dict[str, Any]:
    activity = _latest(d, Action.REFUSE)
    issued_at = activity.occurred_at if activity is not None else (d.ended_at or d.submitted_at)
    return {
        **_base(d, spec, d.receiving_agency, issued_at),
        "reason": activity.note if activity is not None else d.reason,
        "officer": activity.actor_label if activity is not None else "",
    }


def _apology(d: Dossier, spec: FormSpec) -> dict[str, Any]:
    assert d.apologized_at is not None and d.extended_due_at is not None
    activity = _latest(d, Action.APOLOGIZE)
    issuer = d.resolving_agency
    new_due = printing.local(d.extended_due_at).date()
    return {
        **_base(d, spec, issuer, d.apologized_at),
        "received_day": printing.long_date(printing.local(d.received_at or d.submitted_at).date()),
        "due": printing.long_moment(d.due_at) if d.due_at is not None else "",
        "reason": activity.note if activity is not None else d.reason,
        "new_due_day": printing.long_date(new_due),
        "new_due": printing.long_moment(d.extended_due_at),
        "signer": activity.actor_label if activity is not None else "",
        "extension": spec.kind == FormKind.EXTENSION,
        "counter": d.receiving_agency.name,
    }


def _stop(d: Dossier, spec: FormSpec) -> dict[str, Any]:
    """Thông báo dừng giải quyết hồ sơ: issued by the one-stop desk for a withdrawal
    (Nghị định 118/2025 Điều 21), by the resolving agency when its head stopped processing."""
    activity = _latest(d, Action.STOP, Action.WITHDRAW)
    issued_at = d.ended_at or (activity.occurred_at if activity is not None else d.submitted_at)
    by_resolving = (
        d.status == Status.STOPPED
        and activity is not None
        and activity.actor_id is not None
        and d.resolving_agency_id != d.receiving_agency_id
        and Membership.objects.filter(
            user_id=activity.actor_id, agency_id=d.resolving_agency_id, is_active=True
        ).exists()
    )
    issuer = d.resolving_agency if by_resolving else d.receiving_agency
    other = d.receiving_agency if by_resolving else d.resolving_agency
    return {
        **_base(d, spec, issuer, issued_at),
        "withdrawn": d.status == Status.WITHDRAWN,
        "reason": activity.note if activity is not None else d.reason,
        "received_day": printing.long_date(printing.local(d.received_at or d.submitted_at).date()),
        "counter": d.receiving_agency.name,
        "resolving": d.resolving_agency.name,
        "copy_to": other.name,
        "by_resolving": by_resolving,
        "signer": activity.actor_label if activity is not None else "",
    }


def _party(
    d: Dossier, agency: Agency | None, department: Department | None, *, applicant: str
) -> str:
    """A side of a hand-over; the applicant when no agency stands there (receipt, return)."""
    if agency is None:
        return applicant
    return _unit_name(agency, department)


def _person(user: Any) -> str:
    if user is None:
        return ""
    return str(user.full_name or user.username)


def _control(d: Dossier, spec: FormSpec) -> dict[str, Any]:
    """Mẫu 05 (2018) / 06 (2025): one row per hand-over. The result of a step is printed on
    the row where that step ends, i.e. where its holder hands the dossier on."""
    assert d.received_at is not None
    handovers = list(
        Handover.objects.filter(dossier=d)
        .select_related(
            "from_agency",
            "from_department",
            "from_user",
            "to_agency",
            "to_department",
            "to_user",
            "step",
        )
        .order_by("seq")
    )
    applicant = _("Tổ chức, cá nhân: %(name)s") % {"name": d.applicant_name}
    rows = []
    previous: Handover | None = None
    for h in handovers:
        outcome = previous.outcome if previous is not None else ""
        rows.append(
            {
                "giver": _party(d, h.from_agency, h.from_department, applicant=applicant),
                "taker": _party(d, h.to_agency, h.to_department, applicant=applicant),
                "when": printing.short_moment(h.handed_at),
                "giver_person": _person(h.from_user)
                if h.from_agency is not None
                else d.applicant_name,
                "taker_person": _person(h.to_user) if h.to_agency is not None else d.applicant_name,
                "outcome": str(Outcome(outcome).label) if outcome else "",
                "note": "; ".join(p for p in (h.step.name if h.step else "", h.note) if p),
            }
        )
        previous = h
    cooperating = []
    seen = {d.receiving_agency_id, d.resolving_agency_id}
    for h in handovers:
        for agency in (h.from_agency, h.to_agency):
            if agency is not None and agency.pk not in seen:
                seen.add(agency.pk)
                cooperating.append(agency.name)
    return {
        **_base(d, spec, d.receiving_agency, d.received_at),
        "rows": rows,
        "received": printing.long_moment(d.received_at),
        "due": printing.long_moment(d.due_at) if d.due_at is not None else "",
        "new_due": printing.long_moment(d.extended_due_at) if d.extended_due_at else "",
        "resolving": d.resolving_agency.name,
        "cooperating": ", ".join(cooperating),
    }


_CONTEXTS = {
    FormKind.RECEIPT: _receipt,
    FormKind.SUPPLEMENT: _supplement,
    FormKind.REFUSAL: _refusal,
    FormKind.APOLOGY: _apology,
    FormKind.EXTENSION: _apology,
    FormKind.STOP: _stop,
    FormKind.CONTROL: _control,
}


def form_html(d: Dossier, slug: str) -> str:
    """The HTML of form `slug` of `d` (what `render_form` prints)."""
    spec = form_spec(d.rule_set, slug)
    check_applies(d, spec)
    if spec.kind == FormKind.BOOK:
        assert d.received_at is not None
        day = printing.local(d.received_at).date()
        return tracking_book_html(d.receiving_agency, day, day)
    loaded = _load(d)
    with override("vi"):
        # Official papers are issued in Vietnamese whatever the reader's language.
        return render_to_string(spec.template, _CONTEXTS[spec.kind](loaded, spec))


def render_form(dossier: Dossier, slug: str) -> bytes:
    """Form `slug` ("mau-01" …) of the dossier as PDF.

    Raises `FormNotFound` for a number the dossier's rule set does not have and
    `FormNotApplicable` for a form that records something that did not happen to it. For the
    tracking book's number (Mẫu 06 of 2018, Mẫu 07 of 2025) the book of the dossier's counter
    for its day of receipt is printed.
    """
    pdf = html_to_pdf(form_html(dossier, slug))
    from tinhso.signatures.services import pdf_seal_unattended

    # Sealed with the receiving agency's key when the server holds one (issue 5), so that the
    # applicant can check the paper at /signatures/kiem-tra/.
    return pdf_seal_unattended(
        agency_id=dossier.receiving_agency_id, data=pdf, reference=f"{dossier.code} {slug}"
    )


# --- The tracking book ----------------------------------------------------------------------


def _day(moment: dt.datetime | None) -> str:
    return printing.short_date(printing.local(moment).date()) if moment is not None else ""


def _book_lines(rows: Iterator[BookRow]) -> Iterator[dict[str, Any]]:
    """The book's rows as printed: dates dd/mm/yyyy, the time of receipt and due time below."""
    for r in rows:
        yield {
            "number": r.number,
            "code": r.code,
            "procedure": r.procedure,
            "sets": r.sets,
            "applicant": r.applicant,
            "resolving_agency": r.resolving_agency,
            "received": _day(r.received_at),
            "received_time": f"{printing.local(r.received_at):%H:%M}",
            "due": _day(r.due_at),
            "due_time": f"{printing.local(r.due_at):%H:%M}" if r.due_at else "",
            "transferred": _day(r.transferred_at),
            "resolved": _day(r.resolved_at),
            "returned": _day(r.returned_at),
            "note": r.note,
        }


def _book_context(agency: Agency, p: Period) -> dict[str, Any]:
    spec = book_spec(rule_set_on(p.last))
    parent, name = _agency_lines(agency)
    return {
        "spec": spec,
        "title": str(spec.title),
        "reference": spec.reference,
        "agency_parent": parent,
        "agency_name": name,
        "first": printing.short_date(p.first),
        "last": printing.short_date(p.last),
        "rows": _book_lines(book_rows(agency, p)),
        "columns": range(1, 16),
    }


def tracking_book_html(agency: Agency, first: dt.date, last: dt.date) -> str:
    p = period(first, last)
    check_printable(agency, p)
    with override("vi"):
        html: SafeString = render_to_string("dossiers/forms/book.html", _book_context(agency, p))
    return html


def render_tracking_book(agency: Agency, date_from: dt.date, date_to: dt.date) -> bytes:
    """The tracking book (Sổ theo dõi hồ sơ) of `agency`'s counter for the local dates
    [date_from, date_to], A4 landscape. Raises `ValidationError` for a bad period or one with
    more rows than a PDF prints within a request (`book.pdf_row_limit`)."""
    return html_to_pdf(tracking_book_html(agency, date_from, date_to))


__all__ = [
    "FormNotApplicable",
    "book_position",
    "form_html",
    "html_to_pdf",
    "render_form",
    "render_tracking_book",
    "tracking_book_html",
]
