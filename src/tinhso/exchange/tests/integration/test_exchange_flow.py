"""A document travels from installation A to installation B through the hub, and B's steps come
back to A as statuses (issue 6 §3 and §4; decision 0005 §4; QCVN 102:2016 status codes,
vn-eoffice.md §2.4; Nghị định 30/2020, Điều 21–24).

Everything goes through the real processes: A's and B's REST API drive the e-office, their
exchange workers build, sign, send, pull and verify, the hub stores and forwards.
"""

from __future__ import annotations

from tinhso.exchange.tests.integration.steps import (
    COMMUNE,
    SNV,
    STC,
    attachment_bytes,
    eventually,
    issue_to,
    official_pdf,
    unique_subject,
    wait_incoming,
    wait_states,
)
from tinhso.testing.interconnect import Installation, Interconnect


def _content(node: Installation, user: str, file_id: int) -> bytes:
    answer = node.api(user).request("GET", f"/api/v1/files/{file_id}/content", expect=200)
    return answer.body


def test_a_document_reaches_the_commune_and_the_department_with_its_fields_and_files(
    net: Interconnect,
) -> None:
    # given Sở Nội vụ of installation A issues a letter with an appendix to the commune and to
    # Sở Tài chính, both served by installation B
    subject = unique_subject("Về việc báo cáo tình hình biên chế năm 2026")
    appendix = attachment_bytes(6000)
    issued = issue_to(
        net.a,
        [COMMUNE, STC],
        subject=subject,
        pdf=official_pdf(),
        attachments=[("phu-luc.pdf", appendix)],
    )
    sent_pdf = next(f for f in issued["files"] if f["role"] == "issued")
    sent_bytes = _content(net.a, "a.vanthu", sent_pdf["id"])

    for clerk in ("b.xa.vanthu", "b.stc.vanthu"):
        # then each agency's clerk has it in the queue, waiting to be registered
        got = wait_incoming(net.b, clerk, subject)
        assert got["status"] == "received"
        assert got["source"] == "exchange"
        # with the fields of the issued document
        assert (got["number"], got["notation"], got["date"]) == (
            issued["number"],
            issued["notation"],
            issued["date"],
        )
        assert (got["issuer_code"], got["issuer_name"]) == (SNV.code, SNV.name)
        assert got["type"] == "CV"
        assert got["signer_name"] == "Hoàng Thị Thanh Tâm"
        # and its files, byte for byte: the sealed letter and the appendix
        files = {f["role"]: f for f in got["files"]}
        assert set(files) == {"main", "attachment"}, got["files"]
        assert _content(net.b, clerk, files["main"]["id"]) == sent_bytes
        assert b"/ByteRange" in sent_bytes  # sealed with the agency key before sending
        assert _content(net.b, clerk, files["attachment"]["id"]) == appendix
        # and its history says it arrived (01)
        assert "01" in [step["edxml_status"] for step in got["history"]]

    # and A sees both recipients at 01 (đã đến)
    wait_states(net.a, issued["id"], {COMMUNE.code: "01", STC.code: "01"})


def test_the_receivers_steps_come_back_to_the_sender_as_statuses(net: Interconnect) -> None:
    # given a letter from A that arrived at the commune and at Sở Tài chính
    subject = unique_subject("Về việc triển khai kế hoạch cải cách hành chính")
    issued = issue_to(net.a, [COMMUNE, STC], subject=subject)
    commune_copy = wait_incoming(net.b, "b.xa.vanthu", subject)
    stc_copy = wait_incoming(net.b, "b.stc.vanthu", subject)
    wait_states(net.a, issued["id"], {COMMUNE.code: "01", STC.code: "01"})
    b = net.b
    incoming = "/api/v1/documents/incoming"

    # when both clerks register it: 03 đã tiếp nhận
    b.api("b.xa.vanthu").post(f"{incoming}/{commune_copy['id']}/accept/", {})
    b.api("b.stc.vanthu").post(f"{incoming}/{stc_copy['id']}/accept/", {})
    wait_states(net.a, issued["id"], {COMMUNE.code: "03", STC.code: "03"})

    # when the commune's chairman assigns it to the specialist: 04 phân công
    b.api("b.xa.chutich").post(
        f"{incoming}/{commune_copy['id']}/assign/",
        {"main": b.user_id("b.xa.chuyenvien"), "direction": "Đề nghị tham mưu triển khai"},
    )
    wait_states(net.a, issued["id"], {COMMUNE.code: "04"})

    # when the specialist starts (05 đang xử lý) and completes it (06 hoàn thành)
    specialist = b.api("b.xa.chuyenvien")
    specialist.post(f"{incoming}/{commune_copy['id']}/process/", {"action": "start"})
    wait_states(net.a, issued["id"], {COMMUNE.code: "05"})
    specialist.post(
        f"{incoming}/{commune_copy['id']}/process/",
        {"action": "complete", "result_note": "Đã xây dựng kế hoạch triển khai"},
    )

    # then A's document shows each recipient where it stands: the commune done, Sở Tài chính
    # registered
    states = wait_states(net.a, issued["id"], {COMMUNE.code: "06", STC.code: "03"})
    assert states == {COMMUNE.code: "06", STC.code: "03"}

    # and at the hub every delivery of this document, and every status about it, was
    # acknowledged by the node that pulled it: none is left leased to be offered again
    hub = net.hub
    assert hub is not None
    document_id = net.a.sql(
        "SELECT edxml_document_id FROM documents_document WHERE id = %s", [issued["id"]]
    )[0][0]

    def all_acknowledged() -> bool:
        rows = hub.sql(
            "SELECT d.state, count(*) FROM hub_delivery d JOIN hub_package p "
            "ON p.id = d.package_id WHERE p.document_id = %s GROUP BY d.state",
            [document_id],
        )
        return bool(rows) and {state for state, _n in rows} == {"done"}

    eventually(all_acknowledged, "every delivery acknowledged at the hub")


