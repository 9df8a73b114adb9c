"""`manage.py hub_agency_add NODE ORGANID NAME`: the node NODE serves the agency ORGANID.

An agency already served by another node is moved to NODE (its later packages go there).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tinhso.hub import services
from tinhso.hub.faults import HubFault


class Command(BaseCommand):
    help = "Thêm (hoặc chuyển) một cơ quan vào danh bạ của một nút trục liên thông."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("node", help="Mã nút.")
        parser.add_argument("organ_id", help="Mã định danh cơ quan (OrganId), ví dụ H57.02.")
        parser.add_argument("name", help="Tên cơ quan.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organ = services.organ_register(
                actor="system:hub_agency_add",
                node_code=options["node"],
                organ_id=options["organ_id"],
                name=options["name"],
            )
        except HubFault as fault:
            raise CommandError(fault.message) from fault
        self.stdout.write(
            (
                _("Đã thêm cơ quan %(organ)s")
                if organ.created
                else _("Đã cập nhật cơ quan %(organ)s")
            )
            % {"organ": organ.obj.organ_id}
            + f" — {organ.obj.name} → {options['node']}"
        )
