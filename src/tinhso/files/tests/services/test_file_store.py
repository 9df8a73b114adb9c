"""file_store: what is kept, what is refused, and that nothing is half-saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from tinhso.accounts.models import Role, User
from tinhso.audit.models import AuditEvent
from tinhso.files import detection, services
from tinhso.files.models import StoredFile
from tinhso.files.services import file_store
from tinhso.files.tests import samples
from tinhso.files.tests.conftest import stored_objects
from tinhso.organizations.models import Agency
from tinhso.testing.factories import make_membership, make_user


def _message(caught: pytest.ExceptionInfo[ValidationError]) -> str:
    messages = caught.value.message_dict["file"]
    assert len(messages) == 1
    return messages[0]


def _nothing_saved(media_root: Path) -> bool:
    return (
        not StoredFile.objects.exists()
        and not AuditEvent.objects.filter(action="files.file.store").exists()
        and not stored_objects(media_root)
    )


def test_a_pdf_is_stored_with_its_address_and_an_audit_row(
    specialist_a: User, agency_a: Agency, media_root: Path
) -> None:
    # given
    data = samples.pdf()

    # when
    stored = file_store(actor=specialist_a, upload=samples.upload(data, "Tờ trình.pdf"))

    # then the row describes the bytes
    assert stored.name == "Tờ trình.pdf"
    assert stored.size == len(data)
    assert stored.content_type == detection.PDF
    assert stored.uploaded_by == specialist_a and stored.agency == agency_a
    sha = stored.sha256
    assert len(sha) == 64 and stored.storage_name == f"{sha[:2]}/{sha[2:4]}/{sha}"
    # and the storage holds them at that address
    with default_storage.open(stored.storage_name, "rb") as handle:
        assert handle.read() == data
    assert (media_root / sha[:2] / sha[2:4] / sha).is_file()
    # and the audit trail says who stored what
    event = AuditEvent.objects.get(action="files.file.store")
    assert event.actor_id == specialist_a.pk and event.agency_id == agency_a.pk
    assert event.object_type == "files.storedfile" and event.object_id == str(stored.pk)
    assert event.changes == {
        "name": "Tờ trình.pdf",
        "size": len(data),
        "content_type": detection.PDF,
        "sha256": sha,
    }


def test_the_same_bytes_are_stored_once_but_recorded_per_upload(
    specialist_a: User, citizen: User, media_root: Path
) -> None:
    # given a file already uploaded by an official
    first = file_store(actor=specialist_a, upload=samples.upload(samples.png(), "a.png"))
    path = media_root / first.storage_name
    written_at = path.stat().st_mtime_ns

    # when a citizen uploads the same bytes under another name
    second = file_store(actor=citizen, upload=samples.upload(samples.png(), "anh.png"))

    # then there are two rows, each with its own owner, over one untouched storage object
    assert second.pk != first.pk
    assert (second.name, second.uploaded_by, second.agency) == ("anh.png", citizen, None)
    assert second.storage_name == first.storage_name
    assert stored_objects(media_root) == [path]
    assert path.stat().st_mtime_ns == written_at
    assert AuditEvent.objects.filter(action="files.file.store").count() == 2


def test_a_damaged_storage_object_is_replaced_by_the_verified_bytes(
    specialist_a: User, media_root: Path
) -> None:
    # given a storage object cut short at the content's address (an interrupted write)
    first = file_store(actor=specialist_a, upload=samples.upload(samples.pdf(), "a.pdf"))
    path = media_root / first.storage_name
    path.write_bytes(samples.pdf()[:10])

    # when the same bytes are uploaded again
    file_store(actor=specialist_a, upload=samples.upload(samples.pdf(), "b.pdf"))

    # then the object is whole again
    assert path.read_bytes() == samples.pdf()


@pytest.mark.parametrize(
    ("make", "name", "content_type"),
    [
        (samples.jpeg, "anh.jpg", detection.JPEG),
        (lambda: samples.tiff(">"), "scan.tiff", detection.TIFF),
        (samples.docx, "don.docx", detection.DOCX),
        (samples.xlsx, "bang.xlsx", detection.XLSX),
        (samples.odt, "van-ban.odt", detection.ODT),
    ],
)
def test_every_default_type_is_accepted(
    specialist_a: User, make: Any, name: str, content_type: str
) -> None:
    stored = file_store(actor=specialist_a, upload=samples.upload(make(), name))
    assert (stored.name, stored.content_type) == (name, content_type)


def test_a_name_without_extension_gets_the_contents_one(citizen: User) -> None:
    stored = file_store(actor=citizen, upload=samples.upload(samples.png(), "anh chup CCCD"))
    assert stored.name == "anh chup CCCD.png" and stored.content_type == detection.PNG


def test_a_path_in_the_name_is_dropped(citizen: User) -> None:
    stored = file_store(actor=citizen, upload=samples.upload(samples.pdf(), "../../etc/don.pdf"))
    assert stored.name == "don.pdf"


def test_the_agency_is_left_empty_for_an_official_of_two_agencies(
    agency_a: Agency, agency_b: Agency
) -> None:
    # given an official with posts in two agencies
    user = make_user()
    make_membership(user=user, agency=agency_a, role=Role.CHUYEN_VIEN)
    make_membership(user=user, agency=agency_b, role=Role.LANH_DAO)

    # when
    stored = file_store(actor=user, upload=samples.upload(samples.pdf()))

    # then the file is the uploader's alone (plus the provincial administrators')
    assert stored.agency is None


# --- Refusals: a Vietnamese message on `file`, and nothing saved ------------------------------


def test_a_file_over_the_limit_is_refused_naming_the_limit(
    specialist_a: User, settings: Any, media_root: Path
) -> None:
    # given a limit of 100 bytes
    settings.TINHSO_UPLOAD_MAX_BYTES = 100
    data = samples.pdf() + b" " * 100

    # when / then
    with pytest.raises(ValidationError) as caught:
        file_store(actor=specialist_a, upload=samples.upload(data, "lon.pdf"))
    message = _message(caught)
    assert message.startswith("Tệp “lon.pdf” có dung lượng")
    assert "vượt quá mức tối đa 100\xa0byte" in message
    assert _nothing_saved(media_root)


def test_the_size_is_counted_not_taken_from_the_client(
    specialist_a: User, settings: Any, media_root: Path
) -> None:
    # given an upload that declares 50 bytes but holds more than the limit
    settings.TINHSO_UPLOAD_MAX_BYTES = 100
    upload = samples.upload(samples.pdf() + b" " * 100, "khai-gian.pdf")
    upload.size = 50

    # when / then
    with pytest.raises(ValidationError) as caught:
        file_store(actor=specialist_a, upload=upload)
    assert "vượt quá dung lượng tối đa 100\xa0byte" in _message(caught)
    assert _nothing_saved(media_root)


def test_a_file_of_exactly_the_limit_is_accepted(specialist_a: User, settings: Any) -> None:
    data = samples.pdf()
    settings.TINHSO_UPLOAD_MAX_BYTES = len(data)
    assert file_store(actor=specialist_a, upload=samples.upload(data)).size == len(data)


def test_a_png_named_pdf_is_refused(specialist_a: User, media_root: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        file_store(actor=specialist_a, upload=samples.upload(samples.png(), "x.pdf"))
    assert _message(caught) == "Tệp “x.pdf” không phải là PDF: nội dung tệp là PNG."
    assert _nothing_saved(media_root)


def test_a_pdf_named_html_is_refused(specialist_a: User, media_root: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        file_store(actor=specialist_a, upload=samples.upload(samples.pdf(), "trang.html"))
    assert _message(caught) == "Tệp “trang.html” không phải là HTML: nội dung tệp là PDF."
    assert _nothing_saved(media_root)


def test_an_unknown_type_is_refused_listing_the_accepted_ones(
    specialist_a: User, media_root: Path
) -> None:
    with pytest.raises(ValidationError) as caught:
        file_store(actor=specialist_a, upload=samples.upload(b"hello", "ghi-chu.txt"))
    assert _message(caught) == (
        "Tệp “ghi-chu.txt” không thuộc các định dạng được chấp nhận "
        "(DOCX (Word), JPEG, ODT, PDF, PNG, TIFF, XLSX (Excel))."
    )
    assert _nothing_saved(media_root)


def test_a_type_outside_the_allowed_setting_is_refused_naming_it(
    specialist_a: User, settings: Any, media_root: Path
) -> None:
    settings.TINHSO_UPLOAD_ALLOWED_TYPES = {detection.PDF}
    with pytest.raises(ValidationError) as caught:
        file_store(actor=specialist_a, upload=samples.upload(samples.png(), "anh.png"))
    assert _message(caught) == (
        "Tệp “anh.png” là PNG, không thuộc các định dạng được chấp nhận (PDF)."
    )
    assert _nothing_saved(media_root)


@pytest.mark.parametrize(
    ("data", "start"),
    [
        (b"", "Tệp “tep.pdf” rỗng (0 byte)."),
        (samples.pdf()[:20], "Tệp “tep.pdf” có dạng PDF nhưng bị hỏng hoặc không đầy đủ"),
        (samples.docm(), "Tệp “tep.pdf” có chứa macro"),
    ],
    ids=["empty", "truncated", "macro"],
)
def test_broken_or_unsafe_content_is_refused(
    specialist_a: User, media_root: Path, data: bytes, start: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        file_store(actor=specialist_a, upload=samples.upload(data, "tep.pdf"))
    assert _message(caught).startswith(start)
    assert _nothing_saved(media_root)


def test_an_official_without_a_post_may_not_upload(db: None, media_root: Path) -> None:
    with pytest.raises(PermissionDenied):
        file_store(actor=make_user(), upload=samples.upload(samples.pdf()))
    assert _nothing_saved(media_root)


# --- Nothing half-saved ---------------------------------------------------------------------


class _Boom(Exception):
    pass


def _failing_audit(**kwargs: Any) -> None:
    raise _Boom


def test_when_the_row_cannot_be_written_the_new_object_is_removed(
    specialist_a: User, media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the audit write (the transaction's last step) fails
    monkeypatch.setattr(services, "audit_record", _failing_audit)

    # when
    with pytest.raises(_Boom):
        file_store(actor=specialist_a, upload=samples.upload(samples.pdf()))

    # then neither the row nor the bytes remain
    assert _nothing_saved(media_root)


def test_when_the_row_cannot_be_written_an_object_others_use_is_kept(
    specialist_a: User, citizen: User, media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given bytes already stored for another upload
    kept = file_store(actor=citizen, upload=samples.upload(samples.pdf()))
    monkeypatch.setattr(services, "audit_record", _failing_audit)

    # when a second upload of the same bytes fails
    with pytest.raises(_Boom):
        file_store(actor=specialist_a, upload=samples.upload(samples.pdf()))

    # then the first upload's bytes are still there, and only its row
    assert list(StoredFile.objects.all()) == [kept]
    assert stored_objects(media_root) == [media_root / kept.storage_name]
