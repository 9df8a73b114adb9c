"""validate_pdf_isolated: the same answers as in-process, refusals before any process is
started, and time and memory limits that end the child, never the caller."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
from multiprocessing import forkserver
from pathlib import Path

import pytest

from tinhso.signatures.sandbox import (
    EncryptedPdf,
    NotAPdf,
    PdfTooLarge,
    fork_server,
    validate_pdf_isolated,
)
from tinhso.signatures.tests.local_ca import LocalCA
from tinhso.signatures.tests.pdfs_multi import (
    AGENCY_CODE,
    SignedSample,
    blank_pdf,
    default_ca,
    encrypted_pdf,
    pdf_with_signatures,
    sign,
)
from tinhso.signatures.validation import ValidationResult, validate_pdf


@pytest.fixture(scope="module")
def ca() -> LocalCA:
    return default_ca()


@pytest.fixture(scope="module")
def one(ca: LocalCA) -> bytes:
    person = ca.issue("Nguyễn Văn An", agency_code=AGENCY_CODE)
    return sign(blank_pdf(), ca=ca, person=person, field_name="Signature1", level="B-T")


@pytest.fixture(scope="module")
def ten() -> SignedSample:
    return pdf_with_signatures(10)


def isolated(data: bytes, ca: LocalCA, **limits: float) -> ValidationResult:
    return validate_pdf_isolated(data, trust_roots=[ca.root.pem], at=None, **limits)  # type: ignore[arg-type]


def test_the_child_answers_what_the_caller_would(ca: LocalCA, one: bytes) -> None:
    # given one moment for both
    at = dt.datetime.now(dt.UTC)

    # when
    inside = validate_pdf_isolated(
        one, trust_roots=[ca.root.pem], at=at, expected_agency_code="H57.01"
    )
    outside = validate_pdf(one, trust_roots=[ca.root.pem], at=at, expected_agency_code="H57.01")

    # then
    assert inside.verdict == "valid"
    assert inside == outside
    assert inside.as_dict() == outside.as_dict()


def test_ten_signatures_are_checked_within_two_seconds(ten: SignedSample) -> None:
    # when (the issue's target: ≤ 2 s for a PDF with 10 signatures)
    started = time.monotonic()
    result = validate_pdf_isolated(ten.data, trust_roots=ten.trust_roots, at=None)
    elapsed = time.monotonic() - started

    # then
    assert result.verdict == "valid"
    assert [s.field for s in result.signatures] == [f"Signature{n}" for n in range(1, 11)]
    assert all(s.level == "B-T" and s.verdict == "valid" for s in result.signatures)
    assert elapsed < 2.0


def test_the_fork_server_is_started_once() -> None:
    # given
    fork_server()
    pid = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]

    # when
    fork_server()

    # then
    assert forkserver._forkserver._forkserver_pid == pid  # type: ignore[attr-defined]


def test_a_dead_fork_server_is_started_again(ca: LocalCA, one: bytes) -> None:
    # given the fork server this test process started, killed
    fork_server()
    pid = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    os.kill(pid, signal.SIGKILL)
    # multiprocessing reaps it itself; wait until it is a zombie
    stat = Path(f"/proc/{pid}/stat")
    deadline = time.monotonic() + 5
    while stat.read_text().split()[2] != "Z" and time.monotonic() < deadline:
        time.sleep(0.01)

    # when
    result = isolated(one, ca)

    # then
    assert result.verdict == "valid"
    assert forkserver._forkserver._forkserver_pid != pid  # type: ignore[attr-defined]


# --- refusals before any process -----------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused(ca: LocalCA, one: bytes) -> None:
    with pytest.raises(PdfTooLarge) as refused:
        isolated(one, ca, max_bytes=1024)
    assert "dung lượng tối đa" in str(refused.value)


@pytest.mark.parametrize(
    "data",
    [b"", b"<html><body>%PDF? no</body></html>", b" " * 1030 + b"%PDF-1.7\n"],
    ids=["empty", "html", "header-too-late"],
)
def test_without_a_pdf_header_in_the_first_kilobyte_it_is_not_a_pdf(
    ca: LocalCA, data: bytes
) -> None:
    with pytest.raises(NotAPdf) as refused:
        isolated(data, ca)
    assert str(refused.value) == "Tệp không phải là tệp PDF."


def test_an_encrypted_pdf_is_refused(ca: LocalCA) -> None:
    with pytest.raises(EncryptedPdf) as refused:
        isolated(encrypted_pdf(), ca)
    assert "mã hóa" in str(refused.value)


def test_an_encrypted_pdf_that_hides_it_from_the_quick_check_is_refused_by_the_child(
    ca: LocalCA,
) -> None:
    # given the trailer's /Encrypt followed by a comment (white space to a PDF parser)
    data = encrypted_pdf()
    at = data.rindex(b"/Encrypt")
    hidden = data[:at] + b"/Encrypt%nothing to see\n" + data[at + len(b"/Encrypt") :]

    # when / then
    with pytest.raises(EncryptedPdf):
        isolated(hidden, ca)


# --- limits --------------------------------------------------------------------------------


def test_a_validation_over_the_time_limit_is_stopped(ca: LocalCA, ten: SignedSample) -> None:
    # when ten signatures get 50 ms
    started = time.monotonic()
    result = validate_pdf_isolated(ten.data, trust_roots=ten.trust_roots, at=None, seconds=0.05)
    elapsed = time.monotonic() - started

    # then
    assert result.verdict == "indeterminate"
    assert [r.code for r in result.reasons] == ["timeout"]
    assert "0.05 giây" in result.reasons[0].message
    assert elapsed < 2.0


def test_a_validation_over_the_memory_limit_is_stopped(ca: LocalCA, ten: SignedSample) -> None:
    # when the child may use less memory than Python itself needs
    result = validate_pdf_isolated(ten.data, trust_roots=ten.trust_roots, at=None, memory_mb=16)

    # then
    assert result.verdict == "indeterminate"
    assert [r.code for r in result.reasons] == ["memory_limit"]
    assert "16 MB" in result.reasons[0].message


def test_the_caller_carries_on_after_stopped_children(ca: LocalCA, one: bytes) -> None:
    # given children stopped for time and memory
    isolated(one, ca, seconds=0.001)
    isolated(one, ca, memory_mb=16)

    # when
    result = isolated(one, ca)

    # then
    assert result.verdict == "valid"


def test_concurrent_callers_get_their_own_answers(ca: LocalCA, one: bytes) -> None:
    # given three different files checked from four threads at once
    tampered = one.replace(b"Tj", b"TJ", 1)
    files = {"valid": one, "invalid": tampered, "unsigned": blank_pdf()}
    answers: dict[tuple[str, int], str] = {}

    def check(expected: str, round_: int) -> None:
        answers[(expected, round_)] = isolated(files[expected], ca).verdict

    threads = [
        threading.Thread(target=check, args=(expected, round_))
        for round_ in range(2)
        for expected in (*files, "valid")
    ]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    # then
    assert len(answers) == 6
    assert all(verdict == expected for (expected, _), verdict in answers.items())
