"""Checking every signature of a PDF with pyHanko: a report per signature and a verdict.

For each signature (`/Sig`), in the order they were applied:
- integrity: the digest over the /ByteRange matches the signed one and the signature value
  verifies with the signer's public key;
- coverage: the /ByteRange covers the whole file, or the whole revision it signed;
- changes after signing: pyHanko's difference analysis over the later revisions. Signing,
  form filling and long-term validation data (DSS, document timestamps) are allowed; added
  annotations are a warning; anything else, or more than a certifying signature's DocMDP
  permits, makes the signature invalid;
- trust: a path from the signer's certificate to one of the given trust roots, valid at the
  validation moment, the certificate allowed to sign (digitalSignature or nonRepudiation);
- revocation: with the OCSP/CRL data the file carries (DSS, Adobe revocation archival
  attribute) and, if `allow_fetching`, fetched online. Offline and without data it is a
  soft failure, reported as a warning ("revocation_unchecked") that leaves the verdict alone;
- time: the signing time is the signature timestamp's when a trusted one is present, else
  the time the signer claims (`signed_at_source` says which). A certificate outside its
  validity at a timestamp's time makes the signature invalid; at a claimed time it is only a
  warning (a claim proves nothing; EN 319 102-1 does not use it). A certificate that
  expired, was revoked or whose revocation data went stale after a trusted timestamp is
  checked again as of the timestamp (ETSI EN 319 102-1 §5.5, validation with time);
- the PAdES baseline level (ETSI EN 319 142-1): B-B, B-T with a signature timestamp, B-LT
  with revocation data for the chain in the DSS, B-LTA with a document timestamp after it;
- the issuing agency: with `expected_agency_code`, a signature whose certificate carries
  another agency's identification code is invalid, and a document none of whose
  certificates carries the expected code is indeterminate (spec §5: "the agency certificate
  matches From/OrganId"; QĐ 20/2020 Điều 4 for the code).

Document timestamps (`/DocTimeStamp`) are checked as RFC 3161 timestamps and reported apart.

Reasons are codes (`reasons`); their Vietnamese messages are rendered when read. The module
uses no database and never raises on a hostile file: an unreadable PDF gives an
"indeterminate" result. Run it through `sandbox.validate_pdf_isolated` for files from outside:
only there are time and memory bounded.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import io
import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from asn1crypto import core, pem, x509
from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESIndeterminate, AdESStatus
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel
from pyhanko.sign.fields import SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.general import (
    MultivaluedAttributeError,
    NonexistentAttributeError,
    find_unique_cms_attribute,
)
from pyhanko.sign.validation import (
    DocumentTimestampStatus,
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    SignatureCoverageLevel,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError, SignatureValidationError
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import (
    DisallowedAlgorithmError,
    ExpiredError,
    InsufficientRevinfoError,
    NotYetValidError,
    RevokedError,
)
from pyhanko_certvalidator.path import ValidationPath
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.validate import async_validate_path

from tinhso.signatures import speedups  # noqa: F401 - installs the fast readers
from tinhso.signatures.eventloop import outside_event_loop
from tinhso.signatures.identifiers import agency_code_of as certificate_identifier
from tinhso.signatures.reasons import Severity, reason_message, verdict_of

logger = logging.getLogger(__name__)

Verdict = Literal["valid", "invalid", "indeterminate", "unsigned"]
SignatureVerdict = Literal["valid", "invalid", "indeterminate"]
Level = Literal["B-B", "B-T", "B-LT", "B-LTA"]
TimeSource = Literal["timestamp", "claimed"]

#: The first bytes must contain the PDF header (ISO 32000-1 §7.5.2 lets it move a little).
HEADER_WINDOW = 1024

_VIETNAM = dt.timezone(dt.timedelta(hours=7), "+07:00")
#: A claimed signing time may precede the certificate by a few minutes of clock skew.
_CLAIMED_TIME_SKEW = dt.timedelta(minutes=5)
#: Personal and agency certificates may carry either usage (EN 319 412-2 asks for
#: nonRepudiation; many issued certificates only have digitalSignature).
_KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"})
_SIGNATURE_SUBFILTERS = frozenset(
    "/" + sf.value.lstrip("/")
    for sf in (
        SigSeedSubFilter.ADOBE_PKCS7_DETACHED,
        SigSeedSubFilter.PADES,
        SigSeedSubFilter.PBAD_PADES,
    )
)
_TIMESTAMP_SUBFILTER = "/" + SigSeedSubFilter.ETSI_RFC3161.value.lstrip("/")
_AGENCY_CODE = re.compile(r"[0-9A-Z.]{1,35}")
_AGENCY_LEVEL1 = re.compile(r"[A-Y][0-9]{2}")


class PdfRefused(ValueError):
    """The file is refused before any signature is checked; `str()` is the message."""

    code = "refused"

    def __init__(self, params: Mapping[str, str] | None = None) -> None:
        self.params = dict(params or {})
        super().__init__(self.code)

    @property
    def message(self) -> str:
        return reason_message(self.code, self.params)

    def __str__(self) -> str:
        return self.message


class NotAPdf(PdfRefused):
    """No `%PDF-` header in the first kilobyte."""

    code = "not_a_pdf"


class EncryptedPdf(PdfRefused):
    """The PDF is encrypted: its signatures are not checked."""

    code = "encrypted_pdf"


class PdfTooLarge(PdfRefused):
    """Larger than the limit for validation (`params["limit"]` in words)."""

    code = "too_large"


# --- the report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """Why: a code, what it does to the verdict, and the values its message shows."""

    code: str
    severity: Severity
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return reason_message(self.code, self.params)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity, "message": self.message}


@dataclass(frozen=True)
class SignatureReport:
    """One signature (`/Sig`) as checked."""

    field: str
    signer: str | None
    agency_code: str | None
    certificate_sha256: str | None
    signed_at: dt.datetime | None
    signed_at_source: TimeSource | None
    level: Level | None
    verdict: SignatureVerdict
    intact: bool
    trusted: bool
    modified_after_signing: bool
    coverage: str | None
    modification_level: str | None
    certification: bool
    revocation_checked: bool
    validation_time: dt.datetime
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "signer": self.signer,
            "agency_code": self.agency_code,
            "certificate_sha256": self.certificate_sha256,
            "signed_at": _iso(self.signed_at),
            "signed_at_source": self.signed_at_source,
            "level": self.level,
            "verdict": self.verdict,
            "intact": self.intact,
            "trusted": self.trusted,
            "modified_after_signing": self.modified_after_signing,
            "coverage": self.coverage,
            "modification_level": self.modification_level,
            "certification": self.certification,
            "revocation_checked": self.revocation_checked,
            "validation_time": _iso(self.validation_time),
            "reasons": [r.as_dict() for r in self.reasons],
        }


@dataclass(frozen=True)
class TimestampReport:
    """One document timestamp (`/DocTimeStamp`, RFC 3161) as checked."""

    field: str
    authority: str | None
    time: dt.datetime | None
    verdict: SignatureVerdict
    intact: bool
    trusted: bool
    coverage: str | None
    modification_level: str | None
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "authority": self.authority,
            "time": _iso(self.time),
            "verdict": self.verdict,
            "intact": self.intact,
            "trusted": self.trusted,
            "coverage": self.coverage,
            "modification_level": self.modification_level,
            "reasons": [r.as_dict() for r in self.reasons],
        }


@dataclass(frozen=True)
class ValidationResult:
    """The verdict on a PDF: its signatures, its document timestamps, reasons about the file."""

    verdict: Verdict
    valid_at: dt.datetime
    signatures: tuple[SignatureReport, ...] = ()
    document_timestamps: tuple[TimestampReport, ...] = ()
    reasons: tuple[Reason, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-able; messages in the active language."""
        return {
            "verdict": self.verdict,
            "valid_at": _iso(self.valid_at),
            "signature_count": len(self.signatures),
            "signatures": [s.as_dict() for s in self.signatures],
            "document_timestamps": [t.as_dict() for t in self.document_timestamps],
            "reasons": [r.as_dict() for r in self.reasons],
        }


