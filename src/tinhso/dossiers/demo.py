"""Demo dossiers, so that every one-stop screen of the demo province has something to show.

Received through the services (codes, deadlines, control slips, audit rows and outbox rows are
real) at the Service Center (`motcua`) and at Phường Phú Xuân (`motcua.xa`) over the last two
weeks, then moved along: some wait for the demo specialist `chuyenvien` and the leader
`lanhdao` of Sở Nội vụ, some are resolved, returned and rated, one waits for a supplement, one
was refused. Applicants are invented; their e-mail addresses use the reserved domain
example.vn. Idempotent: nothing happens when the demo already has dossiers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from tinhso.accounts.models import User
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.rules import Action
from tinhso.dossiers.services import (
    ActionInput,
    ApplicantInput,
    ComponentInput,
    ReceiptInput,
    dossier_act,
    dossier_receive,
)
from tinhso.procedures.models import ProcedureVersion, VersionStatus
from tinhso.workcalendar.arithmetic import TIMEZONE, to_local
from tinhso.workcalendar.selectors import work_calendar

#: A one-page PDF standing for a scanned paper (the same bytes are stored once).
SCAN: Final = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

APPLICANTS: Final = (
    ("Nguyễn Văn Bình", "046088001234", "0905123456"),
    ("Trần Thị Mỹ Duyên", "046192004321", "0935111222"),
    ("Lê Quang Vinh", "046085007788", "0914555666"),
    ("Phạm Thị Thu Hà", "046190002468", "0983222333"),
    ("Hoàng Minh Tuấn", "046095001357", "0702444555"),
    ("Võ Thị Ngọc Hân", "046199008642", "0868777888"),
    ("Đặng Hữu Phước", "046080009753", "0398666777"),
    ("Bùi Thị Kim Oanh", "046187003579", "0522999000"),
    ("Tôn Nữ Minh Thư", "046193006420", "0907888999"),
    ("Huỳnh Công Danh", "046091005319", "0931234567"),
)


@dataclass(frozen=True, slots=True)
class Plan:
    counter: str
    procedure: str
    days_ago: int
    then: tuple[tuple[str, str], ...]  # (action, actor username)


#: What happens to each demo dossier after its receipt.
PLANS: Final = (
    Plan("motcua", "3.000283", 9, (("forward", "chuyenvien"), ("approve", "lanhdao"),
                                   ("pay", "motcua"), ("return-result", "motcua"), ("rate", "motcua"))),
    Plan("motcua", "3.000283", 6, (("forward", "chuyenvien"), ("approve", "lanhdao"))),
    Plan("motcua", "3.000283", 4, (("forward", "chuyenvien"),)),
    Plan("motcua", "3.000283", 2, ()),
    Plan("motcua", "3.000283", 1, ()),
    Plan("motcua", "3.000283", 0, ()),
    Plan("motcua", "1.008905", 3, ()),
    Plan("motcua", "1.010702", 8, ()),
    Plan("motcua.xa", "1.001193", 5, (("forward", "*"), ("approve", "*"), ("return-result", "motcua.xa"),
                                      ("rate", "motcua.xa"))),
    Plan("motcua.xa", "2.001019", 2, (("request-supplement", "*"),)),
    Plan("motcua.xa", "1.001193", 1, ()),
    Plan("motcua.xa", "2.002080", 0, ()),
)  # fmt: skip


def _working_morning(days_ago: int, hour: int) -> dt.datetime:
    """`days_ago` working days before today, at `hour`:30 local time."""
    calendar = work_calendar(None)
    day = to_local(dt.datetime.now(TIMEZONE)).date()
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    counted = 0
    while counted < days_ago:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return dt.datetime.combine(day, dt.time(hour, 30), tzinfo=TIMEZONE)


def _holder(code: str) -> User:
    """Whoever holds the dossier's current step (the demo has one per commune role)."""
    from tinhso.accounts.access import actor_for
    from tinhso.dossiers.access import handles_current_step

    d = Dossier.objects.select_related("current_step").get(code=code)
    if d.current_agency_id is None:
        raise LookupError(f"{code} is at no step")
    for user in User.objects.filter(
        memberships__agency_id=d.current_agency_id, memberships__is_active=True
    ).distinct():
        if handles_current_step(actor_for(user), d):
            return user
    raise LookupError(f"nobody holds the current step of {code}")


def _params(action: str) -> ActionInput:
    match action:
        case "pay":
            return ActionInput(method="cash", receipt_number="BL-000125")
        case "return-result":
            return ActionInput(method="counter")
        case "rate":
            return ActionInput(rating="very_satisfied", note="Cán bộ hướng dẫn tận tình.")
        case "request-supplement":
            return ActionInput(reason="Bổ sung bản sao giấy tờ chứng minh nhân thân có chứng thực.")
        case _:
            return ActionInput(note="Hồ sơ đủ điều kiện, đề nghị phê duyệt.")


def load_demo_dossiers() -> int:
    """Receive and move the demo dossiers; returns how many were created (0 if any existed)."""
    if Dossier.objects.exists():
        return 0
    created = 0
    with transaction.atomic():
        scans: dict[str, int] = {}
        for index, plan in enumerate(PLANS):
            version = (
                ProcedureVersion.objects.filter(
                    procedure__code=plan.procedure, status=VersionStatus.PUBLISHED
                )
                .prefetch_related("components")
                .first()
            )
            if version is None:
                continue
            counter = User.objects.get(username=plan.counter)
            if plan.counter not in scans:
                from tinhso.files.services import file_store

                scans[plan.counter] = file_store(
                    actor=counter,
                    upload=SimpleUploadedFile("ban-scan.pdf", SCAN, content_type="application/pdf"),
                ).pk
            name, id_number, phone = APPLICANTS[index % len(APPLICANTS)]
            at = _working_morning(plan.days_ago, 8 + index % 6)
            d, _ = dossier_receive(
                actor=counter,
                data=ReceiptInput(
                    procedure_code=plan.procedure,
                    channel="counter",
                    applicant=ApplicantInput(
                        kind="citizen",
                        name=name,
                        id_number=id_number,
                        phone=phone,
                        email=f"nguoinop{index + 1}@example.vn",
                        address="Phường Phú Xuân, thành phố Huế",
                    ),
                    components=[
                        ComponentInput(component=c.pk, file=scans[plan.counter])
                        for c in version.components.all()
                        if c.required
                    ],
                ),
                now=at,
            )
            created += 1
            for step, (action, username) in enumerate(plan.then, start=1):
                actor = _holder(d.code) if username == "*" else User.objects.get(username=username)
                dossier_act(
                    actor=actor,
                    code=d.code,
                    action=Action(action),
                    data=_params(action),
                    now=at + dt.timedelta(hours=2 * step),
                )
    return created
