"""Inserting new rows on hot paths without the ORM's per-call compiling.

`Model.save()` and `QuerySet.bulk_create()` rebuild their INSERT statement on every call:
checks, the compiler, quoting, per-field preparation through several layers. On the one-stop
receipt, which writes seven kinds of rows, that was about a third of the server's CPU. Here
the statement of a (model, columns, number of rows) is built once per process and kept; each
call only prepares the values, with the fields' own `pre_save` and `get_db_prep_save`, so what
is written is what the ORM would write (defaults, `auto_now_add`, JSON, time zones).

On PostgreSQL the statement runs through a cursor that binds its parameters on the server, so
that psycopg prepares it on the connection after a few runs: the server then parses and plans
it once per connection instead of on every receipt. The cursor is psycopg's `RawCursor`, given
the statement with PostgreSQL's own `$1, $2, …` (converted from `%s` once per statement):
psycopg's usual cursor parses the `%s` of every statement longer than 4,096 bytes or with more
than 50 parameters again on each run (a receipt's two largest: 0.9 ms of CPU). Elsewhere
(SQLite) it goes through Django's cursor. Both are Django's cursor wrappers: errors are Django's (`IntegrityError`),
queries are logged and counted as any other.

What this does not do, by design: send signals (no model written here has receivers on its
saves; `insert_rows` refuses a model that has any), run `full_clean`, or update rows. Objects
written get their primary key and `_state.adding = False`, as after `save()`.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, models
from django.db.models.signals import post_save, pre_save

__all__ = [
    "Insert",
    "any_of",
    "execute_prepared",
    "insert_rows",
    "insert_together",
    "native_placeholders",
    "read_time",
    "time_param",
]

_statements: dict[tuple[Any, ...], tuple[str, tuple[models.Field[Any, Any], ...]]] = {}
_with_sql: dict[tuple[Any, ...], str] = {}
_lock = threading.Lock()


def _columns(model: type[models.Model], with_pk: bool) -> tuple[models.Field[Any, Any], ...]:
    return tuple(
        f
        for f in model._meta.concrete_fields
        if with_pk or not (f.primary_key and isinstance(f, models.AutoField))
    )


def _statement(
    model: type[models.Model], rows: int, with_pk: bool, returning: bool
) -> tuple[str, tuple[models.Field[Any, Any], ...]]:
    key = (model, rows, with_pk, returning, connection.vendor)
    found = _statements.get(key)
    if found is not None:
        return found
    if pre_save.has_listeners(model) or post_save.has_listeners(model):
        raise TypeError(f"{model._meta.label} has save signal receivers: use save()")
    fields = _columns(model, with_pk)
    quote = connection.ops.quote_name
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Names from the model's metadata, quoted; every value is a parameter.
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(str(f.column)) for f in fields)
    sql = f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([one] * rows)  # noqa: S608
    if returning:
        sql += f" RETURNING {quote(str(model._meta.pk.column))}"
    with _lock:
        _statements[key] = (sql, fields)
    return sql, fields


#: Fields whose value the PostgreSQL driver takes as the object holds it: Django's preparation
#: of these (`get_db_prep_save`) only checks the Python type and hands the value on.
_PLAIN_TYPES: tuple[type[models.Field[Any, Any]], ...] = (
    models.CharField,  # and EmailField, SlugField, URLField
    models.TextField,
    models.BooleanField,
    models.IntegerField,  # and the small, big and positive ones
    models.AutoField,
    models.BigAutoField,
)
_plain: dict[tuple[Any, ...], tuple[bool, ...]] = {}
#: The values taken as they are in those fields; any other (a lazy translation, a choice's
#: enum member, a number as text) goes through Django's preparation.
_PLAIN_VALUES = frozenset({str, int, bool, type(None)})
_PREPARE = object()


def _is_plain(field: models.Field[Any, Any]) -> bool:
    if isinstance(field, models.ForeignKey):
        return _is_plain(field.target_field)
    return isinstance(field, _PLAIN_TYPES) and type(field).pre_save is models.Field.pre_save


def _plain_columns(
    model: type[models.Model], fields: tuple[models.Field[Any, Any], ...]
) -> tuple[bool, ...]:
    """Which of `fields` go to the database as they are (PostgreSQL only: SQLite's driver is
    given what Django's preparation makes of each value)."""
    key = (model, fields, connection.vendor)
    found = _plain.get(key)
    if found is None:
        postgresql = connection.vendor == "postgresql"
        found = tuple(postgresql and _is_plain(f) for f in fields)
        _plain[key] = found
    return found


def _server_binding_cursor(binary: bool = False) -> Any:
    """A Django cursor (error translation, query logging, execute wrappers) over a psycopg
    `RawCursor` (server-side binding, native placeholders), so that psycopg prepares what runs
    often. The psycopg cursor is kept with its connection and used again (it holds no state
    between statements once their rows are fetched). A `binary` one has the server send its
    results in binary form: a bytea column comes as its bytes, not as hexadecimal text twice
    its size that both ends then encode and decode."""
    from psycopg import RawCursor, pq

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw_connection = connection.connection
    attribute = "_tinhso_binary_cursor" if binary else "_tinhso_server_cursor"
    kept = getattr(connection, attribute, None)
    if kept is None or kept[0] is not raw_connection or kept[1].closed:
        with connection.wrap_database_errors:
            cursor = RawCursor(raw_connection)
            if binary:
                cursor.format = pq.Format.BINARY
            kept = (raw_connection, cursor)
        setattr(connection, attribute, kept)
    return connection._prepare_cursor(kept[1])  # type: ignore[attr-defined]


#: The statements in PostgreSQL's form, as bytes, converted once: psycopg would encode (and
#: hash, for its cache of converted queries) a str on every run; a bytes object keeps its hash.
_native: dict[str, bytes] = {}
_PLACEHOLDER = re.compile(r"%(.)", re.DOTALL)


def native_placeholders(sql: str) -> str:
    """`sql` with each `%s` numbered as PostgreSQL writes parameters (`$1`, `$2`, …) and `%%`
    as `%`; any other `%` is refused."""
    count = 0

    def number(match: re.Match[str]) -> str:
        nonlocal count
        if match.group(1) == "%":
            return "%"
        if match.group(1) != "s":
            raise ValueError(f"unsupported placeholder %{match.group(1)} in {sql[:80]!r}")
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql)