def test_a_recall_is_agreed_by_one_recipient_and_refused_by_the_other(net: Interconnect) -> None:
    # given a letter from A that arrived at the commune and at Sở Tài chính
    subject = unique_subject("Về việc tổ chức hội nghị tổng kết")
    issued = issue_to(net.a, [COMMUNE, STC], subject=subject)
    commune_copy = wait_incoming(net.b, "b.xa.vanthu", subject)
    stc_copy = wait_incoming(net.b, "b.stc.vanthu", subject)
    wait_states(net.a, issued["id"], {COMMUNE.code: "01", STC.code: "01"})

    # when A's clerk recalls it (13)
    net.a.api("a.vanthu").post(
        f"/api/v1/documents/outgoing/{issued['id']}/recall/", {"reason": "Ban hành nhầm nơi nhận"}
    )
    wait_states(net.a, issued["id"], {COMMUNE.code: "recalled", STC.code: "recalled"})
    # and the request reaches both clerks of B, waiting for their answer
    eventually(
        lambda: _pending_revokes(net.b, [commune_copy["id"], stc_copy["id"]]) == 2,
        "the revoke requests at B",
    )

    # when the commune agrees (15) and Sở Tài chính refuses (16) — the REST API has no call for
    # this answer (only the page /lien-thong/van-ban/<id>/thu-hoi/<answer>/): the services
    net.b.python(
        "from tinhso.accounts.models import User\n"
        "from tinhso.exchange.services.revoke import revoke_agree, revoke_refuse\n"
        f"revoke_agree(actor=User.objects.get(username='b.xa.vanthu'), document_id={commune_copy['id']})\n"
        f"revoke_refuse(actor=User.objects.get(username='b.stc.vanthu'), document_id={stc_copy['id']},"
        " reason='Văn bản đã được triển khai thực hiện')\n"
        "result = True\n"
    )

    # then A sees the commune's agreement and Sở Tài chính's refusal with its reason
    states = wait_states(net.a, issued["id"], {COMMUNE.code: "15", STC.code: "16"})
    assert states == {COMMUNE.code: "15", STC.code: "16"}
    page = net.a.page("a.vanthu", f"/van-ban/{issued['id']}/")
    assert 'data-state="15"' in page and 'data-state="16"' in page
    assert "Văn bản đã được triển khai thực hiện" in page
    # and the commune's copy is recalled, Sở Tài chính's kept
    commune_now = net.b.api("b.xa.vanthu").get(f"/api/v1/documents/incoming/{commune_copy['id']}/")
    stc_now = net.b.api("b.stc.vanthu").get(f"/api/v1/documents/incoming/{stc_copy['id']}/")
    assert commune_now["status"] == "recalled"
    assert stc_now["status"] == "received"


def _pending_revokes(node: Installation, document_ids: list[int]) -> int:
    placeholders = ", ".join(["%s"] * len(document_ids))
    rows = node.sql(
        "SELECT count(*) FROM exchange_receivedpackage WHERE answer = '' AND verdict = 'accepted' "  # noqa: S608
        f"AND status_code = '13' AND document_id IN ({placeholders})",
        document_ids,
    )
    return int(rows[0][0])
