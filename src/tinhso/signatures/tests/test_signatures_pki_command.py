"""`manage.py signatures_pki`: the demo PKI for the leaders and clerks in the database and
their agencies, keys on SoftHSM2, registered as signing keys; running it again adds nothing."""

from __future__ import annotations

import asyncio
import io
import itertools
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Q

from tinhso.accounts.models import Role
from tinhso.audit.models import AuditEvent
from tinhso.organizations.models import Agency
from tinhso.signatures.identifiers import agency_code_of
from tinhso.signatures.keys import open_signer
from tinhso.signatures.models import SigningKey
from tinhso.signatures.pki import DEMO_PIN, PkiManifest
from tinhso.testing.factories import (
    make_agency,
    make_membership,
    make_position,
    make_user,
    official,
)

pytestmark = pytest.mark.django_db

BASE_URL = "http://127.0.0.1:8000/pki"
_labels = itertools.count()


@pytest.fixture
def agencies() -> tuple[Agency, Agency]:
    """Sở Xây dựng with a director, a clerk and a specialist; a department with only a specialist."""
    construction = make_agency(code="H57.05", name="Sở Xây dựng", email="sxd@hue.example")
    quiet = make_agency(code="H57.09", name="Sở Nông nghiệp và Môi trường")
    make_membership(
        user=make_user(username="giamdoc.sxd", full_name="Nguyễn Phước Bảo Khánh"),
        agency=construction,
        role=Role.LANH_DAO,
        position=make_position(name="Giám đốc"),
    )
    official(Role.VAN_THU, agency=construction, username="vanthu.sxd", full_name="Hồ Thị Hạnh")
    official(Role.CHUYEN_VIEN, agency=construction, username="cv.sxd")
    official(Role.CHUYEN_VIEN, agency=quiet, username="cv.snnmt")
    return construction, quiet


def _run(directory: Path, softhsm_conf: Path, label: str, *args: str) -> str:
    out = io.StringIO()
    call_command(
        "signatures_pki",
        "--dir",
        str(directory),
        "--base-url",
        BASE_URL,
        "--softhsm-conf",
        str(softhsm_conf),
        "--token-label",
        label,
        *args,
        stdout=out,
    )
    return out.getvalue()


def test_leaders_clerks_and_their_agency_get_certificates_and_signing_keys(
    tmp_path: Path, softhsm_conf: Path, agencies: tuple[Agency, Agency]
) -> None:
    # given
    construction, _quiet = agencies
    label = f"cmd-{next(_labels)}"
    # when
    output = _run(tmp_path / "pki", softhsm_conf, label)
    # then
    manifest = PkiManifest.load(tmp_path / "pki")
    assert set(manifest.parties) == {
        "agency:H57.05",
        "person:giamdoc.sxd",
        "person:vanthu.sxd",
    }
    director = manifest.certificate("person:giamdoc.sxd")
    assert director.subject.native["common_name"] == "Nguyễn Phước Bảo Khánh"
    assert director.subject.native["title"] == "Giám đốc"
    assert director.subject.native["organization_name"] == "Sở Xây dựng"
    assert agency_code_of(director) == "H57.05"
    assert manifest.certificate("agency:H57.05").subject.native["common_name"] == "Sở Xây dựng"
    assert f"mã PIN: {DEMO_PIN}" in output and manifest.tsa_url in output
    keys = SigningKey.objects.filter(agency=construction)
    assert {(k.kind, k.owner.username if k.owner else None) for k in keys} == {
        ("agency", None),
        ("personal", "giamdoc.sxd"),
        ("personal", "vanthu.sxd"),
    }
    assert {(k.token_label, k.agency_code, k.storage) for k in keys} == {
        (label, "H57.05", "pkcs11")
    }
    with open_signer(
        manifest.key_ref("person:giamdoc.sxd"), pin=DEMO_PIN, certificate=director
    ) as signer:
        assert len(asyncio.run(signer.async_sign_raw(b"to trinh", "sha256"))) == 256


def test_running_again_adds_nothing_and_a_new_leader_adds_one(
    tmp_path: Path, softhsm_conf: Path, agencies: tuple[Agency, Agency]
) -> None:
    # given
    construction, _quiet = agencies
    label = f"cmd-{next(_labels)}"
    _run(tmp_path / "pki", softhsm_conf, label)
    serials = {k: r.serial for k, r in PkiManifest.load(tmp_path / "pki").parties.items()}
    audits = AuditEvent.objects.count()
    # when
    again = _run(tmp_path / "pki", softhsm_conf, label)
    # then
    assert "0 chứng thư mới" in again
    assert {k: r.serial for k, r in PkiManifest.load(tmp_path / "pki").parties.items()} == serials
    assert SigningKey.objects.count() == 3 and AuditEvent.objects.count() == audits
    # when
    official(Role.LANH_DAO, agency=construction, username="phogiamdoc.sxd", full_name="Lê Văn Phó")
    third = _run(tmp_path / "pki", softhsm_conf, label)
    # then
    assert "1 chứng thư mới" in third
    assert SigningKey.objects.filter(owner__username="phogiamdoc.sxd").count() == 1
    assert SigningKey.objects.count() == 4


def test_options_limit_agencies_or_seal_every_agency(
    tmp_path: Path, softhsm_conf: Path, agencies: tuple[Agency, Agency]
) -> None:
    # given
    label = f"cmd-{next(_labels)}"
    # when
    _run(
        tmp_path / "pki",
        softhsm_conf,
        label,
        "--agency",
        "H57.09",
        "--all-agencies",
        "--no-register",
    )
    # then
    assert set(PkiManifest.load(tmp_path / "pki").parties) == {"agency:H57.09"}
    assert not SigningKey.objects.exists()


def test_the_directory_defaults_to_the_setting(
    tmp_path: Path, softhsm_conf: Path, settings: LazySettings, agencies: tuple[Agency, Agency]
) -> None:
    # given
    settings.TINHSO_PKI_DIR = tmp_path / "var-pki"
    out = io.StringIO()
    # when
    call_command(
        "signatures_pki",
        "--softhsm-conf",
        str(softhsm_conf),
        "--token-label",
        f"cmd-{next(_labels)}",
        "--no-register",
        stdout=out,
    )
    # then
    assert (tmp_path / "var-pki" / "pki.json").exists()
    assert str(tmp_path / "var-pki") in out.getvalue()


def test_a_directory_built_for_another_address_is_a_command_error(
    tmp_path: Path, softhsm_conf: Path, agencies: tuple[Agency, Agency]
) -> None:
    # given
    label = f"cmd-{next(_labels)}"
    _run(tmp_path / "pki", softhsm_conf, label, "--no-register")
    # when / then
    with pytest.raises(CommandError, match="serves"):
        call_command(
            "signatures_pki",
            "--dir",
            str(tmp_path / "pki"),
            "--base-url",
            "http://khac.example/pki",
            "--softhsm-conf",
            str(softhsm_conf),
            "--token-label",
            label,
            stdout=io.StringIO(),
        )
    assert not SigningKey.objects.filter(~Q(token_label="")).exists()
