"""The interconnection benchmarks of issue 6 §4: a hub and two installations as separate
processes on PostgreSQL, packages with a 100 KB attachment from installation A to installation B.

- ``exchange``: the transport (issue 6 §4's list: sign the envelope, send, store, pull, verify
  the envelope, acknowledge). The hub is the real one (gunicorn, TINHSO_ROLE=hub, hub_worker,
  its database); ``S`` sender processes with installation A's environment loop: build a package
  (`edxml.build`, a fresh number, a fresh 100 KB incompressible attachment), sign the envelope
  with A's agency seal key on SoftHSM2 (`EnvelopeSigners`, as the node), send it with the node's
  `HttpHubClient`; ``R`` receiver processes with B's loop: pull (`take`, or inbox list + fetch
  of their share), `edxml.verify` against B's trust roots, acknowledge (`ack_many`, or one by
  one). Packages/s: acknowledged per second in a window after a warm-up; latency: send start →
  acknowledged (flat out, and at a paced rate with the best configuration); CPU per package of
  each group (hub web, hub worker, senders, receivers, the PostgreSQL backends of each
  database); hub RSS; lost and twice (distinct DocumentIds acknowledged). The installations'
  own workers are stopped meanwhile. ``--transport-configs 2x4:2/2,1x8:2/2…`` (hub workers ×
  threads : senders / receivers) measures several; the best is the row's figure.
- ``exchange-eoffice``: end to end in the e-office — A's exchange worker builds each package
  from an issued document, signs the envelope with the agency's seal key (SoftHSM2), sends it;
  the hub checks and stores it; B's worker pulls it, verifies the envelope, stores it, makes the
  incoming document, writes status 01 and acknowledges; 01 travels back to A the same way.
  Nothing is pre-built: the input is the exchange outbox rows that issuing writes (the
  documents and their sealed PDF are made beforehand). PAdES validation of the PDF is excluded
  (measured in the signatures benchmarks): the installations run with
  `TINHSO_EXCHANGE_VERIFY_PDF = False`. Two phases: a backlog of ``--packages`` rows
  (throughput: packages acknowledged at B per second), then ``--rate`` rows per second for
  ``--paced-seconds`` (latency: from the outbox row to B's acknowledgement at the hub,
  p50/p95). For reference (issue 6 §4's ≥ 100 packages/s is the transport's, the
  `exchange` row): it passes when nothing is lost or delivered twice. CPU per package: every
  process of the three deployments and PostgreSQL's, over the backlog phase. The hub's resident memory is sampled each second
  (start, middle, end: it must stay flat).
- ``exchange-outage``: ``--outage-rate`` rows per second for ``--outage-before`` s, then B's
  worker stopped for ``--outage-seconds`` (default 600) while sending goes on, then restarted,
  sending for ``--outage-after`` s more; reports sent, delivered, lost (must be 0), duplicates
  (must be 0) and the time B took to drain what waited at the hub.

    .venv/bin/python bench/exchange.py [--only exchange,exchange-eoffice,exchange-outage]
        [--transport-configs 2x4:2/2,1x8:3/2] [--transport-pull auto|list|take|both]
        [--packages 3000] [--rate 100] [--outage-seconds 600] [--profile]

Needs PostgreSQL (``BENCH_DATABASE_URL``, default postgres://postgres@127.0.0.1:5432/tinhso_bench:
its databases are named after it, ``<name>_ic_…``, made from a migrated template and dropped at
the end) and SoftHSM2. Results: ``var/bench/exchange.{md,json}`` and a timestamped copy of
each. ``--profile`` runs every worker and web process under cProfile (web servers as sync
workers, one request at a time), and the transport's sender and receiver loops too, and writes
``profiles/*.prof`` with a summary. Exit status: 0
when every row met its target, 1 when one missed it, 2 when the benchmark could not run.
"""

from __future__ import annotations

import argparse
import contextlib
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
ROWS = ("exchange", "exchange-eoffice", "exchange-outage")


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


def _own_cpu(pid: int) -> float | None:
    """utime + stime of `pid` alone (not its reaped children), seconds; None when gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_cpu(pids: list[int]) -> dict[int, float]:
    """{pid: CPU seconds} of `pids` and their live descendants, each process on its own: a
    gunicorn worker that is replaced (max_requests) does not pour its whole life into the
    master's children time at the moment it is reaped."""
    from tinhso.testing.interconnect import _tree

    found: dict[int, float] = {}
    for pid in pids:
        for current in _tree(pid):
            value = _own_cpu(current)
            if value is not None:
                found[current] = value
    return found


