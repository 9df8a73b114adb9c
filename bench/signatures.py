"""The digital signature benchmarks of issue 5 §5, on the code paths the platform uses.

- ``sign``: PAdES B-T signatures of an official document (`sign_pdf`, level B-T) with keys on
  a SoftHSM2 token (`open_signer`, one per signature, as the signing service does) and
  timestamps from the test PKI's timestamp authority, served by `PkiServices` in a process of
  its own. Target: ≥ 20 signatures/s.
- ``sign-visible``: the same with the person's visible signature (Nghị định 30/2020, Phụ lục
  I: the blue signature image placed between the title and the name found in the text layer).
- ``validate``: single-signature PDFs (distinct files signed beforehand) checked by
  `validate_pdf_isolated` — the sandboxed path of the API — against the PKI's root. Target:
  ≥ 50 PDFs/s.
- ``validate-10``: a PDF with 10 signatures, one caller, ``--runs`` times. Target: ≤ 2 s (p95).
- ``validate-10-generated``: the same target on `pdfs_multi.pdf_with_signatures(10)` (the
  tests' generator: a blank page, software keys), for comparison.

Throughput rows run ``--workers`` processes (default: the cores), each looping for
``--duration`` seconds after a ``--warmup``; throughput is the operations that succeeded over
the wall time of the window (a failed one counts as an error, and a row with errors fails). The CPU time of the workers (with their children: the validation sandboxes) and
of the timestamp authority's process comes from /proc. Results: ``var/bench/signatures.md``
(also printed) and ``signatures.json``, plus a timestamped copy of each.

    .venv/bin/python bench/signatures.py [--workers 2] [--duration 20] [--only sign,validate]

Exit status: 0 when every row met its target, 1 when one missed it or failed, 2 when the
benchmark could not be set up. No database and no Django settings are needed.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import json
import logging
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent / "src"))

TICKS = os.sysconf("SC_CLK_TCK")
PIN = "123456"
TOKEN_LABEL = "bench-signatures"  # noqa: S105 - a label, not a password
AGENCY_CODE = "H57"
#: Sandbox failures: the file was not validated (time or memory limit, crash).
SANDBOX_FAILURES = frozenset({"timeout", "memory_limit", "crashed"})
#: Other processes above this share of one core during a row: the machine was shared.
OTHER_LOAD_WARNING_PCT = 25.0


# --- Targets (issue 5, §5) --------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    min_per_s: float | None = None
    max_p95_ms: float | None = None

    def describe(self, unit: str) -> str:
        if self.min_per_s is not None:
            return f"≥ {self.min_per_s:g} {unit}/s"
        return f"p95 ≤ {self.max_p95_ms:g} ms"

    def met(self, row: Row) -> bool:
        if self.min_per_s is not None and (row.per_s or 0.0) < self.min_per_s:
            return False
        return not (self.max_p95_ms is not None and (row.p95_ms or 0.0) > self.max_p95_ms)


@dataclass(frozen=True)
class Benchmark:
    description: str
    target: Target
    unit: str
    kind: str  # "sign", "validate" or "validate-many"


BENCHMARKS: dict[str, Benchmark] = {
    "sign": Benchmark(
        "PAdES B-T, invisible: open_signer (SoftHSM2, log-in per signature) + sign_pdf with "
        "a timestamp of the local TSA; keys of the agency and two officials in turn",
        Target(min_per_s=20),
        "signatures",
        "sign",
    ),
    "sign-visible": Benchmark(
        "PAdES B-T with the person's signature image between the title and the name "
        "(Nghị định 30/2020, Phụ lục I), the leader's key",
        Target(min_per_s=20),
        "signatures",
        "sign",
    ),
    "validate": Benchmark(
        "validate_pdf_isolated (sandboxed, as the API) on distinct single-signature B-T PDFs "
        "against the PKI's root, revocation offline",
        Target(min_per_s=50),
        "PDFs",
        "validate",
    ),
    "validate-10": Benchmark(
        "validate_pdf_isolated on one official document signed 10 times (B-T, agency and "
        "officials in turn, the first and last signatures visible), one caller",
        Target(max_p95_ms=2000),
        "PDFs",
        "validate-many",
    ),
    "validate-10-generated": Benchmark(
        "the same on pdfs_multi.pdf_with_signatures(10) (the tests' generator: blank page, "
        "software keys of a LocalCA), one caller",
        Target(max_p95_ms=2000),
        "PDFs",
        "validate-many",
    ),
}


# --- CPU accounting from /proc -----------------------------------------------------------------


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found.extend(int(x) for x in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of `pid` and its descendants, the ones that ended and were waited for included.

    After the name in /proc/<pid>/stat: utime 11, stime 12, cutime 13, cstime 14 (cutime and
    cstime hold the children reaped so far: the validation sandboxes, reaped by the fork server).
    """
    ticks = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        fields = _stat_fields(current)
        if fields is None:
            continue
        ticks += sum(int(fields[i]) for i in (11, 12, 13, 14))
        pending.extend(_children(current))
    return ticks / TICKS


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


