from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tinhso.audit.models import AuditEvent
from tinhso.organizations.models import AdministrativeUnit, UnitLevel, UnitSuccession
from tinhso.organizations.tests.conftest import SMALL_UNITS, write_csv

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_admin_units", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_imports_the_shipped_list_fast_and_then_says_nothing_changed() -> None:
    # when
    started = time.perf_counter()
    first, progress = _run()
    elapsed = time.perf_counter() - started
    second, _ = _run()

    # then
    current = AdministrativeUnit.objects.filter(valid_to__isnull=True)
    assert current.filter(level=UnitLevel.PROVINCE).count() == 34
    assert current.filter(level=UnitLevel.COMMUNE).count() == 3321
    assert AdministrativeUnit.objects.filter(valid_to__isnull=False).count() == 63 + 10052
    assert UnitSuccession.objects.count() == 63 + 10604
    assert "13470 thêm mới" in first
    assert "100%" in progress  # the tqdm bar went to stderr
    assert second.startswith("Không có thay đổi")
    assert AuditEvent.objects.filter(action="organizations.admin_units_import").count() == 1
    assert elapsed < 15  # ~1.5 s on the CI machines; bound kept loose for loaded runners


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([*SMALL_UNITS, "2,19999"], "dòng 7: dòng có 2 cột, cần 4 cột"),
        ([*SMALL_UNITS, "2,ABCDE,Phường Lỗi,46"], "dòng 7: Mã xã “ABCDE” không hợp lệ"),
        (["level,code,province_code", "1,46,46"], "dòng 1: thiếu cột name"),
        ([*SMALL_UNITS, "2,19999,Phường Mới,77"], "dòng 7: mã tỉnh “77”"),
        ([*SMALL_UNITS, "2,19774,Phường Kim Long,46"], "dòng 7: mã 19774 trùng với dòng 5"),
    ],
)
def test_malformed_file_fails_naming_file_and_line_with_nothing_imported(
    tmp_path: Path, small_files: dict[str, Path], lines: list[str], message: str
) -> None:
    # given
    bad = write_csv(tmp_path / "bad-units.csv", lines)

    # when
    with pytest.raises(CommandError) as caught:
        _run(
            "--units",
            str(bad),
            "--mapping",
            str(small_files["commune_mapping"]),
            "--provinces",
            str(small_files["province_mapping"]),
        )

    # then
    assert "bad-units.csv" in str(caught.value)
    assert message in str(caught.value)
    assert not AdministrativeUnit.objects.exists()
    assert not AuditEvent.objects.exists()


def test_non_utf8_file_fails_with_nothing_imported(
    tmp_path: Path, small_files: dict[str, Path]
) -> None:
    # given
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("\r\n".join(SMALL_UNITS).encode("utf-8") + b"\r\n2,19999,X\xe3 M\xf4i,46\r\n")

    # when
    with pytest.raises(CommandError, match=r"latin1\.csv, dòng 7: tệp không phải mã UTF-8"):
        _run(
            "--units",
            str(bad),
            "--mapping",
            str(small_files["commune_mapping"]),
            "--provinces",
            str(small_files["province_mapping"]),
        )

    # then
    assert not AdministrativeUnit.objects.exists()


def test_other_files_and_one_province(small_files: dict[str, Path]) -> None:
    # when
    out, _ = _run(
        "--units",
        str(small_files["units"]),
        "--mapping",
        str(small_files["commune_mapping"]),
        "--provinces",
        str(small_files["province_mapping"]),
        "--province",
        "48",
    )

    # then
    assert set(AdministrativeUnit.objects.values_list("province_code", flat=True)) == {"48", "49"}
    assert "thêm mới" in out