def execute_prepared(
    sql: str, params: Sequence[Any], *, binary: bool = False
) -> list[tuple[Any, ...]]:
    """Run `sql` (with `%s` placeholders) and return its rows (none for a statement without
    RETURNING). On PostgreSQL the parameters are bound by the server, and psycopg prepares a
    statement on its connection once it has run a few times (`prepare_threshold`); with
    `binary` the rows come in PostgreSQL's binary form (for large bytea values). Elsewhere it
    goes through Django's usual cursor."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description is not None else []
    query = _native.get(sql)
    if query is None:
        query = native_placeholders(sql).encode()
        if len(_native) < 10_000:  # the hot paths have a few dozen statements
            _native[sql] = query
    cursor = _server_binding_cursor(binary)
    cursor.execute(query, params)
    return cursor.fetchall() if cursor.description is not None else []


def time_param(moment: dt.datetime) -> Any:
    """A moment as a parameter of raw SQL, as the ORM writes it (SQLite: naive UTC text)."""
    return connection.ops.adapt_datetimefield_value(moment)


def read_time(value: dt.datetime | str) -> dt.datetime:
    """A moment read by raw SQL, aware: PostgreSQL gives it so; SQLite gives the ORM's text."""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def any_of(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """`column` is one of `values`, for `execute_prepared`: ``column = ANY(%s)`` with the list
    as one parameter on PostgreSQL (one statement whatever the number of values, prepared
    once), ``column IN (%s, …)`` elsewhere. `column` is the caller's SQL, never input."""
    if not values:
        return "FALSE", []
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


