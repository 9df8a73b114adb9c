"""The one-stop world for browser tests: live server (transactional), seeded calendar.

Transactional tests empty the tables that migrations seed, so the working calendar is seeded
again here; the dossiers are built through the services, at fixed moments where the test
needs a known state and at the real clock where the page computes "time left".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tinhso.accounts.models import Role, User
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.rules import Action
from tinhso.dossiers.services import ActionInput, ComponentInput, dossier_act, dossier_receive
from tinhso.testing.factories import official
from tinhso.testing.onestop import OneStopWorld, local, onestop_world, upload
from tinhso.workcalendar.selectors import work_calendar_cache_clear


@pytest.fixture
def seeded_calendar(transactional_db: None) -> Iterator[None]:
    """The migrations' calendar (put back before each test by `_reseed_after_flush` when a
    flush removed it), read fresh."""
    work_calendar_cache_clear()
    yield
    work_calendar_cache_clear()


@pytest.fixture
def onestop(seeded_calendar: None) -> OneStopWorld:
    return onestop_world()


@dataclass(frozen=True)
class Desk:
    """Dossiers in the states the one-stop pages show, and a provincial administrator."""

    world: OneStopWorld
    admin: User
    at_approval: Dossier
    overdue: Dossier
    near_due: Dossier
    supplement: Dossier
    returned: Dossier


def _receive(w: OneStopWorld, at: dt.datetime, **overrides: object) -> Dossier:
    return dossier_receive(actor=w.counter, data=w.receipt(**overrides), now=at)[0]


def build_desk(w: OneStopWorld) -> Desk:
    from tinhso.dossiers.services import ApplicantInput

    admin = official(Role.QUAN_TRI_TINH, full_name="Quản Trị Tỉnh")

    at_approval = _receive(w, w.monday_9am)
    dossier_act(
        actor=w.specialist,
        code=at_approval.code,
        action=Action.FORWARD,
        data=ActionInput(note="Hồ sơ hợp lệ, đề nghị cấp phép."),
        now=local(2026, 12, 8, 10, 0),
    )

    overdue = _receive(
        w,
        local(2025, 10, 6, 9, 0),
        applicant=ApplicantInput(
            kind="citizen", name="Trần Thị Bình", id_number="046190004321", phone="0987654321"
        ),
    )

    near_due = _receive(
        w,
        w.monday_9am,
        applicant=ApplicantInput(
            kind="citizen", name="Lê Văn Cường", id_number="001085002222", phone="0905111222"
        ),
    )
    # Due in three hours from now, whatever day the test runs (test data, not a rule).
    Dossier.objects.filter(pk=near_due.pk).update(due_at=timezone.now() + dt.timedelta(hours=3))

    supplement = dossier_receive(
        actor=w.counter,
        data=w.receipt(
            components=[ComponentInput(component=w.component_ids[0], file=upload(w.counter))],
            on_incomplete="request_supplement",
            applicant=ApplicantInput(
                kind="citizen", name="Phạm Thị Dung", id_number="046300007777", phone="0911222333"
            ),
        ),
        now=w.monday_9am,
    )[0]

    returned = _receive(w, w.monday_9am)
    steps = [
        (w.specialist, Action.FORWARD, ActionInput(note="Đủ điều kiện.")),
        (w.leader, Action.APPROVE, ActionInput()),
        (w.counter, Action.PAY, ActionInput(method="cash", receipt_number="BL-0001")),
        (w.counter, Action.RETURN_RESULT, ActionInput(method="counter")),
    ]
    for hour, (actor, action, data) in enumerate(steps, start=9):
        dossier_act(
            actor=actor, code=returned.code, action=action, data=data, now=local(2026, 12, 9, hour)
        )
    return Desk(
        world=w,
        admin=admin,
        at_approval=Dossier.objects.get(pk=at_approval.pk),
        overdue=overdue,
        near_due=Dossier.objects.get(pk=near_due.pk),
        supplement=supplement,
        returned=Dossier.objects.get(pk=returned.pk),
    )


@pytest.fixture
def desk(onestop: OneStopWorld) -> Desk:
    return build_desk(onestop)
