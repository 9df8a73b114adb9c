"""POST /api/v1/exchange/edxml/inspect: the report of a package, its signature checked against
the installation's trust list; hostile, malformed and oversized bodies refused."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tinhso.accounts.models import Role, User
from tinhso.exchange import edxml
from tinhso.exchange.tests.access_inspect import (
    sample_document,
    sample_status,
    sign_package,
    trust_test_root,
)
from tinhso.organizations.models import Agency
from tinhso.testing.factories import UserFactory, make_agency, official
from tinhso.testing.signing import LocalPki

pytestmark = pytest.mark.django_db

URL = "/api/v1/exchange/edxml/inspect"
VENDOR = Path("/work/shared/testdata/edxml")

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol9;</edXML>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">&xxe;
  </edXML:edXMLEnvelope>
</edXML>
"""


@pytest.fixture
def agency() -> Agency:
    return make_agency(code="H57.13", name="Sở Tài chính")


@pytest.fixture
def clerk(agency: Agency) -> User:
    return official(Role.VAN_THU, agency=agency, full_name="Trần Văn Thư")


@pytest.fixture
def client(clerk: User) -> APIClient:
    api = APIClient()
    api.force_authenticate(clerk)
    return api


@pytest.fixture(scope="module")
def signed_document(test_pki: LocalPki) -> bytes:
    return sign_package(test_pki, edxml.build(sample_document()))


def post(client: APIClient, body: bytes, content_type: str = "application/xml") -> Any:
    return client.post(URL, data=body, content_type=content_type)


# --- Reports --------------------------------------------------------------------------------


def test_a_signed_package_under_a_trusted_root_is_valid(
    client: APIClient, test_pki: LocalPki, signed_document: bytes
) -> None:
    # given the test PKI's root on the trust list
    trust_test_root(test_pki)

    # when the clerk inspects a package sealed by Sở Nội vụ
    response = post(client, signed_document)

    # then every field is reported and the signature is valid
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["kind"] == "document"
    assert body["document_id"] == "000.00.02.H57,2026/11/20,123/SNV-VP"
    assert body["from"] == {"organ_id": "000.00.02.H57", "name": "Sở Nội vụ"}
    assert body["to"] == [
        {"organ_id": "000.00.13.H57", "name": "Sở Tài chính"},
        {"organ_id": "000.20.31.H57", "name": "Ủy ban nhân dân xã Phú Vang"},
    ]
    assert (body["code_number"], body["code_notation"]) == ("123", "SNV-VP")
    assert body["promulgation_date"] == "2026-11-20"
    assert body["subject"] == "Về việc triển khai liên thông văn bản điện tử"
    assert (body["priority"], body["business_doc_type"]) == (1, 0)
    assert body["status_code"] is None and body["response_for"] is None
    assert body["attachments"] == [
        {"name": "cong-van-123.pdf", "content_type": "application/pdf", "size": 2016}
    ]
    assert body["signature"]["present"] is True
    assert body["signature"]["valid"] is True, body["signature"]
    assert body["signature"]["reasons"] == []
    assert body["warnings"] == []


def test_the_same_package_without_its_root_on_the_trust_list_is_not_valid(
    client: APIClient, signed_document: bytes
) -> None:
    # given an empty trust list
    # when
    body = post(client, signed_document).json()

    # then the signature is there, intact, but not trusted
    assert body["signature"]["present"] is True
    assert body["signature"]["valid"] is False
    assert body["signature"]["reasons"]
    assert all(r["code"] and r["message"] for r in body["signature"]["reasons"])


def test_a_tampered_package_is_not_valid_and_says_why(
    client: APIClient, test_pki: LocalPki, signed_document: bytes
) -> None:
    # given a trusted root and a signed package whose subject was changed afterwards
    trust_test_root(test_pki)
    tampered = signed_document.replace(
        "triển khai liên thông".encode(), "hủy bỏ liên thông".encode()
    )
    assert tampered != signed_document

    # when
    body = post(client, tampered).json()

    # then the (changed) subject is reported, and the signature is present but invalid
    assert body["subject"] == "Về việc hủy bỏ liên thông văn bản điện tử"
    assert body["signature"]["present"] is True
    assert body["signature"]["valid"] is False
    assert body["signature"]["reasons"], body["signature"]