def document_verdict(
    signatures: Sequence[SignatureReport],
    timestamps: Sequence[TimestampReport] = (),
    reasons: Sequence[Reason] = (),
) -> Verdict:
    """Unsigned without signatures (unless the file itself failed), else the worst verdict."""
    file_verdict = verdict_of(r.severity for r in reasons)
    if not signatures:
        return "unsigned" if file_verdict == "valid" else file_verdict
    verdicts = {s.verdict for s in signatures} | {t.verdict for t in timestamps} | {file_verdict}
    if "invalid" in verdicts:
        return "invalid"
    if "indeterminate" in verdicts:
        return "indeterminate"
    return "valid"


def failed_result(code: str, *, valid_at: dt.datetime, **params: str) -> ValidationResult:
    """A file that could not be checked at all: indeterminate, with one reason."""
    reason = Reason(code, "indeterminate", params)
    return ValidationResult(verdict="indeterminate", valid_at=valid_at, reasons=(reason,))


# --- entry point ---------------------------------------------------------------------------


def validate_pdf(
    data: bytes,
    *,
    trust_roots: Sequence[bytes],
    at: dt.datetime | None,
    expected_agency_code: str | None = None,
    allow_fetching: bool = False,
) -> ValidationResult:
    """`_validate_pdf` (below), off any running event loop (pyHanko calls `asyncio.run`)."""
    return outside_event_loop(
        _validate_pdf,
        data,
        trust_roots=trust_roots,
        at=at,
        expected_agency_code=expected_agency_code,
        allow_fetching=allow_fetching,
    )


