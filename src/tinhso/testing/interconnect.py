"""A hub and two installations as separate processes on loopback, each with its own database:
the harness of the interconnection tests and of the exchange benchmark (issue 6 §4,
docs/decisions/0005-interconnection.md).

What runs, per `Interconnect`::

    hub           gunicorn (TINHSO_ROLE=hub)      + manage.py hub_worker        database …_hub
    installation  gunicorn (/api/v1/ to drive it) + manage.py exchange_worker   database …_a, …_b

Every process has its own `TINHSO_VAR_DIR` and `DATABASE_URL`; the installations reach the
hub over HTTP with requests signed by their node key (`make_node_credentials`), and sign
envelopes with their agencies' seal keys on the test PKI's SoftHSM2 token, whose PIN they read
from `SEAL_PIN_ENV` (the `pin_env` of the seal keys).

Databases: one template is migrated once (per run, and kept for the next run while the
migrations do not change: its name carries a digest of them) and copied for each process —
``CREATE DATABASE … TEMPLATE …`` on PostgreSQL (about 0.1 s), a file copy on SQLite. The names
start with the database name of `DATABASE_URL` (``itest_db`` → ``itest_db_ic_gw0_3f2a_hub``)
and carry the xdist worker, so parallel workers never share one; `Interconnect.close` drops
them and stops every process, on failure too, and a process started here dies with the one
that started it (PR_SET_PDEATHSIG).

Seeding runs inside the installation's environment: ``python -m tinhso.testing.interconnect
seed-node SPEC.json`` calls the organisation, account, signature and token services and prints
what it made (ids and API tokens) as JSON. The hub is seeded with its own management commands
(hub_trust_add for the PKI's root, hub_node_add with --certificate and one --agency per agency
the node serves), called in one process.

Typical use (see src/tinhso/exchange/tests/integration/conftest.py)::

    with Interconnect(work_dir, pki=test_pki) as net:
        a, b = net.installation("a"), net.installation("b")
        clerk = a.api("a.vanthu")
        clerk.get("/api/v1/documents/outgoing/")
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import fcntl
import hashlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Final, TypeVar

#: The repository (src/tinhso/testing/interconnect.py → four levels up).
ROOT: Final = Path(__file__).resolve().parents[3]
SRC: Final = ROOT / "src"
#: The interpreter and gunicorn of the running virtual environment.
PYTHON: Final = sys.executable
GUNICORN: Final = str(Path(sys.executable).with_name("gunicorn"))
MANAGE: Final = str(ROOT / "manage.py")

#: The environment variable holding the seal keys' PIN in every installation process.
SEAL_PIN_ENV: Final = "TINHSO_INTERCONNECT_SEAL_PIN"
#: The password of every seeded account (never used: the API is driven with tokens).
PASSWORD: Final = "Lien-thong-thu-nghiem-2026"
SYSTEM_ACTOR: Final = "system:interconnect"

#: Variables of the calling process that must not leak into the servers: each process gets
#: its own database, directory, role and node identity, and no shared Redis (the cache
#: would be shared between installations).
_PRIVATE_ENV: Final = (
    "DATABASE_URL",
    "DJANGO_SETTINGS_MODULE",
    "REDIS_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "LOG_LEVEL",
    "SOFTHSM2_CONF",
)
_PRIVATE_PREFIXES: Final = ("TINHSO_", "GUNICORN_", "PYTEST_", "HUB_", "BENCH_")

T = TypeVar("T")


class HarnessError(RuntimeError):
    """The harness could not set something up; the message says what and where to look."""


# --- Small tools --------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the kernel's choice; taken again at once by the caller)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(
    predicate: Callable[[], T | None],
    *,
    timeout: float,
    interval: float = 0.1,
    message: str | Callable[[], str] = "condition",
) -> T:
    """Call `predicate` until it returns something truthy; raise `TimeoutError` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            text = message() if callable(message) else message
            raise TimeoutError(f"waited {timeout:g} s for {text}")
        time.sleep(interval)


def xdist_worker() -> str:
    """``gw0``, ``gw1`` … under pytest-xdist, ``main`` otherwise."""
    return os.environ.get("PYTEST_XDIST_WORKER", "") or "main"


_PR_SET_PDEATHSIG: Final = 1