def postgres_backends_cpu(databases: list[str]) -> dict[int, float]:
    """{pid: CPU seconds} of the PostgreSQL backends serving `databases` (see
    `postgres_cpu_seconds`)."""
    found: dict[int, float] = {}
    wanted = tuple(f" {name} " for name in databases)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if command.startswith("postgres:") and any(w in command for w in wanted):
            value = _own_cpu(int(entry.name))
            if value is not None:
                found[int(entry.name)] = value
    return found


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU spent between two per-process samples: the processes alive at the end, from their
    first sample (or from their start when they began in between). A process that ended in
    between is left out (its last moments are not counted: an undercount, never a burst)."""
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


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
        "exchange-eoffice",
        "A → hub → B end to end: build from the issued document, sign the envelope (SoftHSM2), "
        "send, hub checks and stores, B pulls, verifies the envelope, stores, makes the incoming "
        "document, writes 01, acknowledges; 01 back to A; 100 KB sealed PDF per package",
        # Issue 6 §4's figure is the transport (`exchange`): this row adds the e-office's own
        # work at both ends (the outbox, the incoming document, its register, the status
        # package back) and is reported for reference; it passes when nothing is lost or twice.
        "none (reference: the e-office at both ends); lost 0, twice 0",
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
    met = duplicates == 0 and distinct == count
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


# --- The transport row: senders and receivers with the nodes' identities ---------------------------

#: A sender process (installation A's environment): builds a package with a fresh number and a
#: fresh 100 KB incompressible PDF-like attachment, signs the envelope with A's agency seal key
#: on SoftHSM2 (`EnvelopeSigners`, as the node's worker), sends it with the node's
#: `HttpHubClient`. Writes one JSON line per package: [DocumentId, send start, send end, error].
TRANSPORT_SENDER_CODE = """
import datetime as dt
import json
import os
import time
import uuid
from pathlib import Path
from django.utils import timezone
from tinhso.exchange import edxml, mapping
from tinhso.exchange.client import HttpHubClient, HubFault, HubUnavailable
from tinhso.exchange.envelope import EnvelopeSigners
from tinhso.exchange.packages import organ_of
from tinhso.organizations.models import Agency

params = PARAMS
agency = Agency.objects.select_related("parent").get(code=params["sender"])
sender = organ_of(agency)
recipients = [edxml.Organ(organ_id=c, name=n) for c, n in params["recipients"]]
type_code, type_detail, type_name = mapping.document_type("CV")
client = HttpHubClient.from_settings()
signers = EnvelopeSigners(now=timezone.now())
size = params["attachment_bytes"]
head, tail = b"%PDF-1.7\\n%\\xe2\\xe3\\xcf\\xd3\\n", b"\\n%%EOF\\n"


def package(n):
    today = timezone.localdate()
    pdf = head + os.urandom(size - len(head) - len(tail)) + tail
    return edxml.DocumentPackage(
        sender=sender,
        recipients=(recipients[n % len(recipients)],),
        code_number=str(n),
        code_notation=params["notation"],
        promulgation_place="Huế",
        promulgation_date=today,
        type_code=type_code,
        type_detail=type_detail,
        type_name=type_name,
        subject=f"{params['label']} số {n}",
        signer_position="Giám đốc",
        signer_name="Hoàng Thị Thanh Tâm",
        traces=(edxml.Trace(organ_id=sender.organ_id, timestamp=timezone.now()),),
        attachments=(
            edxml.Attachment(name="cong-van.pdf", content_type="application/pdf", data=pdf,
                             description="Văn bản chính", content_id="1"),
        ),
    )


signers.sign(agency.pk, edxml.build(package(0)))  # the key's session opened before the clock
go, stop = Path(params["go"]), Path(params["stop"])
Path(params["ready"]).touch()
while not go.exists():
    time.sleep(0.005)
log = open(params["log"], "w")
rate, first = params["rate"], params["first"]
began = time.time()
n = sent = errors = 0
while not stop.exists():
    if rate > 0:
        wait = began + n / rate - time.time()
        if wait > 0:
            time.sleep(min(wait, 0.1))
            continue
    number = first + n
    n += 1
    t0 = time.time()
    pkg = package(number)
    signed = signers.sign(agency.pk, edxml.build(pkg))
    send_id = str(uuid.uuid4())
    error = ""
    for attempt in range(10):
        try:
            client.send(signed, message_type="edoc", send_id=send_id)
            error = ""
            break
        except HubUnavailable as exc:
            error = str(exc)
            time.sleep(0.2)
        except HubFault as exc:
            error = f"{exc.code}: {exc.message}"
            break
    t1 = time.time()
    if error:
        errors += 1
    else:
        sent += 1
    log.write(json.dumps([edxml.document_id(sender.organ_id, pkg.promulgation_date, str(number), params["notation"]), t0, t1, error]) + "\\n")
