"""The one-stop REST API: receipt, list and filters, detail, actions, public tracking."""

from __future__ import annotations

import datetime as dt
import json
import types
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from tinhso.accounts.models import Role, User
from tinhso.dossiers.models import CodeCounter, Dossier, IdempotencyKey, Status
from tinhso.dossiers.rules import Action
from tinhso.dossiers.services import (
    ActionInput,
    ApplicantInput,
    ComponentInput,
    dossier_act,
    dossier_receive,
)
from tinhso.testing.factories import make_citizen, official
from tinhso.testing.onestop import OneStopWorld, local, onestop_world, upload

if TYPE_CHECKING:
    from rest_framework.response import _MonkeyPatchedResponse as Response

pytestmark = pytest.mark.django_db

LIST = "/api/v1/dossiers/"


class Clock:
    """The moment the services read as "now" (they take the API request's time)."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def set(self, moment: dt.datetime) -> None:
        self.moment = moment


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    # The public endpoint's rate limit counts on the cache: no count leaks between tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def w() -> OneStopWorld:
    return onestop_world()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch, w: OneStopWorld) -> Clock:
    c = Clock(w.monday_9am)
    monkeypatch.setattr(timezone, "now", lambda: c.moment)
    return c


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def smallest_receipt(w: OneStopWorld, **overrides: Any) -> dict[str, Any]:
    """The smallest receipt an integrator sends (issue 3 §4), files uploaded by the counter."""
    body: dict[str, Any] = {
        "procedure_code": "1.000001",
        "channel": "counter",
        "applicant": {
            "kind": "citizen",
            "name": "Nguyễn Văn An",
            "id_number": "046090001234",
            "phone": "0912345678",
            "email": "an@example.vn",
            "address": "12 Lê Lợi, phường Thuận Hóa",
        },
        "components": [
            {"component": cid, "file": upload(w.counter)} for cid in w.component_ids[:2]
        ],
    }
    body.update(overrides)
    return body


def receive(w: OneStopWorld, **overrides: Any) -> dict[str, Any]:
    response = client_for(w.counter).post(LIST, smallest_receipt(w, **overrides), format="json")
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def act(user: User, code: str, action: str, body: dict[str, Any] | None = None) -> Response:
    response = client_for(user).post(
        f"/api/v1/dossiers/{code}/{action}/", body or {}, format="json"
    )
    return response


def problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


# --- Receipt ----------------------------------------------------------------------------------


def test_the_smallest_receipt_answers_201_with_the_dossier(w: OneStopWorld, clock: Clock) -> None:
    # given the smallest receipt, at 09:00 on a working Monday
    body = smallest_receipt(w)

    # when the counter sends it
    response = client_for(w.counter).post(LIST, body, format="json")

    # then the dossier is received with a code and transferred at once to the department
    assert response.status_code == 201, response.content
    dossier = response.json()
    assert dossier["code"] == "H99.13-261207-0001"
    assert response["Location"] == f"/api/v1/dossiers/{dossier['code']}/"
    assert dossier["status"] == 4 == Status.PROCESSING.value
    assert dossier["status_name"] == "Đang xử lý"
    assert dossier["procedure_code"] == "1.000001"
    assert dossier["procedure_name"] == "Cấp giấy phép thử nghiệm"
    assert dossier["received_at"] == "2026-12-07T09:00:00+07:00"
    assert dossier["due_at"] == "2026-12-14T09:00:00+07:00"
    assert dossier["extended_due_at"] is None and dossier["returned_at"] is None
    assert dossier["current_step"] == {"order": 2, "name": "Thẩm định", "kind": "process"}
    assert dossier["current_agency"] == {"id": w.so.pk, "code": "H99.02", "name": "Sở Nội vụ"}
    assert dossier["channel"] == "counter" and dossier["rule_set"] == "nd118_2025"
    assert dossier["applicant"] == {**body["applicant"], "kind": "citizen"}
    assert dossier["fee"]["amount"] == 50000 and dossier["fee"]["status"] == "unpaid"
    assert dossier["is_late"] is False and dossier["rating"] == ""
    # The full detail (components, control slip) is at Location.
    detail = client_for(w.counter).get(response["Location"]).json()
    assert [c["provided"] for c in detail["components"]] == [True, True]
    assert [h["action"] for h in detail["handovers"]] == ["receive", "transfer"]
    assert Dossier.objects.count() == 1


def test_after_three_pm_the_dossier_is_received_and_waits(w: OneStopWorld, clock: Clock) -> None:
    # given a receipt at 16:00
    clock.set(local(2026, 12, 7, 16, 0))

    # when
    dossier = receive(w)

    # then status 2: received, transferred at the start of the next working day
    assert dossier["status"] == 2 == Status.RECEIVED.value
    assert dossier["status_name"] == "Được tiếp nhận"
    assert dossier["current_step"]["kind"] == "receive"


def test_an_incomplete_receipt_names_the_missing_components(w: OneStopWorld, clock: Clock) -> None:
    # given a receipt with only the first required component
    body = smallest_receipt(
        w, components=[{"component": w.component_ids[0], "file": upload(w.counter)}]
    )

    # when
    response = client_for(w.counter).post(LIST, body, format="json")

    # then 400 naming the missing one, and nothing saved
    errors = problem(response, 400)["errors"]
    assert "Bản sao giấy tờ tùy thân" in " ".join(errors["components"])
    assert str(w.component_ids[1]) in " ".join(errors["components"])
    assert not Dossier.objects.exists() and not CodeCounter.objects.exists()


def test_an_incomplete_receipt_may_become_a_supplement_request(
    w: OneStopWorld, clock: Clock
) -> None:
    # when the counter receives an incomplete dossier asking for a supplement
    dossier = receive(
        w,
        components=[{"component": w.component_ids[0], "file": upload(w.counter)}],
        on_incomplete="request_supplement",
    )

    # then it is saved in status 5 without a due time
    assert dossier["status"] == Status.SUPPLEMENT and dossier["due_at"] is None


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"procedure_code": "9.999999"}, ["procedure_code"]),
        ({"channel": "fax"}, ["channel"]),
        ({"applicant": None}, ["applicant"]),
        ({"applicant.id_number": "04609000123"}, ["applicant", "id_number"]),  # 11 digits
        ({"applicant.id_number": "999090001234"}, ["applicant", "id_number"]),  # no province 999
        ({"applicant.phone": "091234567"}, ["applicant", "phone"]),
        ({"applicant.email": "an@"}, ["applicant", "email"]),
        ({"applicant.kind": "robot"}, ["applicant", "kind"]),
        ({"components": [{"component": 999999, "file": None}]}, ["components"]),
        ({"sets": 0}, ["sets"]),
    ],
)
def test_bad_receipts_get_field_errors_and_save_nothing(
    w: OneStopWorld, clock: Clock, change: dict[str, Any], path: list[str]
) -> None:
    # given a receipt with one bad field
    body = smallest_receipt(w)
    for key, value in change.items():
        if key.startswith("applicant."):
            body["applicant"][key.split(".", 1)[1]] = value
        else:
            body[key] = value

    # when
    response = client_for(w.counter).post(LIST, body, format="json")

    # then 400 with a Vietnamese message on that field; no dossier, no code used
    errors: Any = problem(response, 400)["errors"]
    for key in path:
        errors = errors[key]
    assert errors and all(isinstance(m, str) and not m.isascii() for m in errors), errors
    assert not Dossier.objects.exists() and not CodeCounter.objects.exists()


def test_a_retry_with_the_same_idempotency_key_returns_the_first_dossier(
    w: OneStopWorld, clock: Clock
) -> None:
    # given a receipt sent with a key
    client = client_for(w.counter)
    body = smallest_receipt(w)
    first = client.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY="k-123")
    assert first.status_code == 201

    # when the same request is sent again, then a different one under the same key
    again = client.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY="k-123")
    other = client.post(
        LIST, {**body, "subject": "Nội dung khác"}, format="json", HTTP_IDEMPOTENCY_KEY="k-123"
    )

    # then the retry gets the first dossier with 200, the other 409; one dossier in all
    assert again.status_code == 200 and again.json()["code"] == first.json()["code"]
    assert problem(other, 409)["code"] == "idempotency_conflict"
    assert Dossier.objects.count() == 1 and IdempotencyKey.objects.count() == 1


def test_only_a_counter_officer_receives(w: OneStopWorld, clock: Clock) -> None:
    body = smallest_receipt(w)
    assert client_for(None).post(LIST, body, format="json").status_code == 401
    problem(client_for(make_citizen()).post(LIST, body, format="json"), 403)
    problem(client_for(w.specialist).post(LIST, body, format="json"), 403)
    assert not Dossier.objects.exists()


# --- Detail and actions -------------------------------------------------------------------------


def test_detail_shows_components_control_slip_and_history(w: OneStopWorld, clock: Clock) -> None:
    # given a received dossier
    code = receive(w)["code"]

    # when the specialist of the department opens it
    response = client_for(w.specialist).get(f"/api/v1/dossiers/{code}/")

    # then
    assert response.status_code == 200
    body = response.json()
    assert [c["name"] for c in body["components"]] == [
        "Đơn đề nghị (theo mẫu)",
        "Bản sao giấy tờ tùy thân",
    ]
    receipt_row, transfer_row = body["handovers"]
    assert receipt_row["to_agency"]["code"] == "H99.13" and receipt_row["outcome"] == "on_time"
    assert transfer_row["to_department"]["id"] == w.so_department.pk
    assert transfer_row["step"]["kind"] == "process"
    assert transfer_row["step_due_at"] == "2026-12-09T09:00:00+07:00"
    assert [a["action"] for a in body["activities"]] == ["receive"]
    assert body["results"] == [] and body["resolving_agency"]["code"] == "H99.02"


def test_forward_approve_pay_return_and_rate_through_the_api(w: OneStopWorld, clock: Clock) -> None:
    code = receive(w)["code"]

    clock.set(local(2026, 12, 8, 10))
    forwarded = act(w.specialist, code, "forward", {"note": "Đủ điều kiện"})
    assert forwarded.status_code == 200, forwarded.content
    assert forwarded.json()["current_step"]["kind"] == "approve"

    approved = act(w.leader, code, "approve")
    assert approved.status_code == 200 and approved.json()["status"] == Status.RESOLVED

    # The fee is unpaid: the result cannot be returned yet (409 with the reason's code).
    refused = act(w.counter, code, "return-result", {"method": "counter"})
    assert problem(refused, 409)["code"] == "fee_unpaid"
    assert "phí" in refused.json()["detail"]

    paid = act(w.counter, code, "pay", {"method": "cash", "receipt_number": "BL-0001"})
    assert paid.status_code == 200
    assert paid.json()["fee"] | {"paid_at": None} == {
        "amount": 50000,
        "status": "paid",
        "method": "cash",
        "receipt_number": "BL-0001",
        "paid_at": None,
    }

    clock.set(local(2026, 12, 8, 16))
    returned = act(w.counter, code, "return-result", {"method": "counter"})
    assert returned.status_code == 200
    assert returned.json()["status"] == Status.RETURNED
    assert returned.json()["returned_at"] == "2026-12-08T16:00:00+07:00"

    rated = act(w.counter, code, "rate", {"rating": "very_satisfied", "note": "Nhanh"})
    assert rated.status_code == 200 and rated.json()["rating"] == "very_satisfied"
    assert problem(act(w.counter, code, "rate", {"rating": "satisfied"}), 409)["code"] == (
        "already_rated"
    )


def test_supplement_once_then_409(w: OneStopWorld, clock: Clock) -> None:
    code = receive(w)["code"]
    asked = act(w.specialist, code, "request-supplement", {"reason": "Bổ sung bản sao"})
    assert asked.status_code == 200 and asked.json()["status"] == Status.SUPPLEMENT

    clock.set(local(2026, 12, 9, 9))
    answered = act(w.counter, code, "supplement")
    assert answered.status_code == 200 and answered.json()["status"] == Status.PROCESSING
    # The clock stood still two working days: the due time moved by them.
    assert answered.json()["due_at"] == "2026-12-16T09:00:00+07:00"

    again = act(w.specialist, code, "request-supplement", {"reason": "lần hai"})
    assert problem(again, 409)["code"] == "supplement_once"


def test_refuse_an_incomplete_dossier(w: OneStopWorld, clock: Clock) -> None:
    code = receive(
        w,
        components=[{"component": w.component_ids[0], "file": upload(w.counter)}],
        on_incomplete="request_supplement",
    )["code"]
    without_reason = act(w.counter, code, "refuse")
    assert "reason" in problem(without_reason, 400)["errors"]
    refused = act(w.counter, code, "refuse", {"reason": "Không đủ điều kiện"})
    assert refused.status_code == 200 and refused.json()["status"] == Status.NOT_RECEIVED


def test_an_illegal_transition_is_409_with_a_message(w: OneStopWorld, clock: Clock) -> None:
    # given a dossier in processing
    code = receive(w)["code"]

    # when the counter tries to accept it again
    response = act(w.counter, code, "accept")

    # then 409, the reason in Vietnamese, nothing changed
    body = problem(response, 409)
    assert body["code"] == "illegal_transition" and "Đang xử lý" in body["detail"]
    assert Dossier.objects.get(code=code).status == Status.PROCESSING


def test_send_back_needs_a_reason(w: OneStopWorld, clock: Clock) -> None:
    code = receive(w)["code"]
    assert act(w.specialist, code, "forward").status_code == 200
    assert "reason" in problem(act(w.leader, code, "send-back"), 400)["errors"]
    back = act(w.leader, code, "send-back", {"reason": "Thiếu ý kiến thẩm định"})
    assert back.status_code == 200
    assert back.json()["current_step"]["order"] == 2
    assert back.json()["current_assignee"]["id"] == w.specialist.pk


def test_transfer_after_the_cutoff(w: OneStopWorld, clock: Clock) -> None:
    clock.set(local(2026, 12, 7, 16, 0))
    code = receive(w)["code"]
    moved = act(w.counter, code, "transfer")
    assert moved.status_code == 200 and moved.json()["status"] == Status.PROCESSING
    assert moved.json()["current_agency"]["code"] == "H99.02"


def test_payment_request_pay_and_attach_result(w: OneStopWorld, clock: Clock) -> None:
    code = receive(w)["code"]
    negative = act(w.specialist, code, "request-payment", {"amount": "-5"})
    assert "amount" in problem(negative, 400)["errors"]
    asked = act(w.specialist, code, "request-payment", {"amount": "120000"})
    assert asked.status_code == 200 and asked.json()["status"] == Status.PAYMENT
    assert asked.json()["fee"]["amount"] == 120000

    exempt = act(w.counter, code, "pay", {"exempt": True, "reason": "Hộ nghèo"})
    assert exempt.status_code == 200
    assert exempt.json()["status"] == Status.PROCESSING
    assert exempt.json()["fee"]["status"] == "exempt"

    attached = act(w.specialist, code, "attach-result", {"files": [upload(w.specialist)]})
    assert attached.status_code == 200 and len(attached.json()["results"]) == 1
    someone_elses = act(w.specialist, code, "attach-result", {"files": [upload(w.counter)]})
    assert "files" in problem(someone_elses, 400)["errors"]


def test_apologize_withdraw_and_stop(w: OneStopWorld, clock: Clock) -> None:
    first = receive(w)["code"]
    second = receive(w)["code"]

    clock.set(local(2026, 12, 10, 9))
    late = act(
        w.leader,
        first,
        "apologize",
        {"reason": "Chờ ý kiến phối hợp", "new_due_date": "2026-12-18"},
    )
    assert late.status_code == 200
    assert late.json()["extended_due_at"] == "2026-12-18T17:00:00+07:00"
    assert late.json()["is_late"] is True
    bad_date = act(w.leader, second, "apologize", {"reason": "x", "new_due_date": "18/12/2026"})
    assert "new_due_date" in problem(bad_date, 400)["errors"]

    withdrawn = act(w.counter, first, "withdraw", {"reason": "Công dân rút"})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == Status.WITHDRAWN
    stopped = act(w.leader, second, "stop", {"reason": "Có tranh chấp"})
    assert stopped.status_code == 200 and stopped.json()["status"] == Status.STOPPED


def test_actors_who_may_not_act_get_403_or_404(w: OneStopWorld, clock: Clock) -> None:
    # given a dossier at the department's processing step
    code = receive(w)["code"]

    # then the counter and the leader see it but may not forward it (403); another
    # department and another commune do not see it at all (404); an unknown action is 404
    assert problem(act(w.counter, code, "forward"), 403)["detail"]
    problem(act(w.leader, code, "forward"), 403)
    problem(act(w.other_specialist, code, "forward"), 404)
    problem(act(w.commune_counter, code, "withdraw"), 404)
    problem(act(w.specialist, code, "fly"), 404)
    problem(act(make_citizen(), code, "withdraw"), 403)
    assert client_for(None).post(f"/api/v1/dossiers/{code}/forward/").status_code == 401
    assert Dossier.objects.get(code=code).status == Status.PROCESSING


# --- Lists and visibility -----------------------------------------------------------------------


def _applicant(name: str, id_number: str, phone: str) -> ApplicantInput:
    return ApplicantInput(kind="citizen", name=name, id_number=id_number, phone=phone)


@pytest.fixture
def four(w: OneStopWorld) -> dict[str, str]:
    """A: Nguyễn Văn An, 7 Dec; B: Trần Thị Bình, 8 Dec, withdrawn; C: the commune's, 8 Dec;
    D: Lê Văn Cường, 2 Nov (overdue by December)."""
    a, _ = dossier_receive(actor=w.counter, data=w.receipt(), now=w.monday_9am)
    b, _ = dossier_receive(
        actor=w.counter,
        data=w.receipt(applicant=_applicant("Trần Thị Bình", "046090009999", "0987654321")),
        now=local(2026, 12, 8, 9),
    )
    dossier_act(
        actor=w.counter, code=b.code, action=Action.WITHDRAW, data=ActionInput(reason="Rút")
    )
    c, _ = dossier_receive(
        actor=w.commune_counter,
        data=w.receipt(
            procedure_code="1.000002",
            applicant=_applicant("Phạm Thị Dung", "046090005555", "0911111111"),
            components=[
                ComponentInput(component=comp.pk, file=upload(w.commune_counter))
                for comp in w.commune_version.components.filter(required=True)
            ],
        ),
        now=local(2026, 12, 8, 10),
    )
    d, _ = dossier_receive(
        actor=w.counter,
        data=w.receipt(applicant=_applicant("Lê Văn Cường", "046090007777", "0922222222")),
        now=local(2026, 11, 2, 9),
    )
    return {"A": a.code, "B": b.code, "C": c.code, "D": d.code}


def codes(response: Response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, "ABCD"),
        ({"status": 7}, "B"),
        ({"procedure": "1.000002"}, "C"),
        ({"overdue": "true"}, "D"),
        ({"overdue": "false"}, "ABC"),
        ({"received_from": "2026-12-08"}, "BC"),
        ({"received_to": "2026-12-07"}, "AD"),
        ({"received_from": "2026-12-07", "received_to": "2026-12-07"}, "A"),
        ({"q": "nguyen van an"}, "A"),
        ({"q": "nguyen van a"}, "A"),  # the last word may be unfinished
        ({"q": "Nguye\u0302\u0303n Va\u0306n"}, "A"),  # decomposed input, any case
        ({"q": "van cuong"}, "D"),
        ({"q": "TRAN THI BINH"}, "B"),
        ({"q": "0922222222"}, "D"),
        ({"q": "046090005555"}, "C"),
    ],
)
def test_list_filters(
    w: OneStopWorld,
    four: dict[str, str],
    clock: Clock,
    params: dict[str, Any],
    expected: str,
) -> None:
    # given the four dossiers, on 10 December, seen by the provincial administrator
    clock.set(local(2026, 12, 10, 9))
    admin = official(Role.QUAN_TRI_TINH, agency=w.center)

    # when listing with the filter
    found = codes(client_for(admin).get(LIST, params))

    # then
    assert found == {four[key] for key in expected}


def test_list_by_agency_and_code(w: OneStopWorld, four: dict[str, str]) -> None:
    admin = client_for(official(Role.QUAN_TRI_TINH, agency=w.center))
    assert codes(admin.get(LIST, {"agency": w.commune.pk})) == {four["C"]}
    # where they are now: C at the commune; A, D and the withdrawn B last at the Sở
    assert codes(admin.get(LIST, {"handling_agency": w.commune.pk})) == {four["C"]}
    assert codes(admin.get(LIST, {"handling_agency": w.so.pk})) == {
        four["A"],
        four["B"],
        four["D"],
    }
    assert codes(admin.get(LIST, {"q": four["B"]})) == {four["B"]}


@pytest.mark.parametrize(
    "params",
    [
        {"status": 11},
        {"overdue": "maybe"},
        {"received_from": "2026-13-01"},
        {"received_from": "2026-12-09", "received_to": "2026-12-08"},
    ],
)
def test_bad_filters_are_400(w: OneStopWorld, params: dict[str, Any]) -> None:
    response = client_for(w.counter).get(LIST, params)
    assert set(problem(response, 400)["errors"]) <= set(params)


def test_each_counter_sees_only_its_own_dossiers(w: OneStopWorld, four: dict[str, str]) -> None:
    assert codes(client_for(w.commune_counter).get(LIST)) == {four["C"]}
    assert codes(client_for(w.other_commune_counter).get(LIST)) == set()
    assert codes(client_for(w.counter).get(LIST)) == {four["A"], four["B"], four["D"]}
    problem(client_for(w.other_commune_counter).get(f"/api/v1/dossiers/{four['C']}/"), 404)
    problem(client_for(w.commune_counter).get(f"/api/v1/dossiers/{four['A']}/"), 404)


def test_a_department_sees_only_dossiers_with_a_step_assigned_to_it(
    w: OneStopWorld, four: dict[str, str]
) -> None:
    assert codes(client_for(w.specialist).get(LIST)) == {four["A"], four["B"], four["D"]}
    assert codes(client_for(w.other_specialist).get(LIST)) == set()
    problem(client_for(w.other_specialist).get(f"/api/v1/dossiers/{four['A']}/"), 404)
    assert codes(client_for(w.commune_specialist).get(LIST)) == {four["C"]}


def test_citizens_and_anonymous_visitors_do_not_use_the_officials_api(
    w: OneStopWorld, four: dict[str, str]
) -> None:
    problem(client_for(make_citizen()).get(LIST), 403)
    problem(client_for(None).get(LIST), 401)
    problem(client_for(None).get(f"/api/v1/dossiers/{four['A']}/"), 401)


def test_the_list_is_paginated_with_a_constant_number_of_queries(w: OneStopWorld) -> None:
    admin = client_for(official(Role.QUAN_TRI_TINH, agency=w.center))
    admin.get(LIST)  # the caller's memberships are read once, then cached on the user

    def queries_for(count: int) -> int:
        while Dossier.objects.count() < count:
            dossier_receive(actor=w.counter, data=w.receipt(), now=w.monday_9am)
        with CaptureQueriesContext(connection) as captured:
            response = admin.get(LIST, {"page_size": 50})
        assert response.json()["count"] == count
        return len(captured)

    # then the page costs the same with 2 or 7 dossiers (no query per row)
    assert queries_for(2) == queries_for(7)
    page = admin.get(LIST, {"page_size": 5, "page": 2}).json()
    assert page["count"] == 7 and len(page["results"]) == 2


# --- Public tracking ----------------------------------------------------------------------------


def test_public_tracking_shows_progress_and_no_personal_data(w: OneStopWorld, clock: Clock) -> None:
    # given a received dossier
    code = receive(w)["code"]

    # when anyone looks it up, without signing in
    response = APIClient().get(f"/api/v1/public/dossiers/{code}/")

    # then the progress, the masked name, and none of the personal data
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "code": code,
        "status": 4,
        "status_name": "Đang xử lý",
        "procedure_code": "1.000001",
        "procedure_name": "Cấp giấy phép thử nghiệm",
        "received_at": "2026-12-07T09:00:00+07:00",
        "due_at": "2026-12-14T09:00:00+07:00",
        "extended_due_at": None,
        "returned_at": None,
        "handling_agency": "Sở Nội vụ",
        "applicant": "N. V. A***",
    }
    text = json.dumps(body, ensure_ascii=False)
    for secret in ("046090001234", "0912345678", "an@example.vn", "Lê Lợi", "Nguyễn Văn An"):
        assert secret not in text
    assert "Văn An" not in response.content.decode()


def test_public_tracking_of_an_unknown_code_is_404(w: OneStopWorld) -> None:
    for code in ("H99.13-261207-0099", "not-a-code"):
        problem(APIClient().get(f"/api/v1/public/dossiers/{code}/"), 404)


def test_public_tracking_is_rate_limited(
    w: OneStopWorld, clock: Clock, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a limit of 3 a minute, inside one fixed minute
    settings.TINHSO_PUBLIC_TRACKING_PER_MINUTE = 3
    monkeypatch.setattr(
        "tinhso.web.ratelimit.time", types.SimpleNamespace(time=lambda: 1_800_000_010.0)
    )
    code = receive(w)["code"]
    client = APIClient()

    # when a fourth look-up comes within the minute (misses count too)
    answers = [
        client.get(f"/api/v1/public/dossiers/{c}/").status_code
        for c in (code, "H99.13-261207-0099", code)
    ]
    fourth = client.get(f"/api/v1/public/dossiers/{code}/")

    # then it is refused with 429 and when to come back
    assert answers == [200, 404, 200]
    body = problem(fourth, 429)
    assert body["code"] == "throttled"
    assert fourth["Retry-After"] == "50"


def test_the_schema_describes_the_dossier_api(db: None) -> None:
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = response.json()["paths"]
    for path, method in [
        ("/api/v1/dossiers/", "get"),
        ("/api/v1/dossiers/", "post"),
        ("/api/v1/dossiers/{code}/", "get"),
        ("/api/v1/dossiers/{code}/{action}/", "post"),
        ("/api/v1/public/dossiers/{code}/", "get"),
    ]:
        assert paths[path][method]["tags"] == ["dossiers"]
    action = next(
        p
        for p in paths["/api/v1/dossiers/{code}/{action}/"]["post"]["parameters"]
        if p["name"] == "action"
    )
    assert set(action["schema"]["enum"]) == {a.value for a in Action}


def test_service_field_names_are_nested_like_the_request_body() -> None:
    from tinhso.dossiers.api.views import nest_errors

    flat = {"a.b": ["x"], "a.c.d": ["y"], "a.c.e": ["w"], "e": ["z"], "f": ["1"], "f.g": ["2"]}
    assert nest_errors(flat) == {
        "a": {"b": ["x"], "c": {"d": ["y"], "e": ["w"]}},
        "e": ["z"],
        "f": ["1"],
        "f.g": ["2"],  # "f" is a field itself: its child stays flat rather than overwrite it
    }


def test_the_fast_list_row_equals_drf_s_rendering_of_the_declared_fields(
    w: OneStopWorld, four: dict[str, str]
) -> None:
    from rest_framework import serializers as drf

    from tinhso.dossiers.api.serializers import DossierSerializer, dossier_row

    class Declared(DossierSerializer):
        """The same fields rendered by DRF itself (the subclass skips the fast path)."""

    from tinhso.dossiers.api.serializers import ROW_FIELDS, dossier_row_values

    values = {v["code"]: v for v in Dossier.objects.values(*ROW_FIELDS)}
    for d in Dossier.objects.all():
        assert dossier_row(d) == dict(drf.Serializer.to_representation(Declared(), d))
        assert dossier_row(d) == dict(Declared(d).data)
        assert dossier_row_values(values[d.code]) == dossier_row(d)


def test_the_count_stops_at_the_cap(
    w: OneStopWorld, four: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tinhso.dossiers.api.views import DossierPagination

    admin = client_for(official(Role.QUAN_TRI_TINH, agency=w.center))
    assert admin.get(LIST).json()["count"] == 4
    assert DossierPagination.cap == 1_000
    monkeypatch.setattr(DossierPagination, "cap", 2)
    body = admin.get(LIST).json()
    assert (body["count"], body["count_capped"], len(body["results"])) == (2, True, 4)
