"""How an outside recipient's state moves: forwards only.

Status packages travel independently and may arrive out of order (a late 05 after 06); the
state never goes back. The order: waiting to send (or failed), sent, 01 arrived, 03 registered,
04 assigned, 05 processing, 06 completed, 02 refused; a recall (ours) comes after all of these,
and the recipient's answer to it after the recall: 16 refused, then 15 agreed (a recipient that
refused may still agree later, not the other way round). vn-eoffice.md §2.4.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from tinhso.documents.models import Recipient, RecipientState

RANK: Final[dict[str, int]] = {
    RecipientState.PENDING: 0,
    RecipientState.FAILED: 0,
    RecipientState.SENT: 1,
    RecipientState.ARRIVED: 2,
    RecipientState.REGISTERED: 3,
    RecipientState.ASSIGNED: 4,
    RecipientState.PROCESSING: 5,
    RecipientState.COMPLETED: 6,
    RecipientState.REFUSED: 7,
    RecipientState.RECALLED: 8,
    RecipientState.RECALL_REFUSED: 9,
    RecipientState.RECALL_AGREED: 10,
}


def moves_forward(current: str, new: str) -> bool:
    """Whether `new` may replace `current` (a failure replaces only waiting or a failure)."""
    if new == RecipientState.FAILED:
        return current in (RecipientState.PENDING, RecipientState.FAILED)
    if new not in RANK:
        return False
    return RANK[new] > RANK.get(current, 0)


def advance(r: Recipient, state: str, at: dt.datetime, reason: str = "") -> bool:
    """Move the (locked) recipient to `state` if that is forwards; True when it moved."""
    if not moves_forward(r.state, state):
        return False
    r.state = state
    r.state_at = at
    r.state_reason = reason[:2000]
    r.save(update_fields=["state", "state_at", "state_reason"])
    return True


def behind(new: str) -> tuple[str, ...]:
    """The states `new` may replace (`moves_forward`), for a conditional UPDATE."""
    return tuple(current for current in RANK if moves_forward(current, new))


def advance_row(recipient_id: int, state: str, at: dt.datetime, reason: str = "") -> bool:
    """`advance` in one conditional UPDATE (no row read first); True when it moved. The row
    lock the UPDATE takes is held until commit, as `select_for_update` would."""
    moved = Recipient.objects.filter(pk=recipient_id, state__in=behind(state)).update(
        state=state, state_at=at, state_reason=reason[:2000]
    )
    return bool(moved)
