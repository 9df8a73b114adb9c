"""Generate the one-stop benchmark data: procedures, up to millions of dossiers, and the
request lists of the one-stop benchmarks (receipt, list, public tracking, counter search).

Runs after `bench/province.py` on the same database:

    python bench/onestop.py --dossiers 1000000 --out var/bench/runtime

Procedures are created published with a four-step process; dossiers are written with
PostgreSQL COPY (the services would take hours for a million rows, and benchmark data needs
no audit trail), spread over two years before today: about 40 % at the Service Center, the
rest over the communes; most are returned, the recent ones open in every status. Codes follow
the real rule (`{agency code}-{yyMMdd}-{NNNN}`, consecutive per agency and day) and the
day counters are written too, so receipts made during the benchmark continue the series.

Writes into `--out`: `onestop.json` (what was generated), `receipts.tsv` (one POST of a
receipt per line: token and JSON body), and `list.txt`, `track.txt`, `search.txt` (request
paths), `leader_cookies.txt` and `counter_cookies.txt` (sessions).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
import urllib.parse
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.config.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

FAMILY = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
    "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lâm", "Mai", "Tôn Thất", "Hà", "Cao", "Lương",
)  # fmt: skip
# Weights roughly as Vietnamese family names are spread (Nguyễn alone is about 38 %).
FAMILY_WEIGHTS = (38, 11, 9, 7, 5, 4, 4, 4, 2, 2, 1.5, 1.5, 1.3, 1, 0.5, 1, 0.7, 0.6, 0.6, 0.3, 0.6, 0.5, 0.4)  # fmt: skip
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Thị Thu", "Công", "Xuân", "Kim", "Thị Mỹ", "Hoài")  # fmt: skip
GIVEN = (
    "An", "Anh", "Bình", "Châu", "Chi", "Cường", "Dũng", "Dung", "Duy", "Giang", "Hà", "Hải",
    "Hạnh", "Hiếu", "Hoa", "Hòa", "Hoàng", "Hùng", "Hương", "Huy", "Khánh", "Lan", "Linh",
    "Long", "Mai", "Minh", "Nam", "Nga", "Ngân", "Nhung", "Phong", "Phúc", "Phương", "Quân",
    "Quang", "Sơn", "Tâm", "Thảo", "Thắng", "Thủy", "Trang", "Trung", "Tuấn", "Uyên", "Vinh",
    "Vy", "Yến", "Khoa", "Lộc", "Tín",
)  # fmt: skip
PROVINCE_PROCEDURES = (
    ("1.001234", "Cấp giấy phép xây dựng nhà ở riêng lẻ", 15),
    ("1.004227", "Thẩm định, phê duyệt phương án cải tạo, phục hồi môi trường", 20),
    ("2.001818", "Cấp giấy chứng nhận đủ điều kiện kinh doanh dược", 20),
    ("1.009994", "Thành lập hội cấp tỉnh", 30),
    ("1.001612", "Cấp giấy phép lao động cho người nước ngoài", 5),
    ("2.000440", "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh", 10),
    ("1.003035", "Đăng ký hoạt động thư viện tư nhân", 7),
    ("1.000789", "Cấp phép tổ chức lễ hội", 10),
)
COMMUNE_PROCEDURES = (
    ("1.001193", "Thủ tục đăng ký khai sinh", 1),
    ("1.001022", "Thủ tục đăng ký kết hôn", 3),
    ("2.000908", "Cấp bản sao từ sổ gốc", 1),
    ("1.004873", "Xác nhận tình trạng hôn nhân", 3),
    ("2.000635", "Cấp bản sao trích lục hộ tịch", 1),
    ("1.003583", "Đăng ký khai tử", 1),
    ("1.000893", "Chứng thực chữ ký trong giấy tờ, văn bản", 1),
    ("1.001756", "Đăng ký thường trú", 7),
)


def _name(rng: random.Random) -> str:
    family = rng.choices(FAMILY, FAMILY_WEIGHTS)[0]
    return f"{family} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _cccd(rng: random.Random) -> str:
    return f"{rng.randint(1, 96):03d}{rng.randint(0, 3)}{rng.randint(0, 99):02d}{rng.randint(0, 999999):06d}"


def _phone(rng: random.Random) -> str:
    return f"0{rng.choice('35789')}{rng.randint(0, 99_999_999):08d}"


def setup_procedures() -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from tinhso.accounts.models import Role
    from tinhso.organizations.models import Agency, AgencyKind, AgencyLevel, Department
    from tinhso.procedures.models import (
        Component,
        Procedure,
        ProcedureLevel,
        ProcedureVersion,
        ProcessStep,
        StepAgency,
        StepKind,
        VersionStatus,
    )
    from tinhso.text import fold

    sos = list(
        Agency.objects.filter(level=AgencyLevel.PROVINCE, kind=AgencyKind.DEPARTMENT).order_by(
            "code"
        )
    )
    versions: dict[str, list[int]] = {"province": [], "commune": []}
    with transaction.atomic():
        for level, table in (("province", PROVINCE_PROCEDURES), ("commune", COMMUNE_PROCEDURES)):
            for index, (code, name, days) in enumerate(table):
                procedure = Procedure.objects.create(
                    code=code, name=name, field="Benchmark", search_text=fold(f"{code} {name}")
                )
                competent = sos[index % len(sos)] if level == "province" and sos else None
                department = (
                    Department.objects.filter(agency=competent).order_by("id").last()
                    if competent
                    else None
                )
                version = ProcedureVersion.objects.create(
                    procedure=procedure,
                    number=1,
                    status=VersionStatus.PUBLISHED,
                    name=name,
                    field="Benchmark",
                    levels=[
                        ProcedureLevel.PROVINCE if level == "province" else ProcedureLevel.COMMUNE
                    ],
                    competent_agency=competent,
                    processing_time=Decimal(days),
                    published_at=timezone.now(),
                )
                Component.objects.create(version=version, order=1, name="Đơn đề nghị (theo mẫu)")
                Component.objects.create(
                    version=version, order=2, name="Bản sao căn cước", originals=0, copies=1
                )
                hours = max(days * 8 - 8, 4)
                mode = StepAgency.COMPETENT if competent else StepAgency.RECEIVING
                steps = [
                    ("Tiếp nhận", StepKind.RECEIVE, StepAgency.RECEIVING, None, Role.MOT_CUA, 2),
                    (
                        "Thẩm định",
                        StepKind.PROCESS,
                        mode,
                        department,
                        Role.CHUYEN_VIEN,
                        hours * 0.6,
                    ),
                    ("Phê duyệt", StepKind.APPROVE, mode, department, Role.LANH_DAO, hours * 0.3),
                    ("Trả kết quả", StepKind.RETURN, StepAgency.RECEIVING, None, Role.MOT_CUA, 2),
                ]
                for order, (step_name, kind, agency_mode, dept, role, duration) in enumerate(
                    steps, 1
                ):
                    ProcessStep.objects.create(
                        version=version, order=order, name=step_name, kind=kind,
                        agency_mode=agency_mode, department=dept, role=role,
                        duration_hours=Decimal(str(round(duration, 1))),
                    )  # fmt: skip
                versions[level].append(version.pk)
    return versions


def generate_dossiers(count: int, versions: dict[str, list[int]], seed: int) -> dict[str, Any]:
    """COPY `count` dossiers and their visibility rows; returns samples for the requests."""
    from django.db import connection

    from tinhso.organizations.models import Agency, AgencyKind, AgencyLevel
    from tinhso.procedures.models import ProcedureVersion, ProcessStep
    from tinhso.text import fold
    from tinhso.workcalendar.arithmetic import TIMEZONE

    rng = random.Random(seed)
    center = Agency.objects.get(kind=AgencyKind.SERVICE_CENTER)
    communes = list(Agency.objects.filter(level=AgencyLevel.COMMUNE).order_by("code"))
    vinfo = {
        v.pk: (v.competent_agency_id, v.processing_time)
        for v in ProcedureVersion.objects.filter(pk__in=versions["province"] + versions["commune"])
    }
    steps = {
        (s.version_id, s.order): (s.pk, s.department_id)
        for s in ProcessStep.objects.filter(version_id__in=vinfo)
    }
    today = dt.datetime.now(TIMEZONE).date()
    first_day = today - dt.timedelta(days=730)
    counters: dict[tuple[int, dt.date], int] = {}
    columns = (
        "code", "procedure_version_id", "rule_set", "status", "channel", "receiving_agency_id",
        "resolving_agency_id", "applicant_kind", "applicant_name", "applicant_id_number",
        "applicant_phone", "applicant_email", "applicant_address", "subject", "sets",
        "search_text", "submitted_at", "received_at", "transfer_at", "due_at",
        "supplement_requests", "resolved_at", "returned_at", "ended_at", "is_late",
        "current_step_id", "current_agency_id", "current_department_id", "step_due_at",
        "reason", "result_note", "return_method", "fee_amount", "fee_status", "fee_method",
        "fee_receipt_number", "rating", "rating_comment", "created_at", "updated_at",
    )  # fmt: skip
    samples: dict[str, Any] = {"codes": [], "names": [], "center": center.pk}
    agency_counts: dict[int, int] = {}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY dossiers_dossier ({', '.join(columns)}) FROM STDIN") as copy:
            for i in range(count):
                at_center = rng.random() < 0.4
                agency = center if at_center else communes[rng.randrange(len(communes))]
                version_id = rng.choice(versions["province" if at_center else "commune"])
                competent, days = vinfo[version_id]
                day = first_day + dt.timedelta(days=int(730 * (rng.random() ** 0.8)))
                if day.weekday() >= 5:
                    day -= dt.timedelta(days=day.weekday() - 4)
                submitted = dt.datetime.combine(
                    day, dt.time(rng.randint(7, 16), rng.randrange(60), rng.randrange(60)), TIMEZONE
                )
                key = (agency.pk, day)
                counters[key] = counters.get(key, 0) + 1
                code = f"{agency.code}-{day:%y%m%d}-{counters[key]:04d}"
                due = submitted + dt.timedelta(days=int(days) * 7 / 5 + 1)
                age = (today - day).days
                roll = rng.random()
                if age > 30:
                    status = (
                        10
                        if roll < 0.86
                        else 3
                        if roll < 0.90
                        else 7
                        if roll < 0.93
                        else 8
                        if roll < 0.95
                        else 9
                    )
                else:
                    status = (2, 4, 4, 4, 5, 6, 9, 10, 10, 3)[int(roll * 10)]
                name = _name(rng)
                id_number, phone = _cccd(rng), _phone(rng)
                resolving = competent or agency.pk
                open_status = status in (2, 4, 5, 6)
                order = 2 if status in (2, 4, 5, 6) else 4
                step_id, step_department = steps[(version_id, order)]
                current_agency = resolving if order == 2 else agency.pk
                done = submitted + dt.timedelta(days=rng.uniform(0.5, int(days) * 1.6 + 1))
                late = done > due and status in (9, 10)
                row: tuple[Any, ...] = (
                    code, version_id, "nd118_2025" if day >= dt.date(2025, 7, 1) else "nd61_2018",
                    status, ("counter", "online", "post")[rng.choices((0, 1, 2), (70, 27, 3))[0]],
                    agency.pk, resolving, "citizen", name, id_number, phone, "", "",
                    "", 1, f"{fold(name)} {id_number} {phone} {code.lower()}",
                    submitted, None if status == 3 else submitted, submitted, None if status == 3 else due,
                    1 if status == 5 else 0, done if status in (9, 10) else None,
                    done if status == 10 else None, None if open_status or status == 9 else done,
                    late, None if status in (3, 7, 8) else step_id,
                    None if status in (3, 7, 8) else current_agency,
                    step_department if order == 2 else None, None,
                    "", "", "counter" if status == 10 else "", 0, "none", "", "", "", "",
                    submitted, submitted,
                )  # fmt: skip
                copy.write_row(row)
                agency_counts[agency.pk] = agency_counts.get(agency.pk, 0) + 1
                if i % 997 == 0:
                    samples["codes"].append(code)
                if i % 1999 == 0:
                    samples["names"].append(name)
                if (i + 1) % 100_000 == 0:
                    print(
                        f"[onestop] {i + 1:,} dossiers ({time.perf_counter() - started:.0f} s)",
                        file=sys.stderr,
                    )
        # Where each dossier has been: its counter (agency level) and, when it reached a step
        # elsewhere, the resolving agency and department.
        cursor.execute(
            """
            INSERT INTO dossiers_dossieragency (dossier_id, agency_id, department_id)
            SELECT id, receiving_agency_id, NULL FROM dossiers_dossier
            UNION
            SELECT id, current_agency_id, current_department_id FROM dossiers_dossier
             WHERE current_agency_id IS NOT NULL
            UNION
            SELECT id, current_agency_id, NULL FROM dossiers_dossier
             WHERE current_department_id IS NOT NULL
            """
        )
        counter_rows = [(agency_id, day, last) for (agency_id, day), last in counters.items()]
        with cursor.copy("COPY dossiers_codecounter (agency_id, day, last) FROM STDIN") as copy:
            for counter_row in counter_rows:
                copy.write_row(counter_row)
    # VACUUM (outside a transaction) also sets the visibility map: counts become index-only.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE dossiers_dossier")
        cursor.execute("VACUUM ANALYZE dossiers_dossieragency")
        # The load's WAL set off checkpoint after checkpoint; the last one would still be
        # writing the load's pages, spread over five minutes, while the first benchmarks run.
        # A database that counters use all day is not in the middle of a bulk load.
        cursor.execute("CHECKPOINT")
    samples["agency_counts"] = sorted(agency_counts.items(), key=lambda kv: -kv[1])[:20]
    samples["seconds"] = round(time.perf_counter() - started, 1)
    return samples


def _session(user: Any) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"sessionid={store.session_key}"


def _token(user: Any) -> str:
    from django.utils import timezone

    from tinhso.accounts.models import ApiToken
    from tinhso.accounts.tokens import hash_token_key, new_token_key

    key = new_token_key()
    ApiToken.objects.create(
        user=user,
        key_hash=hash_token_key(key),
        prefix=key[:8],
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    return key


def requests(
    out: Path, samples: dict[str, Any], versions: dict[str, list[int]], seed: int
) -> dict[str, Any]:
    """The request lists of the benchmarks, and the sessions and tokens they use."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tinhso.accounts.models import Membership, Role, User
    from tinhso.files.services import file_store
    from tinhso.organizations.models import Agency, AgencyKind
    from tinhso.procedures.models import Component, ProcedureVersion
    from tinhso.text import fold

    rng = random.Random(seed + 1)
    center = Agency.objects.get(kind=AgencyKind.SERVICE_CENTER)
    counters = list(
        User.objects.filter(memberships__agency=center, memberships__role=Role.MOT_CUA)
        .distinct()
        .order_by("id")[:16]
    )
    # A leader of the Service Center sees every dossier of the province (the board's view).
    leader_membership = Membership.objects.filter(agency=center, role=Role.LANH_DAO).first()
    if leader_membership is None:
        department = center.departments.order_by("id").first()
        leader = User.objects.filter(memberships__agency=center).first()
        assert leader is not None
        leader_membership = Membership.objects.create(
            user=leader, agency=center, department=department, role=Role.LANH_DAO
        )
    leader = leader_membership.user
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    lines = []
    province_versions = list(
        ProcedureVersion.objects.filter(pk__in=versions["province"]).select_related("procedure")
    )
    for index, user in enumerate(counters):
        token = _token(user)
        files = [
            file_store(
                actor=user,
                upload=SimpleUploadedFile(f"scan-{index}-{n}.pdf", pdf + str(n).encode()),
            ).pk
            for n in range(2)
        ]
        for n in range(200):
            version = province_versions[(index + n) % len(province_versions)]
            components = list(
                Component.objects.filter(version=version)
                .order_by("order")
                .values_list("id", flat=True)
            )
            body = {
                "procedure_code": version.procedure.code,
                "channel": "counter",
                "applicant": {
                    "kind": "citizen",
                    "name": _name(rng),
                    "id_number": _cccd(rng),
                    "phone": _phone(rng),
                    "email": f"nguoinop{index}.{n}@example.vn",
                    "address": "Số 1 đường Thử Nghiệm",
                },
                "components": [
                    {"component": c, "file": f} for c, f in zip(components, files, strict=False)
                ],
            }
            lines.append(
                f"POST\t/api/v1/dossiers/\tBearer {token}\t{json.dumps(body, ensure_ascii=False)}"
            )
    rng.shuffle(lines)
    (out / "receipts.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    big = [agency_id for agency_id, _count in samples["agency_counts"][:12]]
    list_paths = [
        "/api/v1/dossiers/?"
        + urllib.parse.urlencode(
            {"agency": rng.choice(big), "status": rng.choice((4, 10, 10, 2, 9))}
        )
        for _ in range(500)
    ]
    (out / "list.txt").write_text("\n".join(list_paths) + "\n", encoding="utf-8")
    track = [f"/api/v1/public/dossiers/{urllib.parse.quote(code)}/" for code in samples["codes"]]
    (out / "track.txt").write_text("\n".join(track) + "\n", encoding="utf-8")
    search = []
    for name in samples["names"]:
        # What a counter officer types: the full name, or family and given name, without marks.
        words = fold(name).split()
        query = " ".join(words) if rng.random() < 0.6 else f"{words[0]} {words[-1]}"
        search.append("/api/v1/dossiers/?" + urllib.parse.urlencode({"q": query}))
    (out / "search.txt").write_text("\n".join(search) + "\n", encoding="utf-8")
    (out / "leader_cookies.txt").write_text(_session(leader) + "\n", encoding="utf-8")
    (out / "counter_cookies.txt").write_text(
        "\n".join(_session(user) for user in counters) + "\n", encoding="utf-8"
    )
    return {"receipts": len(lines), "counters": len(counters), "leader": leader.username}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    import django

    django.setup()
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    versions = setup_procedures()
    samples = generate_dossiers(args.dossiers, versions, args.seed)
    info = requests(args.out, samples, versions, args.seed)
    summary = {
        "dossiers": args.dossiers,
        "generate_seconds": samples["seconds"],
        "total_seconds": round(time.perf_counter() - started, 1),
        **info,
    }
    (args.out / "onestop.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