def _validate_pdf(
    data: bytes,
    *,
    trust_roots: Sequence[bytes],
    at: dt.datetime | None,
    expected_agency_code: str | None = None,
    allow_fetching: bool = False,
) -> ValidationResult:
    """Check every signature of `data` against `trust_roots` (PEM or DER) as of `at` (None = now).

    Raises `NotAPdf` without a PDF header and `EncryptedPdf` for an encrypted PDF; any other
    defect of the file is reported in the result.
    """
    if at is not None and at.utcoffset() is None:
        raise ValueError("`at` must be timezone-aware")
    moment = at or dt.datetime.now(dt.UTC)
    check_pdf_header(data)
    trust = trust_list(tuple(trust_roots))
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=True)
        encrypted = reader.encrypt_dict is not None
    except MemoryError:
        raise
    except Exception:
        logger.info("unreadable PDF", exc_info=True)
        return failed_result("unreadable_pdf", valid_at=moment)
    if encrypted:
        raise EncryptedPdf()

    file_reasons: list[Reason] = []
    try:
        found = _embedded_signatures(reader)
    except MemoryError:
        raise
    except Exception:
        logger.info("unreadable signature fields", exc_info=True)
        return failed_result("unreadable_pdf", valid_at=moment)
    document = _Document.read(
        reader,
        data=data,
        trust=trust,
        moment=moment,
        allow_fetching=allow_fetching,
        reasons=file_reasons,
    )

    timestamps: list[TimestampReport] = []
    for item in found:
        if isinstance(item, EmbeddedPdfSignature) and item.sig_object_type == "/DocTimeStamp":
            report = _timestamp_report(item, document)
            timestamps.append(report)
            document.timestamp_revisions.append((item.signed_revision, report.intact))

    signatures: list[SignatureReport] = []
    for item in found:
        if isinstance(item, _Unreadable):
            signatures.append(item.report(moment))
        elif item.sig_object_type != "/DocTimeStamp":
            signatures.append(_signature_report(item, document, expected_agency_code))

    if expected_agency_code and signatures:
        wanted = normalise_agency_code(expected_agency_code)
        if not any(s.agency_code == wanted for s in signatures):
            file_reasons.append(
                Reason("agency_signature_missing", "indeterminate", {"expected": wanted})
            )
    return ValidationResult(
        verdict=document_verdict(signatures, timestamps, file_reasons),
        valid_at=moment,
        signatures=tuple(signatures),
        document_timestamps=tuple(timestamps),
        reasons=tuple(file_reasons),
    )


def check_pdf_header(data: bytes) -> None:
    """`NotAPdf` unless `%PDF-` appears in the first kilobyte."""
    if b"%PDF-" not in data[:HEADER_WINDOW]:
        raise NotAPdf()


# --- trust roots and agency codes ----------------------------------------------------------


@dataclass(frozen=True)
class TrustList:
    """Parsed trust roots: the certificates and a trust manager pyHanko can share."""

    certificates: tuple[x509.Certificate, ...]
    manager: SimpleTrustManager

    def is_root(self, cert: x509.Certificate) -> bool:
        return any(cert.sha256 == root.sha256 for root in self.certificates)


@functools.lru_cache(maxsize=16)
def trust_list(roots: tuple[bytes, ...]) -> TrustList:
    """Parse PEM (one or more blocks) or DER roots; cached, the roots are immutable here."""
    certificates: list[x509.Certificate] = []
    for index, raw in enumerate(roots):
        try:
            if pem.detect(raw):
                certificates.extend(
                    x509.Certificate.load(der)
                    for kind, _headers, der in pem.unarmor(raw, multiple=True)
                    if kind == "CERTIFICATE"
                )
            else:
                certificates.append(x509.Certificate.load(raw))
        except ValueError as exc:
            raise ValueError(f"trust root #{index} is not a certificate") from exc
    # An empty list stays empty: None would make pyHanko trust the operating system's roots.
    return TrustList(tuple(certificates), SimpleTrustManager.build(trust_roots=certificates))


def normalise_agency_code(code: str) -> str:
    return code.strip().upper()


def agency_code_of(cert: x509.Certificate) -> str | None:
    """The agency identification code of the certificate's subject (QĐ 20/2020 Điều 4 form).

    The identifier is read by `identifiers.agency_code_of` (organizationIdentifier, then UID, prefix
    such as "MDD:" dropped). Only a value of the agency-code form counts: [0-9A-Z.] with a
    level-1 code (a letter and two digits, e.g. "H57"). A tax code or a citizen ID number in
    a personal certificate's UID says nothing about an agency and gives None.
    """
    value = certificate_identifier(cert)
    if value is None:
        return None
    code = normalise_agency_code(value)
    if _AGENCY_CODE.fullmatch(code) and _AGENCY_LEVEL1.search(code):
        return code
    return None


def _common_name(cert: x509.Certificate) -> str:
    name = cert.subject.native.get("common_name")
    if isinstance(name, list):
        name = name[-1] if name else None
    return str(name) if name else cert.subject.human_friendly


# --- reading the file ----------------------------------------------------------------------


@dataclass
class _Unreadable:
    """A filled signature field whose signature could not even be parsed."""

    name: str
    code: str
    severity: Severity
    params: Mapping[str, str] = field(default_factory=dict)

    def report(self, moment: dt.datetime) -> SignatureReport:
        reasons = (Reason(self.code, self.severity, self.params),)
        return SignatureReport(
            field=self.name,
            signer=None,
            agency_code=None,
            certificate_sha256=None,
            signed_at=None,
            signed_at_source=None,
            level=None,
            verdict=verdict_of(r.severity for r in reasons),
            intact=False,
            trusted=False,
            modified_after_signing=False,
            coverage=None,
            modification_level=None,
            certification=False,
            revocation_checked=False,
            validation_time=moment,
            reasons=reasons,
        )


