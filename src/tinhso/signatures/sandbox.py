"""Validating a PDF from outside in a separate process with CPU, memory and time limits.

A received PDF is hostile until checked: a deflate bomb, a cyclic structure or a parser bug
must not take down the web worker. Each file is checked in a child forked from a
multiprocessing fork server that has pyHanko and `validation` already imported, so a job costs
a fork, not an interpreter start. The child lowers its own RLIMIT_AS (memory) and RLIMIT_CPU
before reading the file; the parent waits at most the wall-clock limit and then kills it. A
child that ran out of time or memory or died answers an "indeterminate" result with the
reason; the caller never sees the crash.

Cheap checks run before any process is started: the size limit, the `%PDF-` header (else
`NotAPdf`, which the API answers with 400) and an encrypted file (`EncryptedPdf`).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import multiprocessing
import os
import re
import resource
import signal
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing import context as mp_context
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.connection import Connection
from typing import Any, Final

from tinhso.signatures.validation import (
    EncryptedPdf,
    NotAPdf,
    PdfRefused,
    PdfTooLarge,
    ValidationResult,
    check_pdf_header,
    failed_result,
    trust_list,
    validate_pdf,
)

__all__ = [
    "EncryptedPdf",
    "NotAPdf",
    "PdfRefused",
    "PdfTooLarge",
    "validate_pdf_isolated",
]

logger = logging.getLogger(__name__)

DEFAULT_SECONDS: Final = 20
DEFAULT_MEMORY_MB: Final = 1024
DEFAULT_MAX_BYTES: Final = 20 * 1024 * 1024

#: Imported once in the fork server, so that each child starts with them loaded. The last
#: ones are what pyHanko imports lazily on first use (found by diffing sys.modules).
PRELOAD: Final = (
    "tinhso.signatures.sandbox",
    "tinhso.signatures.validation",
    "pyhanko.pdf_utils.filters",
    "lxml.etree",
    "gzip",
)

_EXIT_MEMORY: Final = 86
#: Set while the fork server is started: importing this module there warms it up.
_WARM_UP_ENV: Final = "TINHSO_SIGNATURE_SANDBOX_WARM_UP"
#: An encrypted PDF's trailer (or cross-reference stream dictionary) names /Encrypt; every
#: later revision repeats it, so the last one, near the end of the file, is enough to look at.
_ENCRYPT = re.compile(rb"/Encrypt\s*(?:\d+\s+\d+\s+R|<<)")
_TAIL: Final = 64 * 1024
_MIB: Final = 1024 * 1024

_context_lock = threading.Lock()
_context: mp_context.ForkServerContext | None = None


@dataclass(frozen=True)
class _Job:
    data: bytes
    trust_roots: tuple[bytes, ...]
    at: dt.datetime
    expected_agency_code: str | None
    allow_fetching: bool


def validate_pdf_isolated(
    data: bytes,
    *,
    trust_roots: Sequence[bytes],
    at: dt.datetime | None,
    expected_agency_code: str | None = None,
    allow_fetching: bool = False,
    seconds: float | None = None,
    memory_mb: int | None = None,
    max_bytes: int | None = None,
) -> ValidationResult:
    """`validation.validate_pdf` in a limited child process; same arguments and result.

    Limits default to the settings TINHSO_SIGNATURE_VALIDATION_SECONDS,
    TINHSO_SIGNATURE_VALIDATION_MEMORY_MB and TINHSO_UPLOAD_MAX_BYTES. Raises `PdfTooLarge`,
    `NotAPdf` or `EncryptedPdf` (all `PdfRefused`, message in `str()`); any other failure of
    the file gives an "indeterminate" result with the reason.
    """
    seconds = seconds if seconds is not None else _setting("TINHSO_SIGNATURE_VALIDATION_SECONDS")
    memory_mb = (
        memory_mb if memory_mb is not None else _setting("TINHSO_SIGNATURE_VALIDATION_MEMORY_MB")
    )
    max_bytes = max_bytes if max_bytes is not None else _max_upload_bytes()
    if len(data) > max_bytes:
        raise PdfTooLarge({"limit": _human_size(max_bytes)})
    check_pdf_header(data)
    if _ENCRYPT.search(data, max(0, len(data) - _TAIL)):
        raise EncryptedPdf()
    if at is not None and at.utcoffset() is None:
        raise ValueError("`at` must be timezone-aware")
    trust_list(tuple(trust_roots))  # a bad root is the caller's error: raise it here
    moment = at or dt.datetime.now(dt.UTC)
    job = _Job(
        data=data,
        trust_roots=tuple(trust_roots),
        at=moment,
        expected_agency_code=expected_agency_code,
        allow_fetching=allow_fetching,
    )
    return _run(job, seconds=float(seconds), memory_mb=int(memory_mb))


def _run(job: _Job, *, seconds: float, memory_mb: int) -> ValidationResult:
    ctx = fork_server()
    receiver, sender = ctx.Pipe(duplex=False)
    process = _ValidationProcess(
        target=_child,
        args=(sender, job, seconds, memory_mb),
        name="tinhso-pdf-validation",
        daemon=True,
    )
    started = time.monotonic()
    process.start()
    sender.close()
    outcome: Any = None
    timed_out = False
    try:
        if receiver.poll(seconds):
            try:
                outcome = receiver.recv()
            except (EOFError, OSError):
                outcome = None
        else:
            timed_out = True
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receiver.close()
    elapsed = time.monotonic() - started

    if isinstance(outcome, tuple) and outcome and outcome[0] == "ok":
        result: ValidationResult = outcome[1]
        return result
    if isinstance(outcome, tuple) and outcome and outcome[0] == "refused":
        raise {"encrypted_pdf": EncryptedPdf, "not_a_pdf": NotAPdf}.get(outcome[1], PdfRefused)()
    code = process.exitcode
    if timed_out or code in (-signal.SIGXCPU, -signal.SIGKILL):
        logger.warning("PDF validation stopped after %.1f s (limit %s s)", elapsed, seconds)
        return failed_result("timeout", valid_at=job.at, seconds=f"{seconds:g}")
    if code == _EXIT_MEMORY:
        logger.warning("PDF validation ran out of memory (limit %s MB)", memory_mb)
        return failed_result("memory_limit", valid_at=job.at, megabytes=str(memory_mb))
    logger.error("PDF validation child ended with %s (%s)", code, outcome)
    return failed_result("crashed", valid_at=job.at)


def _child(sender: Connection, job: _Job, seconds: float, memory_mb: int) -> None:
    """In the child: limit ourselves, validate, send the outcome back.

    Out of memory anywhere (RLIMIT_AS makes allocations fail) exits with `_EXIT_MEMORY`:
    building an answer might itself need memory.
    """
    # pyHanko warns about every certificate it cannot place; the report carries the reasons.
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.ERROR)
    cpu = max(1, math.ceil(seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    limit = memory_mb * _MIB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    outcome: tuple[Any, ...]
    try:
        try:
            result = validate_pdf(
                job.data,
                trust_roots=job.trust_roots,
                at=job.at,
                expected_agency_code=job.expected_agency_code,
                allow_fetching=job.allow_fetching,
            )
            outcome = ("ok", result)
        except PdfRefused as refusal:
            outcome = ("refused", refusal.code)
        except MemoryError:
            raise
        except BaseException as exc:  # reported to the parent, which answers "crashed"
            outcome = ("error", type(exc).__name__)
        sender.send(outcome)
        sender.close()
    except MemoryError:
        os._exit(_EXIT_MEMORY)


def fork_server() -> mp_context.ForkServerContext:
    """The multiprocessing fork server context, with our modules preloaded and warmed up.

    Started on first use, and started again if it died (multiprocessing would restart it
    anyway, but not warmed up).
    """
    global _context
    with _context_lock:
        if _context is None:
            _context = multiprocessing.get_context("forkserver")
            # Only effective before the fork server starts; another user starting it first
            # only makes our jobs slower.
            _context.set_forkserver_preload(list(PRELOAD))
        # A running server makes this a waitpid(WNOHANG); a start sees the variable that
        # makes it warm itself up (`_warm_up`).
        os.environ[_WARM_UP_ENV] = "1"
        try:
            forkserver.ensure_running()
        finally:
            os.environ.pop(_WARM_UP_ENV, None)
        return _context


def _warm_up() -> None:
    """Validate one freshly signed PDF in the fork server before it forks any child.

    A child forked from a process that never validated pays for pyHanko's and asn1crypto's
    first-use work on every job (measured: 26.6 ms instead of 20.4 ms for a one-signature
    PDF); warmed once here, every child inherits it.
    """
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        data, root = _sample_signed_pdf()
        validate_pdf(data, trust_roots=[root], at=None)
    except Exception:
        logger.warning("warming up the validation fork server failed", exc_info=True)


def _sample_signed_pdf() -> tuple[bytes, bytes]:
    """A one-page PDF signed PAdES B-T with a throwaway self-signed key; and that certificate."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tinhso sandbox warm-up")])
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=False)
        .sign(key, hashes.SHA256())
    )
    der = certificate.public_bytes(serialization.Encoding.DER)
    cert = asn1_x509.Certificate.load(der)
    private = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    blank = io.BytesIO(_BLANK_PDF)
    registry = SimpleCertificateStore.from_certs([cert])  # type: ignore[no-untyped-call]
    signer = signers.SimpleSigner(signing_cert=cert, signing_key=private, cert_registry=registry)
    signed = signers.sign_pdf(
        IncrementalPdfFileWriter(blank),
        signers.PdfSignatureMetadata(
            field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES
        ),
        signer=signer,
        timestamper=DummyTimeStamper(tsa_cert=cert, tsa_key=private),
    )
    return bytes(signed.getvalue()), der


