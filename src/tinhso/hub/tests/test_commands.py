"""The operator's commands: registering nodes, agencies and trust anchors; the worker loop."""

from __future__ import annotations

import os
import signal
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tinhso.audit.models import AuditEvent
from tinhso.exchange import httpsig
from tinhso.hub import registry
from tinhso.hub.models import Node, Organ, TrustAnchor
from tinhso.testing.signing import LocalPki

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_hub_node_add_registers_a_node_with_its_agencies(tmp_path: Path) -> None:
    # given
    _key, certificate = httpsig.make_node_credentials("tinh-hue")
    pem = tmp_path / "node.pem"
    pem.write_bytes(certificate)
    # when
    out = _run(
        "hub_node_add",
        "tinh-hue",
        "Hệ thống văn bản tỉnh Huế",
        "--certificate",
        str(pem),
        "--agency",
        "H57.02=Sở Nội vụ",
        "--agency",
        "H57.24.10=UBND phường Phú Xuân",
        "--push-url",
        "https://vanban.hue.gov.vn/lien-thong/nhan",
    )
    # then
    node = Node.objects.get(code="tinh-hue")
    fingerprint = registry.fingerprint_of(httpsig.load_certificate(certificate))
    assert node.fingerprint == fingerprint
    assert node.push_url == "https://vanban.hue.gov.vn/lien-thong/nhan"
    assert "Đã đăng ký nút tinh-hue" in out
    assert fingerprint in out
    assert "thêm cơ quan H57.02 — Sở Nội vụ" in out
    assert dict(Organ.objects.values_list("organ_id", "node__code")) == {
        "H57.02": "tinh-hue",
        "H57.24.10": "tinh-hue",
    }
    assert AuditEvent.objects.filter(action="hub.node.create", actor_label="system:hub_node_add")
    # and running it again updates instead of duplicating
    again = _run("hub_node_add", "tinh-hue", "Tỉnh Huế", "--certificate", str(pem), "--disabled")
    assert "Đã cập nhật nút tinh-hue" in again
    node.refresh_from_db()
    assert (node.name, node.enabled, node.push_url) == ("Tỉnh Huế", False, "")


def test_hub_node_add_refuses_what_is_not_a_certificate(tmp_path: Path) -> None:
    bad = tmp_path / "node.pem"
    bad.write_text("not a certificate")
    with pytest.raises(CommandError, match="PEM"):
        _run("hub_node_add", "tinh-x", "X", "--certificate", str(bad))
    with pytest.raises(CommandError):
        _run("hub_node_add", "hub", "X", "--certificate", str(bad))
    assert not Node.objects.exists()


def test_hub_agency_add_moves_an_agency_between_nodes(tmp_path: Path) -> None:
    for code in ("tinh-a", "tinh-b"):
        pem = tmp_path / f"{code}.pem"
        pem.write_bytes(httpsig.make_node_credentials(code)[1])
        _run("hub_node_add", code, code, "--certificate", str(pem))
    assert "Đã thêm cơ quan H57.02" in _run("hub_agency_add", "tinh-a", "H57.02", "Sở Nội vụ")
    out = _run("hub_agency_add", "tinh-b", "H57.02", "Sở Nội vụ")
    assert "Đã cập nhật cơ quan H57.02" in out
    assert Organ.objects.get(organ_id="H57.02").node.code == "tinh-b"
    with pytest.raises(CommandError):
        _run("hub_agency_add", "tinh-z", "H57.03", "Sở Tài chính")


def test_hub_trust_add_adds_a_root(test_pki: LocalPki, tmp_path: Path) -> None:
    pem = tmp_path / "root.pem"
    pem.write_bytes(test_pki.trust_root_pem)
    out = _run("hub_trust_add", str(pem), "--name", "CA thử nghiệm")
    anchor = TrustAnchor.objects.get()
    assert anchor.name == "CA thử nghiệm"
    assert anchor.enabled
    assert "Đã thêm chứng thư gốc CA thử nghiệm" in out
    assert registry.current().trust_roots == (registry.pem_to_der(test_pki.trust_root_pem),)


@pytest.mark.django_db(transaction=True)
def test_hub_worker_stops_on_sigterm() -> None:
    # given a SIGTERM arriving while the worker idles
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGTERM))
    before = signal.getsignal(signal.SIGTERM)
    timer.start()
    try:
        # when
        out = _run("hub_worker", "--interval", "0.1")
    finally:
        timer.cancel()
    # then it ended its loop cleanly and gave the signal back
    assert out.strip().endswith("Đã dừng.")
    assert signal.getsignal(signal.SIGTERM) == before
