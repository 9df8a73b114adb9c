"""Profile one receipt in-process on PostgreSQL: queries, CPU per receipt, where the time goes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/receipt_db \\
        .venv/bin/python bench/receipt_profile.py --receipts 200 --runs 5

`--call register` profiles the e-office's busiest write the same way instead: the
`documents-register` benchmark's `POST /api/v1/documents/incoming/` by the demo province's
clerk (`vanthu`, bearer token), a new number in every request, on the demo province.

The `receipt` benchmark (bench/drive.py) is `POST /api/v1/dossiers/` with a bearer token from
16 counter officers; this script sends the same request through the whole Django stack
(middleware, DRF, the service) with `APIClient`, without HTTP and gunicorn, so that the
Django side of a receipt can be measured alone and compared before and after a change:

- the queries of one warm receipt (`--sql` prints them);
- the CPU of this process per receipt (`time.process_time` over `--receipts`, median of
  `--runs`) and of the PostgreSQL backend serving it (from /proc when the server is on this
  machine): both are what the 2-core benchmark machine spends per receipt;
- a cProfile of one more batch (`--top` functions by own time and by cumulative time).

It works in its own database (`<name>_receipt_profile`, created and dropped, copied from a
migrated `<name>_receipt_profile_template` that `--keepdb` keeps for the next run), builds
the tests' one-stop world (`tinhso.testing.onestop`) and receives at a fixed working Monday
09:00, so that every run takes the same path (the dossier is transferred at once). Settings
are the test ones with production's re-check intervals of what a process keeps (working
calendar, catalogue, API tokens) and the notification worker left asleep (its queue in
memory, as cheap as production's Redis, and not run inline).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.config.settings")
os.environ.setdefault("TINHSO_ENV", "test")
# The outbox's worker runs elsewhere in production: do not send the mail inside the request.
os.environ["TINHSO_HUEY_IMMEDIATE"] = "0"
# Uploads and the queue's files go to a directory of this run (removed at the end).
_VAR_DIR = tempfile.mkdtemp(prefix="tinhso-receipt-profile-")
os.environ["TINHSO_VAR_DIR"] = _VAR_DIR
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))


def _backend_cpu_seconds(pid: int) -> float | None:
    """User + system CPU of a PostgreSQL backend on this machine (None when unreadable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


class Receipts:
    """The benchmark's request, made again and again by one counter officer."""

    def __init__(self) -> None:
        from django.utils import timezone
        from rest_framework.test import APIClient

        from tinhso.accounts.models import ApiToken
        from tinhso.accounts.tokens import hash_token_key, new_token_key
        from tinhso.testing.onestop import onestop_world, upload

        self.world = onestop_world()
        key = new_token_key()
        ApiToken.objects.create(
            user=self.world.counter,
            key_hash=hash_token_key(key),
            prefix=key[:8],
            expires_at=timezone.now() + dt.timedelta(days=3650),
        )
        self.client = APIClient()
        self.authorization = f"Bearer {key}"
        files = [upload(self.world.counter, f"scan-{n}.pdf") for n in range(2)]
        self.components = [
            {"component": c, "file": f}
            for c, f in zip(self.world.component_ids, files, strict=False)
        ]
        self.count = 0

    def body(self) -> str:
        self.count += 1
        n = self.count
        return json.dumps(
            {
                "procedure_code": self.world.version.procedure.code,
                "channel": "counter",
                "applicant": {
                    "kind": "citizen",
                    "name": "Nguyễn Văn An",
                    "id_number": f"046{n % 10}{n % 100:02d}{n % 1_000_000:06d}",
                    "phone": f"09{n % 100_000_000:08d}",
                    "email": f"nguoinop{n}@example.vn",
                    "address": "Số 1 đường Thử Nghiệm",
                },
                "components": self.components,
            },
            ensure_ascii=False,
        )

    def one(self) -> None:
        response = self.client.generic(
            "POST",
            "/api/v1/dossiers/",
            self.body(),
            content_type="application/json",
            HTTP_AUTHORIZATION=self.authorization,
        )
        if response.status_code != 201:
            raise SystemExit(f"receipt failed: {response.status_code} {response.content[:500]!r}")


class Registrations:
    """The `documents-register` benchmark's request, made again and again by one clerk."""

    def __init__(self) -> None:
        from django.utils import timezone
        from rest_framework.test import APIClient

        from tinhso.accounts.models import ApiToken, User
        from tinhso.accounts.tokens import hash_token_key, new_token_key
        from tinhso.organizations import demo

        demo.load_demo(all_units=False)
        clerk = User.objects.get(username="vanthu")
        key = new_token_key()
        ApiToken.objects.create(
            user=clerk,
            key_hash=hash_token_key(key),
            prefix=key[:8],
            expires_at=timezone.now() + dt.timedelta(days=3650),
        )
        self.client = APIClient()
        self.authorization = f"Bearer {key}"
        self.count = 0

    def body(self) -> str:
        self.count += 1
        return json.dumps(
            {
                "issuer_name": "Ủy ban nhân dân tỉnh Thừa Thiên Huế",
                "issuer_code": "000.00.00.H57",
                "number": str(self.count),
                "notation": "QĐ-UBND",
                "date": "2026-12-01",
                "type": "QĐ",
                "subject": "Quyết định về việc phê duyệt kế hoạch chuyển đổi số năm 2027 "
                f"của tỉnh, đợt {self.count}",
                "urgency": "thuong",
                "page_count": 3,
                "files": [],
            },
            ensure_ascii=False,
        )

    def one(self) -> None:
        response = self.client.generic(
            "POST",
            "/api/v1/documents/incoming/",
            self.body(),
            content_type="application/json",
            HTTP_AUTHORIZATION=self.authorization,
        )
        if response.status_code != 201:
            raise SystemExit(
                f"registration failed: {response.status_code} {response.content[:500]!r}"
            )


def _fixed_clock(start: dt.datetime) -> Callable[[], dt.datetime]:
    """A clock that starts at `start` and moves 1 ms per reading (the working Monday)."""
    state = {"at": start.astimezone(dt.UTC)}

    def now() -> dt.datetime:
        state["at"] += dt.timedelta(milliseconds=1)
        return state["at"]

    return now


def _prepare_database(*, keep: bool) -> str:
    """A fresh migrated database for this run, copied from a migrated template (kept between
    runs with `keep`, so that only the first run pays for the migrations)."""
    from django.conf import settings
    from django.db import connection

    base = settings.DATABASES["default"]["NAME"]
    template, target = f"{base}_receipt_profile_template", f"{base}_receipt_profile"
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
        exists = cursor.fetchone() is not None
        if exists and not keep:
            cursor.execute(f'DROP DATABASE "{template}" WITH (FORCE)')
            exists = False
    if not exists:
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = template
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{target}" TEMPLATE "{template}"')
        if not keep:
            cursor.execute(f'DROP DATABASE "{template}" WITH (FORCE)')
    connection.close()
    settings.DATABASES["default"]["NAME"] = target
    connection.settings_dict["NAME"] = target
    return target


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tinhso.testing.onestop import local

    # The production intervals of what a process keeps (0 in the test settings).
    settings.TINHSO_CALENDAR_RECHECK_SECONDS = 2
    settings.TINHSO_CATALOGUE_RECHECK_SECONDS = 2
    settings.TINHSO_API_TOKEN_RECHECK_SECONDS = 5
    # Production wakes the worker through Redis; an in-memory queue stands for it here (the
    # SQLite queue of the test settings would add a file commit to every receipt).
    from huey.contrib.djhuey import HUEY
    from huey.storage import MemoryStorage

    HUEY.storage = MemoryStorage(HUEY.name)
    receipts = Registrations() if args.call == "register" else Receipts()
    # The world's working Monday 09:00 in Vietnam: no receipt crosses the 15:00 cut-off.
    timezone.now = _fixed_clock(local(2026, 12, 7, 9, 0))
    for _ in range(args.warmup):
        receipts.one()

    with CaptureQueriesContext(connection) as captured:
        receipts.one()
    queries = [q["sql"] for q in captured.captured_queries]

    backend = connection.cursor().connection.info.backend_pid
    cpu: list[float] = []
    db_cpu: list[float] = []
    wall: list[float] = []
    for _ in range(args.runs):
        db_before = _backend_cpu_seconds(backend)
        started, wall_started = time.process_time(), time.perf_counter()
        for _ in range(args.receipts):
            receipts.one()
        cpu.append((time.process_time() - started) * 1000 / args.receipts)
        wall.append((time.perf_counter() - wall_started) * 1000 / args.receipts)
        db_after = _backend_cpu_seconds(backend)
        if db_before is not None and db_after is not None:
            db_cpu.append((db_after - db_before) * 1000 / args.receipts)

    calls, listing = 0.0, ""
    if not args.no_profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.receipts):
            receipts.one()
        profiler.disable()
        if args.pstats:
            profiler.dump_stats(args.pstats)
        stats = pstats.Stats(profiler, stream=io.StringIO())
        calls = sum(stat[1] for stat in stats.stats.values()) / args.receipts  # type: ignore[attr-defined]
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)
        # Our own functions by cumulative time: where a receipt spends it, in our terms.
        stats.sort_stats("cumulative").print_stats(r"/tinhso/", args.top)
        listing = stats.stream.getvalue()  # type: ignore[attr-defined]
    return {
        "queries": len(queries),
        "sql": queries,
        "cpu_ms": cpu,
        "db_cpu_ms": db_cpu,
        "wall_ms": wall,
        "calls_per_receipt": calls,
        "profile": listing,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--call",
        choices=("receipt", "register"),
        default="receipt",
        help="the one-stop receipt or the e-office's incoming registration",
    )
    parser.add_argument("--receipts", type=int, default=200, help="calls per run")
    parser.add_argument("--runs", type=int, default=5, help="runs (the median is reported)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--top", type=int, default=30, help="functions shown by cProfile")
    parser.add_argument("--sql", action="store_true", help="print the queries of one receipt")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile batch")
    parser.add_argument("--pstats", type=Path, help="also save the cProfile data to this file")
    parser.add_argument("--keepdb", action="store_true", help="keep the database for next time")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    import django

    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database: the figures are for it")
    django.setup()
    from django.db import connection

    target = _prepare_database(keep=args.keepdb)
    try:
        result = measure(args)
    finally:
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        shutil.rmtree(_VAR_DIR, ignore_errors=True)

    if args.sql:
        for n, sql in enumerate(result["sql"], 1):
            print(f"{n:3d}. {sql[:300]}")
    if not args.no_profile:
        print(result["profile"])
    summary = {
        "queries_per_receipt": result["queries"],
        "cpu_ms_per_receipt_median": round(statistics.median(result["cpu_ms"]), 2),
        "cpu_ms_per_receipt_runs": [round(v, 2) for v in result["cpu_ms"]],
        "db_cpu_ms_per_receipt_median": round(statistics.median(result["db_cpu_ms"]), 2)
        if result["db_cpu_ms"]
        else None,
        "wall_ms_per_receipt_median": round(statistics.median(result["wall_ms"]), 2),
        "python_calls_per_receipt": round(result["calls_per_receipt"]) or None,
        "receipts_per_run": args.receipts,
        "runs": args.runs,
    }
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
