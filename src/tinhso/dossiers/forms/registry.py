"""Which official forms a dossier has, per rule set, and when each of them may be issued.

Thông tư 01/2018/TT-VPCP (dossiers under Nghị định 61/2018): Mẫu 01 Giấy tiếp nhận hồ sơ và hẹn
trả kết quả, 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ, 03 Phiếu từ chối tiếp nhận giải quyết hồ
sơ, 04 Phiếu xin lỗi và hẹn lại ngày trả kết quả, 05 Phiếu kiểm soát quá trình giải quyết hồ sơ,
06 Sổ theo dõi hồ sơ.

Thông tư 03/2025/TT-VPCP (dossiers under Nghị định 118/2025): 01–03 the same, 04 Văn bản xin
lỗi và đề nghị gia hạn thời gian giải quyết, 05 Thông báo dừng giải quyết hồ sơ, 06 Phiếu kiểm
soát, 07 Sổ theo dõi hồ sơ (vn-onestop §2; the 2025 numbering is [S]).

A form is issued only when what it records happened: asking for the refusal slip of a dossier
that was received is refused with `FormNotApplicable` (HTTP 409), never answered with an empty
form; an unknown form number raises `FormNotFound` (HTTP 404).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhso.dossiers.models import Dossier, RuleSet, Status


class FormKind(StrEnum):
    RECEIPT = "receipt"  # Giấy tiếp nhận hồ sơ và hẹn trả kết quả
    SUPPLEMENT = "supplement"  # Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
    REFUSAL = "refusal"  # Phiếu từ chối tiếp nhận giải quyết hồ sơ
    APOLOGY = "apology"  # TT 01/2018 Mẫu 04: xin lỗi và hẹn lại ngày trả kết quả
    EXTENSION = "extension"  # TT 03/2025 Mẫu 04: xin lỗi và đề nghị gia hạn
    STOP = "stop"  # TT 03/2025 Mẫu 05: thông báo dừng giải quyết hồ sơ
    CONTROL = "control"  # Phiếu kiểm soát quá trình giải quyết hồ sơ
    BOOK = "book"  # Sổ theo dõi hồ sơ


class FormNotFound(Exception):
    """No form with this number under the dossier's rule set (HTTP 404)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FormNotApplicable(Exception):
    """The form exists but records something that did not happen to this dossier (HTTP 409)."""

    def __init__(self, message: str, *, code: str = "form_not_applicable") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class FormSpec:
    slug: str
    number: str
    kind: FormKind
    title: Promise
    circular: str
    template: str

    @property
    def reference(self) -> str:
        """The corner mark of the printed form: "Mẫu số 01 – Thông tư 01/2018/TT-VPCP"."""
        return f"Mẫu số {self.number} – {self.circular}"


TT01_2018: Final = "Thông tư 01/2018/TT-VPCP"
TT03_2025: Final = "Thông tư 03/2025/TT-VPCP"

