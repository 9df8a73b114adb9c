"""The dossier table's indexes: a receipt writes an entry into each of them while it holds the
day's counter, so those no query uses are gone (migrations 0003 and 0005)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _indexed_columns() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "dossiers_dossier")
    return {
        name: list(info["columns"])
        for name, info in constraints.items()
        if info["index"] or info["unique"]
    }


def test_unused_indexes_are_gone_and_the_code_stays_unique() -> None:
    indexes = _indexed_columns()
    single = [columns for columns in indexes.values() if len(columns) == 1]
    # only the unique index on the code (no LIKE index beside it), none on who received it
    assert single.count(["code"]) == 1
    assert ["created_by_id"] not in single
    assert ["receiving_agency_id"] not in single and ["current_agency_id"] not in single
    # the lists' indexes stay
    assert ["receiving_agency_id", "status", "submitted_at"] in indexes.values()
    assert ["current_agency_id", "status", "submitted_at"] in indexes.values()