def _embedded_signatures(reader: PdfFileReader) -> list[EmbeddedPdfSignature | _Unreadable]:
    """Every filled signature field, parsed ones in the order of their revisions."""
    parsed: list[EmbeddedPdfSignature] = []
    unreadable: list[_Unreadable] = []
    for name, value, field_ref in enumerate_sig_fields(reader, filled_status=True):
        try:
            subfilter = str(value.get_object().get("/SubFilter", ""))
            if subfilter not in _SIGNATURE_SUBFILTERS and subfilter != _TIMESTAMP_SUBFILTER:
                shown = subfilter.lstrip("/")[:60] or "?"
                unreadable.append(
                    _Unreadable(
                        str(name), "unsupported_format", "indeterminate", {"subfilter": shown}
                    )
                )
                continue
            parsed.append(EmbeddedPdfSignature(reader, field_ref, name))
        except MemoryError:
            raise
        except Exception:
            logger.info("unparseable signature in field %s", name, exc_info=True)
            unreadable.append(_Unreadable(str(name), "malformed_signature", "invalid"))
    parsed.sort(key=lambda emb: emb.signed_revision)
    return [*parsed, *unreadable]


@dataclass
class _Document:
    """What every signature of one file is checked with."""

    reader: PdfFileReader
    trust: TrustList
    moment: dt.datetime
    allow_fetching: bool
    dss_present: bool = False
    dss_certs: list[x509.Certificate] = field(default_factory=list)
    dss_crls: list[asn1_crl.CertificateList] = field(default_factory=list)
    dss_ocsps: list[asn1_ocsp.OCSPResponse] = field(default_factory=list)
    #: (revision, intact) of each document timestamp.
    timestamp_revisions: list[tuple[int, bool]] = field(default_factory=list)
    #: Bytes after the last %%EOF other than white space: part of no revision, so covered by
    #: no signature (a polyglot's second format, or a careless append).
    trailing_data: bool = False

    @classmethod
    def read(
        cls,
        reader: PdfFileReader,
        *,
        data: bytes,
        trust: TrustList,
        moment: dt.datetime,
        allow_fetching: bool,
        reasons: list[Reason],
    ) -> _Document:
        document = cls(
            reader=reader,
            trust=trust,
            moment=moment,
            allow_fetching=allow_fetching,
            trailing_data=_has_trailing_data(data),
        )
        try:
            dss = DocumentSecurityStore.read_dss(reader)
            document.dss_certs = list(dss.load_certs())
            document.dss_ocsps = [
                asn1_ocsp.OCSPResponse.load(ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE))
                for ref in dss.ocsps
            ]
            document.dss_crls = [
                asn1_crl.CertificateList.load(ref.get_object().read_data(DecodePurpose.CRL))
                for ref in dss.crls
            ]
            document.dss_present = True
        except NoDSSFoundError:
            pass
        except MemoryError:
            raise
        except Exception:
            logger.info("unreadable DSS", exc_info=True)
            document.dss_certs, document.dss_crls, document.dss_ocsps = [], [], []
            reasons.append(Reason("dss_unreadable", "warning"))
        return document

    def context(
        self,
        moment: dt.datetime,
        *,
        crls: Iterable[asn1_crl.CertificateList] = (),
        ocsps: Iterable[asn1_ocsp.OCSPResponse] = (),
    ) -> ValidationContext:
        """A fresh context per check: pyHanko's contexts collect state (registries, caches)."""
        return ValidationContext(
            trust_manager=self.trust.manager,
            other_certs=list(self.dss_certs),
            moment=moment,
            allow_fetching=self.allow_fetching,
            crls=[*self.dss_crls, *crls],
            ocsps=[*self.dss_ocsps, *ocsps],
            revocation_mode="soft-fail",
            # Revocation data produced after the signing moment (B-LT: fetched right after
            # signing) is evidence about that moment.
            retroactive_revinfo=True,
        )


# --- signatures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _TrustProblem:
    reason: Reason
    #: Might be cured by checking as of a trusted signature timestamp.
    time_related: bool = False


