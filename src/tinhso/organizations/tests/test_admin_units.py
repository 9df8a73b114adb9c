"""Reading the administrative-unit files: every defect names the file and the line."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tinhso.organizations.admin_units import (
    DEFAULT_COMMUNE_MAPPING,
    DEFAULT_PROVINCE_MAPPING,
    DEFAULT_UNITS,
    AdminUnitData,
    AdminUnitFileError,
    read_admin_unit_files,
)
from tinhso.organizations.tests.conftest import (
    SMALL_COMMUNE_MAPPING,
    SMALL_PROVINCE_MAPPING,
    SMALL_UNITS,
    write_csv,
)


def _read(
    tmp_path: Path,
    *,
    units: list[str] = SMALL_UNITS,
    communes: list[str] = SMALL_COMMUNE_MAPPING,
    provinces: list[str] = SMALL_PROVINCE_MAPPING,
) -> AdminUnitData:
    return read_admin_unit_files(
        units=write_csv(tmp_path / "units.csv", units),
        commune_mapping=write_csv(tmp_path / "communes.csv", communes),
        province_mapping=write_csv(tmp_path / "provinces.csv", provinces),
    )


def test_shipped_files_hold_34_provinces_3321_communes_and_the_old_units() -> None:
    # when
    data = read_admin_unit_files()

    # then
    assert len(data.provinces) == 34
    assert len(data.communes) == 3321
    assert len(data.old_provinces) == 63
    assert len(data.old_communes) == 10052
    assert {u.level for u in data.old_communes} == {"commune", "district"}
    assert len([s for s in data.successions if s.new_level == "province"]) == 63
    assert {s.merge_type for s in data.successions} == {"full", "partial"}
    assert DEFAULT_UNITS.exists() and DEFAULT_COMMUNE_MAPPING.exists()
    assert DEFAULT_PROVINCE_MAPPING.exists()
    assert (DEFAULT_UNITS.parent / "LICENSE.dvhcvn-20250701.MIT").exists()
    assert (DEFAULT_UNITS.parent / "ORIGIN.md").exists()


def test_shipped_files_give_hue_its_40_communes() -> None:
    # when
    hue = read_admin_unit_files().restricted_to(["46"])

    # then
    assert [p.name for p in hue.provinces] == ["Thành phố Huế"]
    assert len(hue.communes) == 40
    assert [p.code for p in hue.old_provinces] == ["46"]
    assert all(u.province_code == "46" for u in hue.old_communes)
    assert {s.new_code for s in hue.successions if s.new_level == "commune"} == {
        c.code for c in hue.communes
    }


def test_reads_crlf_and_gzip(tmp_path: Path) -> None:
    # given: the commune mapping gzipped, as shipped
    gz = tmp_path / "communes.csv.gz"
    gz.write_bytes(gzip.compress(("\r\n".join(SMALL_COMMUNE_MAPPING) + "\r\n").encode()))

    # when
    data = read_admin_unit_files(
        units=write_csv(tmp_path / "u.csv", SMALL_UNITS),
        commune_mapping=gz,
        province_mapping=write_csv(tmp_path / "p.csv", SMALL_PROVINCE_MAPPING),
    )

    # then
    assert [c.name for c in data.communes] == [
        "Phường Phú Xuân",
        "Phường Kim Long",
        "Phường Hải Châu",
    ]
    assert len(data.old_communes) == 5  # 19756 appears twice (partial), counted once
    assert ("district", "498") in {(u.level, u.code) for u in data.old_communes}


@pytest.mark.parametrize(
    ("target", "lines", "line", "fragment"),
    [
        ("units", [*SMALL_UNITS[:3], "2,19753,Phường Phú Xuân"], 4, "có 3 cột, cần 4"),
        ("units", [*SMALL_UNITS, "2,1975A,Phường Lỗi,46"], 7, "Mã xã “1975A” không hợp lệ"),
        ("units", [*SMALL_UNITS, "2,19999,Phường Mới,99"], 7, "mã tỉnh “99”"),
        ("units", [*SMALL_UNITS, "2,19753,Phường Phú Xuân,46"], 7, "trùng với dòng 4"),
        ("units", [*SMALL_UNITS, "3,19999,Thôn,46"], 7, "cấp “3” không hợp lệ"),
        ("units", [*SMALL_UNITS, "2,19999,,46"], 7, "Tên đơn vị bị trống"),
        ("units", ["level,code,name", "1,46,Thành phố Huế"], 1, "thiếu cột province_code"),
        ("units", [], 1, "tệp rỗng"),
        (
            "communes",
            [*SMALL_COMMUNE_MAPPING, "46,19999,Phường Ma,19000,Xã Cũ,full"],
            8,
            "xã mới mã “19999”",
        ),
        (
            "communes",
            [*SMALL_COMMUNE_MAPPING, "46,19753,Phường Phú Xuân,19757,Xã Cũ,whole"],
            8,
            "kiểu sắp xếp “whole”",
        ),
        (
            "communes",
            [*SMALL_COMMUNE_MAPPING, "46,19753,Phường Phú Xuân,19753,Phường Phú Hòa,full"],
            8,
            "trùng với dòng 2",
        ),
        (
            "communes",
            [*SMALL_COMMUNE_MAPPING, "46,19753,Phú Xuân,19758,Xã Cũ,full"],
            8,
            "tên xã mới “Phú Xuân”",
        ),
        (
            "communes",
            [*SMALL_COMMUNE_MAPPING, "48,19753,Phường Phú Xuân,19758,Xã Cũ,full"],
            8,
            "thuộc tỉnh 46",
        ),
        (
            "communes",
            [*SMALL_COMMUNE_MAPPING, "46,19774,Phường Kim Long,19753,Tên Khác,full"],
            8,
            "khác tên “Phường Phú Hòa”",
        ),
        (
            "communes",
            [*SMALL_COMMUNE_MAPPING, "46,19774,Phường Kim Long,1975,Xã Cũ,full"],
            8,
            "Mã xã cũ “1975”",
        ),
        (
            "provinces",
            [*SMALL_PROVINCE_MAPPING, "47,Tỉnh Ma,47,Tỉnh Ma,full"],
            5,
            "tỉnh mới mã “47”",
        ),
        (
            "provinces",
            [*SMALL_PROVINCE_MAPPING, "48,Thành phố Đà Nẵng,49,Tỉnh Quảng Nam,full"],
            5,
            "trùng với dòng 4",
        ),
    ],
)
def test_defects_name_the_file_and_the_line(
    tmp_path: Path, target: str, lines: list[str], line: int, fragment: str
) -> None:
    # given
    files = {
        "units": SMALL_UNITS,
        "communes": SMALL_COMMUNE_MAPPING,
        "provinces": SMALL_PROVINCE_MAPPING,
    }
    files[target] = lines

    # when
    with pytest.raises(AdminUnitFileError) as caught:
        _read(
            tmp_path, units=files["units"], communes=files["communes"], provinces=files["provinces"]
        )

    # then
    error = caught.value
    assert error.path.endswith(f"{target}.csv")
    assert error.line == line
    assert fragment in error.message
    assert f"{target}.csv, dòng {line}:" in str(error)


def test_non_utf8_file_names_the_line(tmp_path: Path) -> None:
    # given: a Windows-1258 encoded name on line 3
    path = tmp_path / "units.csv"
    path.write_bytes(
        "\r\n".join(SMALL_UNITS[:2]).encode() + b"\r\n1,48,Th\xe0nh ph\xf4 \xd0\xe0 N\xb5ng,48\r\n"
    )

    # when
    with pytest.raises(AdminUnitFileError) as caught:
        read_admin_unit_files(
            units=path,
            commune_mapping=write_csv(tmp_path / "c.csv", SMALL_COMMUNE_MAPPING),
            province_mapping=write_csv(tmp_path / "p.csv", SMALL_PROVINCE_MAPPING),
        )

    # then
    assert caught.value.line == 3
    assert "UTF-8" in caught.value.message


def test_missing_and_corrupt_files_are_reported(tmp_path: Path) -> None:
    # given
    broken_gz = tmp_path / "communes.csv.gz"
    broken_gz.write_bytes(gzip.compress(b"new_province_code,new_code")[:15])
    units = write_csv(tmp_path / "u.csv", SMALL_UNITS)
    provinces = write_csv(tmp_path / "p.csv", SMALL_PROVINCE_MAPPING)

    # then
    with pytest.raises(AdminUnitFileError, match="không đọc được tệp"):
        read_admin_unit_files(
            units=tmp_path / "absent.csv", commune_mapping=broken_gz, province_mapping=provinces
        )
    with pytest.raises(AdminUnitFileError, match="gzip"):
        read_admin_unit_files(units=units, commune_mapping=broken_gz, province_mapping=provinces)