TITLES: Final[dict[FormKind, Promise]] = {
    FormKind.RECEIPT: gettext_lazy("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    FormKind.SUPPLEMENT: gettext_lazy("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    FormKind.REFUSAL: gettext_lazy("Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    FormKind.APOLOGY: gettext_lazy("Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    FormKind.EXTENSION: gettext_lazy("Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"),
    FormKind.STOP: gettext_lazy("Thông báo dừng giải quyết hồ sơ"),
    FormKind.CONTROL: gettext_lazy("Phiếu kiểm soát quá trình giải quyết hồ sơ"),
    FormKind.BOOK: gettext_lazy("Sổ theo dõi hồ sơ"),
}

_TEMPLATES: Final[dict[FormKind, str]] = {
    FormKind.RECEIPT: "dossiers/forms/receipt.html",
    FormKind.SUPPLEMENT: "dossiers/forms/supplement.html",
    FormKind.REFUSAL: "dossiers/forms/refusal.html",
    FormKind.APOLOGY: "dossiers/forms/apology.html",
    FormKind.EXTENSION: "dossiers/forms/apology.html",
    FormKind.STOP: "dossiers/forms/stop.html",
    FormKind.CONTROL: "dossiers/forms/control.html",
    FormKind.BOOK: "dossiers/forms/book.html",
}


def _specs(circular: str, kinds: tuple[FormKind, ...]) -> dict[str, FormSpec]:
    specs = {}
    for index, kind in enumerate(kinds, start=1):
        number = f"{index:02d}"
        slug = f"mau-{number}"
        specs[slug] = FormSpec(slug, number, kind, TITLES[kind], circular, _TEMPLATES[kind])
    return specs


#: rule set → slug ("mau-01") → the form.
REGISTRY: Final[dict[str, dict[str, FormSpec]]] = {
    RuleSet.ND61_2018: _specs(
        TT01_2018,
        (
            FormKind.RECEIPT,
            FormKind.SUPPLEMENT,
            FormKind.REFUSAL,
            FormKind.APOLOGY,
            FormKind.CONTROL,
            FormKind.BOOK,
        ),
    ),
    RuleSet.ND118_2025: _specs(
        TT03_2025,
        (
            FormKind.RECEIPT,
            FormKind.SUPPLEMENT,
            FormKind.REFUSAL,
            FormKind.EXTENSION,
            FormKind.STOP,
            FormKind.CONTROL,
            FormKind.BOOK,
        ),
    ),
}


def book_spec(rule_set: str) -> FormSpec:
    """The tracking book's entry under `rule_set` (Mẫu 06 of 2018, Mẫu 07 of 2025)."""
    return next(s for s in REGISTRY[rule_set].values() if s.kind == FormKind.BOOK)


def form_spec(rule_set: str, slug: str) -> FormSpec:
    """The form `slug` under `rule_set`, or `FormNotFound` naming the forms that exist."""
    specs = REGISTRY.get(rule_set, {})
    spec = specs.get(slug.strip().lower())
    if spec is None:
        circular = next(iter(specs.values())).circular if specs else rule_set
        raise FormNotFound(
            _("Không có mẫu “%(slug)s” theo %(circular)s; các mẫu: %(slugs)s.")
            % {"slug": slug, "circular": circular, "slugs": ", ".join(specs)}
        )
    return spec


def _condition(kind: FormKind, d: Dossier) -> str | None:
    """Why `kind` cannot be issued for `d` (what it requires), or None when it can."""
    match kind:
        case FormKind.RECEIPT | FormKind.CONTROL | FormKind.BOOK:
            if d.received_at is None:
                return _("hồ sơ đã được tiếp nhận")
        case FormKind.SUPPLEMENT:
            if d.supplement_requests < 1:
                return _("đã có yêu cầu bổ sung, hoàn thiện hồ sơ")
        case FormKind.REFUSAL:
            if d.status != Status.NOT_RECEIVED:
                return _("hồ sơ bị từ chối tiếp nhận")
        case FormKind.APOLOGY | FormKind.EXTENSION:
            if d.apologized_at is None or d.extended_due_at is None:
                return _("cơ quan giải quyết đã xin lỗi và hẹn lại ngày trả kết quả")
        case FormKind.STOP:
            # Nghị định 118/2025 Điều 21: the notice answers a withdrawal before a decision,
            # and records a stop of processing decided by the agency.
            if d.status not in (Status.STOPPED, Status.WITHDRAWN):
                return _("hồ sơ bị dừng giải quyết hoặc người nộp đã rút hồ sơ")
    return None


def check_applies(d: Dossier, spec: FormSpec) -> None:
    """Raise `FormNotApplicable` when `spec` records nothing that happened to `d`."""
    condition = _condition(spec.kind, d)
    if condition is not None:
        raise FormNotApplicable(
            _(
                "%(reference)s (%(title)s) chỉ lập khi %(condition)s; hồ sơ %(code)s đang ở "
                "trạng thái “%(status)s”."
            )
            % {
                "reference": spec.reference,
                "title": spec.title,
                "condition": condition,
                "code": d.code,
                "status": Status(d.status).label,
            }
        )


def applicable_forms(d: Dossier) -> list[FormSpec]:
    """The forms that may be printed for `d` now, in their official order."""
    return [
        spec for spec in REGISTRY.get(d.rule_set, {}).values() if _condition(spec.kind, d) is None
    ]
