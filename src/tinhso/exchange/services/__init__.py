"""The node's writes: sending the outbox, receiving from the hub, answering revokes."""

from tinhso.exchange.services.receiving import (
    ReceiveReport,
    delivery_receive,
    inbox_pull,
    package_receive,
)
from tinhso.exchange.services.revoke import pending_revokes, revoke_agree, revoke_refuse
from tinhso.exchange.services.sending import (
    SendReport,
    outbox_claim,
    outbox_retry,
    outbox_send_batch,
)

__all__ = [
    "ReceiveReport",
    "SendReport",
    "delivery_receive",
    "inbox_pull",
    "outbox_claim",
    "outbox_retry",
    "outbox_send_batch",
    "package_receive",
    "pending_revokes",
    "revoke_agree",
    "revoke_refuse",
]
