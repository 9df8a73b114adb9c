"""Nothing lost, nothing delivered twice, nothing false accepted (issue 6 §4): the hub killed in
the middle of a send, a receiving installation offline for a whole send, a signed PDF changed by
one byte before it was sent (the envelope's signature is good, the PAdES signature is not).

Exactly once is counted where it matters: incoming documents at B per edXML DocumentId
(`exchange_receivedpackage` joined to `documents_document`), and packages at the hub.
"""

from __future__ import annotations

import time
from typing import Any

from tinhso.exchange.tests.integration.steps import (
    COMMUNE,
    SNV,
    STC,
    eventually,
    issue_to,
    official_pdf,
    received_document_ids,
    unique_subject,
    wait_states,
)
from tinhso.testing.interconnect import Installation, Interconnect
from tinhso.testing.signing import LocalPki

#: Documents per send: enough for the hub to die in the middle of them.
BATCH = 12


def _issue_many(
    node: Installation, count: int, recipients: list[Any], label: str
) -> list[dict[str, Any]]:
    return [
        issue_to(node, recipients, subject=unique_subject(f"Về việc {label} số {n + 1}"))
        for n in range(count)
    ]


def _edxml_ids(node: Installation, outgoing_ids: list[int]) -> list[str]:
    placeholders = ", ".join(["%s"] * len(outgoing_ids))
    rows = node.sql(
        f"SELECT edxml_document_id FROM documents_document WHERE id IN ({placeholders})",  # noqa: S608
        outgoing_ids,
    )
    found = [str(r[0]) for r in rows]
    assert len(found) == len(outgoing_ids) and all(found), found
    return found


def _hub_packages_per_document(net: Interconnect, document_ids: list[str]) -> dict[str, int]:
    assert net.hub is not None
    counts = dict.fromkeys(document_ids, 0)
    rows = net.hub.sql(
        "SELECT document_id, count(*) FROM hub_package WHERE message_type = 'edoc' "
        "GROUP BY document_id"
    )
    for document_id, count in rows:
        if document_id in counts:
            counts[document_id] = int(count)
    return counts


def test_the_hub_killed_in_the_middle_of_a_send_loses_nothing_and_delivers_nothing_twice(
    net: Interconnect,
) -> None:
    assert net.hub is not None
    a, b, hub = net.a, net.b, net.hub
    # given a batch of documents issued while A's worker is stopped: they wait in the outbox
    assert a.worker is not None
    a.worker.stop()
    issued = _issue_many(a, BATCH, [COMMUNE], "kiểm tra trục ngừng đột ngột")
    document_ids = _edxml_ids(a, [d["id"] for d in issued])

    # when A's worker starts sending them and the hub is SIGKILLed once the first have landed
    a.worker.start()
    eventually(
        lambda: sum(_hub_packages_per_document(net, document_ids).values()) >= 2,
        "the first packages at the hub",
        timeout=60,
        interval=0.05,
    )
    hub.kill()
    landed_before = sum(_hub_packages_per_document(net, document_ids).values())
    time.sleep(1.0)  # A's worker meets a dead hub for a while
    hub.start()
    hub.wait_ready("/hub/v1/agencies")

    # then every document arrives at B exactly once
    eventually(
        lambda: all(n >= 1 for n in received_document_ids(b, document_ids).values()),
        f"all {BATCH} documents at B (the hub had {landed_before} when it died)",
        timeout=180,
    )
    assert received_document_ids(b, document_ids) == dict.fromkeys(document_ids, 1)
    assert _hub_packages_per_document(net, document_ids) == dict.fromkeys(document_ids, 1)
    # and A sees them all arrived
    for d in issued:
        wait_states(a, d["id"], {COMMUNE.code: "01"}, timeout=120)
    # and the hub did die in the middle of the send
    assert landed_before < BATCH, f"all {BATCH} packages had landed before the kill"


