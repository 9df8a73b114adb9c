"""HTTP answers carrying a printed form: shown in the browser, never cached or sniffed."""

from __future__ import annotations

from django.http import HttpResponse

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def document_response(
    content: bytes, content_type: str, filename: str, *, inline: bool
) -> HttpResponse:
    """`content` under `filename` (ASCII: codes, form numbers and dates only)."""
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    # The papers carry applicants' personal data: no shared cache keeps them.
    response["Cache-Control"] = "private, no-store"
    return response


def form_filename(code: str, slug: str) -> str:
    return f"{code}-{slug}.pdf"


def book_filename(agency_code: str, first: str, last: str, extension: str) -> str:
    return f"so-theo-doi-{agency_code}-{first}-{last}.{extension}"