log.close()
signers.close()
client.close()
result = {"sent": sent, "errors": errors}
"""

#: A receiver process (installation B's environment): pulls with the node's `HttpHubClient`
#: (`take` when the hub has it, else inbox list + fetch of its share of the deliveries),
#: verifies each envelope with `edxml.verify` against B's trust roots (and that the signer is
#: the From agency), acknowledges (`ack_many` when there, else one by one). One JSON line per
#: acknowledged package: [DocumentId, delivery id, acknowledged at, valid, pulled at].
TRANSPORT_RECEIVER_CODE = """
import base64
import json
import time
from pathlib import Path
from django.utils import timezone
from tinhso.exchange import edxml
from tinhso.exchange.client import HttpHubClient, HubFault, HubUnavailable
from tinhso.exchange import kept

params = PARAMS
client = HttpHubClient.from_settings()
index, receivers, batch, mode = params["index"], params["receivers"], params["batch"], params["pull"]
sender_code = params["sender"]


def _attr(item, *names):
    for name in names:
        value = item.get(name) if isinstance(item, dict) else getattr(item, name, None)
        if value not in (None, ""):
            return value
    return None


def _body(value):
    if isinstance(value, str):
        return base64.b64decode(value)
    return bytes(value)


def pull():
    # [(delivery id, DocumentId, bytes, pulled at)]
    if mode == "take":
        if hasattr(client, "take"):
            got = client.take(message_type="edoc", limit=batch)
        else:
            _status, raw = client._call(
                "POST", "inbox/take",
                body=json.dumps({"message_type": "edoc", "limit": batch}).encode(),
                headers={"Content-Type": "application/json"},
            )
            got = json.loads(raw)["items"]
        now = time.time()
        return [
            (str(_attr(i, "id")), str(_attr(i, "document_id") or ""), _body(_attr(i, "body", "data", "content")), now)
            for i in got
        ]
    listed = client.inbox(message_type="edoc", limit=100)
    mine = [i for i in listed if int(i.id) % receivers == index][:batch]
    out = []
    for item in mine:
        try:
            data = client.fetch(item.id)
        except HubFault:
            continue  # leased to another puller, or gone
        out.append((item.id, item.document_id, data, time.time()))
    return out


raw_ack = []  # the client's ack_many refused by the hub: the batch call made here instead


def ack(items):
    # items: [(delivery id, status, reason)] -> {delivery id: state}
    if mode == "take" and hasattr(client, "ack_many") and not raw_ack:
        from tinhso.exchange.client import AckItem

        try:
            answer = client.ack_many([AckItem(id=i, status=s, reason=r) for i, s, r in items])
            return {str(_attr(a, "id")): str(_attr(a, "state", "fault")) for a in answer}
        except HubFault as exc:
            if exc.code != "bad_request":
                raise
            raw_ack.append(f"{exc.code}: {exc.message}")
    if mode == "take":
        _status, raw = client._call(
            "POST", "inbox/ack",
            body=json.dumps({"items": [{"id": int(i), "status": s, "reason": r} for i, s, r in items]}).encode(),
            headers={"Content-Type": "application/json"},
        )
        return {str(a["id"]): str(a.get("state") or a.get("fault")) for a in json.loads(raw)["items"]}
    return {i: client.ack(i, status=s, reason=r) for i, s, r in items}


go, stop = Path(params["go"]), Path(params["stop"])
Path(params["ready"]).touch()
while not go.exists():
    time.sleep(0.005)
log = open(params["log"], "w")
acked = invalid = failures = empty = 0
while True:
    try:
        items = pull()
    except HubUnavailable:
        failures += 1
        time.sleep(0.1)
        continue
    if not items:
        if stop.exists():
            break
        empty += 1
        time.sleep(params["idle"])
        continue
    moment = timezone.now()
    roots = kept.trust_roots_der(moment)  # as the node's receiving does
    verdicts = []
    for delivery, document, data, pulled in items:
        check = edxml.verify(data, trust_roots=roots, at=moment)
        ok = bool(check.valid and (check.agency_code or "").upper() == sender_code.upper())
        reason = "" if ok else "; ".join(p.code for p in check.reasons) or "signer"
        verdicts.append((delivery, document, pulled, ok, reason))
    try:
        states = ack([(d, "done" if ok else "fail", reason) for d, _doc, _p, ok, reason in verdicts])
    except HubUnavailable:
        failures += 1
        continue  # the leases run out: taken again later
    now = time.time()
    for delivery, document, pulled, ok, reason in verdicts:
        state = states.get(str(delivery), "")
        if state in ("done", "failed"):
            acked += 1
            invalid += 0 if ok else 1
            log.write(json.dumps([document, delivery, now, ok, pulled, reason]) + "\\n")
        else:
            failures += 1