def _signature_report(
    emb: EmbeddedPdfSignature, document: _Document, expected_agency_code: str | None
) -> SignatureReport:
    """Check one signature: integrity and changes, signing time, trust, agency, level."""
    moment = document.moment
    name = str(emb.field_name)
    checker = _Checker(emb, document)
    try:
        status, context = checker.run(moment, skip_diff=False)
    except SignatureValidationError as exc:
        logger.info("signature %s not validated: %s", name, exc)
        indication = exc.ades_subindication
        missing_cert = indication == AdESIndeterminate.NO_SIGNING_CERTIFICATE_FOUND
        code = "signer_certificate_missing" if missing_cert else "malformed_signature"
        failed = indication is None or indication.status == AdESStatus.FAILED
        reason = Reason(code, "invalid" if failed else "indeterminate")
        return _bare_report(emb, _signer_cert_or_none(emb), moment, reason)
    except MemoryError:
        raise
    except Exception:
        logger.warning("signature %s: validation error", name, exc_info=True)
        reason = Reason("validation_error", "indeterminate")
        return _bare_report(emb, _signer_cert_or_none(emb), moment, reason)
    cert = status.signing_cert

    reasons: list[Reason] = []
    if not status.intact:
        reasons.append(Reason("digest_mismatch", "invalid"))
    if not status.valid:
        reasons.append(Reason("signature_value_invalid", "invalid"))
    modified, change_reasons = _changes(status, trailing_data=document.trailing_data)
    reasons.extend(change_reasons)
    if status.seed_value_constraint_error is not None:
        reasons.append(Reason("seed_value_violation", "indeterminate"))
    signed_attributes = _has_signed_attributes(emb)
    if not signed_attributes:
        reasons.append(Reason("not_pades", "info"))

    timing = _signing_time(status, moment)
    reasons.extend(timing.reasons)

    trust = _Trust(trusted=status.trusted, at=moment, path=status.validation_path, context=context)
    if status.intact and status.valid and not trust.trusted and not timing.expired_at_signing:
        trust, reason = _trust_or_why_not(checker, status, context, moment, timing.timestamp)
        reasons.append(reason)
    revocation_checked = False
    if trust.trusted and trust.path is not None:
        revocation_checked = not trust.context.soft_fail_exceptions and _revinfo_covers(
            list(trust.path.iter_certs(include_root=False)),
            trust.context.crls,
            trust.context.ocsps,
        )
        if not revocation_checked:
            reasons.append(Reason("revocation_unchecked", "warning"))

    agency_code = agency_code_of(cert)
    if expected_agency_code and agency_code is not None:
        wanted = normalise_agency_code(expected_agency_code)
        if agency_code != wanted:
            params = {"actual": agency_code, "expected": wanted}
            reasons.append(Reason("agency_mismatch", "invalid", params))

    path = trust.path if trust.trusted else None
    return SignatureReport(
        field=name,
        signer=_common_name(cert),
        agency_code=agency_code,
        certificate_sha256=cert.sha256.hex(),
        signed_at=timing.signed_at,
        signed_at_source=timing.source,
        level=_level(emb, status, document, path) if signed_attributes else None,
        verdict=verdict_of(r.severity for r in reasons),
        intact=bool(status.intact and status.valid),
        trusted=trust.trusted,
        modified_after_signing=modified,
        coverage=_name_of(status.coverage),
        modification_level=_name_of(status.modification_level),
        certification=_is_certification(emb),
        revocation_checked=revocation_checked,
        validation_time=trust.at,
        reasons=tuple(reasons),
    )


class _Checker:
    """pyHanko's check of one signature as of a moment, with fresh validation contexts."""

    def __init__(self, emb: EmbeddedPdfSignature, document: _Document) -> None:
        self.emb = emb
        self.document = document
        self.crls, self.ocsps = _archived_revinfo(emb)

    def run(
        self, at: dt.datetime, *, skip_diff: bool
    ) -> tuple[PdfSignatureStatus, ValidationContext]:
        signer_context = self.document.context(at, crls=self.crls, ocsps=self.ocsps)
        status = validate_pdf_signature(
            self.emb,
            signer_validation_context=signer_context,
            ts_validation_context=self.document.context(at),
            diff_policy=DEFAULT_DIFF_POLICY,
            key_usage_settings=_KEY_USAGE,
            skip_diff=skip_diff,
        )
        return status, signer_context


@dataclass(frozen=True)
class _Timing:
    timestamp: dt.datetime | None
    signed_at: dt.datetime | None
    source: TimeSource | None
    expired_at_signing: bool
    reasons: list[Reason]


def _signing_time(status: PdfSignatureStatus, moment: dt.datetime) -> _Timing:
    """When the signature was made: a trusted signature timestamp's time, else the claim.

    Only a trusted timestamp proves the time (ETSI EN 319 102-1 §5.5): a certificate outside
    its validity then makes the signature invalid; a claimed time outside it is reported.
    """
    cert = status.signing_cert
    reasons: list[Reason] = []
    timestamp: dt.datetime | None = None
    for token in (status.timestamp_validity, status.content_timestamp_validity):
        if token is None:
            continue
        if not (token.intact and token.valid):
            reasons.append(Reason("timestamp_invalid", "invalid"))
        elif not token.trusted:
            reasons.append(Reason("timestamp_untrusted", "warning"))
        elif token is status.timestamp_validity:
            timestamp = token.timestamp
    claimed = status.signer_reported_dt
    expired_at_signing = False
    if timestamp is not None:
        if timestamp > moment:
            params = {"time": _shown(timestamp), "moment": _shown(moment)}
            reasons.append(Reason("timestamp_after_moment", "indeterminate", params))
        if not _valid_at(cert, timestamp):
            expired_at_signing = True
            reasons.append(_expired_at_signing(cert, timestamp))
        return _Timing(timestamp, timestamp, "timestamp", expired_at_signing, reasons)
    if claimed is not None and not _valid_at(cert, claimed, skew=_CLAIMED_TIME_SKEW):
        reasons.append(_expired_at_signing(cert, claimed, code="claimed_time_outside_validity"))
    return _Timing(None, claimed, "claimed" if claimed else None, False, reasons)


