"""The demo province: Thành phố Huế with its People's Committee, departments, all 40
communes and wards of 2025, positions and demo accounts.

`load_demo()` runs at every `make run` (through `manage.py load_demo --if-empty`), so it is
one transaction, idempotent (a second run creates nothing) and fast: the demo password is
hashed once and the hash reused, accounts are inserted in bulk.

Identification codes. The level-1 code of the People's Committee, **H57**, is the one of
Quyết định 09/2025/QĐ-TTg. The codes below it are a stand-in following one documented
pattern, because the real ones are issued by the province's own decision
(Quyết định 20/2020/QĐ-TTg, Điều 5):

- provincial bodies: ``H57.NN`` (``H57.01`` Văn phòng UBND, ``H57.02`` Sở Nội vụ, …);
- commune People's Committees: ``H57.`` + the 5-digit statistics code of the commune
  (Phường Phú Xuân, 19753 → ``H57.19753``).

The same is stated in data/admin_units/ORIGIN.md. Names of people are invented.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from tinhso.accounts.models import AccountKind, Membership, Role, User
from tinhso.accounts.search import user_search_text
from tinhso.audit.services import audit_record
from tinhso.organizations.admin_units import read_admin_unit_files
from tinhso.organizations.models import (
    AdministrativeUnit,
    Agency,
    AgencyKind,
    AgencyLevel,
    Department,
    Position,
    UnitLevel,
)
from tinhso.organizations.services import (
    AdminUnitImportResult,
    admin_units_import,
    agency_create,
    department_create,
    position_create,
)
from tinhso.organizations.services.admin_units import NEW_UNITS_FROM
from tinhso.text import fold

ACTOR: Final = "system:demo"
PROVINCE_CODE: Final = "46"
LEVEL1_CODE: Final = "H57"
MAIL_DOMAIN: Final = "hue.example"  # a reserved name: demo mail never reaches anyone

UBND_CODE: Final = "H57"
OFFICE_CODE: Final = "H57.01"
SNV_CODE: Final = "H57.02"
SERVICE_CENTER_CODE: Final = "H57.13"
PHU_XUAN_UNIT: Final = "19753"
PHU_XUAN_CODE: Final = f"{LEVEL1_CODE}.{PHU_XUAN_UNIT}"

SNV_OFFICE: Final = "Văn phòng Sở"
SNV_PHONG: Final = "Phòng Tổ chức, biên chế và Tổ chức phi chính phủ"
COMMUNE_OFFICE: Final = "Văn phòng HĐND và UBND"

#: name, rank, leadership
POSITIONS: Final = (
    ("Chủ tịch", 10, True),
    ("Phó Chủ tịch", 20, True),
    ("Giám đốc", 30, True),
    ("Phó Giám đốc", 40, True),
    ("Chánh Văn phòng", 50, True),
    ("Phó Chánh Văn phòng", 55, True),
    ("Trưởng phòng", 60, True),
    ("Phó Trưởng phòng", 70, True),
    ("Chuyên viên chính", 80, False),
    ("Chuyên viên", 90, False),
    ("Văn thư", 100, False),
)


@dataclass(frozen=True, slots=True)
class BodySpec:
    number: int
    name: str
    short_name: str
    kind: str
    departments: tuple[tuple[str, str], ...]
    address: str = ""

    @property
    def code(self) -> str:
        return f"{LEVEL1_CODE}.{self.number:02d}"


def _with_office(*phongs: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return ((SNV_OFFICE, "VP"), *phongs)


PROVINCIAL_BODIES: Final = (
    BodySpec(
        1,
        "Văn phòng Ủy ban nhân dân thành phố Huế",
        "VP",
        AgencyKind.OFFICE,
        (
            ("Phòng Hành chính – Tổ chức", "HCTC"),
            ("Phòng Tổng hợp", "TH"),
            ("Phòng Kinh tế", "KT"),
            ("Phòng Khoa giáo – Văn xã", "KGVX"),
        ),
        "16 Lê Lợi, phường Thuận Hóa, thành phố Huế",
    ),
    BodySpec(
        2,
        "Sở Nội vụ",
        "SNV",
        AgencyKind.DEPARTMENT,
        _with_office(
            (SNV_PHONG, "TCBC"),
            ("Phòng Công chức, viên chức", "CCVC"),
            ("Phòng Xây dựng chính quyền và Công tác thanh niên", "XDCQ"),
            ("Phòng Lao động, Việc làm và Bảo hiểm xã hội", "LĐVL"),
        ),
        "23 Tố Hữu, phường Thuận Hóa, thành phố Huế",
    ),
    BodySpec(
        3,
        "Sở Tài chính",
        "STC",
        AgencyKind.DEPARTMENT,
        _with_office(
            ("Phòng Quản lý ngân sách", "QLNS"),
            ("Phòng Tài chính doanh nghiệp", "TCDN"),
            ("Phòng Quản lý giá và Công sản", "GCS"),
        ),
    ),
    BodySpec(
        4,
        "Sở Khoa học và Công nghệ",
        "SKHCN",
        AgencyKind.DEPARTMENT,
        _with_office(
            ("Phòng Quản lý khoa học", "QLKH"),
            ("Phòng Chuyển đổi số", "CĐS"),
            ("Phòng Bưu chính, Viễn thông", "BCVT"),
        ),
    ),
    BodySpec(
        5,
        "Sở Xây dựng",
        "SXD",
        AgencyKind.DEPARTMENT,
        _with_office(
            ("Phòng Quản lý hoạt động xây dựng", "QLXD"),
            ("Phòng Quy hoạch – Kiến trúc", "QHKT"),
            ("Phòng Quản lý giao thông", "QLGT"),
        ),
    ),
    BodySpec(
        6,
        "Sở Tư pháp",
        "STP",
        AgencyKind.DEPARTMENT,
        _with_office(
            ("Phòng Xây dựng và Kiểm tra văn bản", "XDKTVB"),
            ("Phòng Hành chính tư pháp", "HCTP"),
            ("Phòng Phổ biến, giáo dục pháp luật", "PBGDPL"),
        ),
    ),
    BodySpec(
        7,
        "Sở Y tế",
        "SYT",
        AgencyKind.DEPARTMENT,
        _with_office(
            ("Phòng Nghiệp vụ Y", "NVY"),
            ("Phòng Nghiệp vụ Dược", "NVD"),
            ("Phòng Kế hoạch – Tài chính", "KHTC"),
        ),
    ),
    BodySpec(
        8,
        "Sở Giáo dục và Đào tạo",
        "SGDĐT",
        AgencyKind.DEPARTMENT,
        _with_office(
            ("Phòng Giáo dục phổ thông", "GDPT"),
            ("Phòng Giáo dục mầm non", "GDMN"),
            ("Phòng Tổ chức cán bộ", "TCCB"),
        ),
    ),
    BodySpec(
        9,
        "Sở Nông nghiệp và Môi trường",
        "SNNMT",
        AgencyKind.DEPARTMENT,
        _with_office(
            ("Phòng Trồng trọt và Bảo vệ thực vật", "TTBVTV"),
            ("Phòng Quản lý đất đai", "QLĐĐ"),
            ("Phòng Môi trường", "MT"),
        ),
    ),
    BodySpec(
        10,
        "Sở Công Thương",
        "SCT",
        AgencyKind.DEPARTMENT,
        _with_office(("Phòng Quản lý thương mại", "QLTM"), ("Phòng Quản lý công nghiệp", "QLCN")),
    ),
    BodySpec(
        11,
        "Sở Văn hóa và Thể thao",
        "SVHTT",
        AgencyKind.DEPARTMENT,
        _with_office(("Phòng Quản lý văn hóa", "QLVH"), ("Phòng Quản lý thể dục thể thao", "TDTT")),
    ),
    BodySpec(
        12,
        "Thanh tra thành phố Huế",
        "TTr",
        AgencyKind.DEPARTMENT,
        (("Văn phòng", "VP"), ("Phòng Nghiệp vụ 1", "NV1"), ("Phòng Nghiệp vụ 2", "NV2")),
    ),
    BodySpec(
        13,
        "Trung tâm Phục vụ hành chính công thành phố Huế",
        "TTPVHCC",
        AgencyKind.SERVICE_CENTER,
        (
            ("Bộ phận Tiếp nhận và Trả kết quả", "TNTKQ"),
            ("Phòng Hành chính – Tổng hợp", "HCTH"),
            ("Phòng Kiểm soát thủ tục hành chính", "KSTTHC"),
        ),
        "01 Lê Lai, phường Thuận Hóa, thành phố Huế",
    ),
)

COMMUNE_DEPARTMENTS: Final = (
    (COMMUNE_OFFICE, "VP"),
    ("Phòng Kinh tế", "KT"),
    ("Phòng Văn hóa – Xã hội", "VHXH"),
)


@dataclass(frozen=True, slots=True)
class AccountSpec:
    username: str
    full_name: str
    agency_code: str | None
    department: str | None
    role: str | None
    position: str | None
    kind: str = AccountKind.OFFICIAL
    otp_required: bool = False
    id_number: str = ""


#: The accounts named in the README; every one has the password TINHSO_DEMO_PASSWORD.
DEMO_ACCOUNTS: Final = (
    AccountSpec(
        "admin",
        "Trần Quang Minh",
        OFFICE_CODE,
        "Phòng Hành chính – Tổ chức",
        Role.QUAN_TRI_TINH,
        "Chuyên viên",
        otp_required=True,
    ),
    AccountSpec(
        "motcua",
        "Nguyễn Thị Thu Hà",
        SERVICE_CENTER_CODE,
        "Bộ phận Tiếp nhận và Trả kết quả",
        Role.MOT_CUA,
        "Chuyên viên",
    ),
    AccountSpec("vanthu", "Lê Thị Mỹ Linh", SNV_CODE, SNV_OFFICE, Role.VAN_THU, "Văn thư"),
    AccountSpec(
        "chuyenvien", "Phan Văn Hùng", SNV_CODE, SNV_PHONG, Role.CHUYEN_VIEN, "Chuyên viên"
    ),
    AccountSpec(
        "lanhdao", "Hoàng Thị Thanh Tâm", SNV_CODE, SNV_PHONG, Role.LANH_DAO, "Trưởng phòng"
    ),
    AccountSpec("giamdoc.snv", "Tôn Thất Bảo Long", SNV_CODE, None, Role.LANH_DAO, "Giám đốc"),
    AccountSpec(
        "quantri.snv",
        "Lê Văn Quý",
        SNV_CODE,
        SNV_OFFICE,
        Role.QUAN_TRI_CO_QUAN,
        "Chuyên viên",
        otp_required=True,
    ),
    AccountSpec(
        "vanthu.xa", "Trương Thị Ngọc Ánh", PHU_XUAN_CODE, COMMUNE_OFFICE, Role.VAN_THU, "Văn thư"
    ),
    AccountSpec(
        "motcua.xa", "Đặng Văn Tài", PHU_XUAN_CODE, COMMUNE_OFFICE, Role.MOT_CUA, "Chuyên viên"
    ),
    AccountSpec(
        "congdan",
        "Võ Thị Lan Anh",
        None,
        None,
        None,
        None,
        kind=AccountKind.CITIZEN,
        id_number="046190001234",
    ),
)

_FAMILY: Final = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi",
    "Đỗ", "Hồ", "Ngô", "Dương", "Tôn Thất", "Nguyễn Phước", "Trương", "Lương",
)  # fmt: skip
_MALE: Final = (
    ("Văn", "Hữu", "Đức", "Quang", "Minh", "Công", "Thanh", "Ngọc"),
    ("Hùng", "Dũng", "Tuấn", "Phong", "Bảo", "Khánh", "Long", "Nam", "Quân", "Sơn",
     "Thắng", "Vinh", "Hiếu", "Lộc", "Phúc", "Tín", "Huy", "Trung"),
)  # fmt: skip
_FEMALE: Final = (
    ("Thị", "Thị Thu", "Thị Minh", "Ngọc", "Thị Thanh", "Thị Hồng", "Tôn Nữ", "Thị Kim"),
    ("Hương", "Lan", "Mai", "Hạnh", "Trang", "Nhung", "Thảo", "Yến", "Vy", "Diệp",
     "Hoa", "Ngân", "Hằng", "Oanh", "Quyên", "Nhi", "Phương", "Uyên"),
)  # fmt: skip


def demo_full_name(index: int) -> str:
    """A realistic, deterministic Vietnamese full name (invented) for the n-th extra official."""
    middles, givens = _FEMALE if index % 2 else _MALE
    family = _FAMILY[index % len(_FAMILY)]
    middle = middles[(index // 2) % len(middles)]
    given = givens[(index * 7 + index // len(_FAMILY)) % len(givens)]
    if middle == "Tôn Nữ" and not family.startswith("Tôn"):
        middle = "Thị"
    return f"{family} {middle} {given}"


def _slug(text: str) -> str:
    return "".join(ch for ch in fold(text) if ch.isalnum())


@dataclass(slots=True)
class DemoSummary:
    units: AdminUnitImportResult | None = None
    positions: int = 0
    agencies: int = 0
    departments: int = 0
    accounts: int = 0
    memberships: int = 0
    skipped: bool = False
    elapsed: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(
            (self.units is not None and self.units.changed)
            or self.positions
            or self.agencies
            or self.departments
            or self.accounts
            or self.memberships
        )

    def lines(self) -> list[str]:
        if self.skipped:
            return [_("Đã có dữ liệu cơ quan: bỏ qua việc nạp dữ liệu mẫu (--if-empty).")]
        if not self.changed:
            return [_("Dữ liệu mẫu Thành phố Huế đã đầy đủ, không có thay đổi.")]
        lines = []
        if self.units is not None and self.units.changed:
            lines.append(
                _("Đã nhập %(count)d đơn vị hành chính và %(successions)d quan hệ sắp xếp.")
                % {
                    "count": self.units.units_created,
                    "successions": self.units.successions_created,
                }
            )
        lines.append(
            _(
                "Dữ liệu mẫu Thành phố Huế: %(agencies)d cơ quan, %(departments)d phòng ban, "
                "%(positions)d chức vụ, %(accounts)d tài khoản, %(memberships)d vị trí công tác "
                "(%(seconds).1f giây)."
            )
            % {
                "agencies": self.agencies,
                "departments": self.departments,
                "positions": self.positions,
                "accounts": self.accounts,
                "memberships": self.memberships,
                "seconds": self.elapsed,
            }
        )
        return lines


@dataclass(slots=True)
class _State:
    """What exists already, loaded in a few queries so that a second run is cheap."""

    positions: dict[str, Position]
    agencies: dict[str, Agency]
    departments: dict[tuple[int, str], Department]
    usernames: set[str]
    summary: DemoSummary
    accounts: list[AccountSpec] = field(default_factory=list)

    @classmethod
    def load(cls, summary: DemoSummary) -> _State:
        return cls(
            positions={p.name: p for p in Position.objects.all()},
            agencies={a.code: a for a in Agency.objects.all()},
            departments={(d.agency_id, d.name): d for d in Department.objects.all()},
            usernames=set(User.objects.values_list("username", flat=True)),
            summary=summary,
        )

    def agency(self, **values: object) -> Agency:
        code = str(values["code"])
        existing = self.agencies.get(code)
        if existing is not None:
            return existing
        created = agency_create(actor=ACTOR, **values)  # type: ignore[arg-type]
        self.agencies[code] = created
        self.summary.agencies += 1
        return created

    def department(self, agency: Agency, name: str, short_name: str) -> Department:
        existing = self.departments.get((agency.pk, name))
        if existing is not None:
            return existing
        created = department_create(actor=ACTOR, agency=agency, name=name, short_name=short_name)
        self.departments[agency.pk, name] = created
        self.summary.departments += 1
        return created


def _ensure_units(*, all_units: bool) -> AdminUnitImportResult | None:
    """Import the administrative units when the list of 1 July 2025 is missing."""
    if AdministrativeUnit.objects.filter(
        level=UnitLevel.PROVINCE, code=PROVINCE_CODE, valid_from=NEW_UNITS_FROM
    ).exists():
        return None
    data = read_admin_unit_files()
    if not all_units:
        data = data.restricted_to([PROVINCE_CODE])
    return admin_units_import(actor=ACTOR, data=data)


def _communes() -> list[AdministrativeUnit]:
    return list(
        AdministrativeUnit.objects.filter(
            level=UnitLevel.COMMUNE, province_code=PROVINCE_CODE, valid_to__isnull=True
        ).order_by("code")
    )


def _commune_agency_name(unit: AdministrativeUnit) -> str:
    # "Phường Phú Xuân" → "Ủy ban nhân dân phường Phú Xuân": the unit type is written in
    # lower case inside an agency's name.
    for kind in ("Đặc khu", "Phường", "Xã"):
        if unit.name.startswith(kind + " "):
            return f"Ủy ban nhân dân {kind.lower()} {unit.name[len(kind) + 1 :]}"
    return f"Ủy ban nhân dân {unit.name}"


def _extra_accounts(
    state: _State,
    bodies: Sequence[tuple[BodySpec, Agency]],
    communes: Sequence[tuple[AdministrativeUnit, Agency]],
) -> Iterator[AccountSpec]:
    """A few more officials per agency and department, so that lists are not empty."""
    named = {(a.agency_code, a.department, a.position) for a in DEMO_ACCOUNTS}
    counter = 0

    def person(
        username: str, agency: Agency, department: str | None, role: str, position: str
    ) -> AccountSpec:
        nonlocal counter
        counter += 1
        return AccountSpec(
            username, demo_full_name(counter), agency.code, department, role, position
        )

    ubnd = state.agencies[UBND_CODE]
    yield person("chutich", ubnd, None, Role.LANH_DAO, "Chủ tịch")
    yield person("phochutich", ubnd, None, Role.LANH_DAO, "Phó Chủ tịch")
    for body, agency in bodies:
        slug = _slug(body.short_name)
        if body.kind == AgencyKind.DEPARTMENT and (body.code, None, "Giám đốc") not in named:
            yield person(f"giamdoc.{slug}", agency, None, Role.LANH_DAO, "Giám đốc")
        if body.kind == AgencyKind.DEPARTMENT:
            yield person(f"phogiamdoc.{slug}", agency, None, Role.LANH_DAO, "Phó Giám đốc")
        for department, short_name in body.departments:
            is_office = department.startswith("Văn phòng")
            head = "Chánh Văn phòng" if is_office else "Trưởng phòng"
            prefix = f"{slug}.{_slug(short_name)}"
            if (body.code, department, head) not in named:
                yield person(f"{prefix}.truong", agency, department, Role.LANH_DAO, head)
            if is_office and (body.code, department, "Văn thư") not in named:
                yield person(f"{prefix}.vanthu", agency, department, Role.VAN_THU, "Văn thư")
            yield person(f"{prefix}.cv", agency, department, Role.CHUYEN_VIEN, "Chuyên viên")
    for unit, agency in communes:
        prefix = f"xa{unit.code}"
        yield person(f"{prefix}.chutich", agency, None, Role.LANH_DAO, "Chủ tịch")
        if (agency.code, COMMUNE_OFFICE, "Văn thư") not in named:
            yield person(f"{prefix}.vanthu", agency, COMMUNE_OFFICE, Role.VAN_THU, "Văn thư")
        for department, short_name in COMMUNE_DEPARTMENTS[1:]:
            yield person(
                f"{prefix}.{_slug(short_name)}.cv",
                agency,
                department,
                Role.CHUYEN_VIEN,
                "Chuyên viên",
            )


def _create_accounts(state: _State, specs: Sequence[AccountSpec]) -> None:
    """Insert the missing accounts with their membership, one audit row per account.

    The rows and audit entries are those of `accounts.services.official_create` and
    `citizen_create`, written in bulk: those services hash each password, and Argon2 takes
    ~50 ms a hash, so hundreds of accounts would take longer than all the rest of the demo.
    Here the demo password is hashed once and the hash reused.
    """
    missing = [spec for spec in specs if spec.username not in state.usernames]
    if not missing:
        return
    password = make_password(settings.TINHSO_DEMO_PASSWORD)
    users = User.objects.bulk_create(
        [
            User(
                username=spec.username,
                full_name=spec.full_name,
                email=f"{spec.username}@{MAIL_DOMAIN}",
                kind=spec.kind,
                password=password,
                otp_required=spec.otp_required,
                id_number=spec.id_number,
                search_text=user_search_text(full_name=spec.full_name, username=spec.username),
            )
            for spec in missing
        ]
    )
    memberships: dict[int, Membership] = {}
    for spec, user in zip(missing, users, strict=True):
        if spec.agency_code is None or spec.role is None:
            continue
        agency = state.agencies[spec.agency_code]
        department = state.departments[agency.pk, spec.department] if spec.department else None
        memberships[user.pk] = Membership(
            user=user,
            agency=agency,
            department=department,
            role=spec.role,
            position=state.positions[spec.position] if spec.position else None,
        )
    Membership.objects.bulk_create(list(memberships.values()))
    for user in users:
        membership = memberships.get(user.pk)
        changes: dict[str, object] = {
            "username": [None, user.username],
            "full_name": [None, user.full_name],
        }
        if membership is None:
            audit_record(actor=ACTOR, action="accounts.citizen_create", obj=user, changes=changes)
            continue
        changes |= {
            "email": [None, user.email],
            "phone": [None, user.phone],
            "otp_required": [None, user.otp_required],
            "membership": [
                None,
                {
                    "id": membership.pk,
                    "agency_id": membership.agency_id,
                    "department_id": membership.department_id,
                    "role": membership.role,
                    "position_id": membership.position_id,
                    "is_active": membership.is_active,
                },
            ],
        }
        audit_record(
            actor=ACTOR,
            action="accounts.official_create",
            obj=user,
            agency=membership.agency_id,
            changes=changes,
        )
    state.usernames.update(user.username for user in users)
    state.summary.accounts += len(users)
    state.summary.memberships += len(memberships)


def load_demo(*, if_empty: bool = False, all_units: bool = True) -> DemoSummary:
    """Build the demo province; with `if_empty`, do nothing when any agency exists.

    `all_units=False` imports only the units of Huế when the list is missing (the test
    fixture uses it; `manage.py load_demo` imports the whole country).
    """
    started = dt.datetime.now(tz=dt.UTC)
    summary = DemoSummary()
    with transaction.atomic():
        if if_empty and Agency.objects.exists():
            summary.skipped = True
            return summary
        summary.units = _ensure_units(all_units=all_units)
        province_unit = AdministrativeUnit.objects.get(
            level=UnitLevel.PROVINCE, code=PROVINCE_CODE, valid_from=NEW_UNITS_FROM
        )
        state = _State.load(summary)

        for name, rank, leadership in POSITIONS:
            if name not in state.positions:
                state.positions[name] = position_create(
                    actor=ACTOR, name=name, rank=rank, is_leadership=leadership
                )
                summary.positions += 1

        ubnd = state.agency(
            code=UBND_CODE,
            name="Ủy ban nhân dân thành phố Huế",
            short_name="UBND",
            level=AgencyLevel.PROVINCE,
            kind=AgencyKind.PEOPLES_COMMITTEE,
            admin_unit=province_unit,
            address="16 Lê Lợi, phường Thuận Hóa, thành phố Huế",
            email=f"ubnd@{MAIL_DOMAIN}",
            phone="0234 3822 001",
            valid_from=NEW_UNITS_FROM,
        )
        bodies: list[tuple[BodySpec, Agency]] = []
        for body in PROVINCIAL_BODIES:
            agency = state.agency(
                code=body.code,
                name=body.name,
                short_name=body.short_name,
                level=AgencyLevel.PROVINCE,
                kind=body.kind,
                parent=ubnd,
                admin_unit=province_unit,
                address=body.address,
                email=f"{_slug(body.short_name)}@{MAIL_DOMAIN}",
                phone=f"0234 3822 {body.number + 100:03d}",
                valid_from=NEW_UNITS_FROM,
            )
            for name, short_name in body.departments:
                state.department(agency, name, short_name)
            bodies.append((body, agency))

        communes: list[tuple[AdministrativeUnit, Agency]] = []
        for unit in _communes():
            agency = state.agency(
                code=f"{LEVEL1_CODE}.{unit.code}",
                name=_commune_agency_name(unit),
                short_name="UBND",
                level=AgencyLevel.COMMUNE,
                kind=AgencyKind.PEOPLES_COMMITTEE,
                parent=ubnd,
                admin_unit=unit,
                email=f"xa{unit.code}@{MAIL_DOMAIN}",
                valid_from=NEW_UNITS_FROM,
            )
            for name, short_name in COMMUNE_DEPARTMENTS:
                state.department(agency, name, short_name)
            communes.append((unit, agency))

        _create_accounts(state, [*DEMO_ACCOUNTS, *_extra_accounts(state, bodies, communes)])
    summary.elapsed = (dt.datetime.now(tz=dt.UTC) - started).total_seconds()
    return summary