def _die_with_parent() -> None:
    """In the child, before exec: receive SIGKILL when the parent dies (Linux), so that an
    interrupted test run leaves no server behind."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


# --- Databases ----------------------------------------------------------------------------------


def shared_directory() -> Path:
    """Where the SQLite template and copies live: the caller's var directory (shared by the
    xdist workers of a run, kept between runs)."""
    return Path(os.environ.get("TINHSO_VAR_DIR") or ROOT / "var") / "interconnect"


def _migrations_digest() -> str:
    """What the template's schema depends on: every migration file and Django's version."""
    import django

    digest = hashlib.sha256(django.get_version().encode())
    for path in sorted(SRC.glob("tinhso/*/migrations/*.py")):
        digest.update(str(path.relative_to(SRC)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


@dataclass
class DatabaseServer:
    """Where the databases of the processes live: a PostgreSQL server (`url` names a database
    on it, whose name is the prefix of ours) or, without `url`, SQLite files in `directory`."""

    url: str
    directory: Path
    prefix: str = ""
    #: Seconds spent making the template in this process (0 when it was there already).
    template_seconds: float = 0.0
    template_reused: bool = False
    _template: str = ""

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if not self.prefix:
            if self.is_postgres:
                name = urllib.parse.unquote(urllib.parse.urlsplit(self.url).path.lstrip("/"))
                self.prefix = (name or "tinhso")[:30]
            else:
                self.prefix = "tinhso"

    @classmethod
    def from_environment(cls, directory: Path, url: str | None = None) -> DatabaseServer:
        """PostgreSQL when `url` (default: ``DATABASE_URL``) is a PostgreSQL URL, else SQLite."""
        url = os.environ.get("DATABASE_URL", "") if url is None else url
        if not url.startswith(("postgres://", "postgresql://")):
            url = ""
        return cls(url=url, directory=directory)

    @property
    def is_postgres(self) -> bool:
        return bool(self.url)

    @property
    def engine(self) -> str:
        return "postgresql" if self.is_postgres else "sqlite"

    # PostgreSQL ---------------------------------------------------------------------------

    def _url_for(self, name: str) -> str:
        parts = urllib.parse.urlsplit(self.url)
        return urllib.parse.urlunsplit(parts._replace(path="/" + name))

    @contextlib.contextmanager
    def _admin(self) -> Iterator[Any]:
        import psycopg

        with psycopg.connect(self._url_for("postgres"), autocommit=True) as connection:
            yield connection

    # Both ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """One process at a time makes or copies the template (the xdist workers share it)."""
        import tempfile

        where = Path(tempfile.gettempdir()) if self.is_postgres else self.directory
        path = where / f"tinhso-interconnect-{self.prefix}.lock"
        with path.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _sqlite_path(self, name: str) -> Path:
        return self.directory / f"{name}.sqlite3"

    def url_of(self, name: str) -> str:
        if self.is_postgres:
            return self._url_for(name)
        return f"sqlite:///{self._sqlite_path(name)}"

    def _exists(self, name: str) -> bool:
        if not self.is_postgres:
            return self._sqlite_path(name).exists()
        with self._admin() as c:
            return (
                c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
                is not None
            )

    def template(self, env: Mapping[str, str]) -> str:
        """The migrated template's name, made (``manage.py migrate``) when missing."""
        if self._template:
            return self._template
        name = f"{self.prefix}_ic_tpl_{_migrations_digest()}"
        with self._lock():
            if self._exists(name):
                self.template_reused = True
            else:
                started = time.monotonic()
                self._drop_stale_templates(keep=name)
                building = f"{self.prefix}_ic_tplnew"
                self._drop(building)
                self._create_empty(building)
                result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
                    [PYTHON, MANAGE, "migrate", "--noinput", "-v0"],
                    env={**env, "DATABASE_URL": self.url_of(building)},
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    check=False,
                    timeout=600,
                )
                if result.returncode != 0:
                    self._drop(building)
                    raise HarnessError(f"migrating the template failed:\n{result.stderr[-4000:]}")
                self._rename(building, name)
                self.template_seconds = time.monotonic() - started
        self._template = name
        return name

    def _create_empty(self, name: str) -> None:
        if self.is_postgres:
            with self._admin() as c:
                c.execute(f'CREATE DATABASE "{name}"')
        else:
            self._sqlite_path(name).unlink(missing_ok=True)

    def _rename(self, old: str, new: str) -> None:
        if self.is_postgres:
            with self._admin() as c:
                c.execute(f'ALTER DATABASE "{old}" RENAME TO "{new}"')
        else:
            # Fold the write-ahead log into the file, so that one file is the whole database.
            with contextlib.closing(sqlite3.connect(self._sqlite_path(old))) as c:
                c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                c.execute("PRAGMA journal_mode=DELETE")
            self._sqlite_path(old).rename(self._sqlite_path(new))
            for suffix in ("-wal", "-shm"):
                Path(f"{self._sqlite_path(old)}{suffix}").unlink(missing_ok=True)

    def _drop_stale_templates(self, *, keep: str) -> None:
        pattern = f"{self.prefix}_ic_tpl_"
        if self.is_postgres:
            with self._admin() as c:
                rows = c.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s",
                    [pattern.replace("_", r"\_") + "%"],
                ).fetchall()
            for (name,) in rows:
                if name != keep:
                    self._drop(name)
        else:
            for path in self.directory.glob(f"{pattern}*.sqlite3"):
                if path.stem != keep:
                    path.unlink(missing_ok=True)

    def drop_leftovers(self, stem: str) -> list[str]:
        """Drop the databases of an earlier run of this worker that did not clean up."""
        dropped: list[str] = []
        if self.is_postgres:
            with self._admin() as c:
                rows = c.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s",
                    [stem.replace("_", r"\_") + "%"],
                ).fetchall()
            dropped = [name for (name,) in rows]
            self.drop_all(dropped)
        else:
            for path in self.directory.glob(f"{stem}*.sqlite3"):
                self._drop(path.stem)
                dropped.append(path.stem)
        return dropped

    def create(self, name: str, env: Mapping[str, str]) -> str:
        """A new database `name`, a copy of the template; returns its URL."""
        template = self.template(env)
        if self.is_postgres:
            with self._lock(), self._admin() as c:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                c.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            self._drop(name)
            shutil.copyfile(self._sqlite_path(template), self._sqlite_path(name))
        return self.url_of(name)

    def _drop(self, name: str) -> None:
        if self.is_postgres:
            with self._admin() as c:
                c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            path = self._sqlite_path(name)
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)

    def drop(self, name: str) -> None:
        self._drop(name)

    def drop_all(self, names: Sequence[str]) -> None:
        """Drop the databases side by side: PostgreSQL checkpoints for each DROP DATABASE
        (about 3 s each one after the other, 1.3 s for three at once)."""
        from concurrent.futures import ThreadPoolExecutor

        def drop(name: str) -> None:
            with contextlib.suppress(Exception):
                self._drop(name)

        with ThreadPoolExecutor(max_workers=max(1, len(names))) as pool:
            list(pool.map(drop, names))

    # Reading a process's database from the test ------------------------------------------------

    def query(self, name: str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one read query on database `name` (``%s`` placeholders on both engines)."""
        if self.is_postgres:
            import psycopg

            with psycopg.connect(self._url_for(name), autocommit=True) as c:
                return list(c.execute(sql, params).fetchall())
        uri = f"file:{self._sqlite_path(name)}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=20)) as c:
            return list(c.execute(sql.replace("%s", "?"), tuple(params)).fetchall())


# --- Processes ----------------------------------------------------------------------------------


@dataclass
class Process:
    """One OS process of the harness, in a process group of its own, logging to a file."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        if self.running:
            raise HarnessError(f"{self.name} is already running")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        log.write(
            f"\n===== start {self.starts + 1} at {dt.datetime.now():%H:%M:%S.%f} =====\n".encode()
        )
        log.flush()
        try:
            self.popen = subprocess.Popen(  # noqa: S603 - our own interpreter and commands
                self.argv,
                env=self.env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        finally:
            log.close()
        self.starts += 1

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen is not None else None

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def _signal_group(self, signum: int) -> None:
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signum)

    def kill(self) -> None:
        """SIGKILL to the whole group (a gunicorn master and its workers), then reap."""
        if self.popen is None:
            return
        self._signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(10)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM to the group, SIGKILL after `timeout` seconds."""
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self._signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout)
        # Whatever is left of the group (a worker that outlived its master) goes too.
        self._signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(5)

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def cpu_seconds(self) -> float:
        """CPU time of the process and its live children (gunicorn workers), from /proc."""
        if self.popen is None:
            return 0.0
        return tree_cpu_seconds(self.popen.pid)

    def rss_bytes(self) -> int:
        """Resident memory of the process and its live children."""
        if self.popen is None:
            return 0
        return tree_rss_bytes(self.popen.pid)


def _proc_children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        with contextlib.suppress(OSError):
            found.extend(int(x) for x in (task / "children").read_text().split())
    return found


def _tree(pid: int) -> list[int]:
    pending, seen = [pid], []
    while pending:
        current = pending.pop()
        seen.append(current)
        pending.extend(_proc_children(current))
    return seen


_TICKS: Final = os.sysconf("SC_CLK_TCK")
_PAGE: Final = os.sysconf("SC_PAGE_SIZE")


def tree_cpu_seconds(pid: int) -> float:
    """utime + stime (+ the reaped children's) of `pid` and its descendants, in seconds."""
    ticks = 0
    for current in _tree(pid):
        try:
            raw = Path(f"/proc/{current}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        ticks += sum(int(fields[i]) for i in (11, 12, 13, 14))
    return ticks / _TICKS


def tree_rss_bytes(pid: int) -> int:
    total = 0
    for current in _tree(pid):
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


# --- What the installations hold ----------------------------------------------------------------


@dataclass(frozen=True)
class UserSpec:
    username: str
    full_name: str
    role: str  # tinhso.accounts.models.Role
    department: str = ""  # short name of one of the agency's departments


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    short_name: str
    level: str  # AgencyLevel
    kind: str  # AgencyKind
    departments: tuple[tuple[str, str], ...] = ()  # (name, short name)
    users: tuple[UserSpec, ...] = ()

    @property
    def seal_party(self) -> str:
        """The key of its seal in the test PKI."""
        return f"agency:{self.code}"


@dataclass(frozen=True)
class NodeSpec:
    name: str  # "a", "b": the harness's handle
    code: str  # the node's code at the hub
    title: str
    agencies: tuple[AgencySpec, ...]


#: Installation A: a provincial department of Thành phố Huế (legacy QCVN 102 code, as the
#: national axis still carries them).
NODE_A: Final = NodeSpec(
    name="a",
    code="NODE-A",
    title="Thành phố Huế",
    agencies=(
        AgencySpec(
            code="000.00.31.H57",
            name="Sở Nội vụ",
            short_name="SNV",
            level="province",
            kind="so",
            departments=(("Phòng Tổ chức, biên chế", "TCBC"),),
            users=(
                UserSpec("a.vanthu", "Lê Thị Mỹ Linh", "van_thu"),
                UserSpec("a.chuyenvien", "Trần Văn Bình", "chuyen_vien", "TCBC"),
                UserSpec("a.giamdoc", "Hoàng Thị Thanh Tâm", "lanh_dao"),
            ),
        ),
    ),
)

#: Installation B: another province's commune People's Committee (a code of the current form,
#: Quyết định 09/2025/QĐ-TTg) and one of its departments (legacy form).
NODE_B: Final = NodeSpec(
    name="b",
    code="NODE-B",
    title="Tỉnh Quảng Trị",
    agencies=(
        AgencySpec(
            code="H50.26.19",
            name="Ủy ban nhân dân xã Hải Lăng",
            short_name="UBND",
            level="commune",
            kind="ubnd",
            departments=(("Phòng Kinh tế", "KT"),),
            users=(
                UserSpec("b.xa.vanthu", "Nguyễn Thị Hoa", "van_thu"),
                UserSpec("b.xa.chutich", "Phan Văn Đức", "lanh_dao"),
                UserSpec("b.xa.chuyenvien", "Lê Văn Khánh", "chuyen_vien", "KT"),
            ),
        ),
        AgencySpec(
            code="000.00.13.H50",
            name="Sở Tài chính",
            short_name="STC",
            level="province",
            kind="so",
            departments=(("Phòng Quản lý ngân sách", "QLNS"),),
            users=(
                UserSpec("b.stc.vanthu", "Võ Thị Lan", "van_thu"),
                UserSpec("b.stc.giamdoc", "Trương Quang Minh", "lanh_dao"),
                UserSpec("b.stc.chuyenvien", "Đặng Thị Thu", "chuyen_vien", "QLNS"),
            ),
        ),
    ),
)

DEFAULT_NODES: Final = (NODE_A, NODE_B)


# --- The REST API of an installation ------------------------------------------------------------


@dataclass(frozen=True)
class ApiResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class ApiError(AssertionError):
    """An answer other than the one expected (the body says why)."""


class ApiClient:
    """A client of one installation's (or the hub's) HTTP interface, with a bearer token.

    Keeps one connection alive; a connection the server closed is opened again once.
    """

    def __init__(self, base_url: str, token: str = "", *, timeout: float = 60.0) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self.base_url = base_url.rstrip("/")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.token = token
        self.timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        expect: int | Sequence[int] | None = None,
    ) -> ApiResponse:
        sent: dict[str, str] = {"Accept": "application/json", **(headers or {})}
        if self.token:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        if json_body is not None:
            body = json.dumps(json_body).encode("utf-8")
            sent["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout
                )
            try:
                self._connection.request(method, path, body=body, headers=sent)
                raw = self._connection.getresponse()
                answer = ApiResponse(
                    status=raw.status,
                    headers={k.lower(): v for k, v in raw.getheaders()},
                    body=raw.read(),
                )
                if answer.headers.get("connection", "").lower() == "close":
                    self.close()
                break
            except (ConnectionError, http.client.HTTPException, OSError):
                self.close()
                if attempt == 2:
                    raise
        if expect is not None:
            wanted = (expect,) if isinstance(expect, int) else tuple(expect)
            if answer.status not in wanted:
                raise ApiError(
                    f"{method} {path}: HTTP {answer.status}, expected {wanted}: {answer.text[:2000]}"
                )
        return answer

    def get(self, path: str, *, expect: int | Sequence[int] | None = 200) -> Any:
        return self.request("GET", path, expect=expect).json()

    def post(self, path: str, body: Any = None, *, expect: int | Sequence[int] | None = 200) -> Any:
        return self.request(
            "POST", path, json_body=body if body is not None else {}, expect=expect
        ).json()

    def upload(self, name: str, content: bytes, content_type: str = "application/pdf") -> int:
        """``POST /api/v1/files/`` (multipart): the new file's id."""
        boundary = uuid.uuid4().hex
        quoted = name.replace('"', "")
        payload = b"".join(
            [
                f"--{boundary}\r\n".encode(),
                f'Content-Disposition: form-data; name="file"; filename="{quoted}"\r\n'.encode(),
                f"Content-Type: {content_type}\r\n\r\n".encode(),
                content,
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        answer = self.request(
            "POST",
            "/api/v1/files/",
            body=payload,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            expect=201,
        )
        return int(answer.json()["id"])


# --- One installation and the hub ---------------------------------------------------------------


@dataclass
class Service:
    """A deployable part: a web server and its worker, with their database and directory."""

    name: str
    url: str
    port: int
    env: dict[str, str]
    database: str  # its name on the DatabaseServer
    var_dir: Path
    web: Process
    worker: Process | None
    server: DatabaseServer

    @property
    def processes(self) -> list[Process]:
        return [p for p in (self.web, self.worker) if p is not None]

    def manage(self, *args: str, timeout: float = 120, check: bool = True) -> str:
        """``manage.py <args>`` in this service's environment; its standard output."""
        result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [PYTHON, MANAGE, *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise HarnessError(
                f"{self.name}: manage.py {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
            )
        return result.stdout

    def python(self, code: str, *, timeout: float = 120) -> Any:
        """Run `code` with Django set up in this service's environment; whatever it assigns to
        ``result`` comes back (through JSON). For what the API does not offer."""
        result = subprocess.run(  # noqa: S603 - our own interpreter
            [PYTHON, "-m", "tinhso.testing.interconnect", "run"],
            input=code,
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise HarnessError(f"{self.name}: code failed:\n{result.stderr[-4000:]}")
        lines = [line for line in result.stdout.splitlines() if line.startswith(_RESULT_MARK)]
        if not lines:
            raise HarnessError(f"{self.name}: no result:\n{result.stdout[-2000:]}")
        return json.loads(lines[-1][len(_RESULT_MARK) :])

    def sql(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """A read query on this service's database, straight from the test process."""
        return self.server.query(self.database, query, params)

    def start(self) -> None:
        for p in self.processes:
            if not p.running:
                p.start()

    def stop(self) -> None:
        for p in self.processes:
            p.stop()

    def kill(self) -> None:
        """SIGKILL every process of the service (web server and worker) at once."""
        for p in self.processes:
            p._signal_group(signal.SIGKILL)
        for p in self.processes:
            p.kill()

    def ready(self, path: str) -> bool:
        try:
            with contextlib.closing(
                http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            ) as c:
                c.request("GET", path)
                return c.getresponse().status < 500
        except OSError:
            return False

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        def check() -> bool:
            dead = [p for p in self.processes if p.popen is not None and not p.running]
            if dead:
                raise HarnessError(
                    f"{dead[0].name} exited ({dead[0].popen and dead[0].popen.returncode}):\n"
                    f"{dead[0].log_tail()}"
                )
            return self.ready(path)

        wait_for(check, timeout=timeout, interval=0.1, message=f"{self.name} at {self.url}{path}")


@dataclass
class Installation(Service):
    spec: NodeSpec = NODE_A
    #: From the seeding: agencies, departments and users by code / short name / username.
    seed: dict[str, Any] = field(default_factory=dict)
    _clients: dict[str, ApiClient] = field(default_factory=dict)
    _sessions: dict[str, Any] = field(default_factory=dict)

    def api(self, username: str) -> ApiClient:
        """A client of the REST API with the user's token."""
        client = self._clients.get(username)
        if client is None:
            token = self.seed["users"][username]["token"]
            client = self._clients[username] = ApiClient(self.url, token)
        return client

    def user_id(self, username: str) -> int:
        return int(self.seed["users"][username]["id"])

    def agency_id(self, code: str) -> int:
        return int(self.seed["agencies"][code]["id"])

    def close_clients(self) -> None:
        for client in self._clients.values():
            client.close()

    def page(self, username: str, path: str) -> str:
        """The HTML of a page as `username` sees it (signed in through the login form)."""
        opener = self._sessions.get(username)
        if opener is None:
            opener = self._sessions[username] = _signed_in(self.url, username)
        with opener.open(self.url + path, timeout=60) as response:
            text: str = response.read().decode("utf-8")
            return text

    def hub_client(self) -> Any:
        """The node's own `HttpHubClient` (its key, its code): to talk to the hub as this
        installation does, e.g. to send bytes the worker would never send."""
        from tinhso.exchange.client import HttpHubClient
        from tinhso.exchange.httpsig import load_private_key

        key = load_private_key(Path(self.env["TINHSO_HUB_KEY_FILE"]).read_bytes())
        return HttpHubClient(self.env["TINHSO_HUB_URL"], node=self.spec.code, key=key)


def _signed_in(base_url: str, username: str) -> Any:
    """A urllib opener holding the session of `username`, signed in with the login form."""
    import http.cookiejar
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base_url}/accounts/login/", timeout=60) as response:
        response.read()
    token = next((c.value for c in jar if c.name == "csrftoken"), "")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - base_url is http://127.0.0.1:port
        f"{base_url}/accounts/login/", data=form, headers={"Referer": f"{base_url}/accounts/login/"}
    )
    with opener.open(request, timeout=60) as response:
        response.read()
    if not any(c.name == "sessionid" for c in jar):
        raise HarnessError(f"{username} could not sign in at {base_url}")
    return opener


# --- The whole: hub + installations --------------------------------------------------------------


def _child_env(
    mode: str, var_dir: Path, database_url: str, extra: Mapping[str, str]
) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in _PRIVATE_ENV and not k.startswith(_PRIVATE_PREFIXES)
    }
    env.update(
        {
            "TINHSO_ENV": mode,
            "DJANGO_SETTINGS_MODULE": "tinhso.config.settings",
            # No queue consumer runs beside the servers: background tasks run at once.
            "TINHSO_HUEY_IMMEDIATE": "1",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "TINHSO_TLS": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "TINHSO_VAR_DIR": str(var_dir),
            "DATABASE_URL": database_url,
            "PYTHONPATH": str(SRC),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


@dataclass
class Timings:
    """Seconds spent setting up, by phase (`Interconnect.timings`)."""

    template: float = 0.0
    template_reused: bool = False
    databases: float = 0.0
    credentials: float = 0.0
    seed: float = 0.0
    start: float = 0.0
    total: float = 0.0
    teardown: float = 0.0

    def describe(self) -> str:
        made = "reused" if self.template_reused else f"migrated in {self.template:.1f} s"
        return (
            f"set-up {self.total:.1f} s: template {made}, databases {self.databases:.1f} s, "
            f"PKI keys {self.credentials:.1f} s, seeding {self.seed:.1f} s, "
            f"processes up {self.start:.1f} s"
        )


class Interconnect:
    """A hub and installations, started in `start` (or `with`), stopped and dropped in `close`.

    `pki`: a `tinhso.testing.signing.LocalPki` (the tests' `test_pki`, or `local_pki(…)`), on
    whose token every agency seal gets a key. `mode`: ``test`` (the servers as the suite's
    settings, Huey immediate) or ``production`` (DEBUG off, as the benchmarks run).
    `web_workers`/`web_threads`: gunicorn's, per server. `extra_env`: added to every process
    (`hub_env`, `node_env`: to the hub's or the installations' only).
    """

    def __init__(
        self,
        work_dir: Path,
        *,
        pki: Any,
        nodes: Sequence[NodeSpec] = DEFAULT_NODES,
        server: DatabaseServer | None = None,
        mode: str = "test",
        web_workers: int = 1,
        web_threads: int = 4,
        hub_web_workers: int | None = None,
        extra_env: Mapping[str, str] | None = None,
        hub_env: Mapping[str, str] | None = None,
        node_env: Mapping[str, str] | None = None,
        start_workers: bool = True,
        seed_hub: bool = True,
        worker_interval: float = 0.5,
        profile_dir: Path | None = None,
        tag: str = "",
    ) -> None:
        self.work_dir = Path(work_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.pki = pki
        self.nodes = tuple(nodes)
        self.server = server or DatabaseServer.from_environment(shared_directory())
        self.mode = mode
        self.web_workers = web_workers
        self.web_threads = web_threads
        self.hub_web_workers = hub_web_workers or web_workers
        self.extra_env = dict(extra_env or {})
        self.hub_env = dict(hub_env or {})
        self.node_env = dict(node_env or {})
        self.start_workers = start_workers
        self.seed_hub = seed_hub
        self.worker_interval = worker_interval
        #: cProfile every process (`TINHSO_INTERCONNECT_PROFILE=<dir>` by default): workers run
        #: under `profile`, web servers as sync gunicorn workers (the requests in the main
        #: thread, which cProfile sees) with hooks that write a profile when a worker exits.
        #: Profiles are written on a graceful stop (`Service.stop`), not by `close` (SIGKILL).
        env_profile = os.environ.get("TINHSO_INTERCONNECT_PROFILE", "")
        self.profile_dir = profile_dir or (Path(env_profile) if env_profile else None)
        self.stem = f"{self.server.prefix}_ic_{xdist_worker()}_"
        self.tag = tag or secrets.token_hex(2)
        self.hub: Service | None = None
        self.installations: dict[str, Installation] = {}
        self.timings = Timings()
        self._databases: list[str] = []

    # --- Access ------------------------------------------------------------------------------

    def installation(self, name: str) -> Installation:
        return self.installations[name]

    @property
    def a(self) -> Installation:
        return self.installations["a"]

    @property
    def b(self) -> Installation:
        return self.installations["b"]

    def __enter__(self) -> Interconnect:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- Set-up -------------------------------------------------------------------------------

    def _database(self, role: str) -> str:
        name = f"{self.stem}{self.tag}_{role}"
        self._databases.append(name)
        return name

    def start(self) -> None:
        began = time.monotonic()
        base_env = _child_env(self.mode, self.work_dir / "var-migrate", "", self.extra_env)
        (self.work_dir / "var-migrate").mkdir(exist_ok=True)

        # Databases: the template once, then a copy per process.
        self.server.drop_leftovers(self.stem)
        self.server.template(base_env)
        self.timings.template = self.server.template_seconds
        self.timings.template_reused = self.server.template_reused
        started = time.monotonic()
        urls: dict[str, str] = {}
        for role in ("hub", *(n.name for n in self.nodes)):
            urls[role] = self.server.create(self._database(role), base_env)
        self.timings.databases = time.monotonic() - started

        # Keys: each agency's seal on the test PKI's token, each node's and the hub's request keys.
        started = time.monotonic()
        from tinhso.exchange.httpsig import make_node_credentials
        from tinhso.signatures.pki import Party

        for node in self.nodes:
            for agency in node.agencies:
                self.pki.add_party(
                    Party(agency.seal_party, "agency", agency.name, agency.code, agency.name)
                )
        credentials: dict[str, tuple[Path, Path]] = {}
        for code in ("HUB", *(n.code for n in self.nodes)):
            key_pem, cert_pem = make_node_credentials(code)
            directory = self.work_dir / "credentials"
            directory.mkdir(exist_ok=True)
            key_path, cert_path = directory / f"{code}.key.pem", directory / f"{code}.cert.pem"
            key_path.write_bytes(key_pem)
            key_path.chmod(0o600)
            cert_path.write_bytes(cert_pem)
            credentials[code] = (key_path, cert_path)
        self.timings.credentials = time.monotonic() - started

        # The hub.
        hub_port = free_port()
        hub_url = f"http://127.0.0.1:{hub_port}"
        hub_dir = self.work_dir / "hub"
        hub_dir.mkdir(exist_ok=True)
        hub_env = _child_env(
            self.mode,
            hub_dir / "var",
            urls["hub"],
            {
                **self.extra_env,
                "TINHSO_ROLE": "hub",
                "TINHSO_HUB_KEY_FILE": str(credentials["HUB"][0]),
                "TINHSO_HUB_CERT_FILE": str(credentials["HUB"][1]),
                **self.hub_env,
            },
        )
        pause = ["--interval", f"{self.worker_interval:g}"]
        self.hub = self._service(
            "hub", hub_port, hub_env, urls["hub"], hub_dir, ["hub_worker", *pause], Service
        )

        # The installations.
        pki_env = {
            "TINHSO_SOFTHSM2_CONF": str(self.pki.manifest.softhsm_conf),
            "TINHSO_PKCS11_MODULE": str(self.pki.manifest.module),
            "TINHSO_TSA_URL": str(self.pki.tsa_url),
            SEAL_PIN_ENV: str(self.pki.pin),
        }
        for node in self.nodes:
            port = free_port()
            directory = self.work_dir / f"node-{node.name}"
            directory.mkdir(exist_ok=True)
            env = _child_env(
                self.mode,
                directory / "var",
                urls[node.name],
                {
                    **self.extra_env,
                    **pki_env,
                    "TINHSO_HUB_URL": hub_url,
                    "TINHSO_HUB_NODE_CODE": node.code,
                    "TINHSO_HUB_KEY_FILE": str(credentials[node.code][0]),
                    "TINHSO_HUB_CERT_FILE": str(credentials[node.code][1]),
                    **self.node_env,
                },
            )
            installation = self._service(
                node.name,
                port,
                env,
                urls[node.name],
                directory,
                ["exchange_worker", *pause],
                Installation,
            )
            installation.spec = node
            self.installations[node.name] = installation

        # Seeding: every database at once (each is its own process).
        started = time.monotonic()
        self._seed(credentials)
        self.timings.seed = time.monotonic() - started

        # Servers and workers.
        started = time.monotonic()
        services: list[Service] = [self.hub, *self.installations.values()]
        for service in services:
            service.web.start()
            if self.start_workers and service.worker is not None:
                service.worker.start()
        self.hub.wait_ready("/hub/v1/agencies")
        for installation in self.installations.values():
            installation.wait_ready("/readyz")
        self.timings.start = time.monotonic() - started
        self.timings.total = time.monotonic() - began

    def _service(
        self,
        name: str,
        port: int,
        env: dict[str, str],
        database_url: str,
        directory: Path,
        worker_command: list[str],
        kind: type[T],
    ) -> T:
        (directory / "var").mkdir(exist_ok=True)
        web_env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(self.hub_web_workers if name == "hub" else self.web_workers),
            "GUNICORN_THREADS": str(self.web_threads),
            "GUNICORN_TIMEOUT": "120",
        }
        config = str(SRC / "tinhso/config/gunicorn.py")
        worker_argv = [PYTHON, MANAGE, *worker_command]
        if self.profile_dir is not None:
            self.profile_dir.mkdir(parents=True, exist_ok=True)
            config = str(directory / "gunicorn_profile.py")
            Path(config).write_text(
                _GUNICORN_PROFILE.format(
                    config=str(SRC / "tinhso/config/gunicorn.py"),
                    directory=str(self.profile_dir),
                    name=name,
                )
            )
            web_env["GUNICORN_THREADS"] = "1"
            web_env["GUNICORN_WORKERS"] = str(max(2, int(web_env["GUNICORN_WORKERS"])))
            profile_path = str(self.profile_dir / f"{name}-worker.prof")
            worker_argv = [PYTHON, "-m", "tinhso.testing.interconnect", "profile", profile_path]
            worker_argv += ["--", MANAGE, *worker_command]
        web = Process(
            f"{name}-web",
            [
                GUNICORN,
                "-c",
                config,
                "--pythonpath",
                str(SRC),
                "--no-control-socket",
                "tinhso.config.wsgi:application",
            ],
            web_env,
            directory / "web.log",
        )
        worker = Process(f"{name}-worker", worker_argv, env, directory / "worker.log")
        database = urllib.parse.unquote(urllib.parse.urlsplit(database_url).path.lstrip("/"))
        if not self.server.is_postgres:
            database = Path(database).stem
        return kind(  # type: ignore[call-arg]
            name=name,
            url=f"http://127.0.0.1:{port}",
            port=port,
            env=env,
            database=database,
            var_dir=directory / "var",
            web=web,
            worker=worker,
            server=self.server,
        )

    def _seed(self, credentials: Mapping[str, tuple[Path, Path]]) -> None:
        assert self.hub is not None
        manifest_dir = str(self.pki.manifest.directory)
        running: list[tuple[Installation, subprocess.Popen[str], Path]] = []
        for installation in self.installations.values():
            spec_path = installation.var_dir.parent / "seed.json"
            spec_path.write_text(
                json.dumps(
                    {"node": asdict(installation.spec), "pki": manifest_dir}, ensure_ascii=False
                )
            )
            process = subprocess.Popen(  # noqa: S603 - our own interpreter
                [PYTHON, "-m", "tinhso.testing.interconnect", "seed-node", str(spec_path)],
                env=installation.env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            running.append((installation, process, spec_path))
        hub_error: BaseException | None = None
        try:
            if self.seed_hub:
                self._seed_hub(credentials)
        except BaseException as exc:  # report after the node seeds ended
            hub_error = exc
        for installation, process, _ in running:
            out, err = process.communicate(timeout=300)
            if process.returncode != 0:
                raise HarnessError(f"seeding {installation.name} failed:\n{err[-4000:]}")
            lines = [line for line in out.splitlines() if line.startswith(_RESULT_MARK)]
            installation.seed = json.loads(lines[-1][len(_RESULT_MARK) :])
        if hub_error is not None:
            raise hub_error

    def _seed_hub(self, credentials: Mapping[str, tuple[Path, Path]]) -> None:
        """The hub's registry: each node with its certificate, the agencies it serves, the
        PKI's root as a trust anchor (the hub's own management commands)."""
        assert self.hub is not None
        root = self.work_dir / "credentials" / "pki-root.pem"
        root.write_bytes(self.pki.trust_root_pem)
        script: list[list[str]] = [["hub_trust_add", str(root), "--name", "PKI thử nghiệm"]]
        for node in self.nodes:
            command = ["hub_node_add", node.code, node.title]
            command += ["--certificate", str(credentials[node.code][1])]
            for agency in node.agencies:
                command += ["--agency", f"{agency.code}={agency.name}"]
            script.append(command)
        self.hub.python(_hub_seed_code(script))

    # --- Tear-down -----------------------------------------------------------------------------

    def close(self) -> None:
        began = time.monotonic()
        services: list[Service] = [*self.installations.values()]
        if self.hub is not None:
            services.append(self.hub)
        for installation in self.installations.values():
            installation.close_clients()
        # Nothing is left to finish: every process goes at once (a graceful gunicorn stop
        # waits for idle kept-alive connections), then the databases.
        for service in services:
            for p in service.processes:
                p._signal_group(signal.SIGKILL)
        for service in services:
            for p in service.processes:
                p.kill()
        self.server.drop_all(self._databases)
        self._databases.clear()
        self.timings.teardown = time.monotonic() - began

    def logs(self, lines: int = 40) -> str:
        """The end of every process's log, for a failure message."""
        parts = []
        services: list[Service] = [s for s in (self.hub, *self.installations.values()) if s]
        for service in services:
            for p in service.processes:
                parts.append(f"----- {p.name} ({p.log_path}) -----\n{p.log_tail(lines)}")
        return "\n".join(parts)


_GUNICORN_PROFILE = """# Written by tinhso.testing.interconnect: the project's gunicorn settings, each worker under
# cProfile from its start to its exit.
import cProfile
import os
import time

exec(open({config!r}).read())


def post_worker_init(worker):
    # CPU time, not wall time: what a process waits for (the database, the hub) is not its cost.
    worker.tinhso_profile = cProfile.Profile(time.process_time)
    worker.tinhso_profile.enable()


def worker_exit(server, worker):
    profile = getattr(worker, "tinhso_profile", None)
    if profile is not None:
        profile.disable()
        profile.dump_stats(os.path.join({directory!r}, "{name}-web-%d.prof" % os.getpid()))
"""


def _hub_seed_code(script: Sequence[Sequence[str]]) -> str:
    """Python run in the hub's environment: call its management commands in one process."""
    return (
        "from django.core.management import call_command\n"
        f"for argv in {json.dumps([list(s) for s in script])}:\n"
        "    call_command(*argv)\n"
        "result = True\n"
    )


# --- Files -------------------------------------------------------------------------------------


def padded_pdf(size: int, *, pages: int = 1) -> bytes:
    """A valid PDF of `pages` blank A4 pages and about `size` bytes: a comment of random text in
    the first page's content stream makes up the size (and makes every one distinct), where a
    later incremental update (a signature) does not copy it."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Tài liệu kèm theo"})
    probe = io.BytesIO()
    writer.write(probe)
    missing = max(16, size - len(probe.getvalue()) - 64)
    content = DecodedStreamObject()
    content.set_data(b"% " + secrets.token_hex((missing + 1) // 2)[:missing].encode() + b"\n")
    writer.pages[0][NameObject("/Contents")] = writer._add_object(content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- Envelopes signed in the test process --------------------------------------------------------


def sign_envelope(pki: Any, party: str, data: bytes) -> bytes:
    """`data` (built edXML) with the enveloped XML signature of `party`'s key on the PKI's
    token, as an installation's worker signs it (`tinhso.exchange.envelope`)."""
    import asyncio

    from tinhso.exchange import edxml

    loop = asyncio.new_event_loop()
    try:
        with pki.signer(party) as signer:
            certificates = [pki.certificate(party).dump(), *(c.dump() for c in pki.chain())]

            def sign_raw(message: bytes) -> bytes:
                signature: bytes = loop.run_until_complete(signer.async_sign_raw(message, "sha256"))
                return signature

            signed: bytes = edxml.sign(data, sign_raw=sign_raw, certificates=certificates)
            return signed
    finally:
        loop.close()


# --- The test PKI outside pytest (the benchmark) -------------------------------------------------


@contextlib.contextmanager
def local_pki(directory: Path, *, token_label: str = "interconnect") -> Iterator[Any]:  # noqa: S107
    """What the `test_pki` fixture makes, for a caller without pytest: a `LocalPki` with its
    TSA/OCSP/CRL server on 127.0.0.1, keys on a SoftHSM2 token in `directory`."""
    from tinhso.signatures.pki import DEMO_PIN, DEMO_SO_PIN, build_test_pki
    from tinhso.signatures.pki_services import PkiServices, serve_in_thread
    from tinhso.signatures.softhsm import ensure_softhsm_conf, softhsm_conf_create
    from tinhso.testing.signing import LocalPki

    conf = softhsm_conf_create(directory / "softhsm")
    ensure_softhsm_conf(conf)
    server = serve_in_thread()
    try:
        manifest = build_test_pki(
            directory / "pki",
            parties=LocalPki.PARTIES,
            base_url=server.url,
            now=dt.datetime.now(dt.UTC),
            token_label=token_label,
            user_pin=DEMO_PIN,
            so_pin=DEMO_SO_PIN,
            softhsm_conf=conf,
        )
        server.app = PkiServices(manifest.directory)
        yield LocalPki(manifest=manifest, server=server, pin=DEMO_PIN, so_pin=DEMO_SO_PIN)
    finally:
        server.stop()


# --- Entry points run inside a service's environment ---------------------------------------------

_RESULT_MARK: Final = "@@interconnect-result@@ "


def _emit(value: Any) -> None:
    print(_RESULT_MARK + json.dumps(value, ensure_ascii=False, default=str), flush=True)


def seed_node(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Agencies, departments, officials, seal keys, the trust root and API tokens of one
    installation, through the services (run with Django set up in the installation's env)."""
    from django.db import transaction

    from tinhso.accounts.models import User
    from tinhso.accounts.services.officials import official_create
    from tinhso.accounts.services.tokens import api_token_issue
    from tinhso.organizations.services.agencies import agency_create
    from tinhso.organizations.services.departments import department_create
    from tinhso.signatures.pki import PkiManifest
    from tinhso.signatures.services import signing_key_register, trust_root_add

    manifest = PkiManifest.load(Path(spec["pki"]))
    chain = "".join(_pem(c) for c in manifest.chain())
    node = spec["node"]
    made: dict[str, Any] = {"agencies": {}, "departments": {}, "users": {}}
    with transaction.atomic():
        trust_root_add(actor=None, pem=manifest.root_pem(), note="PKI thử nghiệm liên thông")
        for a in node["agencies"]:
            agency = agency_create(
                actor=SYSTEM_ACTOR,
                code=a["code"],
                name=a["name"],
                short_name=a["short_name"],
                level=a["level"],
                kind=a["kind"],
            )
            made["agencies"][a["code"]] = {"id": agency.pk, "name": agency.name}
            departments = {}
            for name, short in a["departments"]:
                department = department_create(
                    actor=SYSTEM_ACTOR, agency=agency, name=name, short_name=short
                )
                departments[short] = department
                made["departments"][f"{a['code']}/{short}"] = {"id": department.pk}
            for u in a["users"]:
                user = official_create(
                    actor=SYSTEM_ACTOR,
                    agency=agency,
                    role=u["role"],
                    username=u["username"],
                    full_name=u["full_name"],
                    password=PASSWORD,
                    department=departments[u["department"]] if u["department"] else None,
                )
                made["users"][u["username"]] = {
                    "id": user.pk,
                    "agency": a["code"],
                    "role": u["role"],
                }
            record = manifest.parties[f"agency:{a['code']}"]
            key = signing_key_register(
                actor=None,
                agency=agency,
                owner=None,
                certificate_pem=(manifest.directory / record.cert).read_text(),
                chain_pem=chain,
                storage="pkcs11",
                token_label=manifest.token_label,
                key_label=record.key_label,
                key_id=record.key_id,
                pin_env=SEAL_PIN_ENV,
            )
            made["agencies"][a["code"]]["seal_key"] = key.pk
    for username, info in made["users"].items():
        _token, key_text = api_token_issue(actor=User.objects.get(username=username))
        info["token"] = key_text
    return made


def _pem(certificate: Any) -> str:
    from asn1crypto import pem

    return str(pem.armor("CERTIFICATE", certificate.dump()).decode("ascii"))


def main(argv: Sequence[str] | None = None) -> int:
    """``seed-node SPEC.json``, ``run`` (Python code on stdin; `result` is printed as JSON) or
    ``profile OUT.prof -- SCRIPT ARGS…`` (a script, e.g. manage.py, under cProfile; the profile
    is written when it exits, a SIGTERM included: management commands stop cleanly on it)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("seed-node", "run", "profile"):
        print(main.__doc__, file=sys.stderr)
        return 2
    if args[0] == "profile":
        return _profiled(Path(args[1]), args[args.index("--") + 1 :])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.config.settings")
    import django

    django.setup()
    if args[0] == "seed-node":
        spec = json.loads(Path(args[1]).read_text())
        _emit(seed_node(spec))
        return 0
    namespace: dict[str, Any] = {"__name__": "__interconnect__"}
    exec(compile(sys.stdin.read(), "<interconnect>", "exec"), namespace)  # noqa: S102
    _emit(namespace.get("result"))
    return 0


def _profiled(out: Path, argv: list[str]) -> int:
    import cProfile
    import runpy

    # CPU time, not wall time: what a process waits for (the database, the hub) is not its cost.
    profile = cProfile.Profile(time.process_time)
    sys.argv = list(argv)
    code = 0
    profile.enable()
    try:
        runpy.run_path(argv[0], run_name="__main__")
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 0
    finally:
        profile.disable()
        profile.dump_stats(str(out))
    return code


if __name__ == "__main__":
    sys.exit(main())
