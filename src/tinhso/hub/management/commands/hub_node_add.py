"""`manage.py hub_node_add CODE NAME --certificate node.pem [--agency ORGANID=Name …]
[--push-url URL] [--disabled]`: register a node of the hub, or change one.

The certificate is the node's (made by `tinhso.exchange.httpsig.make_node_credentials` or the
node's own CA); the node signs every call with the matching key. Running it again with the
same code replaces the name, certificate and push address, and adds the agencies given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from tinhso.hub import services
from tinhso.hub.faults import HubFault

ACTOR = "system:hub_node_add"


def parse_agency(value: str) -> tuple[str, str]:
    organ_id, _sep, name = value.partition("=")
    if not organ_id.strip():
        raise CommandError(_("Cơ quan phải viết dạng MÃ=Tên: %(value)s") % {"value": value})
    return organ_id.strip(), name.strip()


class Command(BaseCommand):
    help = "Đăng ký (hoặc cập nhật) một nút của trục liên thông và các cơ quan nút đó phục vụ."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="Mã nút (chữ, số, gạch ngang), ví dụ tinh-hue.")
        parser.add_argument("name", help="Tên nút, ví dụ 'Hệ thống quản lý văn bản tỉnh Huế'.")
        parser.add_argument("--certificate", required=True, help="Tệp chứng thư số (PEM) của nút.")
        parser.add_argument(
            "--agency",
            action="append",
            default=[],
            metavar="ORGANID=Tên",
            help="Mã định danh và tên một cơ quan nút phục vụ (lặp lại được).",
        )
        parser.add_argument("--push-url", default="", help="Địa chỉ nhận đẩy (http/https).")
        parser.add_argument(
            "--disabled", action="store_true", help="Đăng ký nhưng chưa cho hoạt động."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        agencies = [parse_agency(value) for value in options["agency"]]
        try:
            pem = Path(options["certificate"]).read_bytes()
        except OSError as error:
            raise CommandError(str(error)) from error
        try:
            node = services.node_register(
                actor=ACTOR,
                code=options["code"],
                name=options["name"],
                certificate_pem=pem,
                push_url=options["push_url"],
                enabled=not options["disabled"],
            )
            self.stdout.write(
                (_("Đã đăng ký nút %(code)s") if node.created else _("Đã cập nhật nút %(code)s"))
                % {"code": node.obj.code}
                + f" ({node.obj.name}); SHA-256 {node.obj.fingerprint}"
                + (f"; push {node.obj.push_url}" if node.obj.push_url else "")
                + ("" if node.obj.enabled else "; " + _("chưa hoạt động"))
            )
            for organ_id, name in agencies:
                organ = services.organ_register(
                    actor=ACTOR, node_code=node.obj.code, organ_id=organ_id, name=name
                )
                self.stdout.write(
                    (
                        _("  thêm cơ quan %(organ)s")
                        if organ.created
                        else _("  cập nhật cơ quan %(organ)s")
                    )
                    % {"organ": organ.obj.organ_id}
                    + f" — {organ.obj.name}"
                )
        except HubFault as fault:
            raise CommandError(fault.message) from fault