# --- The timestamp authority, in a process of its own ------------------------------------------


def serve_pki() -> None:
    """`--serve-pki`: serve the PKI services on 127.0.0.1 (a free port) until stdin closes.

    Prints the URL, reads the PKI directory (built for that URL) from stdin, prints "ready".
    """
    from tinhso.signatures.pki_services import PkiServices, serve_in_thread

    server = serve_in_thread()
    print(server.url, flush=True)
    directory = sys.stdin.readline().strip()
    server.app = PkiServices(Path(directory))
    print("ready", flush=True)
    sys.stdin.read()
    server.stop()


# --- Work done in the worker processes ---------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """What a worker needs, picklable."""

    pki_dir: str
    softhsm_conf: str
    documents: tuple[bytes, ...]
    leader_name: str
    leader_title: str


def _pki(setup: Setup) -> Any:
    from tinhso.signatures.pki import PkiManifest
    from tinhso.signatures.softhsm import ensure_softhsm_conf

    ensure_softhsm_conf(Path(setup.softhsm_conf))
    return PkiManifest.load(Path(setup.pki_dir))


class Signing:
    """The signing service's steps for one signature: open the key, sign, close the key."""

    def __init__(self, setup: Setup) -> None:
        from tinhso.signatures.timestamps import BlockingHTTPTimeStamper

        self.setup = setup
        self.manifest = _pki(setup)
        self.chain = self.manifest.chain()
        self.certificates = {key: self.manifest.certificate(key) for key in self.manifest.parties}
        # One client per process, as `selectors.signing_timestamper()` (cached) gives.
        self.timestamper = BlockingHTTPTimeStamper(self.manifest.tsa_url, timeout=10)

    def sign(self, data: bytes, party: str, *, visible: str = "") -> bytes:
        from tinhso.signatures import appearance, images
        from tinhso.signatures.keys import open_signer
        from tinhso.signatures.signing import sign_pdf

        look: Any = None
        if visible == "person":
            name = self.setup.leader_name
            look = appearance.person_signature(
                image=images.signature_image(name), signer_name=name, title=self.setup.leader_title
            )
        elif visible == "seal":
            look = appearance.seal(
                image=images.seal_image(self.manifest.parties[party].common_name),
                signer_name=self.setup.leader_name,
            )
        with open_signer(
            self.manifest.key_ref(party),
            pin=PIN,
            certificate=self.certificates[party],
            chain=self.chain,
        ) as signer:
            return sign_pdf(
                data,
                signer=signer,
                level="B-T",
                timestamper=self.timestamper,
                appearance=look,
            )

    def sign_retrying(self, data: bytes, party: str, *, visible: str = "") -> bytes:
        """`sign`, tried again after a failed log-in: only for preparing the files to validate.

        SoftHSM2 rewrites its token file at every C_Login; a log-in in another process that
        reads it at that moment fails with CKR_GENERAL_ERROR (the measured rows count those).
        """
        import pkcs11

        for attempt in range(5):
            try:
                return self.sign(data, party, visible=visible)
            except pkcs11.exceptions.GeneralError:
                if attempt == 4:
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")


