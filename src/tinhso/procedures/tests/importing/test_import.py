"""Importing national-catalogue records: parsing, the report, idempotence, bad records."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tinhso.audit.models import AuditEvent
from tinhso.procedures.importing import (
    CREATED,
    ERROR,
    SKIPPED,
    UPDATED,
    import_path,
)
from tinhso.procedures.models import (
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    StepAgency,
    TimeUnit,
    VersionStatus,
)
from tinhso.procedures.tests.factories import Province
from tinhso.procedures.tests.importing.records import (
    KHAI_SINH,
    REFERENCE,
    TAU_BAY,
    THI_THUC,
    TRONG_TAI,
    write,
    write_each,
)

STEPS: list[dict[str, Any]] = [
    {"ten": "Tiếp nhận", "loai": "receive", "co_quan": "H57.13", "phong_ban": "TNTKQ",
     "vai_tro": "mot_cua", "gio": 4},
    {"ten": "Thẩm định", "loai": "process", "co_quan": "competent", "phong_ban": "TCBC",
     "vai_tro": "chuyen_vien", "gio": 12},
    {"ten": "Phê duyệt", "loai": "approve", "co_quan": "competent", "phong_ban": "TCBC",
     "vai_tro": "lanh_dao", "gio": 4},
    {"ten": "Trả kết quả", "loai": "return", "co_quan": "H57.13", "phong_ban": "TNTKQ",
     "vai_tro": "mot_cua", "gio": 4},
]  # fmt: skip


def _with_process(record: dict[str, Any]) -> dict[str, Any]:
    """The record with a process of the test province (Sở Nội vụ resolves, 24 h of 3 days)."""
    return {**copy.deepcopy(record), "quy_trinh": STEPS, "ma_co_quan_tham_quyen": "H57.02"}


def _version(code: str) -> ProcedureVersion:
    return ProcedureVersion.objects.filter(procedure__code=code).order_by("-number").first()  # type: ignore[return-value]


def test_the_reference_records_are_read_and_reported(tmp_path: Path, db: None) -> None:
    # when the four records are imported, one file each
    report = import_path(write_each(tmp_path, REFERENCE))

    # then each is created as a draft and named in the report with its file
    assert [(e.code, e.status, e.version) for e in report.entries] == [
        ("1.001193", CREATED, 1),
        ("1.001194", CREATED, 1),
        ("1.003528", CREATED, 1),
        ("1.008905", CREATED, 1),
    ]
    assert report.entries[0].line().startswith("[tạo mới] 1.001193 (1.001193.json): ")
    assert report.summary() == "4 bản ghi: 4 tạo mới, 0 cập nhật, 0 bỏ qua, 0 lỗi."

    # khai sinh: a commune procedure of 1 day (no unit on the page: working days, with a note)
    khai_sinh = _version("1.001193")
    assert (khai_sinh.levels, khai_sinh.processing_time, khai_sinh.time_unit) == (
        ["commune"],
        Decimal(1),
        TimeUnit.WORKING_DAYS,
    )
    assert "coi là ngày làm việc" in report.entries[0].notes[0]
    assert not khai_sinh.fees.exists()
    assert [(c.name, c.required) for c in khai_sinh.components.all()] == [
        ("Văn bản ủy quyền (được chứng thực) trong trường hợp ủy quyền", True),
        ("Giấy chứng sinh", True),
        ("Xuất trình: Giấy tờ tùy thân của người đi đăng ký", False),
        ("Tờ khai đăng ký khai sinh theo mẫu", True),
    ]
    assert (khai_sinh.result_name, khai_sinh.result_code) == ("Giấy khai sinh", "KQ.G15.000031")
    assert khai_sinh.online_level == OnlineLevel.PARTIAL
    assert khai_sinh.conditions == ""
    assert khai_sinh.source_url.startswith("https://dichvucong.gov.vn/")

    # thị thực: fees in USD, one per distinct amount; the form file split from the name
    thi_thuc = _version("1.001194")
    assert [(f.amount, f.currency) for f in thi_thuc.fees.all()] == [
        (Decimal(25), "USD"),
        (Decimal(5), "USD"),
    ]
    tokhai = thi_thuc.components.first()
    assert tokhai is not None and tokhai.form_template == "NA5 (1).doc"

    # tàu bay: a ministry procedure, copies only, 1.500.000 đồng once
    tau_bay = _version("1.003528")
    assert tau_bay.levels == ["central"]
    assert [(c.originals, c.copies) for c in tau_bay.components.all()] == [(0, 1), (0, 1), (1, 0)]
    assert [(f.name, f.amount) for f in tau_bay.fees.all()] == [("Lệ phí", Decimal(1500000))]

    # trọng tài: a provincial procedure, fee in "Việt Nam Đồng", the legal basis without header
    trong_tai = _version("1.008905")
    assert [(f.amount, f.currency) for f in trong_tai.fees.all()] == [(Decimal(500000), "VND")]
    assert trong_tai.legal_basis == "Luật Trọng tài thương mại54/2010/QH12"


def test_importing_the_same_records_again_changes_nothing(tmp_path: Path, db: None) -> None:
    # given the records imported once
    directory = write_each(tmp_path, REFERENCE)
    import_path(directory)
    versions, audit_rows = ProcedureVersion.objects.count(), AuditEvent.objects.count()

    # when they are imported again
    report = import_path(directory)

    # then every record is skipped and nothing was written
    assert {e.status for e in report.entries} == {SKIPPED}
    assert "không có thay đổi so với phiên bản 1 (dự thảo)" in report.entries[0].message
    assert ProcedureVersion.objects.count() == versions
    assert AuditEvent.objects.count() == audit_rows


def test_a_changed_record_becomes_a_new_draft_then_is_published(
    tmp_path: Path, province: Province
) -> None:
    # given a record imported and published with its process
    record = _with_process(TRONG_TAI)
    first = import_path(write(tmp_path, record, "a.json"), publish=True)
    assert first.entries[0].message == "đã tạo thủ tục, phiên bản dự thảo 1, đã công bố."

    # when the catalogue changes the name and the record is imported again
    record["ten_thu_tuc"] += " (sửa đổi)"
    path = write(tmp_path, record, "a.json")
    report = import_path(path)

    # then a draft 2 holds the change while version 1 stays in force
    assert [(e.status, e.version) for e in report.entries] == [(UPDATED, 2)]
    procedure = Procedure.objects.get(code="1.008905")
    assert list(procedure.versions.values_list("number", "status")) == [
        (2, VersionStatus.DRAFT),
        (1, VersionStatus.PUBLISHED),
    ]

    # and importing with --publish publishes draft 2 and retires version 1
    report = import_path(path, publish=True)
    assert report.entries[0].status == UPDATED
    assert report.entries[0].message == (
        "nội dung không đổi so với phiên bản dự thảo 2, đã công bố."
    )
    assert list(procedure.versions.values_list("number", "status")) == [
        (2, VersionStatus.PUBLISHED),
        (1, VersionStatus.RETIRED),
    ]


def test_a_changed_record_updates_the_draft_there_is(tmp_path: Path, db: None) -> None:
    import_path(write(tmp_path, KHAI_SINH, "a.json"))
    changed = {**KHAI_SINH, "linh_vuc": "Hộ tịch (cấp xã)"}
    report = import_path(write(tmp_path, changed, "a.json"))
    assert [(e.status, e.version, e.message) for e in report.entries] == [
        (UPDATED, 1, "đã cập nhật phiên bản dự thảo 1.")
    ]
    assert ProcedureVersion.objects.get().field == "Hộ tịch (cấp xã)"


def test_a_record_without_process_keeps_the_process_of_the_latest_version(
    tmp_path: Path, province: Province
) -> None:
    # given a version published with its process
    import_path(write(tmp_path, _with_process(TRONG_TAI), "a.json"), publish=True)

    # when the catalogue record, without process, brings a new decision number
    record = {**TRONG_TAI, "so_quyet_dinh": "99/QĐ-BTP", "ma_co_quan_tham_quyen": "H57.02"}
    report = import_path(write(tmp_path, record, "a.json"), publish=True)

    # then version 2 is published with the same steps, resolved in the province
    assert report.entries[0].status == UPDATED
    version = _version("1.008905")
    assert (version.number, version.decision_number) == (2, "99/QĐ-BTP")
    steps = list(version.steps.all())
    assert [s.agency_mode for s in steps] == [
        StepAgency.FIXED,
        StepAgency.COMPETENT,
        StepAgency.COMPETENT,
        StepAgency.FIXED,
    ]
    assert steps[0].agency == province.center and steps[0].department == province.desk
    assert steps[1].department == province.so_department


def test_publishing_a_record_without_process_is_refused_and_nothing_is_saved(
    tmp_path: Path, db: None
) -> None:
    report = import_path(write(tmp_path, TRONG_TAI, "a.json"), publish=True)
    assert [(e.status, e.message) for e in report.entries] == [
        (ERROR, "Phiên bản chưa có bước nào trong quy trình nội bộ.")
    ]
    assert not Procedure.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="procedures.").exists()


def test_malformed_records_are_reported_one_by_one(tmp_path: Path, province: Province) -> None:
    # given a list holding one good record among bad ones, and a file that is not JSON
    bad_unit = {**TRONG_TAI, "ma_thu_tuc": "1.000002", "thoi_han": {"so": 3, "don_vi": "Tuần"}}
    no_time = {**TRONG_TAI, "ma_thu_tuc": "1.000003", "cach_thuc_thuc_hien": "Trực tiếpMiễn phí"}
    unknown_agency = {**_with_process(TRONG_TAI), "ma_thu_tuc": "1.000004"}
    unknown_agency["quy_trinh"] = [{**STEPS[0], "co_quan": "H99.99"}]
    wrong_type = {**TRONG_TAI, "ma_thu_tuc": "1.000005", "thanh_phan": "Đơn đề nghị"}
    bad_role = {**_with_process(TRONG_TAI), "ma_thu_tuc": "1.000006"}
    bad_role["quy_trinh"] = [STEPS[0], {**STEPS[1], "vai_tro": "giam_doc"}]
    no_level = {**TRONG_TAI, "ma_thu_tuc": "1.000007", "cap_thuc_hien": "Cơ quan khác"}
    records: list[Any] = [
        KHAI_SINH,
        "không phải bản ghi",
        {**TRONG_TAI, "ma_thu_tuc": "BTP-HCM-277133"},
        {"ten_thu_tuc": "Không có mã"},
        bad_unit,
        no_time,
        unknown_agency,
        wrong_type,
        bad_role,
        no_level,
    ]
    write(tmp_path, records, "a.json")
    (tmp_path / "b.json").write_text('{"ma_thu_tuc": "1.0', encoding="utf-8")

    # when the directory is imported
    report = import_path(tmp_path)

    # then the good record is created and each bad one is reported with file, index and reason
    assert [(e.where, e.status) for e in report.entries] == [
        ("a.json[0]", CREATED),
        *[(f"a.json[{i}]", ERROR) for i in range(1, 10)],
        ("b.json", ERROR),
    ]
    messages = [e.message for e in report.entries[1:]]
    assert messages[0] == "Bản ghi phải là một đối tượng JSON."
    assert "mã thủ tục kiểu cũ" in messages[1]
    assert messages[2] == "Bản ghi không có mã thủ tục (ma_thu_tuc)."
    assert messages[3] == "thoi_han.don_vi: đơn vị thời hạn “Tuần” không hợp lệ."
    assert messages[4].startswith("Không xác định được thời hạn giải quyết")
    assert messages[5] == "Bước 1: không có cơ quan mã định danh “H99.99”."
    assert messages[6] == "Trường “thanh_phan” phải là danh sách các đối tượng."
    assert messages[7] == "Bước 2: Vai trò thực hiện bước không hợp lệ."
    assert messages[8] == "Không xác định được cấp thực hiện từ “Cơ quan khác”."
    assert messages[9].startswith("Tệp không phải JSON hợp lệ (dòng 1, cột")
    assert list(Procedure.objects.values_list("code", flat=True)) == ["1.001193"]


def test_a_dry_run_reports_but_saves_nothing(tmp_path: Path, db: None) -> None:
    report = import_path(write_each(tmp_path, [KHAI_SINH, THI_THUC, TAU_BAY]), dry_run=True)
    assert [e.status for e in report.entries] == [CREATED, CREATED, CREATED]
    assert report.summary().endswith("(Chạy thử: không lưu gì.)")
    assert not Procedure.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_missing_path_is_an_error(tmp_path: Path, db: None) -> None:
    with pytest.raises(FileNotFoundError, match="Không tìm thấy"):
        import_path(tmp_path / "none.json")