log.close()
client.close()
result = {"acked": acked, "invalid": invalid, "failures": failures, "empty_pulls": empty, "client_ack_many_refused": raw_ack[:1]}
"""


@dataclass(frozen=True)
class TransportConfig:
    """Hub gunicorn workers × threads, sender processes, receiver processes."""

    hub_workers: int
    hub_threads: int
    senders: int
    receivers: int
    pull: str = ""  # list or take; "": as --transport-pull says

    @classmethod
    def parse(cls, text: str) -> TransportConfig:
        """``2x4:2/2`` — 2 hub workers of 4 threads, 2 senders, 2 receivers; ``…@list`` or
        ``…@take``: this configuration pulls so whatever --transport-pull says."""
        try:
            text, _, pull = text.strip().partition("@")
            hub, processes = text.split(":")
            workers, threads = hub.lower().split("x")
            senders, receivers = processes.split("/")
            if pull not in ("", "list", "take"):
                raise ValueError(pull)
            return cls(int(workers), int(threads), int(senders), int(receivers), pull)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not WxT:S/R[@list|@take]: {text!r}") from None

    @property
    def label(self) -> str:
        return f"{self.hub_workers}x{self.hub_threads}:{self.senders}/{self.receivers}"


def hub_take_available() -> bool:
    """Whether this checkout's hub routes the batch calls (decision 0005 §5)."""
    urls = (ROOT / "src/tinhso/hub/api/urls.py").read_text()
    return "inbox/take" in urls or "take/?$" in urls


def hub_configure(net: Any, workers: int, threads: int) -> None:
    """Restart the hub's gunicorn with `workers` × `threads` (no-op when it runs so)."""
    if net.profile_dir is not None:
        return  # profiled: sync workers, one request at a time (the harness's choice)
    web = net.hub.web
    wanted = {"GUNICORN_WORKERS": str(workers), "GUNICORN_THREADS": str(threads)}
    if web.running and all(web.env.get(k) == v for k, v in wanted.items()):
        return
    web.env.update(wanted)
    web.kill()
    web.start()
    net.hub.wait_ready("/hub/v1/agencies")


def wait_quiet(seconds: float, busy_below: float = 0.3) -> float:
    """Wait up to `seconds` for the machine to be idle (busy < `busy_below` of one core over a
    second); returns the busy share seen last (cores)."""
    deadline = time.monotonic() + seconds
    while True:
        a = _machine_ticks()
        time.sleep(1.0)
        b = _machine_ticks()
        busy = (b[0] - a[0]) / max(1, b[1] - a[1]) * (os.cpu_count() or 1)
        if busy < busy_below or time.monotonic() >= deadline:
            return round(busy, 2)


def _spawn_logged(service: Any, code: str, out: Path) -> subprocess.Popen[str]:
    """`code` in the service's environment, its output to `out` (no pipe to fill)."""
    handle = out.open("w")
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "tinhso.testing.interconnect", "run"],
            env=service.env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=handle,
            stderr=subprocess.STDOUT,
            text=True,
        )
    finally:
        handle.close()
    assert process.stdin is not None
    process.stdin.write(code)
    process.stdin.close()
    return process


