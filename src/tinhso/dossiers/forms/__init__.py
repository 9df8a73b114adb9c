"""The official one-stop forms as PDF, and the tracking book as PDF and Excel.

Thông tư 01/2018/TT-VPCP (Mẫu 01–06) for dossiers received under Nghị định 61/2018, Thông tư
03/2025/TT-VPCP (Mẫu 01–07) for those under Nghị định 118/2025: `registry` says which forms a
rule set has and when each applies, `render` prints them, `book` reads the tracking book.
"""

from tinhso.dossiers.forms.book import tracking_book_xlsx
from tinhso.dossiers.forms.registry import FormNotApplicable, FormNotFound
from tinhso.dossiers.forms.render import render_form, render_tracking_book

__all__ = [
    "FormNotApplicable",
    "FormNotFound",
    "render_form",
    "render_tracking_book",
    "tracking_book_xlsx",
]