def _validator(root_pem: bytes) -> Callable[[bytes], str]:
    from tinhso.signatures.sandbox import validate_pdf_isolated

    def validate(data: bytes) -> str:
        result = validate_pdf_isolated(data, trust_roots=[root_pem], at=None)
        failures = sorted(r.code for r in result.reasons if r.code in SANDBOX_FAILURES)
        if failures:
            raise RuntimeError("sandbox: " + ", ".join(failures))
        return f"{result.verdict}, {len(result.signatures)} signature(s)"

    return validate


@dataclass
class Task:
    row: str
    index: int
    workers: int
    setup: Setup
    duration: float = 0.0
    warmup: float = 0.0
    runs: int = 0
    files: tuple[str, ...] = ()
    out_dir: str = ""
    profile_dir: str = ""


def _operation(task: Task) -> Callable[[], str]:
    """The operation a row measures, set up (and its first use paid) before the window."""
    setup = task.setup
    if task.row in ("sign", "sign-visible"):
        signing = Signing(setup)
        parties = sorted(signing.manifest.parties)
        data = setup.documents[0]
        counter = iter(range(task.index, 1 << 62, task.workers))
        visible = task.row == "sign-visible"

        def sign() -> str:
            number = next(counter)
            if visible:
                signing.sign(data, "person:leader", visible="person")
            else:
                signing.sign(data, parties[number % len(parties)])
            return "signed"

        return sign

    manifest = _pki(setup)
    if task.row == "validate-10-generated":
        from tinhso.signatures.tests.pdfs_multi import pdf_with_signatures

        sample = pdf_with_signatures(10)
        root_pem, files = sample.ca.root.pem, [sample.data]
    else:
        root_pem = manifest.root_pem()
        files = [Path(name).read_bytes() for name in task.files]
    validate = _validator(root_pem)
    # This worker's share of the files first: the two workers do not check the same file at once.
    start = task.index * len(files) // max(1, task.workers)
    order = iter(range(start, 1 << 62))

    def check() -> str:
        return validate(files[next(order) % len(files)])

    return check


def _prepare(task: Task) -> dict[str, Any]:
    """Sign this worker's share of the single-signature files, and (last worker) the 10."""
    signing = Signing(task.setup)
    parties = sorted(signing.manifest.parties)
    written = []
    for number, name in enumerate(task.files):
        if number % task.workers != task.index:
            continue
        data = task.setup.documents[number % len(task.setup.documents)]
        # A third carry the leader's visible signature, as documents from the e-office do.
        if number % 3 == 0:
            signed = signing.sign_retrying(data, "person:leader", visible="person")
        else:
            signed = signing.sign_retrying(data, parties[number % len(parties)])
        Path(name).write_bytes(signed)
        written.append(name)
    if task.out_dir and task.index == task.workers - 1:
        # Nghị định 30/2020, Điều 14: the agency signs last, over the leader's signature.
        data = task.setup.documents[0]
        for number in range(10):
            if number == 0:
                data = signing.sign_retrying(data, "person:leader", visible="person")
            elif number == 9:
                data = signing.sign_retrying(data, "agency:" + AGENCY_CODE, visible="seal")
            else:
                data = signing.sign_retrying(data, parties[number % len(parties)])
        Path(task.out_dir, "ten.pdf").write_bytes(data)
    return {"written": len(written)}


