"""The signatures routes in the access matrix (see tinhso.testing.access_matrix).

The public check answers everyone; the trust list is the provincial administrator's; a stored
file's report and signing page follow the file's readers (agency A's officials for a file
agency A's clerk uploaded); a key signs only for its holders (agency A's seal: its clerk and
its counter officer).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tinhso.signatures.models import TrustRoot
from tinhso.signatures.tests.certs import certificate_pem
from tinhso.testing.access_matrix import (
    ALLOWED,
    EVERYONE,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    Endpoint,
    World,
    expect,
)
from tinhso.testing.signing_world import PASSPHRASE, pdf_of_agency_a, seal_key_a

PROVINCIAL_ADMIN = expect(FORBIDDEN, anonymous=LOGIN, quan_tri_tinh=ALLOWED)
#: Readers of a file of agency A: its officials and the provincial administrator.
READS_FILE_A = expect(ALLOWED, anonymous=LOGIN, citizen=NOT_FOUND, quan_tri_co_quan_b=NOT_FOUND)
#: Agency A's seal key signs for its clerk and its counter officer; for the others it does not
#: exist (404), nor does the file for those who cannot read it.
SEAL_HOLDERS_A = expect(NOT_FOUND, anonymous=LOGIN, van_thu_a=ALLOWED, mot_cua_a=ALLOWED)
SIGNED_IN = expect(ALLOWED, anonymous=LOGIN)


def _pdf_upload(w: World) -> dict[str, Any]:
    from tinhso.signatures.tests.pdfs import official_document

    return {"file": SimpleUploadedFile("giay-tiep-nhan.pdf", official_document())}


def _root(w: World) -> TrustRoot:
    def build() -> TrustRoot:
        from tinhso.signatures.certificates import certificates_from, describe

        info = describe(certificates_from(certificate_pem("Gốc của ma trận"))[0])
        return TrustRoot.objects.create(
            fingerprint=info.fingerprint, pem=info.pem, subject=info.subject,
            issuer=info.issuer, serial=info.serial, not_before=info.not_before,
            not_after=info.not_after,
        )  # fmt: skip

    root: TrustRoot = w.make("signatures_root", build)
    return root


def _file_report(w: World) -> str:
    return reverse("signatures:file_report", args=[pdf_of_agency_a(w).pk])


def _sign_page(w: World) -> str:
    return reverse("signatures:sign_file", args=[pdf_of_agency_a(w).pk])


def _sign_payload(w: World) -> dict[str, Any]:
    return {
        "file": pdf_of_agency_a(w).pk,
        "key": seal_key_a(w).pk,
        "pin": PASSPHRASE,
        "level": "B-B",
        "appearance": "none",
    }


PAGE_ENDPOINTS: list[Endpoint] = [
    Endpoint("signatures:check", "GET", expect=EVERYONE),
    Endpoint("signatures:check", "POST", payload=_pdf_upload, expect=EVERYONE),
    Endpoint("signatures:trust_list", "GET", expect=PROVINCIAL_ADMIN),
    Endpoint(
        "signatures:trust_list",
        "POST",
        payload=lambda w: {"pem": certificate_pem("Gốc thêm qua trang")},
        expect=PROVINCIAL_ADMIN,
        success=frozenset({302}),
    ),
    Endpoint(
        "signatures:trust_root_toggle",
        "POST",
        url=lambda w: reverse("signatures:trust_root_toggle", args=[_root(w).pk]),
        expect=PROVINCIAL_ADMIN,
        success=frozenset({302}),
    ),
    Endpoint("signatures:file_report", "GET", url=_file_report, expect=READS_FILE_A),
    Endpoint("signatures:sign_file", "GET", url=_sign_page, expect=READS_FILE_A),
    Endpoint(
        "signatures:sign_file",
        "POST",
        url=_sign_page,
        payload=lambda w: {"key": seal_key_a(w).pk, "pin": PASSPHRASE, "purpose": "document"},
        # Only the seal's holders sign (302); for the others the key does not exist (404).
        expect=SEAL_HOLDERS_A,
        success=frozenset({302}),
    ),
]

API_ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "api-signatures-validate",
        "POST",
        payload=_pdf_upload,
        expect=EVERYONE,
        format="multipart",
        success=frozenset({200}),
    ),
    Endpoint("api-signatures-trust-roots", "GET", expect=PROVINCIAL_ADMIN),
    Endpoint(
        "api-signatures-trust-roots",
        "POST",
        payload=lambda w: {"pem": certificate_pem("Gốc thêm qua API")},
        expect=PROVINCIAL_ADMIN,
        success=frozenset({201}),
    ),
    Endpoint(
        "api-signatures-trust-root",
        "GET",
        url=lambda w: reverse("api-signatures-trust-root", args=[_root(w).pk]),
        expect=PROVINCIAL_ADMIN,
    ),
    Endpoint(
        "api-signatures-trust-root",
        "PATCH",
        url=lambda w: reverse("api-signatures-trust-root", args=[_root(w).pk]),
        payload=lambda w: {"enabled": False},
        expect=PROVINCIAL_ADMIN,
        success=frozenset({200}),
    ),
    Endpoint("api-signatures-keys", "GET", expect=SIGNED_IN),
    Endpoint(
        "api-signatures-sign",
        "POST",
        payload=_sign_payload,
        expect=SEAL_HOLDERS_A,
        success=frozenset({201}),
    ),
    Endpoint(
        "api-signatures-file-report",
        "GET",
        url=lambda w: reverse("api-signatures-file-report", args=[pdf_of_agency_a(w).pk]),
        expect=READS_FILE_A,
    ),
]

ENDPOINTS = PAGE_ENDPOINTS + API_ENDPOINTS
