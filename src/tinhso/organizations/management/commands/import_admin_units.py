"""`manage.py import_admin_units`: load the 2025 administrative-unit list (idempotent)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from tinhso.organizations.admin_units import (
    DEFAULT_COMMUNE_MAPPING,
    DEFAULT_PROVINCE_MAPPING,
    DEFAULT_UNITS,
    AdminUnitFileError,
    read_admin_unit_files,
)
from tinhso.organizations.services import admin_units_import


class Command(BaseCommand):
    help = (
        "Import the 34 provinces and 3,321 communes valid from 2025-07-01, the old units "
        "valid to 2025-06-30 and their successions, from the files shipped in "
        "tinhso/organizations/data/admin_units/ unless others are given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--units",
            type=Path,
            default=DEFAULT_UNITS,
            help="CSV of the new units: level,code,name,province_code",
        )
        parser.add_argument(
            "--mapping",
            type=Path,
            default=DEFAULT_COMMUNE_MAPPING,
            help="CSV (optionally gzipped) of old→new communes: "
            "new_province_code,new_code,new_name,old_code,old_name,merge_type",
        )
        parser.add_argument(
            "--provinces",
            type=Path,
            default=DEFAULT_PROVINCE_MAPPING,
            help="CSV of old→new provinces: new_code,new_name,old_code,old_name,merge_type",
        )
        parser.add_argument(
            "--province",
            action="append",
            dest="province_codes",
            metavar="CODE",
            help="import only this new province (2-digit code) and what went into it; repeatable",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = read_admin_unit_files(
                units=options["units"],
                commune_mapping=options["mapping"],
                province_mapping=options["provinces"],
            )
        except AdminUnitFileError as exc:
            raise CommandError(str(exc)) from exc
        if options["province_codes"]:
            data = data.restricted_to(options["province_codes"])
        # tqdm writes \r updates, which Django's OutputWrapper would end with newlines.
        stream = getattr(self.stderr, "_out", sys.stderr)
        with tqdm(
            total=data.row_count,
            desc=_("Đơn vị hành chính"),
            unit=_("dòng"),
            file=stream,
            disable=options["verbosity"] == 0,
        ) as bar:
            result = admin_units_import(actor="system", data=data, progress=bar.update)
        if not result.changed:
            self.stdout.write(
                _("Không có thay đổi: %(count)d đơn vị và %(successions)d quan hệ sắp xếp đã đúng.")
                % {"count": result.units_unchanged, "successions": result.successions_unchanged}
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Đã nhập đơn vị hành chính: %(created)d thêm mới, %(updated)d cập nhật, "
                    "%(unchanged)d giữ nguyên; quan hệ sắp xếp: %(s_created)d thêm mới, "
                    "%(s_updated)d cập nhật, %(s_unchanged)d giữ nguyên."
                )
                % {
                    "created": result.units_created,
                    "updated": result.units_updated,
                    "unchanged": result.units_unchanged,
                    "s_created": result.successions_created,
                    "s_updated": result.successions_updated,
                    "s_unchanged": result.successions_unchanged,
                }
            )
        )