def _result_of(process: subprocess.Popen[str], out: Path, what: str, timeout: float) -> Any:
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise RuntimeError(
            f"{what} did not end in {timeout:g} s:\n{out.read_text()[-3000:]}"
        ) from None
    text = out.read_text(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{text[-4000:]}")
    from tinhso.testing import interconnect

    marked = [line for line in text.splitlines() if line.startswith(interconnect._RESULT_MARK)]
    return json.loads(marked[-1][len(interconnect._RESULT_MARK) :]) if marked else None


def _read_lines(paths: list[Path]) -> list[list[Any]]:
    lines: list[list[Any]] = []
    for path in paths:
        if path.exists():
            lines += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return lines


def _ms(values: list[float]) -> dict[str, float | None]:
    ordered = sorted(values)
    return {
        "p50": round(percentile(ordered, 0.5), 1),
        "p95": round(percentile(ordered, 0.95), 1),
        "p99": round(percentile(ordered, 0.99), 1),
        "max": round(ordered[-1], 1) if ordered else None,
    }


def transport_phase(
    net: Any,
    args: argparse.Namespace,
    work: Path,
    config: TransportConfig,
    *,
    phase: int,
    pull: str,
    rate: float = 0.0,
    duration: float | None = None,
) -> dict[str, Any]:
    """One measure of the transport: `config`'s processes for warm-up + `duration` seconds
    (senders flat out, or `rate` packages/s in all), then the receivers drain what was sent.

    Throughput: packages acknowledged at the receivers inside the window after the warm-up.
    CPU: each process group over that window (from /proc), per package acknowledged in it
    (senders: per package sent in it)."""
    duration = args.transport_seconds if duration is None else duration
    hub_configure(net, config.hub_workers, config.hub_threads)
    here = work / f"transport-{phase:02d}"
    here.mkdir(parents=True)
    go, stop_senders, stop_receivers = here / "go", here / "stop-senders", here / "stop-receivers"
    notation = f"LT{phase:02d}-SNV"
    recipients = [[a.code, a.name] for a in net.b.spec.agencies]
    receivers: list[tuple[subprocess.Popen[str], Path]] = []
    senders: list[tuple[subprocess.Popen[str], Path]] = []
    for i in range(config.receivers):
        params = {
            "index": i,
            "receivers": config.receivers,
            "batch": args.transport_batch,
            "pull": pull,
            "sender": SNV,
            "idle": 0.02,
            "go": str(go),
            "stop": str(stop_receivers),
            "ready": str(here / f"ready-r{i}"),
            "log": str(here / f"received-{i}.jsonl"),
        }
        out = here / f"receiver-{i}.out"
        profile = net.profile_dir / f"receiver-{phase}-{i}.prof" if net.profile_dir else None
        code = _code(TRANSPORT_RECEIVER_CODE, params, profile)
        receivers.append((_spawn_logged(net.b, code, out), out))
    for i in range(config.senders):
        params = {
            "sender": SNV,
            "recipients": recipients,
            "notation": notation,
            "label": LABEL,
            "attachment_bytes": ATTACHMENT_BYTES,
            "first": 1 + i * 1_000_000,
            "rate": rate / config.senders if rate else 0.0,
            "go": str(go),
            "stop": str(stop_senders),
            "ready": str(here / f"ready-s{i}"),
            "log": str(here / f"sent-{i}.jsonl"),
        }
        out = here / f"sender-{i}.out"
        profile = net.profile_dir / f"sender-{phase}-{i}.prof" if net.profile_dir else None
        code = _code(TRANSPORT_SENDER_CODE, params, profile)
        senders.append((_spawn_logged(net.a, code, out), out))
    everyone = receivers + senders

    def all_ready() -> bool:
        for process, out in everyone:
            if process.poll() is not None:
                raise RuntimeError(f"a transport process exited:\n{out.read_text()[-3000:]}")
        return len(list(here.glob("ready-*"))) == len(everyone)

    try:
        wait_until(all_ready, 180, "the senders and receivers to start", 0.1)
        busy_before = wait_quiet(args.quiet_wait)
        groups: dict[str, list[int]] = {
            "hub web": [net.hub.web.pid] if net.hub.web.pid else [],
            "hub worker": [net.hub.worker.pid] if net.hub.worker.pid else [],
            "senders": [p.pid for p, _ in senders],
            "receivers": [p.pid for p, _ in receivers],
        }
        databases = {"hub": net.hub.database, "a": net.a.database, "b": net.b.database}

        def sample() -> dict[str, dict[int, float]]:
            values = {name: process_cpu(pids) for name, pids in groups.items()}
            for role, database in databases.items():
                values[f"postgres {role}"] = postgres_backends_cpu([database])
            return values

        since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        with RssSampler(net) as rss:
            go.touch()
            t_go = time.time()
            time.sleep(args.transport_warmup)
            cpu0, machine0, t_w0 = sample(), _machine_ticks(), time.time()
            time.sleep(duration)
            cpu1, machine1, t_w1 = sample(), _machine_ticks(), time.time()
            stop_senders.touch()
            sent_results = [_result_of(p, out, "a sender", 120) for p, out in senders]
        total_sent = sum(r["sent"] for r in sent_results)
        drain_began = time.monotonic()
        wait_until(
            lambda: (
                hub_done_count(net, since) >= total_sent
                or any(p.poll() is not None for p, _ in receivers)
            ),
            args.timeout,
            "the receivers to drain",
            0.25,
        )
        drain_seconds = time.monotonic() - drain_began
        stop_receivers.touch()
        received_results = [_result_of(p, out, "a receiver", 120) for p, out in receivers]
    finally:
        stop_senders.touch()
        stop_receivers.touch()
        for process, _ in everyone:
            if process.poll() is None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(30)
            if process.poll() is None:
                process.kill()
                process.wait()
    sent = _read_lines([here / f"sent-{i}.jsonl" for i in range(config.senders)])
    acked = _read_lines([here / f"received-{i}.jsonl" for i in range(config.receivers)])
    started = {row[0]: row[1] for row in sent if not row[3]}
    send_errors = [row[3] for row in sent if row[3]]
    times: dict[str, list[float]] = {}
    for row in acked:
        times.setdefault(row[0], []).append(row[2])
    distinct = len(set(times) & set(started))
    twice = sum(len(v) - 1 for v in times.values())
    unknown = len(set(times) - set(started))
    in_window = [row for row in acked if t_w0 <= row[2] < t_w1]
    sent_in_window = sum(1 for row in sent if not row[3] and t_w0 <= row[2] < t_w1)
    window = t_w1 - t_w0
    latency = [min(times[d]) - t0 for d, t0 in started.items() if d in times and t_w0 <= t0 < t_w1]
    latency_all = [min(times[d]) - t0 for d, t0 in started.items() if d in times]
    send_ms = [1000 * (row[2] - row[1]) for row in sent if not row[3] and t_w0 <= row[1] < t_w1]
    pull_to_ack = [1000 * (row[2] - row[4]) for row in in_window]
    cpu = {k: round(cpu_delta(cpu0[k], cpu1[k]), 2) for k in cpu0}
    acked_n = max(1, len(in_window))
    per_package = {
        k: round(1000 * v / (max(1, sent_in_window) if k == "senders" else acked_n), 2)
        for k, v in cpu.items()
    }
    ours = sum(cpu.values())
    machine_busy = (machine1[0] - machine0[0]) / max(1, machine1[1] - machine0[1])
    machine_cores = machine_busy * (os.cpu_count() or 1)
    return {
        "config": config.label,
        "hub_workers": config.hub_workers,
        "hub_threads": config.hub_threads,
        "senders": config.senders,
        "receivers": config.receivers,
        "pull": pull,
        "rate": rate or None,
        "window_seconds": round(window, 2),
        "warmup_seconds": args.transport_warmup,
        "per_s": round(len(in_window) / window, 1),
        "sent_per_s": round(sent_in_window / window, 1),
        "sent": len(started),
        "send_errors": len(send_errors),
        "send_error_examples": sorted(set(send_errors))[:3],
        "acked": sum(len(v) for v in times.values()),
        "acked_distinct": distinct,
        "lost": len(started) - distinct,
        "twice": twice,
        "unknown": unknown,
        "invalid": sum(1 for row in acked if not row[3]),
        "latency_ms": _ms([1000 * x for x in latency]),
        "latency_all_ms": _ms([1000 * x for x in latency_all]),
        "send_call_ms": _ms(send_ms),
        "pull_to_ack_ms": _ms(pull_to_ack),
        "drain_seconds": round(drain_seconds, 1),
        "cpu_seconds": cpu,
        "cpu_ms_per_package": per_package,
        "cpu_ms_per_package_total": round(sum(per_package.values()), 2),
        "capacity_per_s": round((os.cpu_count() or 1) * 1000 / sum(per_package.values()), 1)
        if sum(per_package.values())
        else None,
        "machine_cores_busy": round(machine_cores, 2),
        "other_cores_busy": round(max(0.0, machine_cores - ours / window), 2),
        "busy_before": busy_before,
        "hub_rss": rss.summary(),
        "senders_result": sent_results,
        "receivers_result": received_results,
        "go_to_window": round(t_w0 - t_go, 2),
    }


def run_transport(net: Any, args: argparse.Namespace, work: Path, take: bool) -> Row:
    row = Row(
        "exchange",
        "transport end to end (issue 6 §4): sender processes with installation A's node identity "
        "build each package (a fresh number, a fresh 100 KB incompressible attachment), sign the "
        "envelope with A's agency seal key on SoftHSM2 and send it with the node's HttpHubClient; "
        "the hub (gunicorn + hub_worker, production settings, its own PostgreSQL database) checks "
        "and stores it; receiver processes with B's identity pull, verify the envelope against "
        "B's trust roots and acknowledge. PAdES validation excluded (signatures benchmarks)",
        f"≥ {TARGET_PER_S:g} packages/s, lost 0, twice 0",
    )
    pulls = {"auto": ["take" if take else "list"], "both": ["list", "take"] if take else ["list"]}
    pulls["list"], pulls["take"] = ["list"], ["take"]
    modes = pulls[args.transport_pull]
    configs = args.transport_configs or [TransportConfig(args.hub_workers, args.threads, 2, 1)]
    # The installations' own exchange workers would pull B's inbox too: stopped meanwhile.
    for installation in net.installations.values():
        if installation.worker is not None:
            installation.worker.stop()
    phase = 0
    sweep: list[dict[str, Any]] = []
    try:
        runs = [(c, m) for c in configs for m in ([c.pull] if c.pull else modes)]
        for config, mode in runs:
            phase += 1
            say(f"transport {config.label} ({mode}): {args.transport_seconds:g} s")
            figures = transport_phase(net, args, work, config, phase=phase, pull=mode)
            say(
                f"  {figures['per_s']}/s acked ({figures['sent_per_s']}/s sent), "
                f"p50/p95 {figures['latency_ms']['p50']}/{figures['latency_ms']['p95']} ms, "
                f"CPU ms/pkg {figures['cpu_ms_per_package']}, lost {figures['lost']}, "
                f"twice {figures['twice']}, others {figures['other_cores_busy']} cores"
            )
            sweep.append(figures)
        preferred = "take" if take else "list"
        best = max(sweep, key=lambda f: (f["pull"] == preferred, f["per_s"]))
        paced: dict[str, Any] = {}
        if args.transport_paced_seconds > 0:
            phase += 1
            rate = args.transport_rate or round(min(TARGET_PER_S, 0.8 * best["per_s"]), 1)
            config = TransportConfig.parse(best["config"])
            say(f"transport paced {rate:g}/s with {config.label} ({best['pull']})")
            paced = transport_phase(
                net,
                args,
                work,
                config,
                phase=phase,
                pull=best["pull"],
                rate=rate,
                duration=args.transport_paced_seconds,
            )
            say(
                f"  paced: {paced['per_s']}/s, p50/p95 {paced['latency_ms']['p50']}/"
                f"{paced['latency_ms']['p95']} ms"
            )
    finally:
        hub_configure(net, args.hub_workers, args.threads)
        for installation in net.installations.values():
            if installation.worker is not None:
                installation.worker.start()
    row.figures = {"best": best, "sweep": sweep, "paced": paced}
    clean = all(
        f["lost"] == 0 and f["twice"] == 0 and f["invalid"] == 0 for f in [*sweep, paced] if f
    )
    row.status = "pass" if best["per_s"] >= TARGET_PER_S and clean else "fail"
    notes = [
        f"{f['config']} ({f['pull']}): lost {f['lost']}, twice {f['twice']}, invalid {f['invalid']}, send errors {f['send_errors']}"
        for f in [*sweep, paced]
        if f and (f["lost"] or f["twice"] or f["invalid"] or f["send_errors"])
    ]
    row.note = "; ".join(notes)
    return row


def _code(template: str, params: dict[str, Any], profile: Path | None = None) -> str:
    """`template` with its parameters; with `profile`, its loop runs under cProfile and the
    statistics are written there when it ends (before the result line)."""
    code = template.replace("PARAMS", repr(params))
    if profile is None:
        return code
    head, _, loop = code.partition("go, stop = Path(")
    return (
        f"{head}import cProfile as _cprofile\n_profiler = _cprofile.Profile()\n_profiler.enable()\n"
        f"go, stop = Path({loop}\n_profiler.disable()\n_profiler.dump_stats({str(profile)!r})\n"
    )


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
            lines += transport_markdown(f)
        elif r.name == "exchange-eoffice" and f:
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


def transport_markdown(f: dict[str, Any]) -> list[str]:
    """The `exchange` row: the best configuration, the sweep, the paced run."""
    best, paced = f["best"], f.get("paced") or {}
    groups = list(best["cpu_ms_per_package"])
    lines = [
        f"Best: hub {best['hub_workers']} gunicorn workers × {best['hub_threads']} threads + "
        f"hub_worker, {best['senders']} sender and {best['receivers']} receiver processes, "
        f"pulling with {best['pull']}.",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| **packages/s** (acknowledged at the receivers, {best['window_seconds']:g} s after "
        f"{best['warmup_seconds']:g} s of warm-up) | **{best['per_s']:,}** |",
        f"| sent/s in the same window | {best['sent_per_s']:,} |",
        f"| latency send start → acknowledged, p50 / p95 / p99 ms (flat out) | "
        f"{best['latency_ms']['p50']} / {best['latency_ms']['p95']} / {best['latency_ms']['p99']} |",
    ]
    if paced:
        lines.append(
            f"| **paced {paced['rate']:g}/s: latency p50 / p95 / p99 ms** ({paced['per_s']}/s "
            f"acknowledged) | **{paced['latency_ms']['p50']} / {paced['latency_ms']['p95']}** / "
            f"{paced['latency_ms']['p99']} |"
        )
    lines += [
        f"| send call (sign + POST) p50 / p95 ms | {best['send_call_ms']['p50']} / {best['send_call_ms']['p95']} |",
        f"| sent / acknowledged (distinct) / lost / twice / invalid | {best['sent']:,} / "
        f"{best['acked_distinct']:,} / {best['lost']} / {best['twice']} / {best['invalid']} |",
        f"| CPU ms per package, all groups (capacity: cores ÷ that) | "
        f"{best['cpu_ms_per_package_total']:g} ({best['capacity_per_s']} packages/s) |",
        f"| machine cores busy / other processes' | {best['machine_cores_busy']:g} / "
        f"{best['other_cores_busy']:g} |",
        f"| hub RSS MiB start / middle / end / max | {_rss(best.get('hub_rss', {}))} |",
        "",
        "CPU ms per package by process group (senders: per package sent; the others: per "
        "package acknowledged), over the measured window:",
        "",
        "| configuration | pull | packages/s | p50 / p95 ms | "
        + " | ".join(groups)
        + " | total | lost | twice | others' cores |",
        "|---|---|---:|---|" + "---:|" * (len(groups) + 4),
    ]
    for x in [*f["sweep"], *([paced] if paced else [])]:
        name = x["config"] + (f" paced {x['rate']:g}/s" if x.get("rate") else "")
        lines.append(
            f"| {name} | {x['pull']} | {x['per_s']} | {x['latency_ms']['p50']} / "
            f"{x['latency_ms']['p95']} | "
            + " | ".join(f"{x['cpu_ms_per_package'].get(g, 0):g}" for g in groups)
            + f" | {x['cpu_ms_per_package_total']:g} | {x['lost']} | {x['twice']} | "
            f"{x['other_cores_busy']:g} |"
        )
    lines += [
        "",
        "Configuration: HUB WORKERSxTHREADS:SENDERS/RECEIVERS. PostgreSQL: the backends serving "
        "each database (hub, A: the seal key's row, B: the trust roots).",
        "",
    ]
    return lines


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
    parser.add_argument("--only", default=",".join(ROWS))
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
        "--transport-configs",
        type=lambda text: [TransportConfig.parse(t) for t in text.split(",") if t.strip()],
        default=None,
        help="exchange row: comma list of HUBWORKERSxTHREADS:SENDERS/RECEIVERS to measure "
        "(default: --hub-workers x --threads :2/1)",
    )
    parser.add_argument(
        "--transport-pull",
        choices=("auto", "list", "take", "both"),
        default="auto",
        help="exchange row: how the receivers pull (auto: the batch take when the hub has it)",
    )
    parser.add_argument("--transport-batch", type=int, default=50, help="packages per pull")
    parser.add_argument("--transport-seconds", type=float, default=20.0, help="measured window")
    parser.add_argument("--transport-warmup", type=float, default=5.0)
    parser.add_argument(
        "--transport-paced-seconds",
        type=float,
        default=15.0,
        help="a paced run with the best configuration for the latency (0: none)",
    )
    parser.add_argument(
        "--transport-rate",
        type=float,
        default=0.0,
        help="packages/s of the paced run (0: 80%% of the best throughput, at most the target)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=float(os.environ.get("BENCH_QUIET_WAIT", "60")),
        help="seconds to wait, before each transport run, for other work on the machine to end",
    )
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
    unknown = [n for n in names if n not in ROWS]
    if unknown or not names:
        parser.error(f"unknown rows: {unknown}")
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("the exchange benchmarks run on PostgreSQL (BENCH_DATABASE_URL)")

    take = hub_take_available()
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
                if "exchange" in names:
                    rows.append(run_transport(net, args, work, take))
                    say(f"exchange: {rows[-1].status}, {rows[-1].figures['best']['per_s']}/s")
                    settings["transport_take"] = take
                if {"exchange-eoffice", "exchange-outage"} & set(names):
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
                    if "exchange-eoffice" in names:
                        rows.append(run_throughput(net, args, numbers))
                        say(
                            f"exchange-eoffice: {rows[-1].status}, {rows[-1].figures.get('per_s')}/s"
                        )
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
        if kind.startswith(("sender-", "receiver-")):
            kind = kind.split("-")[0] + "s"
        groups.setdefault(kind, []).append(path)
    for kind, paths in groups.items():
        stats = pstats.Stats(*[str(p) for p in paths], stream=out)
        out.write(f"\n===== {kind} ({len(paths)} profile(s)) =====\n")
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(25)
    return out.getvalue()


if __name__ == "__main__":
    sys.exit(main())