def test_an_unsigned_package_has_no_signature(client: APIClient) -> None:
    # when
    body = post(client, edxml.build(sample_document())).json()

    # then
    assert body["signature"] == {
        "present": False,
        "valid": False,
        "reasons": body["signature"]["reasons"],
        "signer": None,
        "agency_code": None,
    }
    assert body["kind"] == "document"


def test_a_status_package(client: APIClient) -> None:
    # when a status package is inspected
    response = post(client, edxml.build(sample_status("05")), content_type="text/xml")

    # then it is reported as a status answering Sở Nội vụ's document
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["kind"] == "status"
    assert body["status_code"] == "05"
    assert body["from"]["organ_id"] == "000.20.31.H57"
    assert body["response_for"] == {
        "organ_id": "000.00.02.H57",
        "code": "123/SNV-VP",
        "promulgation_date": "2026-11-20",
        "document_id": "000.00.02.H57,2026/11/20,123/SNV-VP",
    }
    assert body["document_id"] == "000.00.02.H57,2026/11/20,123/SNV-VP"
    assert body["attachments"] == [] and body["code_number"] is None
    assert body["description"] == "Đang xử lý văn bản đến"
    assert body["timestamp"] == "2026-11-21T09:30:00+07:00"
    assert body["signature"]["present"] is False


def test_the_package_may_come_as_octet_stream_or_as_a_file(client: APIClient) -> None:
    data = edxml.build(sample_document())

    # when sent as bytes, then as a multipart file
    raw = post(client, data, content_type="application/octet-stream")
    upload = client.post(
        URL,
        {"package": SimpleUploadedFile("a.edxml", data, content_type="application/xml")},
        format="multipart",
    )

    # then both give the same report
    assert raw.status_code == upload.status_code == 200
    assert raw.json() == upload.json()


def test_a_package_larger_than_the_form_limit_is_read(client: APIClient, settings: Any) -> None:
    # given forms limited below the package's size (DATA_UPLOAD_MAX_MEMORY_SIZE)
    data = edxml.build(sample_document())
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(data) // 2

    # when / then the package, under its own limit, is read
    assert post(client, data).status_code == 200


# --- Refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (BILLION_LAUGHS, "forbidden_dtd"),
        (EXTERNAL_ENTITY, "forbidden_dtd"),
        (b"%PDF-1.7 this is not XML", "not_xml"),
        (b"<edXML><unclosed></edXML>", "not_xml"),
        ('<?xml version="1.0"?><html><body>Xin chào</body></html>'.encode(), "not_edxml"),
    ],
    ids=["billion-laughs", "external-entity", "not-xml", "broken-xml", "not-edxml"],
)
def test_malformed_or_hostile_xml_is_refused_quickly(
    client: APIClient, body: bytes, code: str
) -> None:
    # given a process that has served a request already (URLs, views imported)
    post(client, b"<warm-up/>")

    # when
    started = time.monotonic()
    response = post(client, body)
    elapsed = time.monotonic() - started

    # then 400 with the reason in Vietnamese, without expanding anything
    assert response.status_code == 400, response.content
    problem = response.json()
    assert problem["code"] == code
    assert problem["detail"] and not problem["detail"].isascii()
    assert b"root:" not in response.content  # nothing of /etc/passwd
    assert elapsed < 2


def test_an_empty_body_is_refused(client: APIClient) -> None:
    # when nothing is sent, as a body or as a form without the file
    empty = post(client, b"")
    blank = post(client, b"  \n ")
    no_file = client.post(URL, {"other": "x"}, format="multipart")

    # then 400, code "empty", saying how to send a package
    for response in (empty, blank, no_file):
        assert response.status_code == 400
        assert response.json()["code"] == "empty"
    assert "package" in no_file.json()["detail"]


def test_json_is_not_a_package(client: APIClient) -> None:
    response = client.post(URL, {"package": "x"}, format="json")
    assert response.status_code == 415