def test_a_receiver_offline_for_a_whole_send_gets_everything_once_when_back(
    net: Interconnect,
) -> None:
    a, b = net.a, net.b
    assert b.worker is not None and net.hub is not None
    # given B's worker is stopped
    b.worker.stop()

    # when A sends a batch to both of B's agencies
    issued = _issue_many(a, BATCH // 2, [COMMUNE, STC], "kiểm tra nơi nhận ngừng hoạt động")
    document_ids = _edxml_ids(a, [d["id"] for d in issued])
    # and the hub holds every delivery for B, which has none yet
    eventually(
        lambda: _pending_at_hub(net, document_ids) == 2 * len(document_ids),
        "every delivery pending at the hub",
        timeout=120,
    )
    for d in issued:
        assert set(wait_states(a, d["id"], {COMMUNE.code: "sent", STC.code: "sent"}).values()) == {
            "sent"
        }
    assert received_document_ids(b, document_ids) == dict.fromkeys(document_ids, 0)

    # when B comes back
    b.worker.start()

    # then each document arrives once for each of the two agencies, and A sees 01
    eventually(
        lambda: received_document_ids(b, document_ids) == dict.fromkeys(document_ids, 2),
        "every document at both agencies of B",
        timeout=120,
    )
    for d in issued:
        wait_states(a, d["id"], {COMMUNE.code: "01", STC.code: "01"})
    time.sleep(2.0)  # a late second delivery would show now
    assert received_document_ids(b, document_ids) == dict.fromkeys(document_ids, 2)


def _pending_at_hub(net: Interconnect, document_ids: list[str]) -> int:
    assert net.hub is not None
    placeholders = ", ".join(["%s"] * len(document_ids))
    rows = net.hub.sql(
        "SELECT count(*) FROM hub_delivery d JOIN hub_package p ON p.id = d.package_id "  # noqa: S608
        f"WHERE d.state = 'pending' AND p.document_id IN ({placeholders})",
        document_ids,
    )
    return int(rows[0][0])


def test_a_signed_pdf_changed_by_one_byte_is_refused_with_02_and_the_sender_sees_why(
    net: Interconnect, test_pki: LocalPki
) -> None:
    # given a PDF sealed by Sở Nội vụ, one byte of its signed content changed afterwards: the
    # envelope A's worker signs is good, the PAdES signature inside is not
    tampered = _tampered_sealed_pdf(test_pki)
    subject = unique_subject("Về việc gửi văn bản đã bị sửa sau khi ký")

    # when A issues it to the commune
    issued = issue_to(net.a, [COMMUNE], subject=subject, pdf=tampered)

    # then B refuses it (02) and makes no document of it
    states = wait_states(net.a, issued["id"], {COMMUNE.code: "02"})
    assert states[COMMUNE.code] == "02"
    assert not _incoming_subjects(net.b, subject)
    # and A's document page says why
    page = net.a.page("a.vanthu", f"/van-ban/{issued['id']}/")
    reason = page.split('data-testid="recipient-reason">', 1)[1].split("<", 1)[0]
    assert "chữ ký số" in reason.lower() and "không hợp lệ" in reason.lower(), reason


def _incoming_subjects(node: Installation, subject: str) -> list[Any]:
    return node.sql("SELECT id FROM documents_document WHERE subject = %s", [subject])


def _tampered_sealed_pdf(pki: LocalPki) -> bytes:
    """An official letter sealed (PAdES B-B) with Sở Nội vụ's key, then one letter of its
    Producer — inside the signed byte range — changed."""
    from tinhso.signatures.signing import sign_pdf

    with pki.signer(f"agency:{SNV.code}") as signer:
        sealed = sign_pdf(official_pdf(), signer=signer, level="B-B")
    marker = b"WeasyPrint"
    at = sealed.index(marker) + 1
    changed = sealed[:at] + (b"E" if sealed[at : at + 1] != b"E" else b"F") + sealed[at + 1 :]
    assert len(changed) == len(sealed) and changed != sealed
    return changed
