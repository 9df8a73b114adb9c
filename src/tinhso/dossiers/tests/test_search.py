"""The counter's search (`GET /api/v1/dossiers/?q=`): what it finds, for whom, in what order,
and how many statements it costs (one for the count and the page)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tinhso.accounts.models import Role, User
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.selectors import DossierFilter, dossier_list
from tinhso.dossiers.services import ApplicantInput, ComponentInput, dossier_receive
from tinhso.testing.factories import official
from tinhso.testing.onestop import OneStopWorld, onestop_world, upload

if TYPE_CHECKING:
    from rest_framework.response import _MonkeyPatchedResponse as Response

pytestmark = pytest.mark.django_db

LIST = "/api/v1/dossiers/"


@pytest.fixture
def w() -> OneStopWorld:
    return onestop_world()


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _applicant(name: str, id_number: str, phone: str) -> ApplicantInput:
    return ApplicantInput(kind="citizen", name=name, id_number=id_number, phone=phone)


#: (key, applicant, ID number, phone, days after Monday 7 December 2026) at the Service Center.
CENTER = (
    ("an", "Nguyễn Văn An", "046090001001", "0912000001", 0),
    ("anh", "Nguyễn Văn Anh", "046090001002", "0912000002", 2),
    ("an_old", "Nguyễn Văn An", "046090001003", "0912000003", -31),
    ("thi_an", "Nguyễn Thị An", "046090001004", "0912000004", 1),
    ("binh", "Trần Thị Bình", "046090001005", "0912000005", 3),
    ("duong", "Đặng Đức Dương", "046090001006", "0912345678", 4),
)


@pytest.fixture
def people(w: OneStopWorld) -> dict[str, str]:
    """Six dossiers at the Service Center (`CENTER`) and one of "Nguyễn Văn An" at the commune,
    by code."""
    codes: dict[str, str] = {}
    for key, name, id_number, phone, days in CENTER:
        d, _ = dossier_receive(
            actor=w.counter,
            data=w.receipt(applicant=_applicant(name, id_number, phone)),
            now=w.monday_9am + dt.timedelta(days=days),
        )
        codes[key] = d.code
    commune, _ = dossier_receive(
        actor=w.commune_counter,
        data=w.receipt(
            procedure_code="1.000002",
            applicant=_applicant("Nguyễn Văn An", "046090001009", "0912000009"),
            components=[
                ComponentInput(component=comp.pk, file=upload(w.commune_counter))
                for comp in w.commune_version.components.filter(required=True)
            ],
        ),
        now=w.monday_9am + dt.timedelta(days=4, hours=2),
    )
    codes["commune"] = commune.code
    return codes


def found(response: Response) -> list[str]:
    """The codes of the page, in order."""
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def page(client: APIClient, **params: str | int) -> dict[str, Any]:
    response = client.get(LIST, params)
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def search(user: User, q: str) -> list[str]:
    return found(client_for(user).get(LIST, {"q": q}))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("nguyen van an", ["anh", "an", "an_old"]),  # the last word as a prefix: An, Anh
        ("NGUYỄN VĂN AN", ["anh", "an", "an_old"]),  # marks and case do not matter
        ("Nguye\u0302\u0303n Va\u0306n A", ["anh", "an", "an_old"]),  # decomposed, unfinished
        ("nguyen an", ["anh", "thi_an", "an", "an_old"]),  # family and given name
        ("nguyen van anh", ["anh"]),
        ("dang duc duong", ["duong"]),  # đ is d
        ("  tran   binh ", ["binh"]),
        ("van binh", []),
    ],
)
def test_a_name_search_finds_the_words_without_marks_newest_first(
    w: OneStopWorld, people: dict[str, str], q: str, expected: list[str]
) -> None:
    # given the Service Center's six dossiers and a commune's Nguyễn Văn An

    # when the Service Center's counter officer searches
    codes = search(w.counter, q)

    # then its own matches, newest first (the commune's dossier is not its to see)
    assert codes == [people[key] for key in expected]


def test_a_search_shows_each_officer_only_the_dossiers_they_may_see(
    w: OneStopWorld, people: dict[str, str]
) -> None:
    # given a Nguyễn Văn An at the Service Center and one at the commune; a leader of the
    # Service Center sees the whole province
    leader = official(Role.LANH_DAO, agency=w.center)

    # when each searches the name
    by_commune = search(w.commune_counter, "nguyen van an")
    by_other_commune = search(w.other_commune_counter, "nguyen van an")
    by_leader = search(leader, "nguyen van an")

    # then the commune sees its own, the other commune nothing, the leader all, newest first
    assert by_commune == [people["commune"]]
    assert by_other_commune == []
    assert by_leader == [people[key] for key in ("commune", "anh", "an", "an_old")]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("0912345678", ["duong"]),  # a phone number, exactly
        ("046.090.001.004", ["thi_an"]),  # an ID number written with dots
        ("046090001009", []),  # the commune's applicant: not the Service Center's to see
        ("091234567", []),  # six digits or more match a whole number, not a part of one
        ("1004", ["thi_an"]),  # fewer: any part of a number
    ],
)
def test_a_search_by_phone_or_id_number(
    w: OneStopWorld, people: dict[str, str], q: str, expected: list[str]
) -> None:
    # when the Service Center's counter officer searches a number
    codes = search(w.counter, q)

    # then
    assert codes == [people[key] for key in expected]


def test_a_search_counts_and_pages_from_one_statement(
    w: OneStopWorld, people: dict[str, str]
) -> None:
    # given the counter's three "Nguyễn Văn An…" dossiers, newest first
    client = client_for(w.counter)
    client.get(LIST)  # the caller's memberships are read once, then cached on the user
    everything = search(w.counter, "nguyen van an")

    # when paging through them two at a time
    with CaptureQueriesContext(connection) as captured:
        first = page(client, q="nguyen van an", page_size=2)
    # (read before the next request: it empties the connection's query log)
    reads = [q["sql"] for q in captured if 'FROM "dossiers_dossier"' in q["sql"]]
    second = page(client, q="nguyen van an", page_size=2, page=2)

    # then one statement found the matches, counted them and gave the page (no COUNT)
    assert not any("COUNT(" in sql for sql in reads)
    assert sum("LIMIT 1001" in sql for sql in reads) == 1
    # and the pages are the ordered matches, counted exactly
    assert (first["count"], first["count_capped"]) == (3, False)
    assert [row["code"] for row in first["results"] + second["results"]] == everything
    assert first["next"] and second["next"] is None


def test_a_plain_list_keeps_its_own_count(w: OneStopWorld, people: dict[str, str]) -> None:
    # given the counter's list without a search
    client = client_for(w.counter)
    client.get(LIST)

    # when listing
    with CaptureQueriesContext(connection) as captured:
        body = page(client, page_size=2)
    reads = [q["sql"] for q in captured if 'FROM "dossiers_dossier"' in q["sql"]]

    # then a capped count and a page of its own (walking an index for 50 rows, not 1,001)
    assert sum("COUNT(" in sql and "LIMIT 1001" in sql for sql in reads) == 1
    assert not any("LIMIT 1001" in sql and "COUNT(" not in sql for sql in reads)
    assert (body["count"], len(body["results"])) == (6, 2)


def test_a_search_count_stops_at_the_cap(
    w: OneStopWorld, people: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tinhso.dossiers.api.views import DossierPagination

    # given four matches of "nguyen an" and a cap of 2 instead of 1,000
    assert DossierPagination.cap == 1_000
    monkeypatch.setattr(DossierPagination, "cap", 2)
    everything = [people[key] for key in ("anh", "thi_an", "an", "an_old")]
    client = client_for(w.counter)

    # when asking for pages inside the window of cap + 1 matches, and past it
    first = page(client, q="nguyen an")
    in_window = page(client, q="nguyen an", page_size=1, page=3)
    past_window = page(client, q="nguyen an", page_size=2, page=2)

    # then the count stops at the cap and says so; every page holds the right rows
    assert (first["count"], first["count_capped"]) == (2, True)
    assert [row["code"] for row in first["results"]] == everything
    assert [row["code"] for row in in_window["results"]] == everything[2:3]
    assert [row["code"] for row in past_window["results"]] == everything[2:4]


def test_the_selector_orders_the_same_rows_whatever_the_page(
    w: OneStopWorld, people: dict[str, str]
) -> None:
    from tinhso.accounts.access import actor_for

    # given the counter's search for "nguyen"
    rows = dossier_list(actor_for(w.counter), DossierFilter(q="nguyen"))

    # when reading the window of ids, and the rows one by one
    window = list(rows.values_list("code", flat=True)[:1001])
    singles = [rows.values_list("code", flat=True)[i : i + 1].get() for i in range(len(window))]

    # then the same order: newest first, then the highest id
    expected = Dossier.objects.filter(
        code__in=[people[k] for k in ("an", "anh", "an_old", "thi_an")]
    ).order_by("-submitted_at", "-id")
    assert window == singles == [d.code for d in expected]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the full-text index is PostgreSQL's")
@pytest.mark.parametrize("q", ["nguyen van a", "0912345678", "046090001004"])
def test_postgresql_can_answer_names_and_numbers_from_the_word_index(
    w: OneStopWorld, people: dict[str, str], q: str
) -> None:
    from tinhso.accounts.access import actor_for

    # given a search as SQL (by a leader who sees the province: no visibility condition)
    leader = official(Role.LANH_DAO, agency=w.center)
    ids = dossier_list(actor_for(leader), DossierFilter(q=q)).values_list("pk", flat=True)
    sql, params = ids[:1001].query.sql_with_params()

    # when PostgreSQL plans it with sequential scans ruled out (a test table is too small to
    # prefer the index on its own)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # then the word index finds the matches, which are sorted (not the date index walked)
    assert "dossier_search_words" in plan
    assert "Sort" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the full-text index is PostgreSQL's")
def test_the_word_index_has_no_pending_list_for_a_receipt_to_merge() -> None:
    # A receipt writes its words into the index itself: no list every search reads, and no
    # merge of it by the receipt that holds the day's counter (migration 0004).
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'dossier_search_words'")
        ((options,),) = cursor.fetchall()
    assert "fastupdate=off" in (options or [])