def test_a_body_over_the_limit_is_refused_from_its_declared_length(
    client: APIClient, settings: Any
) -> None:
    # given a small limit
    settings.TINHSO_EDXML_MAX_PACKAGE_BYTES = 1000

    # when a larger package is sent, as a body and as a file
    data = edxml.build(sample_document())
    assert len(data) > 1000
    body = post(client, data)
    upload = client.post(
        URL,
        {"package": SimpleUploadedFile("a.edxml", data, content_type="application/xml")},
        format="multipart",
    )

    # then 413 both times, with the limit in the message
    assert body.status_code == upload.status_code == 413
    assert body.json()["code"] == "too_large"
    assert "1000" in body.json()["detail"] or "KB" in body.json()["detail"]


def test_the_body_is_read_no_further_than_the_limit() -> None:
    # given a stream far longer than the limit (a body whose length was not declared)
    import io

    from tinhso.exchange.inspect_views import PackageTooLarge, read_limited

    stream = io.BytesIO(b"x" * 10_000_000)

    # when / then reading stops one byte past the limit
    with pytest.raises(PackageTooLarge):
        read_limited(stream, 1000)
    assert stream.tell() == 1001
    assert read_limited(io.BytesIO(b"x" * 1000), 1000) == b"x" * 1000


# --- Who may inspect ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.VAN_THU, 200),
        (Role.QUAN_TRI_CO_QUAN, 200),
        (Role.QUAN_TRI_TINH, 200),
        (Role.CHUYEN_VIEN, 403),
        (Role.LANH_DAO, 403),
        (Role.MOT_CUA, 403),
    ],
)
def test_clerks_and_administrators_may_inspect(agency: Agency, role: str, status: int) -> None:
    api = APIClient()
    api.force_authenticate(official(role, agency=agency))
    assert post(api, edxml.build(sample_document())).status_code == status


def test_citizens_and_the_anonymous_may_not() -> None:
    citizen = APIClient()
    citizen.force_authenticate(UserFactory.create(citizen=True))
    data = edxml.build(sample_document())
    assert post(citizen, data).status_code == 403
    assert post(APIClient(), data).status_code == 401


# --- Logging --------------------------------------------------------------------------------


def test_the_call_is_logged_without_the_package(
    client: APIClient, caplog: pytest.LogCaptureFixture
) -> None:
    # when
    with caplog.at_level(logging.INFO, logger="tinhso.exchange.inspect_views"):
        post(client, edxml.build(sample_document()))

    # then one line says who and what, nothing of the content
    lines = [r for r in caplog.records if r.name == "tinhso.exchange.inspect_views"]
    assert len(lines) == 1
    text = str(lines[0].msg)
    assert "exchange.edxml_inspect" in text and "document" in text
    assert "triển khai" not in text and "Sở Nội vụ" not in text


# --- Other vendors' packages ----------------------------------------------------------------


def vendor(name: str) -> bytes:
    path = VENDOR / name
    if not path.exists():
        pytest.skip(f"{path} is not here (third-party samples, not shipped)")
    return path.read_bytes()


def test_the_vendor_new_document(client: APIClient) -> None:
    # when the other vendor's new document is inspected
    response = post(client, vendor("edoc_new.edxml"))

    # then it is read, its dd/MM/yyyy date with a warning, its placeholder signature invalid
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["kind"] == "document"
    assert body["from"] == {"organ_id": "000.00.11.H53", "name": "Sở Tính"}
    assert body["to"][0]["organ_id"] == "000.00.01.A53"
    assert (body["code_number"], body["code_notation"]) == ("2491", "STC-BCTC")
    assert body["promulgation_date"] == "2020-10-30"
    assert body["business_doc_type"] == 0
    assert len(body["attachments"]) == 1 and body["attachments"][0]["size"] > 0
    date_warnings = [w for w in body["warnings"] if "PromulgationDate" in w["field"]]
    assert date_warnings, body["warnings"]
    assert body["signature"]["present"] is True
    assert body["signature"]["valid"] is False
    assert body["signature"]["reasons"]


def test_the_vendor_update(client: APIClient) -> None:
    body = post(client, vendor("edoc_update.edxml")).json()
    assert body["kind"] == "document" and body["business_doc_type"] == 2
    assert len(body["to"]) == 3
    assert body["signature"]["present"] is True and body["signature"]["valid"] is False


def test_the_vendor_status(client: APIClient) -> None:
    body = post(client, vendor("status_processing_05.edxml")).json()
    assert body["kind"] == "status" and body["status_code"] == "05"
    assert body["response_for"]["document_id"] == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert body["signature"]["present"] is False
