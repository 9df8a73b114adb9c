"""`manage.py procedures_import`: one line per record, a summary, an error exit on errors."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tinhso.procedures.models import Procedure, VersionStatus
from tinhso.procedures.tests.factories import Province
from tinhso.procedures.tests.importing.records import KHAI_SINH, TRONG_TAI, write
from tinhso.procedures.tests.importing.test_import import _with_process


def test_the_command_imports_and_publishes(tmp_path: Path, province: Province) -> None:
    stdout = StringIO()
    call_command(
        "procedures_import", str(write(tmp_path, [_with_process(TRONG_TAI)], "a.json")),
        "--publish", stdout=stdout,
    )  # fmt: skip
    assert stdout.getvalue().splitlines() == [
        "[tạo mới] 1.008905 (a.json[0]): đã tạo thủ tục, phiên bản dự thảo 1, đã công bố.",
        "1 bản ghi: 1 tạo mới, 0 cập nhật, 0 bỏ qua, 0 lỗi.",
    ]
    assert Procedure.objects.get().versions.get().status == VersionStatus.PUBLISHED


def test_errors_go_to_stderr_and_fail_the_command(tmp_path: Path, db: None) -> None:
    stdout, stderr = StringIO(), StringIO()
    path = write(tmp_path, [KHAI_SINH, {"ma_thu_tuc": "abc"}], "a.json")
    with pytest.raises(CommandError, match="Có 1 bản ghi lỗi"):
        call_command("procedures_import", str(path), stdout=stdout, stderr=stderr)
    assert "[lỗi] abc (a.json[1]): Mã thủ tục “ABC” không đúng định dạng" in stderr.getvalue()
    assert "1 tạo mới" in stdout.getvalue()
    assert Procedure.objects.count() == 1


def test_a_dry_run_saves_nothing(tmp_path: Path, db: None) -> None:
    stdout = StringIO()
    call_command(
        "procedures_import", str(write(tmp_path, KHAI_SINH, "a.json")), "--dry-run", stdout=stdout
    )
    assert "(Chạy thử: không lưu gì.)" in stdout.getvalue()
    assert not Procedure.objects.exists()


def test_a_missing_file_is_a_command_error(tmp_path: Path, db: None) -> None:
    with pytest.raises(CommandError, match="Không tìm thấy"):
        call_command("procedures_import", str(tmp_path / "none.json"))
