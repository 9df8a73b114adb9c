"""Property test: random sequences of actions by random people never reach an invalid state,
and every change — and only a change — leaves exactly one audit row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tinhso.accounts.access import actor_for
from tinhso.audit.models import AuditEvent
from tinhso.dossiers.access import may_act
from tinhso.dossiers.models import Dossier, Handover, Status
from tinhso.dossiers.rules import TRANSITIONS, Action, TransitionRefused
from tinhso.dossiers.services import ActionInput, ComponentInput, dossier_act, dossier_receive
from tinhso.testing.onestop import onestop_world, upload

pytestmark = pytest.mark.django_db

#: Ending actions are rarer, so that sequences reach the later steps as well.
ENDING = {Action.REFUSE, Action.STOP, Action.WITHDRAW}
WEIGHTED_ACTIONS = [a for a in Action for _ in range(1 if a in ENDING else 4)]
ACTOR_NAMES = ("counter", "specialist", "other_specialist", "leader", "commune_counter")


def _params(action: Action, w: Any, now: dt.datetime, flavour: int) -> ActionInput:
    match action:
        case Action.PAY:
            return ActionInput(
                method="cash",
                receipt_number=f"BL{flavour}",
                exempt=flavour % 5 == 0,
                reason="Hộ nghèo",
            )
        case Action.RETURN_RESULT:
            return ActionInput(method="counter")
        case Action.RATE:
            return ActionInput(rating=("very_satisfied", "satisfied", "unsatisfied")[flavour % 3])
        case Action.APOLOGIZE:
            return ActionInput(reason="Chậm", new_due_date=(now + dt.timedelta(days=20)).date())
        case Action.REQUEST_PAYMENT:
            return ActionInput(amount=None if flavour % 2 else Decimal(100000))
        case Action.SUPPLEMENT:
            return ActionInput(
                components=[ComponentInput(component=w.component_ids[1], file=upload(w.counter))]
                if flavour % 2
                else []
            )
        case Action.ATTACH_RESULT:
            return ActionInput(files=[upload(w.specialist)] if flavour % 2 else [])
    # An empty reason half the time: the services must refuse it where one is required.
    return ActionInput(reason="Lý do" if flavour % 2 else "", note="Ghi chú")


def _check_invariants(d: Dossier) -> None:
    assert d.status in Status.values
    assert d.supplement_requests <= 1
    if d.status in (Status.PROCESSING, Status.RESOLVED):
        assert d.current_step_id is not None and d.current_agency_id is not None
        assert d.received_at is not None and d.due_at is not None
    if d.status == Status.RESOLVED:
        assert d.resolved_at is not None
    if d.status == Status.RETURNED:
        assert d.returned_at is not None and d.resolved_at is not None
    if d.status in (Status.NOT_RECEIVED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED):
        assert d.ended_at is not None
    if d.status == Status.SUPPLEMENT and d.received_at is not None:
        assert d.paused_at is not None
    if d.status != Status.SUPPLEMENT:
        assert d.paused_at is None
    if d.fee_status == "paid":
        assert d.fee_receipt_number and d.fee_method
    seqs = list(Handover.objects.filter(dossier=d).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert Handover.objects.filter(dossier=d, completed_at__isnull=True).count() <= 1


def _who(w: Any, name: str, d: Dossier, action: Action) -> Any:
    if name != "auto":
        return getattr(w, name)
    for candidate in ACTOR_NAMES:
        if may_act(actor_for(getattr(w, candidate)), d, action):
            return getattr(w, candidate)
    return w.counter


steps = st.lists(
    st.tuples(
        st.sampled_from(WEIGHTED_ACTIONS),
        st.sampled_from((*ACTOR_NAMES, *("auto",) * 6)),  # mostly someone allowed to act
        st.integers(min_value=0, max_value=30),  # hours later
        st.integers(min_value=0, max_value=9),  # parameter flavour
    ),
    min_size=1,
    max_size=24,
)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps, incomplete=st.booleans(), data=st.data())
def test_random_sequences_keep_the_dossier_valid(
    steps: list[tuple[Action, str, int, int]], incomplete: bool, data: st.DataObject
) -> None:
    with transaction.atomic():
        w = onestop_world()
        now = w.monday_9am
        receipt = (
            w.receipt(
                components=[ComponentInput(component=w.component_ids[0], file=upload(w.counter))],
                on_incomplete="request_supplement",
            )
            if incomplete
            else w.receipt()
        )
        d, _ = dossier_receive(actor=w.counter, data=receipt, now=now)
        _check_invariants(d)
        for action, who, hours, flavour in steps:
            now += dt.timedelta(hours=hours)
            before = Dossier.objects.get(pk=d.pk)
            if data.draw(st.booleans(), label="pick an action the status allows"):
                possible = [a for a in WEIGHTED_ACTIONS if before.status in TRANSITIONS[a]]
                if possible:
                    action = data.draw(st.sampled_from(possible), label="action")
            audits = AuditEvent.objects.filter(
                object_type="dossiers.dossier", object_id=str(d.pk)
            ).count()
            params = _params(action, w, now, flavour)
            try:
                with transaction.atomic():
                    after = dossier_act(
                        actor=_who(w, who, before, action),
                        code=d.code,
                        action=action,
                        data=params,
                        now=now,
                    )
            except (TransitionRefused, PermissionDenied, ValidationError):
                unchanged = Dossier.objects.get(pk=d.pk)
                assert (
                    unchanged.status == before.status and unchanged.updated_at == before.updated_at
                )
                assert (
                    AuditEvent.objects.filter(
                        object_type="dossiers.dossier", object_id=str(d.pk)
                    ).count()
                    == audits
                )
                continue
            event(f"applied {action.value}")
            assert before.status in TRANSITIONS[action], (action, before.status)
            assert (
                AuditEvent.objects.filter(
                    object_type="dossiers.dossier", object_id=str(d.pk)
                ).count()
                == audits + 1
            )
            if before.due_at is not None and after.due_at is not None:
                assert after.due_at >= before.due_at
            _check_invariants(after)
        transaction.set_rollback(True)