def _describe(exc: Exception) -> str:
    """The exception's class and text, and the last line of tinhso it passed through."""
    kind = type(exc)
    text = f"{kind.__module__}.{kind.__qualname__}"
    if str(exc):
        text += f": {str(exc)[:120]}"
    ours = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if "/tinhso/" in frame.filename and "/testing/" not in frame.filename
    ]
    if ours:
        where = ours[-1]
        text += f" (in {where.filename.split('/src/')[-1]}:{where.lineno}, {where.name})"
    return text


def worker_main(task: Task, barrier: Any, results: Any) -> None:
    """A worker process: set up, warm up, wait for the others, measure, report."""
    outcome: dict[str, Any] = {"index": task.index}
    try:
        # pyHanko warns about each certificate it cannot place: the results say what failed.
        for name in ("pyhanko", "pyhanko_certvalidator", "tinhso"):
            logging.getLogger(name).setLevel(logging.ERROR)
        if task.row == "prepare":
            outcome.update(_prepare(task))
            results.put(outcome)
            return
        operation = _operation(task)
        # Warm-up: at least two operations that succeed (the first starts the fork server,
        # loads the PKCS#11 module, fills pyHanko's caches), then until `warmup` seconds have
        # passed. A failure here is counted in the window's rate, not here; only a row whose
        # operations never succeed stops.
        started = time.monotonic()
        done = failed = 0
        while done < 2 or time.monotonic() - started < task.warmup:
            try:
                operation()
                done += 1
            except Exception:
                failed += 1
                if failed >= 20 and done == 0:
                    raise
        if barrier is not None:
            barrier.wait(timeout=600)
        profiler = cProfile.Profile() if task.profile_dir else None
        latencies: list[float] = []
        outcomes: Counter[str] = Counter()
        errors: Counter[str] = Counter()
        cpu0 = tree_cpu_seconds(os.getpid())
        t0 = time.monotonic()
        deadline = t0 + task.duration
        if profiler:
            profiler.enable()
        while (len(latencies) < task.runs) if task.runs else (time.monotonic() < deadline):
            begin = time.perf_counter()
            try:
                outcomes[operation()] += 1
            except Exception as exc:
                errors[_describe(exc)] += 1
                if task.runs:
                    latencies.append(time.perf_counter() - begin)  # counts as a run
                continue
            latencies.append(time.perf_counter() - begin)  # successful operations only
        if profiler:
            profiler.disable()
            profiler.dump_stats(Path(task.profile_dir, f"{task.row}-{task.index}.prof"))
        t1 = time.monotonic()
        cpu1 = tree_cpu_seconds(os.getpid())
        outcome.update(
            t0=t0,
            t1=t1,
            cpu_s=cpu1 - cpu0,
            latencies=latencies,
            outcomes=dict(outcomes),
            errors=dict(errors),
        )
    except BaseException as exc:
        outcome["failure"] = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
        if barrier is not None:
            barrier.abort()
    results.put(outcome)


# --- Orchestration -------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    description: str
    target: str
    status: str  # "pass", "fail", "error", "not run"
    workers: int
    duration_s: float = 0.0
    operations: int = 0
    errors: int = 0
    per_s: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None
    mean_ms: float | None = None
    cpu: dict[str, float] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    error_kinds: dict[str, int] = field(default_factory=dict)
    note: str = ""