def _assemble_blank_pdf() -> bytes:
    """One empty A4 page, written out by hand (cross-reference offsets computed)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n"
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % start
    return bytes(out)


_BLANK_PDF: Final = _assemble_blank_pdf()


class _Popen(popen_forkserver.Popen):
    """Start a child from the fork server without re-running the caller's main module.

    multiprocessing makes every child import the parent's `__main__` again (gunicorn's or
    manage.py's script, pytest's…): slow, and wrong for an unguarded script. The child only
    needs `_child`, importable by name, so the main-module entries of the preparation data
    are dropped. Otherwise the same as `popen_forkserver.Popen._launch` (Python 3.11).
    """

    def _launch(self, process_obj: Any) -> None:
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_path", None)
        prep_data.pop("init_main_from_name", None)
        buf = io.BytesIO()
        mp_context.set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            mp_context.set_spawning_popen(None)
        fds = self._fds  # type: ignore[attr-defined]
        self.sentinel, w = forkserver.connect_to_new_process(fds)
        parent_w = os.dup(w)
        close_fds = util.close_fds  # type: ignore[attr-defined]
        self.finalizer = util.Finalize(self, close_fds, (parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _ValidationProcess(mp_context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> _Popen:
        return _Popen(process_obj)


def _setting(name: str) -> int:
    defaults = {
        "TINHSO_SIGNATURE_VALIDATION_SECONDS": DEFAULT_SECONDS,
        "TINHSO_SIGNATURE_VALIDATION_MEMORY_MB": DEFAULT_MEMORY_MB,
    }
    from django.conf import settings

    if not settings.configured:
        return defaults[name]
    return int(getattr(settings, name, defaults[name]))


def _max_upload_bytes() -> int:
    from django.conf import settings

    if not settings.configured:
        return DEFAULT_MAX_BYTES
    from tinhso.files.limits import max_upload_bytes

    return max_upload_bytes()


def _human_size(size: int) -> str:
    from django.conf import settings

    if settings.configured:
        from tinhso.files.limits import human_size

        return human_size(size)
    return f"{size / _MIB:.1f} MB"


if os.environ.pop(_WARM_UP_ENV, None) == "1":  # only when the fork server imports us
    _warm_up()
