"""The dossier services: receipt, the status machine, deadlines, the control slip."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.audit.models import AuditEvent
from tinhso.dossiers.models import CodeCounter, Dossier, Handover, Status
from tinhso.dossiers.rules import Action, TransitionRefused
from tinhso.dossiers.services import (
    ActionInput,
    ApplicantInput,
    ComponentInput,
    dossier_act,
    dossier_receive,
    dossier_transfer_due,
)
from tinhso.testing.onestop import OneStopWorld, local, onestop_world, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> OneStopWorld:
    return onestop_world()


def test_complete_receipt_gets_code_deadline_and_goes_to_the_department(w: OneStopWorld) -> None:
    d, created = dossier_receive(actor=w.counter, data=w.receipt(), now=w.monday_9am)
    assert created
    assert d.code == "H99.13-261207-0001"
    assert d.status == Status.PROCESSING
    # 5 working days from Monday 09:00 → the next Monday 09:00.
    assert d.due_at == local(2026, 12, 14, 9, 0)
    assert d.current_agency == w.so and d.current_department == w.so_department
    rows = list(Handover.objects.filter(dossier=d).order_by("seq"))
    assert [r.action for r in rows] == ["receive", "transfer"]
    assert rows[0].completed_at == w.monday_9am and rows[0].outcome == "on_time"
    assert rows[1].step_due_at == local(2026, 12, 9, 9, 0)  # 16 working hours
    assert AuditEvent.objects.filter(
        action="dossiers.dossier.receive", object_id=str(d.pk)
    ).exists()


def test_after_three_pm_the_transfer_waits_for_the_next_working_morning(w: OneStopWorld) -> None:
    friday_4pm = local(2026, 12, 11, 16, 0)
    d, _ = dossier_receive(actor=w.counter, data=w.receipt(), now=friday_4pm)
    assert d.status == Status.RECEIVED
    assert d.transfer_at == local(2026, 12, 14, 7, 0)
    assert dossier_transfer_due(now=local(2026, 12, 14, 6, 59)) == 0
    assert dossier_transfer_due(now=local(2026, 12, 14, 7, 1)) == 1
    d.refresh_from_db()
    assert d.status == Status.PROCESSING
    assert Handover.objects.get(dossier=d, action="transfer").handed_at == local(2026, 12, 14, 7, 0)


def test_codes_are_consecutive_per_agency_and_day(w: OneStopWorld) -> None:
    codes = [
        dossier_receive(actor=w.counter, data=w.receipt(), now=w.monday_9am)[0].code
        for _ in range(3)
    ]
    assert codes == [f"H99.13-261207-000{n}" for n in (1, 2, 3)]
    next_day = dossier_receive(actor=w.counter, data=w.receipt(), now=local(2026, 12, 8))[0]
    assert next_day.code == "H99.13-261208-0001"
    assert CodeCounter.objects.get(agency=w.center, day=dt.date(2026, 12, 7)).last == 3


def test_incomplete_receipt_names_what_is_missing_and_saves_nothing(w: OneStopWorld) -> None:
    data = w.receipt(
        components=[ComponentInput(component=w.component_ids[0], file=upload(w.counter))]
    )
    with pytest.raises(ValidationError) as exc:
        dossier_receive(actor=w.counter, data=data, now=w.monday_9am)
    assert "Bản sao giấy tờ tùy thân" in str(exc.value.message_dict["components"])
    assert not Dossier.objects.exists() and not CodeCounter.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("id_number", "12345"), ("id_number", "999090001234"), ("phone", "12345"), ("email", "x@")],
)
def test_bad_applicant_data_is_refused(w: OneStopWorld, field: str, value: str) -> None:
    applicant = ApplicantInput(
        kind="citizen", name="Lê Thị B", id_number="046090001234", phone="0912345678"
    )
    applicant = (
        ApplicantInput(**{**applicant.__dict__, field: value})
        if hasattr(applicant, "__dict__")
        else ApplicantInput(
            kind="citizen",
            name="Lê Thị B",
            id_number=value if field == "id_number" else "046090001234",
            phone=value if field == "phone" else "0912345678",
            email=value if field == "email" else "",
        )
    )
    with pytest.raises(ValidationError) as exc:
        dossier_receive(actor=w.counter, data=w.receipt(applicant=applicant), now=w.monday_9am)
    assert f"applicant.{field}" in exc.value.message_dict
    assert not Dossier.objects.exists()


def test_unknown_procedure_and_foreign_counter(w: OneStopWorld) -> None:
    with pytest.raises(ValidationError):
        dossier_receive(
            actor=w.counter, data=w.receipt(procedure_code="9.999999"), now=w.monday_9am
        )
    with pytest.raises(PermissionDenied):
        dossier_receive(actor=w.specialist, data=w.receipt(), now=w.monday_9am)
    # A commune counter does not receive province-level procedures.
    with pytest.raises(ValidationError):
        dossier_receive(actor=w.commune_counter, data=w.receipt(), now=w.monday_9am)


def _full_path(w: OneStopWorld) -> Dossier:
    d, _ = dossier_receive(actor=w.counter, data=w.receipt(), now=w.monday_9am)
    dossier_act(
        actor=w.specialist,
        code=d.code,
        action=Action.FORWARD,
        data=ActionInput(note="Đủ điều kiện"),
        now=local(2026, 12, 8, 10),
    )
    dossier_act(actor=w.leader, code=d.code, action=Action.APPROVE, now=local(2026, 12, 8, 14))
    return Dossier.objects.get(pk=d.pk)


def test_forward_approve_pay_return_rate(w: OneStopWorld) -> None:
    d = _full_path(w)
    assert d.status == Status.RESOLVED and not d.is_late
    with pytest.raises(TransitionRefused):  # the fee is unpaid
        dossier_act(
            actor=w.counter,
            code=d.code,
            action=Action.RETURN_RESULT,
            data=ActionInput(method="counter"),
        )
    dossier_act(
        actor=w.counter,
        code=d.code,
        action=Action.PAY,
        data=ActionInput(method="cash", receipt_number="BL-0001"),
    )
    d = dossier_act(
        actor=w.counter,
        code=d.code,
        action=Action.RETURN_RESULT,
        data=ActionInput(method="counter"),
        now=local(2026, 12, 8, 16),
    )
    assert d.status == Status.RETURNED and d.returned_at == local(2026, 12, 8, 16)
    outcomes = list(
        Handover.objects.filter(dossier=d).order_by("seq").values_list("action", "outcome")
    )
    assert outcomes[:4] == [
        ("receive", "on_time"),
        ("transfer", "early"),
        ("forward", "on_time"),
        ("approve", "early"),
    ]
    d = dossier_act(
        actor=w.counter, code=d.code, action=Action.RATE, data=ActionInput(rating="very_satisfied")
    )
    assert d.rating == "very_satisfied"
    with pytest.raises(TransitionRefused):
        dossier_act(
            actor=w.counter, code=d.code, action=Action.RATE, data=ActionInput(rating="satisfied")
        )


def test_only_the_step_holder_acts(w: OneStopWorld) -> None:
    d, _ = dossier_receive(actor=w.counter, data=w.receipt(), now=w.monday_9am)
    for who in (w.other_specialist, w.leader, w.counter, w.commune_specialist):
        with pytest.raises(PermissionDenied):
            dossier_act(actor=who, code=d.code, action=Action.FORWARD)
    with pytest.raises(TransitionRefused):
        dossier_act(actor=w.specialist, code=d.code, action=Action.APPROVE)


def test_leader_sends_back_to_the_specialist_with_a_reason(w: OneStopWorld) -> None:
    d, _ = dossier_receive(actor=w.counter, data=w.receipt(), now=w.monday_9am)
    dossier_act(actor=w.specialist, code=d.code, action=Action.FORWARD)
    with pytest.raises(ValidationError):
        dossier_act(actor=w.leader, code=d.code, action=Action.SEND_BACK)
    d = dossier_act(
        actor=w.leader,
        code=d.code,
        action=Action.SEND_BACK,
        data=ActionInput(reason="Thiếu ý kiến thẩm định"),
    )
    assert d.current_step is not None and d.current_step.order == 2
    assert d.current_assignee == w.specialist
    with pytest.raises(TransitionRefused):  # not back to the counter
        dossier_act(
            actor=w.specialist, code=d.code, action=Action.SEND_BACK, data=ActionInput(reason="x")
        )


def test_supplement_pauses_the_clock_once(w: OneStopWorld) -> None:
    d, _ = dossier_receive(actor=w.counter, data=w.receipt(), now=w.monday_9am)
    due = d.due_at
    d = dossier_act(
        actor=w.specialist,
        code=d.code,
        action=Action.REQUEST_SUPPLEMENT,
        data=ActionInput(reason="Bổ sung bản sao"),
        now=local(2026, 12, 8, 9),
    )
    assert d.status == Status.SUPPLEMENT
    # The applicant answers two working days later: the due time moves by 16 working hours.
    d = dossier_act(
        actor=w.counter, code=d.code, action=Action.SUPPLEMENT, now=local(2026, 12, 10, 9)
    )
    assert d.status == Status.PROCESSING
    assert d.due_at == local(2026, 12, 16, 9, 0) and due == local(2026, 12, 14, 9, 0)
    with pytest.raises(TransitionRefused) as exc:
        dossier_act(
            actor=w.specialist,
            code=d.code,
            action=Action.REQUEST_SUPPLEMENT,
            data=ActionInput(reason="lần hai"),
        )
    assert exc.value.code == "supplement_once"


def test_incomplete_at_the_counter_can_become_a_supplement_request(w: OneStopWorld) -> None:
    data = w.receipt(
        components=[ComponentInput(component=w.component_ids[0], file=upload(w.counter))],
        on_incomplete="request_supplement",
    )
    d, _ = dossier_receive(actor=w.counter, data=data, now=w.monday_9am)
    assert d.status == Status.SUPPLEMENT and d.due_at is None and d.code.endswith("-0001")
    d = dossier_act(
        actor=w.counter, code=d.code, action=Action.SUPPLEMENT,
        data=ActionInput(components=[ComponentInput(component=w.component_ids[1], file=upload(w.counter))]),
        now=local(2026, 12, 8, 9),
    )  # fmt: skip
    assert d.status == Status.PROCESSING
    assert d.due_at == local(2026, 12, 15, 9, 0)


def test_apology_once_and_not_in_the_last_working_day(w: OneStopWorld) -> None:
    d, _ = dossier_receive(actor=w.counter, data=w.receipt(), now=w.monday_9am)
    late = ActionInput(reason="Chờ ý kiến cơ quan phối hợp", new_due_date=dt.date(2026, 12, 18))
    with pytest.raises(TransitionRefused) as exc:
        dossier_act(
            actor=w.leader,
            code=d.code,
            action=Action.APOLOGIZE,
            data=late,
            now=local(2026, 12, 11, 10, 30),
        )
    assert exc.value.code == "apology_too_late"
    d = dossier_act(
        actor=w.leader, code=d.code, action=Action.APOLOGIZE, data=late, now=local(2026, 12, 10, 9)
    )
    assert d.extended_due_at == local(2026, 12, 18, 17, 0) and d.is_late
    with pytest.raises(TransitionRefused):
        dossier_act(
            actor=w.leader,
            code=d.code,
            action=Action.APOLOGIZE,
            data=late,
            now=local(2026, 12, 10, 10),
        )


def test_withdraw_and_stop_end_the_dossier(w: OneStopWorld) -> None:
    d1, _ = dossier_receive(actor=w.counter, data=w.receipt(), now=w.monday_9am)
    d1 = dossier_act(
        actor=w.counter,
        code=d1.code,
        action=Action.WITHDRAW,
        data=ActionInput(reason="Công dân rút"),
    )
    assert d1.status == Status.WITHDRAWN
    d2, _ = dossier_receive(actor=w.counter, data=w.receipt(), now=w.monday_9am)
    with pytest.raises(ValidationError):
        dossier_act(actor=w.leader, code=d2.code, action=Action.STOP)
    d2 = dossier_act(
        actor=w.leader, code=d2.code, action=Action.STOP, data=ActionInput(reason="Có tranh chấp")
    )
    assert d2.status == Status.STOPPED
    for code in (d1.code, d2.code):
        with pytest.raises(TransitionRefused):
            dossier_act(actor=w.counter, code=code, action=Action.WITHDRAW)


def test_late_resolution_is_marked_late(w: OneStopWorld) -> None:
    d, _ = dossier_receive(actor=w.counter, data=w.receipt(), now=w.monday_9am)
    dossier_act(actor=w.specialist, code=d.code, action=Action.FORWARD, now=local(2026, 12, 15, 9))
    d = dossier_act(actor=w.leader, code=d.code, action=Action.APPROVE, now=local(2026, 12, 15, 10))
    assert d.status == Status.RESOLVED and d.is_late


def test_idempotency_key_returns_the_first_dossier(w: OneStopWorld) -> None:
    data = w.receipt()
    d1, c1 = dossier_receive(actor=w.counter, data=data, idempotency_key="abc", now=w.monday_9am)
    d2, c2 = dossier_receive(actor=w.counter, data=data, idempotency_key="abc", now=w.monday_9am)
    assert (c1, c2) == (True, False) and d1.pk == d2.pk
    with pytest.raises(TransitionRefused):
        dossier_receive(actor=w.counter, data=w.receipt(subject="khác"), idempotency_key="abc")
    assert Dossier.objects.count() == 1


def test_commune_procedure_stays_in_the_commune(w: OneStopWorld) -> None:
    data = w.receipt(
        procedure_code="1.000002",
        components=[
            ComponentInput(component=c.pk, file=upload(w.commune_counter))
            for c in w.commune_version.components.filter(required=True)
        ],
    )
    d, _ = dossier_receive(actor=w.commune_counter, data=data, now=w.monday_9am)
    assert d.code.startswith("H99.19753-") and d.current_agency == w.commune
    assert d.current_department is not None and d.current_department.short_name == "VHXH"
    dossier_act(actor=w.commune_specialist, code=d.code, action=Action.FORWARD)
    d = dossier_act(actor=w.commune_leader, code=d.code, action=Action.APPROVE)
    assert d.status == Status.RESOLVED
