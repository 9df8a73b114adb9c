"""The three packages of another vendor's provincial hub (shared/testdata/edxml, no licence:
read in place, never copied here)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tinhso.exchange import edxml
from tinhso.exchange.tests.edxml.support import SAMPLES, VN, make_credentials, sample

pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason="shared/testdata/edxml is not on this machine"
)

PLACEHOLDER_REASONS = {
    "signature_namespace",  # <Signature> in the edXML namespace, not XML-DSig
    "sha1",  # rsa-sha1 and a sha1 digest
    "transforms",  # "http://www.w3.org/TR/xml-exc-c14n#" is no C14N algorithm
    "certificate_malformed",  # "MIIFqTCCBJG": a truncated certificate
}


def _codes(problems: list[edxml.Problem]) -> list[tuple[str, str]]:
    return [(p.code, p.field) for p in problems]


def test_edoc_new() -> None:
    parsed = edxml.parse(sample("edoc_new.edxml"))
    assert (parsed.kind, parsed.signature_present) == ("document", True)
    pkg = parsed.package
    assert isinstance(pkg, edxml.DocumentPackage)
    assert pkg.sender.organ_id == "000.00.11.H53"
    assert pkg.sender.name == "Sở Tính"
    assert [o.organ_id for o in pkg.recipients] == ["000.00.01.A53"]
    assert pkg.recipients[0].name == "Văn phòng tỉnh ủy"
    assert pkg.document_id == "000.00.11.H53,2020/10/30,2491/STC-BCTC"
    assert (pkg.code_number, pkg.code_notation) == ("2491", "STC-BCTC")
    assert pkg.promulgation_date == dt.date(2020, 10, 30)  # written 30/10/2020
    assert (pkg.type_code, pkg.type_detail, pkg.type_name) == (1, 0, "Công văn")
    assert pkg.subject == "Báo cáo tài chính tỉnh"
    assert pkg.due_date is None
    assert (pkg.priority, pkg.steering_type) == (0, 1)
    assert (pkg.promulgation_amount, pkg.page_amount) == (2, 22)
    assert pkg.appendixes == ()  # <Appendix/>: nothing
    assert pkg.to_places == ("Cac bo va co quan ngang bo", "Uy ban nhan dan cac tinh, TP")
    assert pkg.traces == (edxml.Trace("000.00.00.G22", dt.datetime(2018, 9, 28, 0, 0, tzinfo=VN)),)
    assert pkg.business.business_type == 0
    # the impossible date 2014/02/30 is kept as written
    assert pkg.business.document_id == "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT"
    assert pkg.business.staff == edxml.Staff(
        "Văn thư văn phòng", "Nguyễn Thị Ngọc Trâm", "84912000001", "vanthuvanphong@gov.vn"
    )
    (attachment,) = pkg.attachments
    assert attachment.name == "1896_QD-TTg_m_294779.doc"
    assert attachment.content_type == "application/msword"
    assert attachment.content_id == "cid:209"
    assert len(attachment.data) == 388_347  # unzipped (the vendor's one entry)
    assert _codes(parsed.warnings) == [
        ("date_format", "PromulgationInfo/PromulgationDate"),
        ("bad_date", "Bussiness/DocumentId"),
    ]


def test_edoc_update() -> None:
    parsed = edxml.parse(sample("edoc_update.edxml"))
    pkg = parsed.package
    assert isinstance(pkg, edxml.DocumentPackage)
    assert [o.organ_id for o in pkg.recipients] == [
        "000.00.00.H53",
        "000.00.12.H53",
        "000.00.00.G17",
    ]
    assert pkg.business.business_type == 2
    assert pkg.business.reason == "Cập nhật văn bản điện tử"
    assert pkg.business.receivers == (
        edxml.Receiver("000.00.00.H41", 0),
        edxml.Receiver("000.00.00.H14", 1),
    )
    assert pkg.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert pkg.promulgation_date == dt.date(2018, 9, 28)
    assert pkg.due_date == dt.date(2018, 9, 28)
    assert pkg.signer_competence == "TL. BO TRUONG"
    assert pkg.appendixes == ("Công văn về việc kết nối, liên thông phần mềm quản lý văn bản",)
    assert parsed.signature_present
    assert _codes(parsed.warnings) == [("bad_date", "Bussiness/DocumentId")]


def test_status_processing_05() -> None:
    parsed = edxml.parse(sample("status_processing_05.edxml"))
    assert (parsed.kind, parsed.signature_present, parsed.warnings) == ("status", False, [])
    assert parsed.package == edxml.StatusPackage(
        sender=edxml.Organ(
            organ_id="000.00.00.H41",
            name="UBND Tỉnh Nghệ An",
            organization_in_charge="UBND Tỉnh Nghệ An",
            address="Số 03, đường Trường Thi, Thành phố Vinh, Tỉnh Nghệ An, Việt Nam",
            email="nghean@gov.vn",
            telephone="0383 840418",
            fax="0383 843049",
            website="www.nghean.vn",
        ),
        response_for=edxml.ResponseFor(
            organ_id="000.00.00.G22",
            code="7816/VPCP-TTĐT",
            promulgation_date=dt.date(2015, 9, 30),
            document_id="000.00.00.G22,2015/09/30,7816/VPCP-TTĐT",
        ),
        status_code="05",
        description="Đang xử lý văn bản đến",
        timestamp=dt.datetime(2015, 9, 20, 11, 8, 36, tzinfo=VN),
        staff=edxml.Staff(
            "Phong hanh chinh", "Nguyen thi ngoc tram", "84912000001", "ngoctram@nghean.vn"
        ),
        recipients=(),
    )


@pytest.mark.parametrize("name", ["edoc_new.edxml", "edoc_update.edxml"])
def test_placeholder_signatures_do_not_validate(name: str) -> None:
    check = edxml.verify(
        sample(name), trust_roots=[make_credentials().root], at=dt.datetime(2020, 11, 1, tzinfo=VN)
    )
    assert (check.present, check.valid) == (True, False)
    assert {p.code for p in check.reasons} == PLACEHOLDER_REASONS
    assert all(p.message.startswith("Chữ ký số không hợp lệ: ") for p in check.reasons)
    assert check.certificate is None and check.agency_code is None
    # even SHA-1 accepted, the rest stands
    lenient = edxml.verify(
        sample(name), trust_roots=[], at=dt.datetime(2020, 11, 1, tzinfo=VN), accept_sha1=True
    )
    assert not lenient.valid
    assert {p.code for p in lenient.reasons} == PLACEHOLDER_REASONS - {"sha1"}


def test_status_sample_has_no_signature() -> None:
    check = edxml.verify(
        sample("status_processing_05.edxml"), trust_roots=[], at=dt.datetime.now(dt.UTC)
    )
    assert (check.present, check.valid) == (False, False)


@pytest.mark.parametrize(
    "name", ["edoc_new.edxml", "edoc_update.edxml", "status_processing_05.edxml"]
)
def test_samples_survive_our_build_and_a_signature(name: str) -> None:
    # given: what we read from another vendor, written again by us and signed
    pkg = edxml.parse(sample(name)).package
    credentials = make_credentials()
    # when
    signed = credentials.sign(edxml.build(pkg))
    # then
    again = edxml.parse(signed)
    assert again.package == pkg
    # only the vendor's impossible date stays worth a warning
    assert {p.code for p in again.warnings} <= {"bad_date"}
    assert edxml.verify(signed, trust_roots=[credentials.root], at=dt.datetime.now(dt.UTC)).valid


def test_sign_replaces_a_placeholder_signature() -> None:
    credentials = make_credentials()
    signed = credentials.sign(sample("edoc_update.edxml"))
    check = edxml.verify(signed, trust_roots=[credentials.root], at=dt.datetime.now(dt.UTC))
    assert check.valid, check.reasons
    assert len(re.findall(rb"<Signature[ >]", signed)) == 1
    assert edxml.parse(signed).package == edxml.parse(sample("edoc_update.edxml")).package