@dataclass(frozen=True)
class _Trust:
    trusted: bool
    #: The moment the certificate was checked as of.
    at: dt.datetime
    path: ValidationPath | None
    context: ValidationContext


def _trust_or_why_not(
    checker: _Checker,
    status: PdfSignatureStatus,
    context: ValidationContext,
    moment: dt.datetime,
    timestamp: dt.datetime | None,
) -> tuple[_Trust, Reason]:
    """Why the certificate is not trusted at `moment`; or trusted as of a timestamp.

    A problem that time explains (expired, revoked, stale revocation data) is looked at again
    as of a trusted signature timestamp before `moment`: the timestamp proves the signature
    existed then (ETSI EN 319 102-1 §5.5).
    """
    untrusted = _Trust(trusted=False, at=moment, path=status.validation_path, context=context)
    problem = _trust_problem(status, checker.document, moment, timestamp)
    if not problem.time_related or timestamp is None or timestamp > moment:
        return untrusted, problem.reason
    try:
        then, then_context = checker.run(timestamp, skip_diff=True)
    except MemoryError:
        raise
    except Exception:
        name = checker.emb.field_name
        logger.warning("signature %s: check as of its timestamp failed", name, exc_info=True)
        return untrusted, problem.reason
    if then.trusted:
        trust = _Trust(trusted=True, at=timestamp, path=then.validation_path, context=then_context)
        return trust, Reason("validated_at_timestamp", "info", {"time": _shown(timestamp)})
    reason = _trust_problem(then, checker.document, timestamp, timestamp).reason
    return untrusted, _as_of_signing(reason, status.signing_cert, timestamp)


def _bare_report(
    emb: EmbeddedPdfSignature,
    cert: x509.Certificate | None,
    moment: dt.datetime,
    reason: Reason,
) -> SignatureReport:
    return SignatureReport(
        field=str(emb.field_name),
        signer=_common_name(cert) if cert is not None else None,
        agency_code=agency_code_of(cert) if cert is not None else None,
        certificate_sha256=cert.sha256.hex() if cert is not None else None,
        signed_at=None,
        signed_at_source=None,
        level=None,
        verdict=verdict_of([reason.severity]),
        intact=False,
        trusted=False,
        modified_after_signing=False,
        coverage=None,
        modification_level=None,
        certification=False,
        revocation_checked=False,
        validation_time=moment,
        reasons=(reason,),
    )


def _has_trailing_data(data: bytes) -> bool:
    end = data.rfind(b"%%EOF")
    return end >= 0 and bool(data[end + 5 :].strip(b" \t\r\n\f\x00"))


def _signer_cert_or_none(emb: EmbeddedPdfSignature) -> x509.Certificate | None:
    try:
        return emb.signer_cert
    except MemoryError:
        raise
    except Exception:
        return None


def _changes(
    status: PdfSignatureStatus | DocumentTimestampStatus, *, trailing_data: bool
) -> tuple[bool, list[Reason]]:
    """Whether the file was changed after signing in a way not allowed, and the reasons."""
    coverage = status.coverage
    if coverage == SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START or trailing_data:
        return True, [Reason("coverage_incomplete", "invalid")]
    if coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION):
        return True, [Reason("byte_range_malformed", "invalid")]
    level = status.modification_level
    if level == ModificationLevel.OTHER:
        return True, [Reason("modified_after_signing", "invalid")]
    if status.docmdp_ok is False:
        return True, [Reason("docmdp_violation", "invalid")]
    if level == ModificationLevel.ANNOTATIONS:
        return True, [Reason("annotations_after_signing", "warning")]
    if coverage == SignatureCoverageLevel.ENTIRE_REVISION:
        return False, [Reason("later_changes_allowed", "info")]
    return False, []