def _percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile (the value below which `share` of the values lie)."""
    rank = max(1, -(-len(sorted_values) * share // 1))
    return sorted_values[int(rank) - 1]


def run_workers(
    ctx: Any, tasks: list[Task], *, tsa_pid: int | None, timeout: float
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Start one process per task, release them together, collect their reports."""
    measuring = tasks[0].row != "prepare"
    barrier = ctx.Barrier(len(tasks) + 1) if measuring else None
    results = ctx.Queue()
    processes = [
        ctx.Process(target=worker_main, args=(task, barrier, results), name=f"bench-{task.row}")
        for task in tasks
    ]
    for process in processes:
        process.start()
    window: dict[str, float] = {}
    reports: list[dict[str, Any]] = []
    try:
        if barrier is not None:
            # A worker that failed aborts the barrier; its report says why.
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=timeout)
            window["tsa_cpu0"] = tree_cpu_seconds(tsa_pid) if tsa_pid else 0.0
            window["machine0_busy"], window["machine0_total"] = _machine_ticks()
        deadline = time.monotonic() + timeout
        while len(reports) < len(tasks) and time.monotonic() < deadline:
            try:
                reports.append(results.get(timeout=1))
            except Exception:  # queue.Empty: check that the workers still live
                if not any(p.is_alive() for p in processes) and results.empty():
                    break
        if barrier is not None:
            window["tsa_cpu1"] = tree_cpu_seconds(tsa_pid) if tsa_pid else 0.0
            window["machine1_busy"], window["machine1_total"] = _machine_ticks()
    finally:
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join(5)
    if len(reports) < len(tasks):
        reports.append({"failure": "a worker ended without reporting (killed or timed out)"})
    return reports, window


def summarise(
    name: str, reports: list[dict[str, Any]], window: dict[str, float], workers: int
) -> Row:
    bench = BENCHMARKS[name]
    row = Row(
        name=name,
        description=bench.description,
        target=bench.target.describe(bench.unit),
        status="error",
        workers=workers,
    )
    failures = [r["failure"] for r in reports if "failure" in r]
    if failures:
        row.note = failures[0].splitlines()[0]
        print(f"[bench] {name}: a worker failed:\n{failures[0]}", file=sys.stderr)
        return row
    latencies = sorted(x * 1000 for r in reports for x in r["latencies"])
    if not latencies:
        row.note = "no operation succeeded: " + "; ".join(
            key for r in reports for key in r.get("errors", {})
        )
        return row
    t0 = min(r["t0"] for r in reports)
    t1 = max(r["t1"] for r in reports)
    elapsed = t1 - t0
    row.duration_s = round(elapsed, 2)
    for r in reports:
        for key, count in r["outcomes"].items():
            row.outcomes[key] = row.outcomes.get(key, 0) + count
        for key, count in r["errors"].items():
            row.error_kinds[key] = row.error_kinds.get(key, 0) + count
    row.errors = sum(row.error_kinds.values())
    succeeded = sum(row.outcomes.values())
    row.operations = succeeded + row.errors
    row.p50_ms = round(_percentile(latencies, 0.50), 1)
    row.p95_ms = round(_percentile(latencies, 0.95), 1)
    row.p99_ms = round(_percentile(latencies, 0.99), 1)
    row.max_ms = round(latencies[-1], 1)
    row.mean_ms = round(statistics.fmean(latencies), 1)
    if bench.kind != "validate-many":
        row.per_s = round(succeeded / elapsed, 1)
    workers_cpu = sum(r["cpu_s"] for r in reports)
    tsa_cpu = window.get("tsa_cpu1", 0.0) - window.get("tsa_cpu0", 0.0)
    busy = window.get("machine1_busy", 0) - window.get("machine0_busy", 0)
    total = window.get("machine1_total", 0) - window.get("machine0_total", 0)
    cores = os.cpu_count() or 1
    machine_pct = 100.0 * busy / max(1, total) * cores
    workers_pct = 100.0 * workers_cpu / elapsed
    tsa_pct = 100.0 * tsa_cpu / elapsed
    per_op_ms = 1000.0 * (workers_cpu + tsa_cpu) / row.operations
    row.cpu = {
        "workers_s": round(workers_cpu, 2),
        "tsa_s": round(tsa_cpu, 2),
        "workers_pct": round(workers_pct, 1),
        "tsa_pct": round(tsa_pct, 1),
        "machine_pct": round(machine_pct, 1),
        "other_pct": round(max(0.0, machine_pct - workers_pct - tsa_pct), 1),
        "ms_per_operation": round(per_op_ms, 1),
        # The throughput of the cores if nothing else ran: cores ÷ CPU time per operation.
        "capacity_per_s": round(1000.0 * cores / per_op_ms, 1) if per_op_ms else 0.0,
    }
    met = bench.target.met(row) and row.errors == 0
    row.status = "pass" if met else "fail"
    notes = []
    if row.errors:
        notes.append(f"{row.errors} operations failed: " + "; ".join(row.error_kinds))
    if bench.kind != "sign":
        expected = f"valid, {1 if bench.kind == 'validate' else 10} signature(s)"
        odd = {k: v for k, v in row.outcomes.items() if k != expected}
        if odd:
            row.status = "fail"
            notes.append(
                f"results other than {expected}: " + ", ".join(f"{k} ×{v}" for k, v in odd.items())
            )
    if row.cpu["other_pct"] > OTHER_LOAD_WARNING_PCT:
        notes.append(
            f"other processes used {row.cpu['other_pct']:g} % CPU during the run: the machine "
            "was shared, the numbers understate the code"
        )
    row.note = "; ".join(notes)
    return row