class Insert:
    """The INSERT of new objects of one model, its values prepared: `execute()` writes them
    (alone, or `sql`/`params` as part of a larger statement, then `written(rows)`).

    A row whose values depend on a lock (the dossier's code, from the day's counter) is written
    by the statement that takes it: `sql_with` has the database compute those columns."""

    __slots__ = ("fields", "objs", "params", "returning", "sql")
    params: list[Any]

    def __init__(self, objs: Sequence[models.Model]) -> None:
        if not objs:
            raise ValueError("Insert: nothing to insert")
        model = type(objs[0])
        with_pk = objs[0].pk is not None
        if any(type(o) is not model or (o.pk is not None) != with_pk for o in objs):
            raise TypeError("insert_rows: one model per call, all with or all without their id")
        self.objs = objs
        self.returning = not with_pk
        self.sql, self.fields = _statement(model, len(objs), with_pk, self.returning)
        plain = _plain_columns(model, self.fields)
        params: list[Any] = []
        for obj in objs:
            for field, is_plain in zip(self.fields, plain, strict=True):
                value = getattr(obj, field.attname) if is_plain else _PREPARE
                if type(value) not in _PLAIN_VALUES:  # lazy text, choices, Decimal…: Django's
                    value = field.get_db_prep_save(field.pre_save(obj, True), connection)
                params.append(value)
        self.params = params

    def sql_with(
        self, expressions: Mapping[str, tuple[str, Sequence[Any]]], source: str = ""
    ) -> tuple[str, list[Any]]:
        """The INSERT (PostgreSQL) with some columns' values computed by the database:
        `{field name: (SQL expression, its parameters)}`, the same for every row, for rows
        written in the same statement as what they depend on (the dossier's code, from the
        day's counter in a WITH query). With a `source` (a WITH query's name) the one object's
        row is `SELECT`ed from it, and written only if the source has a row; the expressions
        may name its columns. Returns the statement and its parameters, in order; `written()`
        follows.
        """
        if source and len(self.objs) != 1:
            raise ValueError("Insert.sql_with: one object only from a source")
        names = {f.name: f for f in self.fields} | {f.attname: f for f in self.fields}
        unknown = set(expressions) - set(names)
        if unknown:
            raise ValueError(f"Insert.sql_with: no column {', '.join(sorted(unknown))}")
        by_field = {names[name]: (sql, params) for name, (sql, params) in expressions.items()}
        params: list[Any] = []
        width = len(self.fields)
        for start in range(0, len(self.params), width):
            row = self.params[start : start + width]
            for field, value in zip(self.fields, row, strict=True):
                computed = by_field.get(field)
                params.extend([value] if computed is None else computed[1])
        # The INSERT's text already tells the number of rows.
        key = (self.sql, source, tuple((name, sql) for name, (sql, _) in expressions.items()))
        found = _with_sql.get(key)
        if found is None:
            values = ", ".join(
                "%s" if field not in by_field else f"({by_field[field][0]})"
                for field in self.fields
            )
            head, _, tail = self.sql.partition(" VALUES ")
            returning = tail.rpartition(")")[2]  # after the rows: "" or " RETURNING …"
            # The expressions and the source are the caller's SQL (constants of the code);
            # values are parameters.
            if source:
                found = f"{head} SELECT {values} FROM {source}{returning}"  # noqa: S608
            else:
                rows = ", ".join([f"({values})"] * len(self.objs))
                found = f"{head} VALUES {rows}{returning}"
            if len(_with_sql) < 1_000:
                _with_sql[key] = found
        return found, params

    def written(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Mark the objects saved, with the ids the statement returned (if it returned any)."""
        for index, obj in enumerate(self.objs):
            if self.returning:
                obj.pk = rows[index][0]
            obj._state.adding = False
            obj._state.db = connection.alias

    def execute(self) -> None:
        self.written(execute_prepared(self.sql, self.params))


def insert_rows(objs: Sequence[models.Model]) -> None:
    """INSERT new objects of one model in one statement; each gets its primary key.

    Objects whose primary key is already set (a reserved id) are written with it; otherwise
    the database gives it (RETURNING, in the order of the rows: PostgreSQL and SQLite return
    the rows of a multi-row VALUES in that order).
    """
    if objs:
        Insert(objs).execute()


def insert_together(groups: Sequence[Sequence[models.Model]]) -> None:
    """INSERT the new objects of several models at once: on PostgreSQL in one statement (each
    group a data-modifying WITH query), elsewhere one statement per group. The groups must not
    depend on each other's rows but through deferred foreign keys."""
    inserts = [Insert(group) for group in groups if group]
    if connection.vendor != "postgresql" or len(inserts) < 2:
        for insert in inserts:
            insert.execute()
        return
    queries: list[str] = []
    outputs: list[str] = []
    params: list[Any] = []
    for index, insert in enumerate(inserts):
        queries.append(f"c{index} AS ({insert.sql})")
        params.extend(insert.params)
        if insert.returning:
            outputs.append(f"SELECT {index} AS g, * FROM c{index}")  # noqa: S608
    final = " UNION ALL ".join(outputs) if outputs else "SELECT NULL, NULL"
    rows = execute_prepared(f"WITH {', '.join(queries)} {final}", params)
    returned: dict[int, list[tuple[Any, ...]]] = {}
    for group, pk in rows:
        if group is not None:
            returned.setdefault(group, []).append((pk,))
    for index, insert in enumerate(inserts):
        insert.written(returned.get(index, []))