def _trust_problem(
    status: PdfSignatureStatus,
    document: _Document,
    moment: dt.datetime,
    timestamp_time: dt.datetime | None,
) -> _TrustProblem:
    """Why the signer's certificate is not trusted at `moment`, from pyHanko's indication.

    `timestamp_time` is the time of a trusted signature timestamp, if any: a revocation
    before it is proven to precede the signature.
    """
    cert = status.signing_cert
    indication = status.trust_problem_indic
    if indication in (
        AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE,
        AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE_NO_POE,
    ):
        algorithm = f"{status.pkcs7_signature_mechanism}, {status.md_algorithm}"
        return _TrustProblem(Reason("algorithm_not_allowed", "invalid", {"algorithm": algorithm}))
    if indication in (AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE):
        details = status.revocation_details
        revoked_at = details.revocation_date if details is not None else None
        shown = {"revoked_at": _shown(revoked_at) if revoked_at else "?"}
        if details is not None and details.ca_revoked:
            return _TrustProblem(Reason("ca_revoked", "indeterminate", shown), time_related=True)
        if revoked_at is not None and timestamp_time is not None and timestamp_time >= revoked_at:
            return _TrustProblem(Reason("revoked", "invalid", shown))
        return _TrustProblem(Reason("revoked_no_poe", "indeterminate", shown), time_related=True)
    if indication == AdESIndeterminate.NO_SIGNING_CERTIFICATE_FOUND:
        return _TrustProblem(Reason("signer_certificate_missing", "indeterminate"))
    if indication == AdESIndeterminate.TRY_LATER:
        return _TrustProblem(Reason("revocation_data_unusable", "indeterminate"), time_related=True)
    if cert.self_signed != "no" and not document.trust.is_root(cert):
        return _TrustProblem(Reason("self_signed", "indeterminate"))
    if indication == AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND:
        return _TrustProblem(Reason("untrusted_chain", "indeterminate"))
    if indication == AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE:
        # pyHanko found a path, then refused the key usage (or an extended key usage).
        return _TrustProblem(Reason("key_usage", "indeterminate"))
    path = status.validation_path
    if path is None:
        return _TrustProblem(Reason("untrusted_chain", "indeterminate"))
    return _diagnose_path(path, document, moment)


def _diagnose_path(path: ValidationPath, document: _Document, moment: dt.datetime) -> _TrustProblem:
    """Validate the path pyHanko rejected once more to learn the precise cause."""
    try:
        asyncio.run(async_validate_path(document.context(moment), path))
    except ExpiredError as exc:
        return _TrustProblem(
            Reason("cert_expired", "indeterminate", {"not_after": _shown(exc.expired_dt)}),
            time_related=True,
        )
    except NotYetValidError as exc:
        params = {"moment": _shown(moment), "not_before": _shown(exc.valid_from)}
        return _TrustProblem(Reason("cert_not_yet_valid", "indeterminate", params))
    except RevokedError as exc:
        shown = {"revoked_at": _shown(exc.revocation_dt)}
        code = "revoked_no_poe" if exc.is_ee_cert else "ca_revoked"
        return _TrustProblem(Reason(code, "indeterminate", shown), time_related=True)
    except InsufficientRevinfoError:
        return _TrustProblem(Reason("revocation_data_unusable", "indeterminate"), time_related=True)
    except DisallowedAlgorithmError:
        return _TrustProblem(Reason("algorithm_not_allowed", "invalid", {"algorithm": "?"}))
    except MemoryError:
        raise
    except Exception:
        logger.info("path rejected", exc_info=True)
        return _TrustProblem(Reason("chain_failure", "indeterminate"))
    # The path itself is fine: what failed was the certificate's key usage.
    return _TrustProblem(Reason("key_usage", "indeterminate"))


def _as_of_signing(reason: Reason, cert: x509.Certificate, signed_at: dt.datetime) -> Reason:
    """A problem found as of a trusted timestamp is a problem at the signing time."""
    if reason.code in ("cert_expired", "cert_not_yet_valid"):
        return _expired_at_signing(cert, signed_at)
    if reason.code == "revoked_no_poe":
        return Reason("revoked", "invalid", reason.params)
    return reason


def _valid_at(
    cert: x509.Certificate, moment: dt.datetime, *, skew: dt.timedelta = dt.timedelta(0)
) -> bool:
    validity = cert["tbs_certificate"]["validity"]
    not_before = validity["not_before"].native
    not_after = validity["not_after"].native
    return bool(not_before - skew <= moment <= not_after)


def _expired_at_signing(
    cert: x509.Certificate, signed_at: dt.datetime, *, code: str = "cert_expired_at_signing"
) -> Reason:
    validity = cert["tbs_certificate"]["validity"]
    return Reason(
        code,
        "invalid" if code == "cert_expired_at_signing" else "warning",
        {
            "signed_at": _shown(signed_at),
            "not_before": _shown(validity["not_before"].native),
            "not_after": _shown(validity["not_after"].native),
        },
    )


def _archived_revinfo(
    emb: EmbeddedPdfSignature,
) -> tuple[list[asn1_crl.CertificateList], list[asn1_ocsp.OCSPResponse]]:
    """Revocation data inside the signed attributes (Adobe's revocation archival attribute)."""
    try:
        attrs = emb.signer_info["signed_attrs"]
        if not attrs:
            return [], []
        archival = find_unique_cms_attribute(attrs, "adobe_revocation_info_archival")
        return list(archival["crl"] or []), list(archival["ocsp"] or [])
    except (NonexistentAttributeError, MultivaluedAttributeError, KeyError, ValueError):
        return [], []


def _has_signed_attributes(emb: EmbeddedPdfSignature) -> bool:
    attrs = emb.signer_info["signed_attrs"]
    return attrs is not core.VOID and len(attrs) > 0


