"""The sidebar: what each role can do, in one list.

An item shows when the actor holds one of its roles (any official when `roles` is empty,
provincial administrators see everything administrative). Later modules add their items here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tinhso.accounts.access import Actor
from tinhso.accounts.models import Role


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str
    roles: frozenset[str] = frozenset()
    provincial_admin_only: bool = False
    #: False: a provincial administrator sees the item only when holding one of `roles`
    #: (work of a desk, such as the one-stop counter, rather than administration).
    provincial_admin_sees: bool = True


@dataclass(frozen=True, slots=True)
class NavSection:
    label: str | Promise
    items: tuple[NavItem, ...]


ADMIN_ROLES = frozenset({Role.QUAN_TRI_CO_QUAN, Role.QUAN_TRI_TINH})
COUNTER = frozenset({Role.MOT_CUA})
SPECIALIST = frozenset({Role.CHUYEN_VIEN})
LEADER = frozenset({Role.LANH_DAO})
DOSSIER_READERS = frozenset({Role.MOT_CUA, Role.CHUYEN_VIEN, Role.LANH_DAO})

SECTIONS: tuple[NavSection, ...] = (
    NavSection(
        _("Làm việc"),
        (
            NavItem(_("Trang chủ"), "web:home", "house"),
            NavItem(_("Lịch làm việc"), "workcalendar:calendar", "calendar3"),
            NavItem(_("Tính hạn xử lý"), "workcalendar:deadline", "hourglass-split"),
        ),
    ),
    NavSection(
        _("Một cửa"),
        (
            NavItem(
                _("Hồ sơ tại quầy hôm nay"),
                "dossiers:queue",
                "inboxes",
                roles=COUNTER,
                provincial_admin_sees=False,
            ),
            NavItem(
                _("Tiếp nhận hồ sơ"),
                "dossiers:receive",
                "plus-circle",
                roles=COUNTER,
                provincial_admin_sees=False,
            ),
            NavItem(
                _("Hồ sơ cần xử lý"),
                "dossiers:inbox",
                "inbox",
                roles=SPECIALIST,
                provincial_admin_sees=False,
            ),
            NavItem(
                _("Hồ sơ chờ phê duyệt"),
                "dossiers:approvals",
                "patch-check",
                roles=LEADER,
                provincial_admin_sees=False,
            ),
            NavItem(_("Tìm hồ sơ"), "dossiers:search", "search", roles=DOSSIER_READERS),
            NavItem(
                _("Sắp đến hạn, quá hạn"),
                "dossiers:near_due",
                "hourglass-split",
                roles=frozenset({Role.MOT_CUA, Role.LANH_DAO}),
            ),
            NavItem(
                _("Bảng theo dõi của đơn vị"),
                "dossiers:board",
                "bar-chart",
                roles=LEADER,
                provincial_admin_sees=False,
            ),
            NavItem(
                _("Bảng theo dõi toàn tỉnh"),
                "dossiers:province_board",
                "globe2",
                provincial_admin_only=True,
            ),
            NavItem(_("Tra cứu hồ sơ"), "dossiers:track", "upc-scan"),
            NavItem(_("Kiểm tra chữ ký số"), "signatures:check", "shield-check"),
        ),
    ),
    NavSection(
        _("Văn bản"),
        (
            NavItem(
                _("Việc của văn thư"),
                "documents:clerk_queue",
                "envelope-paper",
                roles=frozenset({Role.VAN_THU}),
                provincial_admin_sees=False,
            ),
            NavItem(
                _("Vào sổ văn bản đến"),
                "documents:incoming_new",
                "journal-plus",
                roles=frozenset({Role.VAN_THU}),
                provincial_admin_sees=False,
            ),
            NavItem(
                _("Văn bản chờ phân công"),
                "documents:to_assign",
                "diagram-3",
                roles=LEADER,
                provincial_admin_sees=False,
            ),
            NavItem(
                _("Văn bản cần xử lý"),
                "documents:inbox",
                "inbox",
                roles=frozenset({Role.CHUYEN_VIEN, Role.LANH_DAO}),
                provincial_admin_sees=False,
            ),
            NavItem(
                _("Văn bản chờ duyệt"),
                "documents:approvals",
                "patch-check",
                roles=LEADER,
                provincial_admin_sees=False,
            ),
            NavItem(
                _("Soạn văn bản đi"),
                "documents:draft_new",
                "pencil-square",
                roles=frozenset({Role.CHUYEN_VIEN, Role.LANH_DAO}),
                provincial_admin_sees=False,
            ),
            NavItem(
                _("Dự thảo của tôi"),
                "documents:my_drafts",
                "file-earmark-text",
                roles=frozenset({Role.CHUYEN_VIEN, Role.LANH_DAO}),
                provincial_admin_sees=False,
            ),
            NavItem(
                _("Văn bản quá hạn xử lý"),
                "documents:overdue",
                "exclamation-triangle",
                roles=frozenset({Role.VAN_THU, Role.CHUYEN_VIEN, Role.LANH_DAO}),
                provincial_admin_sees=False,
            ),
            NavItem(
                _("Văn bản đến"),
                "documents:incoming_list",
                "box-arrow-in-down",
                roles=frozenset({Role.VAN_THU, Role.CHUYEN_VIEN, Role.LANH_DAO}),
                provincial_admin_sees=False,
            ),
            NavItem(
                _("Văn bản đi"),
                "documents:outgoing_list",
                "box-arrow-up",
                roles=frozenset({Role.VAN_THU, Role.CHUYEN_VIEN, Role.LANH_DAO}),
                provincial_admin_sees=False,
            ),
            NavItem(
                _("Tìm văn bản"),
                "documents:search",
                "search",
                roles=frozenset({Role.VAN_THU, Role.CHUYEN_VIEN, Role.LANH_DAO}),
                provincial_admin_sees=False,
            ),
            NavItem(
                _("Sổ văn bản"),
                "documents:register_list",
                "journal-text",
                # Heads of department hold lanh_dao too but may not print registers.
                roles=frozenset({Role.VAN_THU}),
                provincial_admin_sees=False,
            ),
            NavItem(
                _("Liên thông văn bản"),
                "exchange:sent",
                "diagram-2",
                roles=frozenset({Role.VAN_THU, Role.QUAN_TRI_CO_QUAN, Role.QUAN_TRI_TINH}),
            ),
            NavItem(
                _("Kiểm tra gói tin edXML"),
                "exchange:edxml_inspect",
                "file-earmark-code",
                roles=frozenset({Role.VAN_THU, Role.QUAN_TRI_CO_QUAN}),
            ),
            NavItem(
                _("Hồ sơ công việc"),
                "documents:workfile_list",
                "folder2-open",
                roles=frozenset({Role.VAN_THU, Role.CHUYEN_VIEN, Role.LANH_DAO}),
                provincial_admin_sees=False,
            ),
        ),
    ),
    NavSection(
        _("Danh mục"),
        (
            NavItem(_("Cơ quan, đơn vị"), "organizations:agency_list", "diagram-3"),
            NavItem(_("Đơn vị hành chính"), "organizations:unit_list", "geo-alt"),
            NavItem(_("Thủ tục hành chính"), "procedures:procedure_list", "journal-bookmark"),
        ),
    ),
    NavSection(
        _("Quản trị"),
        (
            NavItem(_("Cán bộ"), "accounts:official_list", "people", roles=ADMIN_ROLES),
            NavItem(_("Nhật ký hệ thống"), "audit:event_list", "journal-text", roles=ADMIN_ROLES),
            NavItem(
                _("Thông báo gửi đi"),
                "notifications:notification_list",
                "envelope",
                roles=ADMIN_ROLES,
            ),
            NavItem(_("Giờ làm việc"), "workcalendar:working_hours", "clock", roles=ADMIN_ROLES),
            NavItem(
                _("Ngày nghỉ, ngày làm bù"),
                "workcalendar:day_list",
                "calendar-x",
                provincial_admin_only=True,
            ),
            NavItem(
                _("Danh sách tin cậy"),
                "signatures:trust_list",
                "patch-check",
                provincial_admin_only=True,
            ),
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class VisibleItem:
    label: str
    url: str
    icon: str
    active: bool


def sidebar_for(actor: Actor, current_path: str) -> list[tuple[str, list[VisibleItem]]]:
    sections: list[tuple[str, list[VisibleItem]]] = []
    for section in SECTIONS:
        items = []
        for item in section.items:
            if item.provincial_admin_only and not actor.is_provincial_admin:
                continue
            admin_sees = actor.is_provincial_admin and item.provincial_admin_sees
            if item.roles and not (admin_sees or actor.roles & item.roles):
                continue
            url = reverse(item.url_name)
            active = current_path == url or (url != "/" and current_path.startswith(url))
            items.append(VisibleItem(str(item.label), url, item.icon, active))
        if items:
            sections.append((str(section.label), items))
    return sections
