"""Generate a province's organisation for the benchmarks: agencies, departments, officials.

The default is the size of a province after the 2025 reorganisation: about 130 agencies
(the provincial People's Committee and its office, the departments (sở), the Public
Administrative Service Center and about 100 communes) and about 10,000 officials whose
memberships cover every role. Everything is written with `bulk_create` and one password hash
shared by every account, so the default size takes seconds, not minutes.

Benchmark data, not business data: it bypasses the services (no audit rows) on purpose, into a
database that `bench/run.sh` creates for the run and nothing else uses.

    python bench/province.py --agencies 130 --officials 10000 --sessions 64 \
        --cookies-out var/bench/runtime/cookies.txt --summary-out var/bench/runtime/data.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.config.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

PROVINCE_CODE = "H57"  # level-1 group of the electronic identification code
PROVINCE_STATS_CODE = "46"

# The departments and other provincial agencies after the 2025 reorganisation; beyond this
# list the generator names further provincial units by number.
PROVINCIAL_AGENCIES = [
    ("Sở Nội vụ", "SNV"),
    ("Sở Tài chính", "STC"),
    ("Sở Tư pháp", "STP"),
    ("Sở Xây dựng", "SXD"),
    ("Sở Nông nghiệp và Môi trường", "SNNMT"),
    ("Sở Công Thương", "SCT"),
    ("Sở Y tế", "SYT"),
    ("Sở Giáo dục và Đào tạo", "SGDĐT"),
    ("Sở Khoa học và Công nghệ", "SKHCN"),
    ("Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL"),
    ("Sở Dân tộc và Tôn giáo", "SDTTG"),
    ("Sở Ngoại vụ", "SNgV"),
    ("Thanh tra tỉnh", "TTr"),
    ("Ban Quản lý Khu kinh tế, công nghiệp", "BQLKKT"),
    ("Ban Quản lý dự án đầu tư xây dựng", "BQLDA"),
    ("Đài Phát thanh và Truyền hình", "TRT"),
    ("Trung tâm Bảo tồn Di tích", "TTBTDT"),
    ("Bệnh viện Đa khoa tỉnh", "BVĐK"),
    ("Trường Cao đẳng Công nghiệp", "CĐCN"),
    ("Quỹ Đầu tư phát triển", "QĐTPT"),
    ("Trung tâm Xúc tiến Đầu tư", "TTXTĐT"),
    ("Ban Dân tộc", "BDT"),
    ("Văn phòng Điều phối nông thôn mới", "VPĐPNTM"),
    ("Trung tâm Công nghệ thông tin", "TTCNTT"),
    ("Trung tâm Phát triển quỹ đất", "TTPTQĐ"),
    ("Viện Nghiên cứu phát triển", "VNCPT"),
]
PROVINCIAL_DEPARTMENTS = [
    "Văn phòng",
    "Thanh tra",
    "Phòng Kế hoạch - Tài chính",
    "Phòng Tổ chức cán bộ",
    "Phòng Pháp chế",
    "Phòng Quản lý chuyên ngành",
    "Phòng Nghiệp vụ 1",
    "Phòng Nghiệp vụ 2",
    "Phòng Nghiệp vụ 3",
]
COMMUNE_DEPARTMENTS = [
    "Văn phòng HĐND và UBND",
    "Phòng Kinh tế",
    "Phòng Văn hóa - Xã hội",
    "Trung tâm Phục vụ hành chính công",
]


def _words(text: str) -> list[str]:
    return text.split()


SYLLABLES = _words(
    "An Bình Châu Đông Hòa Hưng Khê Lộc Minh Mỹ Nam Ninh Phong Phú Phước Quang Sơn Tân "
    "Thạnh Thủy Thuận Tiến Trung Vinh Xuân Yên Hải Hương Long Thành"
)
FAMILY = _words("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý")
MIDDLE = _words("Văn Thị Hữu Đức Minh Ngọc Thanh Quang Xuân Thu Hoài Kim Công Đình")
GIVEN = _words(
    "An Anh Bảo Bình Châu Chi Cường Dũng Duy Giang Hà Hải Hạnh Hiền Hiếu Hoa Hùng Huy Hương "
    "Khánh Lan Linh Long Mai Minh My Nam Nga Ngân Nhung Phong Phúc Phương Quân Quỳnh Sơn Tâm "
    "Thảo Thắng Thủy Trang Trung Tuấn Tùng Uyên Vân Việt Vy Yến"
)
POSITIONS = [
    # (name, rank, leadership)
    ("Chủ tịch", 10, True),
    ("Giám đốc", 10, True),
    ("Phó Chủ tịch", 20, True),
    ("Phó Giám đốc", 20, True),
    ("Trưởng phòng", 30, True),
    ("Phó Trưởng phòng", 40, True),
    ("Chuyên viên chính", 60, False),
    ("Chuyên viên", 70, False),
    ("Văn thư", 80, False),
]


@dataclass
class Plan:
    """How many of each thing to create; computed from the parameters, before any write."""

    provincial: int  # provincial agencies besides the People's Committee itself
    communes: int
    officials: int
    second_membership_share: float
    sessions: int
    seed: int
    sizes: list[int] = field(default_factory=list)  # officials per agency, in agency order


def make_plan(
    *, agencies: int, officials: int, second_share: float, sessions: int, seed: int
) -> Plan:
    if agencies < 4:
        raise SystemExit("--agencies must be at least 4 (committee, office, centre, a commune)")
    if officials < 10 * agencies:
        raise SystemExit("--officials must be at least 10 per agency")
    # About a quarter of the agencies are provincial (the committee, its office, the centre and
    # the departments), the rest are communes: the shape of a province after July 2025.
    provincial = max(3, round(agencies * 0.23)) - 1
    communes = agencies - 1 - provincial
    plan = Plan(provincial, communes, officials, second_share, sessions, seed)
    # A provincial agency has about four times the staff of a commune.
    weights = [4.0] * (1 + provincial) + [1.0] * communes
    total = sum(weights)
    sizes = [max(10, int(officials * w / total)) for w in weights]
    sizes[0] += officials - sum(sizes)  # the remainder goes to the People's Committee
    plan.sizes = sizes
    return plan


def _commune_names(count: int, rng: random.Random) -> list[str]:
    seen: set[str] = set()
    names: list[str] = []
    pairs = [(a, b) for a in SYLLABLES for b in SYLLABLES if a != b]
    rng.shuffle(pairs)
    for index, (a, b) in enumerate(pairs):
        if len(names) == count:
            break
        name = f"{a} {b}"
        if name in seen:
            continue
        seen.add(name)
        names.append(("Phường " if index % 5 == 0 else "Xã ") + name)
    while len(names) < count:  # only for very large --agencies
        names.append(f"Xã Số {len(names) + 1}")
    return names


def _search_text_writers() -> dict[str, Any]:
    """The folded search columns' definitions, where the models have them.

    `bulk_create` sends no signals and calls no service, so the generator fills these itself,
    with the same functions, for the searches of later benchmarks to find something.
    """
    writers: dict[str, Any] = {}
    try:
        from tinhso.accounts.search import user_search_text

        writers["user"] = lambda u: user_search_text(full_name=u.full_name, username=u.username)
    except ImportError:
        pass
    try:
        from tinhso.organizations.search import agency_search_text, unit_search_text

        writers["agency"] = lambda a: agency_search_text(
            name=a.name, short_name=a.short_name, code=a.code
        )
        writers["unit"] = lambda u: unit_search_text(name=u.name, code=u.code)
    except ImportError:
        pass
    return writers


def _with_search_text(objects: list[Any], writer: Any) -> list[Any]:
    if writer is not None and objects and hasattr(objects[0], "search_text"):
        for obj in objects:
            obj.search_text = writer(obj)
    return objects


def generate(plan: Plan, *, cookies_out: Path | None) -> dict[str, Any]:
    import django

    django.setup()

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.db import transaction

    from tinhso.accounts.models import AccountKind, Membership, Role, User
    from tinhso.organizations.models import (
        AdministrativeUnit,
        Agency,
        AgencyKind,
        AgencyLevel,
        Department,
        Position,
        UnitLevel,
    )

    rng = random.Random(plan.seed)
    search = _search_text_writers()
    started = time.perf_counter()
    password = os.environ.get("BENCH_PASSWORD", "Bench-mat-khau-2026")
    # One hash for every account: Argon2 takes tens of milliseconds per call by design.
    password_hash = make_password(password)

    with transaction.atomic():
        (province_unit,) = AdministrativeUnit.objects.bulk_create(
            _with_search_text(
                [
                    AdministrativeUnit(
                        level=UnitLevel.PROVINCE,
                        code=PROVINCE_STATS_CODE,
                        name="Tỉnh Thử Nghiệm",
                        province_code=PROVINCE_STATS_CODE,
                    )
                ],
                search.get("unit"),
            )
        )
        commune_names = _commune_names(plan.communes, rng)
        unit_rows = [
            AdministrativeUnit(
                level=UnitLevel.COMMUNE,
                code=f"{20000 + i:05d}",
                name=name,
                province_code=PROVINCE_STATS_CODE,
                parent=province_unit,
            )
            for i, name in enumerate(commune_names)
        ]
        units = AdministrativeUnit.objects.bulk_create(
            _with_search_text(unit_rows, search.get("unit"))
        )
        positions = {
            name: Position.objects.get_or_create(
                name=name, defaults={"rank": rank, "is_leadership": lead}
            )[0]
            for name, rank, lead in POSITIONS
        }

        (committee,) = Agency.objects.bulk_create(
            _with_search_text(
                [
                    Agency(
                        code=PROVINCE_CODE,
                        name="Ủy ban nhân dân tỉnh",
                        short_name="UBND",
                        level=AgencyLevel.PROVINCE,
                        kind=AgencyKind.PEOPLES_COMMITTEE,
                        admin_unit=province_unit,
                    )
                ],
                search.get("agency"),
            )
        )
        provincial_specs = [
            ("Văn phòng Ủy ban nhân dân tỉnh", "VP", AgencyKind.OFFICE),
            ("Trung tâm Phục vụ hành chính công", "TTPVHCC", AgencyKind.SERVICE_CENTER),
        ]
        for i in range(plan.provincial - len(provincial_specs)):
            if i < len(PROVINCIAL_AGENCIES):
                name, short = PROVINCIAL_AGENCIES[i]
            else:
                name, short = f"Cơ quan cấp tỉnh số {i + 1}", f"CQ{i + 1}"
            provincial_specs.append((name, short, AgencyKind.DEPARTMENT))
        provincial_rows = [
            Agency(
                code=f"{PROVINCE_CODE}.{i + 1:02d}",
                name=name,
                short_name=short,
                level=AgencyLevel.PROVINCE,
                kind=kind,
                parent=committee,
                admin_unit=province_unit,
            )
            for i, (name, short, kind) in enumerate(provincial_specs)
        ]
        provincial = Agency.objects.bulk_create(
            _with_search_text(provincial_rows, search.get("agency"))
        )
        commune_rows = [
            Agency(
                code=f"{PROVINCE_CODE}.{100 + i}",
                name=f"Ủy ban nhân dân {unit.name}",
                short_name="UBND",
                level=AgencyLevel.COMMUNE,
                kind=AgencyKind.PEOPLES_COMMITTEE,
                parent=committee,
                admin_unit=unit,
            )
            for i, unit in enumerate(units)
        ]
        communes = Agency.objects.bulk_create(_with_search_text(commune_rows, search.get("agency")))
        agencies = [committee, *provincial, *communes]

        departments: dict[int, list[Department]] = {}
        department_rows: list[Department] = []
        for agency in agencies:
            names = (
                COMMUNE_DEPARTMENTS
                if agency.level == AgencyLevel.COMMUNE
                else PROVINCIAL_DEPARTMENTS[: rng.randint(5, len(PROVINCIAL_DEPARTMENTS))]
            )
            for index, name in enumerate(names):
                department_rows.append(
                    Department(agency=agency, name=name, short_name=f"P{index + 1}")
                )
        for created in Department.objects.bulk_create(department_rows, batch_size=2000):
            departments.setdefault(created.agency_id, []).append(created)

        users: list[User] = []
        # (user index, agency, department, role, position) — resolved to ids after users exist.
        memberships: list[tuple[int, Agency, Department | None, str, Position]] = []
        specialist_indexes: list[int] = []
        serial = 0
        for agency, size in zip(agencies, plan.sizes, strict=True):
            depts = departments[agency.pk]
            is_commune = agency.level == AgencyLevel.COMMUNE
            head, deputy = (
                ("Chủ tịch", "Phó Chủ tịch") if is_commune else ("Giám đốc", "Phó Giám đốc")
            )
            roles: list[tuple[str, Department | None, str]] = [
                (Role.LANH_DAO, None, head),
                (Role.LANH_DAO, None, deputy),
                (Role.LANH_DAO, None, deputy),
                (Role.VAN_THU, depts[0], "Văn thư"),
                (Role.VAN_THU, depts[0], "Văn thư"),
            ]
            roles += [(Role.LANH_DAO, d, "Trưởng phòng") for d in depts]
            counter_staff = (
                3 if is_commune else 40 if agency.kind == AgencyKind.SERVICE_CENTER else 0
            )
            roles += [(Role.MOT_CUA, depts[-1], "Chuyên viên")] * counter_staff
            while len(roles) < size:
                home_department = (
                    depts[1 + (len(roles) % (len(depts) - 1))] if len(depts) > 1 else None
                )
                title = "Chuyên viên chính" if rng.random() < 0.2 else "Chuyên viên"
                roles.append((Role.CHUYEN_VIEN, home_department, title))
            for role, department, position_name in roles[:size]:
                serial += 1
                users.append(
                    User(
                        username=f"cb{serial:06d}",
                        password=password_hash,
                        kind=AccountKind.OFFICIAL,
                        full_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                        email=f"cb{serial:06d}@bench.example.vn",
                        is_active=True,
                    )
                )
                memberships.append(
                    (len(users) - 1, agency, department, role, positions[position_name])
                )
                if role == Role.CHUYEN_VIEN:
                    specialist_indexes.append(len(users) - 1)

        # Second memberships: an agency administrator in every agency (a specialist who also
        # administers), two provincial administrators, and a share of specialists holding a
        # concurrent post in another department of their agency (kiêm nhiệm).
        extra: list[tuple[int, Agency, Department | None, str, Position]] = []
        by_agency: dict[int, list[int]] = {}
        for index, agency, _department, role, _position in memberships:
            if role == Role.CHUYEN_VIEN:
                by_agency.setdefault(agency.pk, []).append(index)
        agency_by_pk = {a.pk: a for a in agencies}
        admins: set[int] = set()
        for agency_pk, indexes in by_agency.items():
            index = indexes[0]
            admins.add(index)
            extra.append(
                (
                    index,
                    agency_by_pk[agency_pk],
                    None,
                    Role.QUAN_TRI_CO_QUAN,
                    positions["Chuyên viên"],
                )
            )
        office_specialists = by_agency.get(provincial[0].pk, [])
        for index in office_specialists[1:3]:
            admins.add(index)
            extra.append((index, provincial[0], None, Role.QUAN_TRI_TINH, positions["Chuyên viên"]))
        concurrent = set(
            rng.sample(
                specialist_indexes, int(len(specialist_indexes) * plan.second_membership_share)
            )
        )
        for index in sorted(concurrent):
            _i, held_agency, held_department, _role, held_position = memberships[index]
            others = [d for d in departments[held_agency.pk] if d != held_department]
            if others:
                extra.append(
                    (index, held_agency, rng.choice(others), Role.CHUYEN_VIEN, held_position)
                )

        created_users = User.objects.bulk_create(
            _with_search_text(users, search.get("user")), batch_size=2000
        )
        Membership.objects.bulk_create(
            (
                Membership(
                    user=created_users[index],
                    agency=agency,
                    department=department,
                    role=role,
                    position=position,
                )
                for index, agency, department, role, position in memberships + extra
            ),
            batch_size=2000,
        )

    # Sessions for specialists who hold only one membership (no two-factor step): the home
    # page of a chuyên viên, as most officials see it. Created server-side like a login does.
    candidates = [i for i in specialist_indexes if i not in admins and i not in concurrent]
    chosen = rng.sample(candidates, min(plan.sessions, len(candidates)))
    cookies: list[str] = []
    for index in chosen:
        user = created_users[index]
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        cookies.append(f"sessionid={store.session_key}")
    if cookies_out:
        cookies_out.parent.mkdir(parents=True, exist_ok=True)
        cookies_out.write_text("\n".join(cookies) + "\n", encoding="utf-8")

    return {
        "agencies": len(agencies),
        "provincial_agencies": 1 + len(provincial),
        "communes": len(communes),
        "departments": len(department_rows),
        "officials": len(created_users),
        "memberships": len(memberships) + len(extra),
        "sessions": len(cookies),
        "agency_codes": [a.code for a in agencies],
        "session_usernames": [created_users[i].username for i in chosen],
        "password": password,
        "seconds": round(time.perf_counter() - started, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--agencies", type=int, default=130, help="total agencies (default 130)")
    parser.add_argument("--officials", type=int, default=10_000, help="officials (default 10000)")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply agencies and officials (default 1)"
    )
    parser.add_argument(
        "--second-share",
        type=float,
        default=0.05,
        help="share of specialists with a concurrent post in a second department (default 0.05)",
    )
    parser.add_argument("--sessions", type=int, default=64, help="logged-in sessions to create")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--cookies-out", type=Path, help="write one session cookie per line")
    parser.add_argument("--summary-out", type=Path, help="write the summary as JSON")
    args = parser.parse_args(argv)

    plan = make_plan(
        agencies=max(4, round(args.agencies * args.scale)),
        officials=round(args.officials * args.scale),
        second_share=args.second_share,
        sessions=args.sessions,
        seed=args.seed,
    )
    summary = generate(plan, cookies_out=args.cookies_out)
    if args.summary_out:
        args.summary_out.parent.mkdir(parents=True, exist_ok=True)
        args.summary_out.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    shown = {k: v for k, v in summary.items() if not isinstance(v, list) and k != "password"}
    print("bench data: " + ", ".join(f"{k}={v}" for k, v in shown.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
