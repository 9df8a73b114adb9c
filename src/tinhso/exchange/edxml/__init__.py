"""edXML (QCVN 102:2016): the packages exchanged between e-offices, pure (no Django at import).

Public API of docs/decisions/0005-interconnection.md §1: the dataclasses, `validate`, `build`,
`parse` (hardened), `sign`/`verify` (enveloped XML-DSig), `document_id`/`split_document_id`.
Messages are Vietnamese msgids marked with a local gettext_noop; `translate` (or
`Problem.text`, `str(EdxmlRefused)`) gives them in the active language at display time.
"""

from tinhso.exchange.edxml.build import build
from tinhso.exchange.edxml.dsig import sign, verify
from tinhso.exchange.edxml.model import (
    NS,
    STATUS_CODES,
    VN_TZ,
    Attachment,
    Business,
    DocumentPackage,
    EdxmlInvalid,
    EdxmlRefused,
    Limits,
    Organ,
    Package,
    Parsed,
    Problem,
    Receiver,
    Replacement,
    ResponseFor,
    SignatureCheck,
    Staff,
    StatusPackage,
    Trace,
    document_id,
    split_document_id,
    translate,
)
from tinhso.exchange.edxml.parse import parse
from tinhso.exchange.edxml.validate import validate

__all__ = [
    "NS",
    "STATUS_CODES",
    "VN_TZ",
    "Attachment",
    "Business",
    "DocumentPackage",
    "EdxmlInvalid",
    "EdxmlRefused",
    "Limits",
    "Organ",
    "Package",
    "Parsed",
    "Problem",
    "Receiver",
    "Replacement",
    "ResponseFor",
    "SignatureCheck",
    "Staff",
    "StatusPackage",
    "Trace",
    "build",
    "document_id",
    "parse",
    "sign",
    "split_document_id",
    "translate",
    "validate",
    "verify",
]
