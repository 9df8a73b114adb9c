"""The interconnection benchmarks of issue 6 §4: a hub and two installations as separate
processes on PostgreSQL, packages with a 100 KB attachment from installation A to installation B.

- ``exchange``: end to end — A's exchange worker builds each package from an issued document,
  signs the envelope with the agency's seal key (SoftHSM2), sends it; the hub checks and stores
  it; B's worker pulls it, verifies the envelope, stores it, makes the incoming document, writes
  status 01 and acknowledges; 01 travels back to A the same way. Nothing is pre-built: the
  input is the exchange outbox rows that issuing writes (the documents and their sealed PDF are
  made beforehand). PAdES validation of the PDF is excluded (measured in the signatures
  benchmarks): the installations run with `TINHSO_EXCHANGE_VERIFY_PDF = False`.
  Two phases: a backlog of ``--packages`` rows (throughput: packages acknowledged at B per
  second), then ``--rate`` rows per second for ``--paced-seconds`` (latency: from the outbox
  row to B's acknowledgement at the hub, p50/p95). Target: ≥ 100 packages/s. CPU per package:
  every process of the three deployments and PostgreSQL's, over the backlog phase. The hub's
  resident memory is sampled each second (start, middle, end: it must stay flat).
- ``exchange-outage``: ``--outage-rate`` rows per second for ``--outage-before`` s, then B's
  worker stopped for ``--outage-seconds`` (default 600) while sending goes on, then restarted,
  sending for ``--outage-after`` s more; reports sent, delivered, lost (must be 0), duplicates
  (must be 0) and the time B took to drain what waited at the hub.

    .venv/bin/python bench/exchange.py [--only exchange,exchange-outage] [--packages 3000]
        [--rate 100] [--outage-seconds 600] [--profile]

Needs PostgreSQL (``BENCH_DATABASE_URL``, default postgres://postgres@127.0.0.1:5432/tinhso_bench:
its databases are named after it, ``<name>_ic_…``, made from a migrated template and dropped at
the end) and SoftHSM2. Results: ``var/bench/exchange.{md,json}`` and a timestamped copy of
each. ``--profile`` runs every worker and web process under cProfile (web servers as sync
workers, one request at a time) and writes ``profiles/*.prof`` with a summary. Exit status: 0
when every row met its target, 1 when one missed it, 2 when the benchmark could not run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT / "src"))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tinhso_bench"
TARGET_PER_S = 100.0
ATTACHMENT_BYTES = 100 * 1024
SNV = "000.00.31.H57"
RECIPIENTS = ("H50.26.19", "000.00.13.H50")  # B's commune and Sở Tài chính, in turn
LABEL = "Về việc thử tải liên thông"


def say(message: str) -> None:
    print(f"[bench] exchange: {message}", file=sys.stderr, flush=True)


# --- Settings of the processes -----------------------------------------------------------------

SETTINGS_MODULE = "tinhso_bench_exchange_settings"
SETTINGS_TEXT = '''"""Written by bench/exchange.py: the platform's settings, PAdES validation of received PDFs
off (measured by the signature benchmarks; the exchange benchmark measures the envelope)."""

from tinhso.config.settings import *  # noqa: F403

TINHSO_EXCHANGE_VERIFY_PDF = False
'''

# --- Measures of the machine ---------------------------------------------------------------------


def _machine_ticks() -> tuple[int, int]:
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def postgres_cpu_seconds(databases: list[str]) -> float:
    """CPU of the PostgreSQL backends serving our databases (their command line names the
    database: "postgres: 15/main: postgres <db> 127.0.0.1(…) idle"), from /proc. Other users of
    the server (a test suite next door) are not counted; the shared server processes
    (checkpointer, WAL writer) neither."""
    ticks = 0
    wanted = tuple(f" {name} " for name in databases)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if not command.startswith("postgres:") or not any(w in command for w in wanted):
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted `values`."""
    if not values:
        return 0.0
    rank = max(1, min(len(values), round(q * len(values) + 0.5)))
    return values[rank - 1]


