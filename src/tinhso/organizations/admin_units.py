"""Reading and validating the files of the 2025 administrative-unit list (no database).

Three files (see data/admin_units/ORIGIN.md): the new units (34 provinces and 3,321 communes
valid from 1 July 2025), the old→new commune mapping and the old→new province mapping. Every
row is checked before anything is written; a defect raises `AdminUnitFileError` naming the
file and the line, so an import either takes the whole list or nothing.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DATA_DIR: Final = Path(__file__).resolve().parent / "data" / "admin_units"
DEFAULT_UNITS: Final = DATA_DIR / "dvhcvn_20250701_new_units_34-3321.csv"
DEFAULT_COMMUNE_MAPPING: Final = DATA_DIR / "dvhcvn_20250701_old_to_new_commune_mapping.csv.gz"
DEFAULT_PROVINCE_MAPPING: Final = DATA_DIR / "dvhcvn_20250701_old_to_new_province_mapping.csv"

UNIT_COLUMNS: Final = ("level", "code", "name", "province_code")
COMMUNE_MAPPING_COLUMNS: Final = (
    "new_province_code",
    "new_code",
    "new_name",
    "old_code",
    "old_name",
    "merge_type",
)
PROVINCE_MAPPING_COLUMNS: Final = ("new_code", "new_name", "old_code", "old_name", "merge_type")
MERGE_TYPES: Final = frozenset({"full", "partial"})
NAME_MAX: Final = 150

_PROVINCE_CODE: Final = re.compile(r"[0-9]{2}")
_COMMUNE_CODE: Final = re.compile(r"[0-9]{5}")
#: The old code of a predecessor: a commune (5 digits), or one of the five island districts
#: without communes (3 digits, e.g. 318 Huyện Bạch Long Vĩ) that became special zones.
_OLD_CODE: Final = re.compile(r"[0-9]{5}|[0-9]{3}")

# Field labels of error messages, translated only when an error is shown.
_L_PROVINCE_CODE: Final = gettext_lazy("Mã tỉnh")
_L_OLD_PROVINCE_CODE: Final = gettext_lazy("Mã tỉnh cũ")
_L_NEW_PROVINCE_CODE: Final = gettext_lazy("Mã tỉnh mới")
_L_COMMUNE_CODE: Final = gettext_lazy("Mã xã")
_L_OLD_COMMUNE_CODE: Final = gettext_lazy("Mã xã cũ")
_L_NEW_COMMUNE_CODE: Final = gettext_lazy("Mã xã mới")
_L_OLD_PROVINCE_NAME: Final = gettext_lazy("Tên tỉnh cũ")
_L_OLD_COMMUNE_NAME: Final = gettext_lazy("Tên xã cũ")
_L_UNIT_NAME: Final = gettext_lazy("Tên đơn vị")


class AdminUnitFileError(ValueError):
    """A defect in one of the files, with the file and (where known) the line."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line is None:
            return _("Tệp %(path)s: %(message)s") % {"path": self.path, "message": self.message}
        return _("Tệp %(path)s, dòng %(line)d: %(message)s") % {
            "path": self.path,
            "line": self.line,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class UnitRow:
    """One unit: `level` is "province", "district" or "commune"; `province_code` is, for an
    old commune or district, the code of the new province it went into (the source has no
    old province for them)."""

    level: str
    code: str
    name: str
    province_code: str
    line: int


@dataclass(frozen=True, slots=True)
class SuccessionRow:
    old_level: str
    old_code: str
    new_level: str
    new_code: str
    merge_type: str
    line: int


@dataclass(frozen=True, slots=True)
class AdminUnitData:
    provinces: tuple[UnitRow, ...]
    communes: tuple[UnitRow, ...]
    old_provinces: tuple[UnitRow, ...]
    old_communes: tuple[UnitRow, ...]
    successions: tuple[SuccessionRow, ...]
    sources: tuple[str, ...] = field(default=())

    @property
    def row_count(self) -> int:
        return (
            len(self.provinces)
            + len(self.communes)
            + len(self.old_provinces)
            + len(self.old_communes)
            + len(self.successions)
        )

    def restricted_to(self, province_codes: Iterable[str]) -> AdminUnitData:
        """Only the units of the given new provinces and what went into them."""
        keep = frozenset(province_codes)
        old_provinces = frozenset(
            s.old_code for s in self.successions if s.new_level == "province" and s.new_code in keep
        )
        communes = tuple(u for u in self.communes if u.province_code in keep)
        commune_codes = frozenset(u.code for u in communes)
        return AdminUnitData(
            provinces=tuple(u for u in self.provinces if u.code in keep),
            communes=communes,
            old_provinces=tuple(u for u in self.old_provinces if u.code in old_provinces),
            old_communes=tuple(u for u in self.old_communes if u.province_code in keep),
            successions=tuple(
                s
                for s in self.successions
                if (s.new_level == "province" and s.new_code in keep)
                or (s.new_level == "commune" and s.new_code in commune_codes)
            ),
            sources=self.sources,
        )


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AdminUnitFileError(
            path, None, _("không đọc được tệp (%(reason)s).") % {"reason": exc.strerror or exc}
        ) from exc
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise AdminUnitFileError(
                path, None, _("tệp nén gzip bị hỏng hoặc không đầy đủ.")
            ) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise AdminUnitFileError(
            path,
            line,
            _("tệp không phải mã UTF-8 (byte 0x%(byte)02X không hợp lệ).")
            % {"byte": raw[exc.start]},
        ) from exc


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) for each data row, after checking the header and the column count."""
    reader = csv.reader(io.StringIO(_decode(path), newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise AdminUnitFileError(path, 1, _("tệp rỗng, thiếu dòng tiêu đề.")) from None
    except csv.Error as exc:
        raise AdminUnitFileError(path, 1, _("dòng tiêu đề không đọc được.")) from exc
    if not any(header):
        raise AdminUnitFileError(path, 1, _("tệp rỗng, thiếu dòng tiêu đề."))
    missing = [name for name in columns if name not in header]
    if missing:
        raise AdminUnitFileError(
            path,
            1,
            _("thiếu cột %(missing)s (cần các cột %(columns)s).")
            % {"missing": ", ".join(missing), "columns": ", ".join(columns)},
        )
    index = {name: header.index(name) for name in columns}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise AdminUnitFileError(
                path, reader.line_num, _("dòng không đúng định dạng CSV.")
            ) from exc
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise AdminUnitFileError(
                path,
                reader.line_num,
                _("dòng có %(found)d cột, cần %(expected)d cột (dòng bị cắt hoặc thừa dấu phẩy).")
                % {"found": len(row), "expected": len(header)},
            )
        yield reader.line_num, {name: row[i].strip() for name, i in index.items()}


def _check_code(path: Path, line: int, value: str, pattern: re.Pattern[str], label: Promise) -> str:
    if not pattern.fullmatch(value):
        digits = {
            _PROVINCE_CODE: _("đúng 2 chữ số"),
            _COMMUNE_CODE: _("đúng 5 chữ số"),
        }.get(pattern, _("5 chữ số (xã) hoặc 3 chữ số (huyện không có xã)"))
        raise AdminUnitFileError(
            path,
            line,
            _("%(label)s “%(value)s” không hợp lệ: cần %(digits)s.")
            % {"label": label, "value": value, "digits": digits},
        )
    return value


def _check_name(path: Path, line: int, value: str, label: Promise) -> str:
    if not value:
        raise AdminUnitFileError(path, line, _("%(label)s bị trống.") % {"label": label})
    if len(value) > NAME_MAX:
        raise AdminUnitFileError(
            path,
            line,
            _("%(label)s dài tối đa %(max)d ký tự.") % {"label": label, "max": NAME_MAX},
        )
    return value


def _record_pair(
    path: Path, line: int, pairs: dict[tuple[str, str], int], old_code: str, new_code: str
) -> None:
    """Remember an old → new pair, refusing one that an earlier line already gave."""
    if (old_code, new_code) in pairs:
        raise AdminUnitFileError(
            path,
            line,
            _("cặp %(old)s → %(new)s trùng với dòng %(other)d.")
            % {"old": old_code, "new": new_code, "other": pairs[old_code, new_code]},
        )
    pairs[old_code, new_code] = line


def _check_merge_type(path: Path, line: int, value: str) -> str:
    if value not in MERGE_TYPES:
        raise AdminUnitFileError(
            path,
            line,
            _("kiểu sắp xếp “%(value)s” không hợp lệ: chỉ nhận full hoặc partial.")
            % {"value": value},
        )
    return value


def _read_units(path: Path) -> tuple[list[UnitRow], list[UnitRow]]:
    provinces: list[UnitRow] = []
    communes: list[UnitRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in _rows(path, UNIT_COLUMNS):
        level = row["level"]
        if level == "1":
            code = _check_code(path, line, row["code"], _PROVINCE_CODE, _L_PROVINCE_CODE)
            if row["province_code"] != code:
                raise AdminUnitFileError(
                    path,
                    line,
                    _("mã tỉnh ở cột province_code (“%(other)s”) phải trùng mã số “%(code)s”.")
                    % {"other": row["province_code"], "code": code},
                )
        elif level == "2":
            code = _check_code(path, line, row["code"], _COMMUNE_CODE, _L_COMMUNE_CODE)
            _check_code(path, line, row["province_code"], _PROVINCE_CODE, _L_PROVINCE_CODE)
        else:
            raise AdminUnitFileError(
                path,
                line,
                _("cấp “%(value)s” không hợp lệ: 1 là tỉnh, 2 là xã.") % {"value": level},
            )
        if (level, code) in seen:
            raise AdminUnitFileError(
                path,
                line,
                _("mã %(code)s trùng với dòng %(other)d.")
                % {"code": code, "other": seen[level, code]},
            )
        seen[level, code] = line
        name = _check_name(path, line, row["name"], _L_UNIT_NAME)
        unit = UnitRow(
            level="province" if level == "1" else "commune",
            code=code,
            name=name,
            province_code=row["province_code"],
            line=line,
        )
        (provinces if level == "1" else communes).append(unit)
    province_codes = {p.code for p in provinces}
    for commune in communes:
        if commune.province_code not in province_codes:
            raise AdminUnitFileError(
                path,
                commune.line,
                _("mã tỉnh “%(code)s” của %(name)s không có trong danh sách tỉnh của tệp.")
                % {"code": commune.province_code, "name": commune.name},
            )
    if not provinces:
        raise AdminUnitFileError(path, None, _("tệp không có đơn vị cấp tỉnh nào."))
    return provinces, communes


def _old_unit(
    path: Path,
    line: int,
    olds: dict[str, UnitRow],
    *,
    level: str,
    code: str,
    name: str,
    province_code: str,
) -> None:
    known = olds.get(code)
    if known is None:
        olds[code] = UnitRow(level, code, name, province_code, line)
        return
    if known.name != name:
        raise AdminUnitFileError(
            path,
            line,
            _("đơn vị cũ mã %(code)s có tên “%(name)s”, khác tên “%(other)s” ở dòng %(line)d.")
            % {"code": code, "name": name, "other": known.name, "line": known.line},
        )
    if known.province_code != province_code:
        raise AdminUnitFileError(
            path,
            line,
            _("đơn vị cũ mã %(code)s được nhập vào hai tỉnh khác nhau (xem dòng %(line)d).")
            % {"code": code, "line": known.line},
        )


def _read_province_mapping(
    path: Path, provinces: dict[str, UnitRow]
) -> tuple[list[UnitRow], list[SuccessionRow]]:
    olds: dict[str, UnitRow] = {}
    successions: list[SuccessionRow] = []
    pairs: dict[tuple[str, str], int] = {}
    for line, row in _rows(path, PROVINCE_MAPPING_COLUMNS):
        new_code = _check_code(path, line, row["new_code"], _PROVINCE_CODE, _L_NEW_PROVINCE_CODE)
        old_code = _check_code(path, line, row["old_code"], _PROVINCE_CODE, _L_OLD_PROVINCE_CODE)
        new = provinces.get(new_code)
        if new is None:
            raise AdminUnitFileError(
                path,
                line,
                _("tỉnh mới mã “%(code)s” không có trong tệp đơn vị hành chính.")
                % {"code": new_code},
            )
        if row["new_name"] != new.name:
            raise AdminUnitFileError(
                path,
                line,
                _("tên tỉnh mới “%(name)s” khác tên “%(other)s” trong tệp đơn vị hành chính.")
                % {"name": row["new_name"], "other": new.name},
            )
        old_name = _check_name(path, line, row["old_name"], _L_OLD_PROVINCE_NAME)
        merge_type = _check_merge_type(path, line, row["merge_type"])
        _record_pair(path, line, pairs, old_code, new_code)
        _old_unit(
            path,
            line,
            olds,
            level="province",
            code=old_code,
            name=old_name,
            province_code=old_code,
        )
        successions.append(
            SuccessionRow("province", old_code, "province", new_code, merge_type, line)
        )
    return list(olds.values()), successions


def _read_commune_mapping(
    path: Path, communes: dict[str, UnitRow]
) -> tuple[list[UnitRow], list[SuccessionRow]]:
    olds: dict[str, UnitRow] = {}
    successions: list[SuccessionRow] = []
    pairs: dict[tuple[str, str], int] = {}
    for line, row in _rows(path, COMMUNE_MAPPING_COLUMNS):
        province_code = _check_code(
            path, line, row["new_province_code"], _PROVINCE_CODE, _L_NEW_PROVINCE_CODE
        )
        new_code = _check_code(path, line, row["new_code"], _COMMUNE_CODE, _L_NEW_COMMUNE_CODE)
        old_code = _check_code(path, line, row["old_code"], _OLD_CODE, _L_OLD_COMMUNE_CODE)
        old_level = "commune" if len(old_code) == 5 else "district"
        new = communes.get(new_code)
        if new is None:
            raise AdminUnitFileError(
                path,
                line,
                _("xã mới mã “%(code)s” không có trong tệp đơn vị hành chính.")
                % {"code": new_code},
            )
        if new.province_code != province_code:
            raise AdminUnitFileError(
                path,
                line,
                _("xã mới mã %(code)s thuộc tỉnh %(province)s, không phải tỉnh “%(given)s”.")
                % {"code": new_code, "province": new.province_code, "given": province_code},
            )
        if row["new_name"] != new.name:
            raise AdminUnitFileError(
                path,
                line,
                _("tên xã mới “%(name)s” khác tên “%(other)s” trong tệp đơn vị hành chính.")
                % {"name": row["new_name"], "other": new.name},
            )
        old_name = _check_name(path, line, row["old_name"], _L_OLD_COMMUNE_NAME)
        merge_type = _check_merge_type(path, line, row["merge_type"])
        _record_pair(path, line, pairs, old_code, new_code)
        _old_unit(
            path,
            line,
            olds,
            level=old_level,
            code=old_code,
            name=old_name,
            province_code=province_code,
        )
        successions.append(
            SuccessionRow(old_level, old_code, "commune", new_code, merge_type, line)
        )
    return list(olds.values()), successions


def read_admin_unit_files(
    *,
    units: Path = DEFAULT_UNITS,
    commune_mapping: Path = DEFAULT_COMMUNE_MAPPING,
    province_mapping: Path = DEFAULT_PROVINCE_MAPPING,
) -> AdminUnitData:
    """Read and cross-check the three files; raise `AdminUnitFileError` on the first defect."""
    provinces, communes = _read_units(units)
    old_provinces, province_successions = _read_province_mapping(
        province_mapping, {p.code: p for p in provinces}
    )
    old_communes, commune_successions = _read_commune_mapping(
        commune_mapping, {c.code: c for c in communes}
    )
    return AdminUnitData(
        provinces=tuple(provinces),
        communes=tuple(communes),
        old_provinces=tuple(old_provinces),
        old_communes=tuple(old_communes),
        successions=tuple(province_successions + commune_successions),
        sources=(units.name, commune_mapping.name, province_mapping.name),
    )
