"""/api/v1/documents/work-files/: list, create, detail, open, add and remove a document, close,
submit, export; problem documents for bad input and refused steps; who may call what."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from rest_framework.test import APIClient

from tinhso.accounts.models import User
from tinhso.documents.models import WorkFile, WorkFileItem, WorkFileStatus
from tinhso.documents.services.workfiles import (
    workfile_add_document,
    workfile_close,
    workfile_open,
    workfile_plan,
)
from tinhso.documents.tests.registers.world import World, local
from tinhso.files.tests import samples

pytestmark = pytest.mark.django_db

BASE = "/api/v1/documents/work-files/"


def api(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def planned(w: World, code: str = "01.TCCB", actor: User | None = None, **fields: Any) -> WorkFile:
    values: dict[str, Any] = {
        "agency_id": w.agency.pk,
        "year": 2026,
        "code": code,
        "title": "Hồ sơ tuyển dụng công chức",
        "retention_years": 10,
    }
    values.update(fields)
    return workfile_plan(actor=actor or w.specialist, **values)


def opened(w: World, code: str = "01.TCCB") -> WorkFile:
    return workfile_open(actor=w.specialist, work_file=planned(w, code))


def filled(w: World, code: str = "01.TCCB") -> WorkFile:
    wf = opened(w, code)
    d = w.outgoing_doc(at=local(2026, 5, 6), subject="Quyết định tuyển dụng")
    w.attach(d, w.store(w.specialist, samples.pdf("QĐ"), "QĐ.pdf"))
    workfile_add_document(actor=w.specialist, work_file=wf, document_id=d.pk)
    return wf


def closed(w: World, code: str = "01.TCCB") -> WorkFile:
    return workfile_close(actor=w.specialist, work_file=filled(w, code))


def test_create_then_walk_a_file_through_its_life(w: World) -> None:
    client = api(w.specialist)
    created = client.post(
        BASE,
        {"code": "05/TCCB", "title": "Hồ sơ nâng lương", "retention_years": None, "year": 2026},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "planned" and body["retention"] == "Vĩnh viễn"
    assert body["agency"]["id"] == w.agency.pk and body["documents"] == []
    pk = body["id"]

    assert client.post(f"{BASE}{pk}/open/", {}, format="json").json()["status"] == "open"
    d = w.outgoing_doc(at=local(2026, 5, 6), subject="Quyết định nâng lương")
    added = client.post(f"{BASE}{pk}/documents/", {"document": d.pk}, format="json")
    assert added.status_code == 201
    assert added.json()["documents"][0]["subject"] == "Quyết định nâng lương"
    assert added.json()["document_count"] == 1
    removed = client.delete(f"{BASE}{pk}/documents/{d.pk}/")
    assert removed.status_code == 200 and removed.json()["documents"] == []
    client.post(f"{BASE}{pk}/documents/", {"document": d.pk}, format="json")

    shut = client.post(f"{BASE}{pk}/close/", {"closed_on": None}, format="json")
    assert shut.status_code == 200
    assert shut.json()["archive_due_on"] is not None

    submitted = api(w.clerk).post(f"{BASE}{pk}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"

    listed = client.get(BASE, {"year": 2026})
    assert listed.status_code == 200
    assert [r["code"] for r in listed.json()["results"]] == ["05/TCCB"]
    assert listed.json()["results"][0]["document_count"] == 1


def test_bad_input_is_a_problem_document_naming_the_field(w: World) -> None:
    planned(w)
    response = api(w.specialist).post(
        BASE,
        {"code": "01.TCCB", "title": "Trùng", "retention_years": 99, "year": 2026},
        format="json",
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"] == {
        "code": ["Số và ký hiệu hồ sơ “01.TCCB” đã có trong danh mục hồ sơ năm 2026."],
        "retention_years": ["Thời hạn bảo quản từ 01 đến 70 năm, hoặc Vĩnh viễn."],
    }
    missing = api(w.specialist).post(BASE, {"title": "Không số"}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"code", "retention_years"}
    assert WorkFile.objects.count() == 1


def test_refused_steps_are_409_with_a_code(w: World) -> None:
    wf = opened(w)
    response = api(w.specialist).post(f"{BASE}{wf.pk}/close/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "workfile_empty"
    assert response.json()["detail"].startswith("Hồ sơ chưa có văn bản nào")
    again = api(w.specialist).post(f"{BASE}{wf.pk}/open/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "workfile_not_planned"
    export = api(w.clerk).get(f"{BASE}{wf.pk}/export.zip")
    assert export.status_code == 409 and export.json()["code"] == "workfile_not_closed"
    draft = w.draft()
    refused = api(w.specialist).post(
        f"{BASE}{wf.pk}/documents/", {"document": draft.pk}, format="json"
    )
    assert refused.status_code == 400 and "document" in refused.json()["errors"]
    assert not WorkFileItem.objects.exists()


def test_export_streams_the_zip(w: World) -> None:
    wf = closed(w)
    response = api(w.specialist).get(f"{BASE}{wf.pk}/export.zip", HTTP_ACCEPT="application/zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert json.loads(archive.read("metadata.json"))["code"] == "01.TCCB"


def test_overdue_filter(w: World) -> None:
    late = closed(w, "01")
    WorkFile.objects.filter(pk=late.pk).update(archive_due_on=dt.date(2020, 1, 1))
    closed(w, "02")
    response = api(w.leader).get(BASE, {"archive_overdue": "true"})
    assert [r["code"] for r in response.json()["results"]] == ["01"]
    assert response.json()["results"][0]["archive_overdue"] is True


# --- Access -------------------------------------------------------------------------------

PEOPLE = (
    "clerk",
    "leader",
    "head",
    "specialist",
    "other_specialist",
    "clerk_b",
    "specialist_b",
    "citizen",
    "anonymous",
)
OFFICIALS_OF_A = {"clerk", "leader", "head", "specialist", "other_specialist"}
KEEPERS = {"clerk", "leader"}


def _expect(allowed: set[str], ok: int) -> dict[str, int]:
    table = {}
    for who in PEOPLE:
        if who == "anonymous":
            table[who] = 401
        elif who in allowed:
            table[who] = ok
        elif who in ("clerk_b", "specialist_b"):
            table[who] = 404
        else:
            table[who] = 403
    return table


Case = tuple[
    str, str, Callable[[World], WorkFile | None], str, Callable[[World], Any], dict[str, int]
]

EVERY_OFFICIAL = OFFICIALS_OF_A | {"clerk_b", "specialist_b"}
CASES: list[Case] = [
    ("list", "get", lambda w: None, "", lambda w: {}, _expect(EVERY_OFFICIAL, 200)),
    (
        "create",
        "post",
        lambda w: None,
        "",
        lambda w: {"agency": w.agency.pk, "code": "9", "title": "T", "retention_years": 5},
        # another agency's official may not plan in agency A's list
        {**_expect(OFFICIALS_OF_A, 201), "clerk_b": 403, "specialist_b": 403},
    ),
    ("detail", "get", planned, "", lambda w: {}, _expect(OFFICIALS_OF_A, 200)),
    ("open", "post", planned, "open/", lambda w: {}, _expect(OFFICIALS_OF_A, 200)),
    (
        "add-document",
        "post",
        opened,
        "documents/",
        lambda w: {"document": w.outgoing_doc(at=local(2026, 5, 6), subject="Chung").pk},
        # a document the caller may not see is a 400 on `document`: the head and the
        # specialist see their department's outgoing document, the clerk and leader all
        {**_expect(OFFICIALS_OF_A, 201), "other_specialist": 400},
    ),
    ("close", "post", filled, "close/", lambda w: {}, _expect(KEEPERS | {"specialist"}, 200)),
    ("submit", "post", closed, "submit/", lambda w: {}, _expect(KEEPERS, 200)),
    ("export", "get", closed, "export.zip", lambda w: {}, _expect(KEEPERS | {"specialist"}, 200)),
]


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize(
    ("name", "method", "make", "suffix", "payload", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_access_matrix(
    w: World,
    who: str,
    name: str,
    method: str,
    make: Callable[[World], WorkFile | None],
    suffix: str,
    payload: Callable[[World], Any],
    expected: dict[str, int],
) -> None:
    wf = make(w)
    url = f"{BASE}{wf.pk}/{suffix}" if wf is not None else BASE
    client = api(None if who == "anonymous" else getattr(w, who))
    data = payload(w)
    send = client.get if method == "get" else partial(client.post, format="json")
    response = send(url, data)
    assert response.status_code == expected[who], (who, name, response.content[:300])


@pytest.mark.parametrize(
    ("who", "status"), [("clerk_b", 404), ("citizen", 403), ("anonymous", 401)]
)
def test_remove_document_access(w: World, who: str, status: int) -> None:
    wf = opened(w)
    d = w.outgoing_doc(at=local(2026, 5, 6))
    workfile_add_document(actor=w.specialist, work_file=wf, document_id=d.pk)
    client = api(None if who == "anonymous" else getattr(w, who))
    assert client.delete(f"{BASE}{wf.pk}/documents/{d.pk}/").status_code == status
    assert WorkFileItem.objects.count() == 1


def test_list_shows_only_the_callers_agencies(w: World) -> None:
    planned(w)
    planned(w, "B1", actor=w.clerk_b, agency_id=w.agency_b.pk)
    assert [r["code"] for r in api(w.clerk_b).get(BASE).json()["results"]] == ["B1"]
    assert [r["code"] for r in api(w.head).get(BASE).json()["results"]] == ["01.TCCB"]
    assert api(w.head).get(BASE).json()["results"][0]["status"] == WorkFileStatus.PLANNED