def _is_certification(emb: EmbeddedPdfSignature) -> bool:
    """A certifying signature: its /Reference carries a DocMDP transform."""
    try:
        references = emb.sig_object.get("/Reference") or []
        return any(str(ref.get_object().get("/TransformMethod")) == "/DocMDP" for ref in references)
    except (KeyError, TypeError, AttributeError):
        return False


def _level(
    emb: EmbeddedPdfSignature,
    status: PdfSignatureStatus,
    document: _Document,
    path: ValidationPath | None,
) -> Level:
    """The PAdES baseline level the signature's data reaches (ETSI EN 319 142-1 §6)."""
    if status.timestamp_validity is None:
        return "B-B"
    chain = (
        list(path.iter_certs(include_root=False))
        if path is not None
        else _naive_chain(status.signing_cert, [*emb.other_embedded_certs, *document.dss_certs])
    )
    if not (document.dss_present and _revinfo_covers(chain, document.dss_crls, document.dss_ocsps)):
        return "B-T"
    if any(
        revision > emb.signed_revision and intact
        for revision, intact in document.timestamp_revisions
    ):
        return "B-LTA"
    return "B-LT"


def _naive_chain(
    cert: x509.Certificate, pool: Sequence[x509.Certificate]
) -> list[x509.Certificate]:
    """The signer's certificate and its issuers found by name, without the self-signed top."""
    chain = [cert]
    current = cert
    for _ in range(10):
        if current.self_signed != "no":
            chain.pop()
            break
        issuer = next((c for c in pool if c.subject == current.issuer), None)
        if issuer is None:
            break
        chain.append(issuer)
        current = issuer
    return chain


def _revinfo_covers(
    chain: Sequence[x509.Certificate],
    crls: Iterable[asn1_crl.CertificateList],
    ocsps: Iterable[asn1_ocsp.OCSPResponse],
) -> bool:
    """Whether every certificate of `chain` has an OCSP response or a CRL of its issuer.

    This only says that data is there; whether it shows the certificate good at the time is
    pyHanko's path validation.
    """
    crl_issuers = [c["tbs_cert_list"]["issuer"] for c in crls]
    answered = list(_ocsp_answers(ocsps))

    def has_ocsp(cert: x509.Certificate) -> bool:
        issuer = cert.issuer.dump()
        return any(
            serial == cert.serial_number and _digest(algorithm, issuer) == name_hash
            for algorithm, name_hash, serial in answered
        )

    # A signer whose certificate is itself a trust root has no chain to check.
    return all(
        has_ocsp(cert) or any(issuer == cert.issuer for issuer in crl_issuers) for cert in chain
    )


def _ocsp_answers(ocsps: Iterable[asn1_ocsp.OCSPResponse]) -> Iterator[tuple[str, bytes, int]]:
    """(hash algorithm, issuer name hash, serial) of each certificate the responses cover."""
    for response in ocsps:
        try:
            basic = response["response_bytes"]["response"].parsed
            for single in basic["tbs_response_data"]["responses"]:
                cert_id = single["cert_id"]
                yield (
                    cert_id["hash_algorithm"]["algorithm"].native,
                    bytes(cert_id["issuer_name_hash"].native),
                    int(cert_id["serial_number"].native),
                )
        except (KeyError, ValueError, TypeError):
            continue


def _digest(algorithm: str, data: bytes) -> bytes | None:
    try:
        return hashlib.new(algorithm, data).digest()
    except ValueError:
        return None


# --- document timestamps -------------------------------------------------------------------


def _timestamp_report(emb: EmbeddedPdfSignature, document: _Document) -> TimestampReport:
    name = str(emb.field_name)
    try:
        status = validate_pdf_timestamp(
            emb,
            validation_context=document.context(document.moment),
            diff_policy=DEFAULT_DIFF_POLICY,
        )
    except MemoryError:
        raise
    except Exception:
        logger.info("document timestamp %s not validated", name, exc_info=True)
        reason = Reason("doc_timestamp_invalid", "invalid")
        return TimestampReport(name, None, None, "invalid", False, False, None, None, (reason,))
    reasons: list[Reason] = []
    if not (status.intact and status.valid):
        reasons.append(Reason("doc_timestamp_invalid", "invalid"))
    elif not status.trusted:
        reasons.append(Reason("doc_timestamp_untrusted", "warning"))
    _modified, change_reasons = _changes(status, trailing_data=document.trailing_data)
    reasons.extend(change_reasons)
    return TimestampReport(
        field=name,
        authority=_common_name(status.signing_cert),
        time=status.timestamp,
        verdict=verdict_of(r.severity for r in reasons),
        intact=bool(status.intact and status.valid),
        trusted=status.trusted,
        coverage=_name_of(status.coverage),
        modification_level=_name_of(status.modification_level),
        reasons=tuple(reasons),
    )


# --- formatting ----------------------------------------------------------------------------


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _shown(moment: dt.datetime) -> str:
    """A moment in Vietnam time, ISO 8601 with +07:00 (what the messages show)."""
    return moment.astimezone(_VIETNAM).isoformat(sep=" ", timespec="seconds")


def _name_of(value: Any) -> str | None:
    return value.name.lower() if value is not None else None
