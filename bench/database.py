"""Create the benchmark's database afresh and print the server's version and the settings the
figures depend on (`shared_buffers`, `jit`: docs/deploy.md sizes them for production).

    python bench/database.py reset postgres://postgres@127.0.0.1:5432/tinhso_bench

The database is dropped first, so the name must contain "bench": a mistyped
BENCH_DATABASE_URL must not wipe a real database.
"""

from __future__ import annotations

import sys
import urllib.parse

import psycopg
from psycopg import sql


def reset(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise SystemExit(f"BENCH_DATABASE_URL must be a PostgreSQL URL, not {parts.scheme}://…")
    name = urllib.parse.unquote(parts.path.lstrip("/"))
    if "bench" not in name:
        raise SystemExit(
            f"refusing to drop database {name!r}: the benchmark database's name must contain "
            "'bench' (it is dropped and created again on every run)"
        )
    maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as connection:
        version = connection.execute("SHOW server_version").fetchone()
        buffers = connection.execute("SHOW shared_buffers").fetchone()
        jit = connection.execute("SHOW jit").fetchone()
        identifier = sql.Identifier(name)
        # FORCE ends the sessions a previous, interrupted run may have left open.
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(identifier))
    settings = f"shared_buffers {buffers[0] if buffers else '?'}, jit {jit[0] if jit else '?'}"
    return f"{version[0] if version else 'unknown'}; {settings}"


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] != "reset":
        print(__doc__, file=sys.stderr)
        return 2
    print(reset(argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