def machine_info() -> dict[str, Any]:
    from importlib.metadata import version

    cpu_model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu_model = line.split(":", 1)[1].strip()
            break
    ram_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            ram_kb = int(line.split()[1])
    try:
        softhsm = subprocess.run(
            ["softhsm2-util", "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        softhsm = "not found"
    commit = subprocess.run(
        ["git", "-C", str(BENCH_DIR.parent), "rev-parse", "--short", "HEAD"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    return {
        "cpu_model": cpu_model,
        "cores": os.cpu_count(),
        "ram_gib": round(ram_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "pyhanko": version("pyHanko"),
        "pyhanko_certvalidator": version("pyhanko-certvalidator"),
        "python_pkcs11": version("python-pkcs11"),
        "cryptography": version("cryptography"),
        "softhsm": softhsm or "unknown",
        "git_commit": commit or "unknown",
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }


def markdown(rows: list[Row], machine: dict[str, Any], settings: dict[str, Any], date: str) -> str:
    def num(value: float | None, digits: int = 1) -> str:
        return "—" if value is None else f"{value:,.{digits}f}"

    head = (
        "| benchmark | result | target | per s | p50 ms | p95 ms | p99 ms | max ms | operations "
        "| errors | CPU s workers / TSA | CPU % workers / TSA / other | CPU ms/op | capacity/s |\n"
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|\n"
    )
    lines = []
    for r in rows:
        c = r.cpu
        result = r.status.upper() if r.status in {"pass", "fail"} else r.status
        lines.append(
            f"| {r.name} | {result} | {r.target} | {num(r.per_s)} | {num(r.p50_ms)} "
            f"| {num(r.p95_ms)} | {num(r.p99_ms)} | {num(r.max_ms)} | {r.operations:,} "
            f"| {r.errors} | "
            + (
                f"{c['workers_s']:g} / {c['tsa_s']:g} | {c['workers_pct']:g} / {c['tsa_pct']:g} "
                f"/ {c['other_pct']:g} | {c['ms_per_operation']:g} | {c['capacity_per_s']:,.0f} |"
                if c
                else "— | — | — | — |"
            )
        )
    notes = [f"- **{r.name}**: {r.note}" for r in rows if r.note]
    described = [
        f"- `{r.name}` ({r.workers} process{'es' if r.workers > 1 else ''}): {r.description}."
        for r in rows
    ]
    load = ", ".join(f"{x:.2f}" for x in machine["load_average_before"])
    text = [
        f"## tinhso signature benchmarks — {date}",
        "",
        head + "\n".join(lines),
        "",
        *([*notes, ""] if notes else []),
        *described,
        "",
        f"- Runs: {settings['workers']} worker processes, {settings['duration']:g} s each after a "
        f"{settings['warmup']:g} s warm-up; `validate-10*`: {settings['runs']} validations one "
        f"after the other; `validate`: {settings['files']} distinct signed files. Latency is "
        "that of each operation that succeeded (nearest-rank percentiles); per s = operations "
        "that succeeded ÷ the window's wall time; operations counts the failed ones too. "
        "CPU time is of the worker processes with their children (the validation sandboxes) "
        "and of the timestamp authority's process; % is of one core (200 % = both cores of a "
        "2-core machine), other = the rest of the machine; capacity = cores ÷ CPU ms per "
        "operation, the rate with nothing else running.",
        f"- Machine: {machine['cpu_model']}, {machine['cores']} cores, {machine['ram_gib']} GiB "
        f"RAM, Linux {machine['kernel']}; Python {machine['python']}, pyHanko "
        f"{machine['pyhanko']}, pyhanko-certvalidator {machine['pyhanko_certvalidator']}, "
        f"python-pkcs11 {machine['python_pkcs11']}, cryptography {machine['cryptography']}, "
        f"SoftHSM {machine['softhsm']}; commit {machine['git_commit']}; load average before "
        f"the run {load}.",
    ]
    return "\n".join(text) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--duration", type=float, default=20, help="seconds per throughput row")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per worker")
    parser.add_argument("--runs", type=int, default=20, help="validations of the 10-signature PDF")
    parser.add_argument("--files", type=int, default=120, help="distinct single-signature PDFs")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma list of rows")
    parser.add_argument("--out-dir", type=Path, default=BENCH_DIR.parent / "var" / "bench")
    parser.add_argument("--keep", action="store_true", help="keep the PKI and signed files")
    parser.add_argument("--profile", action="store_true", help="cProfile each worker's window")
    parser.add_argument("--serve-pki", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_pki:
        serve_pki()
        return 0
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown rows: {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    if args.runs < 10 or args.files < 1 or args.workers < 1:
        parser.error("--runs must be at least 10, --files and --workers at least 1")

    machine = machine_info()
    date = dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="tinhso-bench-signatures-"))
    tsa: subprocess.Popen[str] | None = None
    rows: list[Row] = []
    try:
        say(f"PKI and token in {work}")
        tsa = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--serve-pki"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert tsa.stdin is not None and tsa.stdout is not None
        base_url = tsa.stdout.readline().strip()
        if not base_url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"the PKI services did not start (said {base_url!r})")
        setup = build_setup(work, base_url)
        tsa.stdin.write(setup.pki_dir + "\n")
        tsa.stdin.flush()
        if tsa.stdout.readline().strip() != "ready":
            raise RuntimeError("the PKI services did not load the PKI")
        say(f"timestamp authority: {base_url}/tsa (pid {tsa.pid})")

        ctx = multiprocessing.get_context("spawn")
        files = tuple(str(work / "signed" / f"single-{n:04d}.pdf") for n in range(args.files))
        if any(n.startswith("validate") and n != "validate-10-generated" for n in names):
            (work / "signed").mkdir()
            say(f"signing {args.files} single-signature PDFs and the 10-signature PDF")
            started = time.monotonic()
            reports, _ = run_workers(
                ctx,
                [
                    Task("prepare", i, args.workers, setup, files=files, out_dir=str(work))
                    for i in range(args.workers)
                ],
                tsa_pid=tsa.pid,
                timeout=600,
            )
            failed = [r["failure"] for r in reports if "failure" in r]
            if failed:
                raise RuntimeError("preparing the signed PDFs failed:\n" + failed[0])
            say(f"signed in {time.monotonic() - started:.1f} s")

        profile_dir = str(args.out_dir / "profiles") if args.profile else ""
        if profile_dir:
            Path(profile_dir).mkdir(parents=True, exist_ok=True)
        for name in names:
            kind = BENCHMARKS[name].kind
            workers = 1 if kind == "validate-many" else args.workers
            task_files = (str(work / "ten.pdf"),) if name == "validate-10" else files
            tasks = [
                Task(
                    name,
                    i,
                    workers,
                    setup,
                    duration=args.duration,
                    warmup=args.warmup,
                    runs=args.runs if kind == "validate-many" else 0,
                    files=task_files,
                    profile_dir=profile_dir,
                )
                for i in range(workers)
            ]
            say(
                f"{name}: {workers} worker(s), "
                + (f"{args.runs} runs" if kind == "validate-many" else f"{args.duration:g} s")
            )
            reports, window = run_workers(
                ctx, tasks, tsa_pid=tsa.pid if kind == "sign" else None, timeout=600
            )
            row = summarise(name, reports, window, workers)
            rows.append(row)
            say(
                f"{name}: {row.status}, {num_or_dash(row.per_s)}/s, p50 {num_or_dash(row.p50_ms)} "
                f"ms, p95 {num_or_dash(row.p95_ms)} ms, errors {row.errors}"
            )
    except Exception as exc:
        print(f"[bench] signatures: could not run: {exc}", file=sys.stderr)
        traceback.print_exc()
        return 2
    finally:
        if tsa is not None:
            if tsa.stdin:
                tsa.stdin.close()
            try:
                tsa.wait(10)
            except subprocess.TimeoutExpired:
                tsa.kill()
                tsa.wait()
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    settings = {
        "workers": args.workers,
        "duration": args.duration,
        "warmup": args.warmup,
        "runs": args.runs,
        "files": args.files,
    }
    table = markdown(rows, machine, settings, date)
    payload = {
        "date": date,
        "machine": machine,
        "settings": settings,
        "rows": [asdict(r) for r in rows],
    }
    text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for stem in ("signatures", f"signatures-{stamp}"):
        (args.out_dir / f"{stem}.json").write_text(text)
        (args.out_dir / f"{stem}.md").write_text(table)
    print()
    print(table)
    print(f"[bench] results: {args.out_dir}/signatures.md and signatures.json")
    return 0 if rows and all(r.status == "pass" for r in rows) else 1


def build_setup(work: Path, base_url: str) -> Setup:
    """The test PKI (keys generated on a fresh SoftHSM2 token) and the documents to sign."""
    from tinhso.signatures.pki import DEMO_PIN, DEMO_SO_PIN, Party, build_test_pki
    from tinhso.signatures.softhsm import ensure_softhsm_conf, softhsm_conf_create
    from tinhso.signatures.tests import pdfs

    assert DEMO_PIN == PIN
    conf = softhsm_conf_create(work / "softhsm")
    ensure_softhsm_conf(conf)
    agency = pdfs.AGENCY_NAME
    manifest = build_test_pki(
        work / "pki",
        parties=[
            Party(f"agency:{AGENCY_CODE}", "agency", agency, AGENCY_CODE, agency),
            Party(
                "person:leader",
                "person",
                pdfs.LEADER_NAME,
                AGENCY_CODE,
                agency,
                title=pdfs.LEADER_TITLE,
            ),
            Party("person:clerk", "person", "Trần Thị Bích", AGENCY_CODE, agency, title="Văn thư"),
        ],
        base_url=base_url,
        now=dt.datetime.now(dt.UTC),
        token_label=TOKEN_LABEL,
        user_pin=DEMO_PIN,
        so_pin=DEMO_SO_PIN,
        softhsm_conf=conf,
    )
    # A decision of one page (the signing rows), and of two and three pages for variety among
    # the files validated.
    documents = tuple(pdfs.official_document(pages=pages) for pages in (1, 2, 3))
    return Setup(
        pki_dir=str(manifest.directory),
        softhsm_conf=str(conf),
        documents=documents,
        leader_name=pdfs.LEADER_NAME,
        leader_title=pdfs.LEADER_TITLE,
    )


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def num_or_dash(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


if __name__ == "__main__":
    sys.exit(main())