@dataclass
class CpuWindow:
    """CPU of the harness's processes and of PostgreSQL between `start` and `stop`."""

    net: Any
    started: dict[str, float] = field(default_factory=dict)
    stopped: dict[str, float] = field(default_factory=dict)
    machine0: tuple[int, int] = (0, 0)
    machine1: tuple[int, int] = (0, 0)

    def _sample(self) -> dict[str, float]:
        values: dict[str, float] = {}
        for service in [self.net.hub, *self.net.installations.values()]:
            for process in service.processes:
                values[process.name] = process.cpu_seconds()
        values["postgres"] = postgres_cpu_seconds(list(self.net._databases))
        return values

    def start(self) -> None:
        self.started = self._sample()
        self.machine0 = _machine_ticks()

    def stop(self) -> None:
        self.stopped = self._sample()
        self.machine1 = _machine_ticks()

    def seconds(self) -> dict[str, float]:
        return {k: round(self.stopped.get(k, 0.0) - v, 2) for k, v in self.started.items()}

    def machine_pct(self, elapsed: float) -> float:
        busy = self.machine1[0] - self.machine0[0]
        total = self.machine1[1] - self.machine0[1]
        return round(100.0 * busy / max(1, total) * (os.cpu_count() or 1), 1)


class RssSampler:
    """The hub's resident memory (web master and workers, and its worker), once a second."""

    def __init__(self, net: Any) -> None:
        self.net = net
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        began = time.monotonic()
        while not self._stop.is_set():
            total = sum(p.rss_bytes() for p in self.net.hub.processes)
            self.samples.append((time.monotonic() - began, total))
            self._stop.wait(1.0)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def summary(self) -> dict[str, float]:
        if not self.samples:
            return {}
        mib = [s[1] / 1024 / 1024 for s in self.samples]
        return {
            "start_mib": round(mib[0], 1),
            "middle_mib": round(mib[len(mib) // 2], 1),
            "end_mib": round(mib[-1], 1),
            "max_mib": round(max(mib), 1),
            "samples": len(mib),
        }


# --- The data at installation A --------------------------------------------------------------------

PREPARE_CODE = """
import datetime as dt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from tinhso.accounts.models import User
from tinhso.documents.models import Direction, Document, DocumentFile, DocumentStatus, FileRole, Recipient, Source
from tinhso.documents.numbering import vietnam_date
from tinhso.documents.services.common import register_for
from tinhso.exchange import edxml
from tinhso.files.services import file_store
from tinhso.organizations.models import Agency

params = PARAMS
agency = Agency.objects.get(code=params["sender"])
clerk = User.objects.get(username="a.vanthu")
leader = User.objects.get(username="a.giamdoc")
pdf = open(params["pdf"], "rb").read()
stored = file_store(actor=clerk, upload=SimpleUploadedFile("cong-van.pdf", pdf, content_type="application/pdf"))
register = register_for(agency.pk, Direction.OUTGOING, "CV")
now = timezone.now()
today = vietnam_date(now)
names = dict(params["recipient_names"])
start = params["first_number"]
made = 0
while made < params["count"]:
    size = min(1000, params["count"] - made)
    with transaction.atomic():
        docs = []
        for n in range(start + made, start + made + size):
            number = str(n)
            docs.append(Document(
                agency=agency, direction=Direction.OUTGOING, status=DocumentStatus.ISSUED,
                source=Source.ELECTRONIC, doc_type="CV", number=number, notation="SNV-TCBC",
                issued_on=today, subject=f"{params['label']} số {n}", issuer_name=agency.name,
                issuer_code=agency.code, issuer_agency=agency, signer=leader,
                signer_name=leader.full_name, signer_position="Giám đốc", register=register,
                year=today.year, register_number=n, registered_at=now, created_by=clerk,
                created_at=now, edxml_document_id=edxml.document_id(agency.code, today, number, "SNV-TCBC"),
            ))
        docs = Document.objects.bulk_create(docs)
        DocumentFile.objects.bulk_create([
            DocumentFile(document=d, file=stored, role=FileRole.ISSUED, added_by=clerk) for d in docs
        ])
        codes = params["recipients"]
        Recipient.objects.bulk_create([
            Recipient(document=d, name=names[codes[i % len(codes)]], code=codes[i % len(codes)], is_internal=False)
            for i, d in enumerate(docs)
        ])
    made += size
result = {"made": made, "file": stored.pk}
"""

#: The pace of issuing: outbox rows written `rate` per second (in ticks of 0.05 s), for the
#: prepared documents of numbers [first, first + count); prints when done.
GENERATE_CODE = """
import time
from django.db import transaction
from django.utils import timezone
from tinhso.documents.models import ExchangeOutbox, Recipient

params = PARAMS
rows = list(
    Recipient.objects.filter(
        document__agency__code=params["sender"],
        document__register_number__gte=params["first"],
        document__register_number__lt=params["first"] + params["count"],
    ).order_by("document__register_number").values_list("id", "document_id", "code", "document__agency_id")
)
assert len(rows) == params["count"], (len(rows), params["count"])
rate = params["rate"]
began = time.monotonic()
written = 0
while written < len(rows):
    if rate > 0:
        due = min(len(rows), int((time.monotonic() - began) * rate) + 1)
    else:
        due = len(rows)
    if due > written:
        moment = timezone.now()
        with transaction.atomic():
            ExchangeOutbox.objects.bulk_create([
                ExchangeOutbox(document_id=d, agency_id=a, recipient_id=r, kind="edoc", to_code=c, created_at=moment)
                for r, d, c, a in rows[written:due]
            ])
        written = due
    if written < len(rows):
        time.sleep(0.05)
result = {"written": written, "seconds": time.monotonic() - began}
"""


def spawn_python(service: Any, code: str) -> subprocess.Popen[str]:
    """Run `code` in the service's environment without waiting (`result` printed at the end)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tinhso.testing.interconnect", "run"],
        env=service.env,
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    process.stdin.write(code)
    process.stdin.close()
    return process


def finish(process: subprocess.Popen[str], what: str) -> Any:
    assert process.stdout is not None and process.stderr is not None
    out = process.stdout.read()
    err = process.stderr.read()
    process.wait()
    if process.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{err[-4000:]}")
    from tinhso.testing import interconnect

    marked = [line for line in out.splitlines() if line.startswith(interconnect._RESULT_MARK)]
    return json.loads(marked[-1][len(interconnect._RESULT_MARK) :]) if marked else None


def sealed_pdf(pki: Any, size: int) -> bytes:
    """A PDF of about `size` bytes sealed (PAdES B-B) with Sở Nội vụ's key."""
    from tinhso.signatures.signing import sign_pdf
    from tinhso.testing.interconnect import padded_pdf

    with pki.signer(f"agency:{SNV}") as signer:
        return sign_pdf(padded_pdf(size - 12_000), signer=signer, level="B-B")


# --- Reading the outcome -------------------------------------------------------------------------


def outbox_rows(
    net: Any, first: int, count: int
) -> list[tuple[str, dt.datetime, dt.datetime | None]]:
    """(send id, created at, sent at) of A's outbox rows for documents [first, first + count)."""
    return [
        (str(send_id), created, sent)
        for send_id, created, sent in net.a.sql(
            "SELECT o.send_id, o.created_at, o.sent_at FROM documents_exchangeoutbox o "
            "JOIN documents_document d ON d.id = o.document_id "
            "WHERE o.kind = 'edoc' AND d.register_number >= %s AND d.register_number < %s",
            [first, first + count],
        )
    ]


def hub_done(net: Any, send_ids: list[str]) -> dict[str, dt.datetime]:
    """{send id: when B acknowledged it at the hub} for the deliveries done."""
    found: dict[str, dt.datetime] = {}
    for start in range(0, len(send_ids), 2000):
        chunk = send_ids[start : start + 2000]
        placeholders = ", ".join(["%s"] * len(chunk))
        rows = net.hub.sql(
            "SELECT p.send_id::text, max(e.at) FROM hub_package p "  # noqa: S608
            "JOIN hub_delivery d ON d.package_id = p.id "
            "JOIN hub_deliveryevent e ON e.delivery_id = d.id AND e.to_state = 'done' "
            f"WHERE p.send_id::text IN ({placeholders}) GROUP BY p.send_id",
            chunk,
        )
        found.update({str(k): v for k, v in rows})
    return found


def hub_done_count(net: Any, since: dt.datetime) -> int:
    rows = net.hub.sql(
        "SELECT count(*) FROM hub_delivery d JOIN hub_package p ON p.id = d.package_id "
        "WHERE p.message_type = 'edoc' AND d.state = 'done' AND p.created_at >= %s",
        [since],
    )
    return int(rows[0][0])


def received_counts(net: Any, first: int, count: int) -> tuple[int, int]:
    """(distinct documents received at B, duplicates) for A's numbers [first, first + count)."""
    rows = net.b.sql(
        "SELECT d.number, count(*) FROM documents_document d "
        "WHERE d.direction = 'incoming' AND d.issuer_code = %s AND d.notation = 'SNV-TCBC' "
        "GROUP BY d.number",
        [SNV],
    )
    wanted = {str(n) for n in range(first, first + count)}
    per = {str(number): int(n) for number, n in rows if str(number) in wanted}
    return len(per), sum(n - 1 for n in per.values())


def statuses_back(net: Any, first: int, count: int) -> int:
    rows = net.a.sql(
        "SELECT count(*) FROM documents_recipient r JOIN documents_document d ON d.id = r.document_id "
        "WHERE d.register_number >= %s AND d.register_number < %s AND r.state = '01'",
        [first, first + count],
    )
    return int(rows[0][0])


def wait_until(predicate: Any, timeout: float, what: str, interval: float = 0.5) -> float:
    began = time.monotonic()
    while not predicate():
        if time.monotonic() - began > timeout:
            raise TimeoutError(f"waited {timeout:g} s for {what}")
        time.sleep(interval)
    return time.monotonic() - began


# --- The rows --------------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    description: str
    target: str
    status: str = "error"
    figures: dict[str, Any] = field(default_factory=dict)
    note: str = ""


def run_throughput(net: Any, args: argparse.Namespace, numbers: dict[str, int]) -> Row:
    row = Row(
        "exchange",
        "A → hub → B end to end: build from the issued document, sign the envelope (SoftHSM2), "
        "send, hub checks and stores, B pulls, verifies the envelope, stores, makes the incoming "
        "document, writes 01, acknowledges; 01 back to A; 100 KB sealed PDF per package",
        f"≥ {TARGET_PER_S:g} packages/s",
    )
    first, count = numbers["throughput_first"], args.packages
    # Backlog: every row at once, the workers running; the clock starts at the commit.
    say(f"backlog of {count} packages")
    window = CpuWindow(net)
    since = dt.datetime.now(dt.UTC)
    with RssSampler(net) as rss:
        window.start()
        began = time.monotonic()
        finish(
            spawn_python(
                net.a,
                _code(
                    GENERATE_CODE,
                    {
                        "sender": SNV,
                        "first": first,
                        "count": count,
                        "rate": 0,
                    },
                ),
            ),
            "writing the outbox",
        )
        written_at = time.monotonic()
        wait_until(
            lambda: hub_done_count(net, since) >= count,
            args.timeout,
            f"{count} packages acknowledged",
        )
        done_at = time.monotonic()
        window.stop()
        wait_until(lambda: statuses_back(net, first, count) >= count, args.timeout, "01 back at A")
        back_at = time.monotonic()
    elapsed = done_at - written_at
    cpu = window.seconds()
    cpu_total = sum(cpu.values())
    distinct, duplicates = received_counts(net, first, count)
    rows = outbox_rows(net, first, count)
    acked = hub_done(net, [r[0] for r in rows])
    backlog_latency = sorted(
        (acked[s] - c).total_seconds() * 1000 for s, c, _ in rows if s in acked
    )
    row.figures = {
        "packages": count,
        "per_s": round(count / elapsed, 1),
        "seconds": round(elapsed, 2),
        "write_seconds": round(written_at - began, 2),
        "with_status_back_per_s": round(count / (back_at - written_at), 1),
        "received": distinct,
        "duplicates": duplicates,
        "backlog_latency_ms": {
            "p50": round(percentile(backlog_latency, 0.5), 1),
            "p95": round(percentile(backlog_latency, 0.95), 1),
            "max": round(backlog_latency[-1], 1) if backlog_latency else None,
        },
        "cpu_seconds": cpu,
        "cpu_ms_per_package": round(1000 * cpu_total / count, 1),
        "cpu_ms_per_package_without_postgres": round(
            1000 * (cpu_total - cpu.get("postgres", 0.0)) / count, 1
        ),
        "machine_cpu_pct": window.machine_pct(elapsed),
        "other_cpu_pct": round(
            max(0.0, window.machine_pct(elapsed) - 100.0 * cpu_total / elapsed), 1
        ),
        "capacity_per_s": round((os.cpu_count() or 1) * count / cpu_total, 1)
        if cpu_total
        else None,
        "hub_rss": rss.summary(),
    }
    # Paced: latency at a steady rate the installations can sustain.
    rate = args.rate or max(1.0, min(TARGET_PER_S, round(row.figures["per_s"] / 2, 1)))
    first_paced, paced = numbers["paced_first"], int(rate * args.paced_seconds)
    say(f"paced: {rate:g}/s for {args.paced_seconds:g} s ({paced} packages)")
    since = dt.datetime.now(dt.UTC)
    with RssSampler(net) as rss_paced:
        finish(
            spawn_python(
                net.a,
                _code(
                    GENERATE_CODE,
                    {
                        "sender": SNV,
                        "first": first_paced,
                        "count": paced,
                        "rate": args.rate,
                    },
                ),
            ),
            "writing the paced outbox",
        )
        wait_until(
            lambda: hub_done_count(net, since) >= paced, args.timeout, f"{paced} paced packages"
        )
    rows = outbox_rows(net, first_paced, paced)
    acked = hub_done(net, [r[0] for r in rows])
    latencies = sorted((acked[s] - c).total_seconds() * 1000 for s, c, _ in rows if s in acked)
    leave = sorted((sent - c).total_seconds() * 1000 for _, c, sent in rows if sent is not None)
    row.figures["paced"] = {
        "rate": rate,
        "packages": paced,
        "acknowledged": len(latencies),
        "latency_ms": {
            "p50": round(percentile(latencies, 0.5), 1),
            "p95": round(percentile(latencies, 0.95), 1),
            "p99": round(percentile(latencies, 0.99), 1),
            "max": round(latencies[-1], 1) if latencies else None,
        },
        "until_sent_ms": {
            "p50": round(percentile(leave, 0.5), 1),
            "p95": round(percentile(leave, 0.95), 1),
        },
        "hub_rss": rss_paced.summary(),
    }
    met = row.figures["per_s"] >= TARGET_PER_S and duplicates == 0 and distinct == count
    row.status = "pass" if met else "fail"
    notes = []
    if duplicates or distinct != count:
        notes.append(f"received {distinct} of {count}, {duplicates} twice")
    if len(latencies) < paced:
        notes.append(f"paced: {paced - len(latencies)} not acknowledged")
    row.note = "; ".join(notes)
    return row


def run_outage(net: Any, args: argparse.Namespace, numbers: dict[str, int]) -> Row:
    row = Row(
        "exchange-outage",
        f"{args.outage_rate:g} packages/s from A; B's exchange worker stopped for "
        f"{args.outage_seconds:g} s after {args.outage_before:g} s, then restarted; sending goes "
        f"on {args.outage_after:g} s more",
        "lost 0, duplicates 0",
    )
    first = numbers["outage_first"]
    total_seconds = args.outage_before + args.outage_seconds + args.outage_after
    count = int(args.outage_rate * total_seconds)
    say(
        f"outage: {count} packages over {total_seconds:g} s, B offline for {args.outage_seconds:g} s"
    )
    since = dt.datetime.now(dt.UTC)
    with RssSampler(net) as rss:
        generator = spawn_python(
            net.a,
            _code(
                GENERATE_CODE,
                {
                    "sender": SNV,
                    "first": first,
                    "count": count,
                    "rate": args.outage_rate,
                },
            ),
        )
        time.sleep(args.outage_before)
        net.b.worker.stop()
        stopped_at = time.monotonic()
        say("B's worker stopped")
        waiting_peak = 0
        while time.monotonic() - stopped_at < args.outage_seconds:
            time.sleep(min(5.0, args.outage_seconds))
            waiting_peak = max(waiting_peak, pending_for_b(net, since))
        backlog = pending_for_b(net, since)
        net.b.worker.start()
        restarted = time.monotonic()
        say(f"B's worker restarted; {backlog} deliveries waiting at the hub")
        drained = wait_until(
            lambda: pending_for_b(net, since) == 0, args.timeout, "B to drain", 0.25
        )
        finish(generator, "the steady sender")
        wait_until(lambda: hub_done_count(net, since) >= count, args.timeout, "the last packages")
    sent = len(outbox_rows(net, first, count))
    distinct, duplicates = received_counts(net, first, count)
    row.figures = {
        "rate": args.outage_rate,
        "outage_seconds": args.outage_seconds,
        "sent": sent,
        "delivered": distinct,
        "lost": sent - distinct,
        "duplicates": duplicates,
        "waiting_at_restart": backlog,
        "drain_seconds": round(drained, 1),
        "drain_per_s": round(backlog / drained, 1) if drained else None,
        "after_restart_seconds": round(time.monotonic() - restarted, 1),
        "hub_rss": rss.summary(),
    }
    row.status = "pass" if sent == count and distinct == count and duplicates == 0 else "fail"
    return row


def pending_for_b(net: Any, since: dt.datetime) -> int:
    rows = net.hub.sql(
        "SELECT count(*) FROM hub_delivery d JOIN hub_package p ON p.id = d.package_id "
        "WHERE p.message_type = 'edoc' AND d.state IN ('pending', 'fetched') AND p.created_at >= %s",
        [since],
    )
    return int(rows[0][0])


def _code(template: str, params: dict[str, Any]) -> str:
    return template.replace("PARAMS", repr(params))


# --- Report --------------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    cpu_model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu_model = line.split(":", 1)[1].strip()
            break
    ram_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    return {
        "cpu_model": cpu_model,
        "cores": os.cpu_count(),
        "ram_gib": round(ram_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "git_commit": commit or "unknown",
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }


def markdown(rows: list[Row], machine: dict[str, Any], settings: dict[str, Any], date: str) -> str:
    lines = [f"## tinhso interconnection benchmarks — {date}", ""]
    for r in rows:
        f = r.figures
        lines.append(f"### `{r.name}`: {r.status.upper()} (target {r.target})")
        lines.append("")
        lines.append(r.description + ".")
        lines.append("")
        if r.name == "exchange" and f:
            paced = f.get("paced", {})
            lines += [
                "| measure | value |",
                "|---|---:|",
                f"| backlog: packages | {f['packages']:,} |",
                f"| **packages/s** (acknowledged at B) | **{f['per_s']:,}** |",
                f"| packages/s with 01 back at A | {f['with_status_back_per_s']:,} |",
                f"| CPU ms per package, all processes + PostgreSQL | {f['cpu_ms_per_package']:g} |",
                f"| CPU ms per package without PostgreSQL | {f['cpu_ms_per_package_without_postgres']:g} |",
                f"| machine CPU during the backlog (% of one core) / other processes' share | {f['machine_cpu_pct']:g} / {f['other_cpu_pct']:g} |",
                f"| capacity with nothing else running (cores ÷ CPU per package) | {f['capacity_per_s']} packages/s |",
                f"| paced: rate / packages / acknowledged | {paced.get('rate')} / {paced.get('packages')} / {paced.get('acknowledged')} |",
                f"| **paced latency p50 / p95 / p99 / max ms** (outbox row → B's ack) | **{paced.get('latency_ms', {}).get('p50')} / {paced.get('latency_ms', {}).get('p95')}** / {paced.get('latency_ms', {}).get('p99')} / {paced.get('latency_ms', {}).get('max')} |",
                f"| paced: outbox row → sent by A, p50 / p95 ms | {paced.get('until_sent_ms', {}).get('p50')} / {paced.get('until_sent_ms', {}).get('p95')} |",
                f"| hub RSS MiB start / middle / end / max (backlog) | {_rss(f.get('hub_rss', {}))} |",
                f"| hub RSS MiB start / middle / end / max (paced) | {_rss(paced.get('hub_rss', {}))} |",
                "",
                "CPU seconds by process over the backlog: "
                + ", ".join(f"{k} {v:g}" for k, v in f.get("cpu_seconds", {}).items())
                + ".",
                "",
            ]
        elif f:
            lines += [
                "| sent | delivered | lost | duplicates | waiting at restart | drain s | drain/s | hub RSS MiB start / middle / end / max |",
                "|---:|---:|---:|---:|---:|---:|---:|---|",
                f"| {f['sent']:,} | {f['delivered']:,} | {f['lost']} | {f['duplicates']} | "
                f"{f['waiting_at_restart']:,} | {f['drain_seconds']} | {f['drain_per_s']} | {_rss(f.get('hub_rss', {}))} |",
                "",
            ]
        if r.note:
            lines += [f"Note: {r.note}", ""]
    load = ", ".join(f"{x:.2f}" for x in machine["load_average_before"])
    lines.append(
        f"- Set-up: {settings['setup']}. Hub: gunicorn {settings['hub_workers']} workers × "
        f"{settings['threads']} threads + hub_worker; each installation: gunicorn + one "
        "exchange_worker (interval 0.2 s); PostgreSQL; production settings (DEBUG off), "
        "background tasks queued (search indexing not run during the measure)."
    )
    lines.append(
        f"- Machine: {machine['cpu_model']}, {machine['cores']} cores, {machine['ram_gib']} GiB RAM, "
        f"Linux {machine['kernel']}; Python {machine['python']}; commit {machine['git_commit']}; "
        f"load average before {load}."
    )
    return "\n".join(lines) + "\n"


def _rss(summary: dict[str, float]) -> str:
    if not summary:
        return "—"
    return (
        f"{summary['start_mib']} / {summary['middle_mib']} / {summary['end_mib']} / "
        f"{summary['max_mib']}"
    )


# --- Main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--only", default="exchange,exchange-outage")
    parser.add_argument("--packages", type=int, default=1000, help="backlog packages")
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="paced packages/s (0: half the backlog's throughput, at most the target)",
    )
    parser.add_argument("--paced-seconds", type=float, default=30.0)
    parser.add_argument("--outage-rate", type=float, default=2.0)
    parser.add_argument("--outage-seconds", type=float, default=600.0)
    parser.add_argument("--outage-before", type=float, default=30.0)
    parser.add_argument("--outage-after", type=float, default=30.0)
    parser.add_argument("--hub-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds to wait per phase")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--out-dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--profile", action="store_true", help="cProfile every process")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument(
        "--also-latest",
        action="store_true",
        help="write latest.{md,json} too (bench/run.sh, when no HTTP benchmark ran)",
    )
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in ("exchange", "exchange-outage")]
    if unknown or not names:
        parser.error(f"unknown rows: {unknown}")
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the exchange benchmarks run on PostgreSQL (BENCH_DATABASE_URL)")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.config.settings")
    os.environ.setdefault("TINHSO_ENV", "development")
    import django

    django.setup()
    from tinhso.testing.interconnect import DatabaseServer, Interconnect, local_pki

    machine = machine_info()
    date = dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="tinhso-bench-exchange-"))
    (work / "settings").mkdir()
    (work / "settings" / f"{SETTINGS_MODULE}.py").write_text(SETTINGS_TEXT)
    extra = {
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "PYTHONPATH": f"{ROOT / 'src'}:{work / 'settings'}",
        # Search indexing and other background tasks wait in each installation's queue
        # (no consumer runs): the measure is the exchange's.
        "TINHSO_HUEY_IMMEDIATE": "0",
        "LOG_LEVEL": "WARNING",
    }
    profile_dir = args.out_dir / "profiles"
    if args.profile:
        profile_dir.mkdir(parents=True, exist_ok=True)
        for old in profile_dir.glob("*.prof"):
            old.unlink()
    rows: list[Row] = []
    settings: dict[str, Any] = {"hub_workers": args.hub_workers, "threads": args.threads}
    numbers = {
        "throughput_first": 1,
        "paced_first": 1 + args.packages,
        "outage_first": 1 + args.packages + int((args.rate or TARGET_PER_S) * args.paced_seconds),
    }
    needed = numbers["outage_first"] + int(
        args.outage_rate * (args.outage_before + args.outage_seconds + args.outage_after)
    )
    try:
        server = DatabaseServer(url=args.database_url, directory=work / "databases")
        with local_pki(work / "pki") as pki:
            net = Interconnect(
                work / "net",
                pki=pki,
                server=server,
                mode="production",
                web_workers=1,
                web_threads=args.threads,
                hub_web_workers=args.hub_workers,
                extra_env=extra,
                worker_interval=0.2,
                profile_dir=profile_dir if args.profile else None,
            )
            with net:
                settings["setup"] = net.timings.describe()
                say(settings["setup"])
                pdf_path = work / "sealed.pdf"
                pdf_path.write_bytes(sealed_pdf(pki, ATTACHMENT_BYTES))
                say(
                    f"preparing {needed - 1} issued documents at A ({pdf_path.stat().st_size:,} B PDF)"
                )
                finish(
                    spawn_python(
                        net.a,
                        _code(
                            PREPARE_CODE,
                            {
                                "sender": SNV,
                                "pdf": str(pdf_path),
                                "first_number": 1,
                                "count": needed - 1,
                                "label": LABEL,
                                "recipients": list(RECIPIENTS),
                                "recipient_names": [
                                    [c, a.name] for a in net.b.spec.agencies for c in [a.code]
                                ],
                            },
                        ),
                    ),
                    "preparing the documents",
                )
                if "exchange" in names:
                    rows.append(run_throughput(net, args, numbers))
                    say(f"exchange: {rows[-1].status}, {rows[-1].figures.get('per_s')}/s")
                if "exchange-outage" in names:
                    rows.append(run_outage(net, args, numbers))
                    say(f"exchange-outage: {rows[-1].status}, {rows[-1].figures}")
                if args.profile:
                    for service in [*net.installations.values(), net.hub]:
                        if service is not None:
                            service.stop()  # graceful: the profiles are written at exit
    except Exception as exc:
        say(f"could not run: {exc}")
        traceback.print_exc()
        return 2
    finally:
        if not args.keep:
            import shutil

            shutil.rmtree(work, ignore_errors=True)
        else:
            say(f"kept {work}")
    if args.profile:
        summary = profile_summary(profile_dir)
        (args.out_dir / "exchange-profile.txt").write_text(summary)
        say(f"profile summary: {args.out_dir / 'exchange-profile.txt'}")
    table = markdown(rows, machine, settings, date)
    payload = {
        "date": date,
        "machine": machine,
        "settings": settings,
        "rows": [asdict(r) for r in rows],
    }
    text = json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n"
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    stems = ["exchange", f"exchange-{stamp}"] + (["latest"] if args.also_latest else [])
    for stem in stems:
        (args.out_dir / f"{stem}.json").write_text(text)
        (args.out_dir / f"{stem}.md").write_text(table)
    print()
    print(table)
    return 0 if rows and all(r.status == "pass" for r in rows) else 1


def profile_summary(directory: Path, top: int = 45) -> str:
    import io
    import pstats

    out = io.StringIO()
    groups: dict[str, list[Path]] = {}
    for path in sorted(directory.glob("*.prof")):
        kind = path.stem.split("-web-")[0] + "-web" if "-web-" in path.stem else path.stem
        groups.setdefault(kind, []).append(path)
    for kind, paths in groups.items():
        stats = pstats.Stats(*[str(p) for p in paths], stream=out)
        out.write(f"\n===== {kind} ({len(paths)} profile(s)) =====\n")
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(25)
    return out.getvalue()


if __name__ == "__main__":
    sys.exit(main())
