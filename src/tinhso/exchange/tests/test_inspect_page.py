"""/lien-thong/kiem-tra-edxml/: a clerk uploads or pastes a package and reads the report; bad
input is shown in an error box, with the right status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tinhso.accounts.models import Role, User
from tinhso.exchange import edxml
from tinhso.exchange.tests.access_inspect import sample_document, sample_status
from tinhso.exchange.tests.test_inspect_api import BILLION_LAUGHS
from tinhso.testing.factories import UserFactory, make_agency, official

pytestmark = pytest.mark.django_db

VENDOR = Path("/work/shared/testdata/edxml")


@pytest.fixture
def clerk() -> User:
    return official(Role.VAN_THU, agency=make_agency(name="Sở Tài chính"), full_name="Trần Văn Thư")


@pytest.fixture
def browser_client(clerk: User) -> Client:
    client = Client()
    client.force_login(clerk)
    return client


def url() -> str:
    return reverse("exchange:edxml_inspect")


def upload(data: bytes, name: str = "goi-tin.edxml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/xml")


def test_the_empty_page_offers_the_upload(browser_client: Client) -> None:
    response = browser_client.get(url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kiểm tra gói tin edXML" in html
    assert 'name="package"' in html and 'name="text"' in html
    assert 'data-testid="inspect-report"' not in html


def test_an_uploaded_package_is_reported(browser_client: Client) -> None:
    # when the clerk uploads an unsigned công văn
    response = browser_client.post(url(), {"package": upload(edxml.build(sample_document()))})

    # then the report shows its fields, recipients and attachment, and no signature
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-kind="document"' in html and 'data-verdict="unsigned"' in html
    for text in (
        "goi-tin.edxml",
        "123/SNV-VP",
        "20/11/2026",
        "Về việc triển khai liên thông văn bản điện tử",
        "Sở Tài chính",
        "Ủy ban nhân dân xã Phú Vang",
        "cong-van-123.pdf",
        "Không có chữ ký",
        "Khẩn",
        "Văn bản mới",
    ):
        assert text in html, text
    report = response.context["report"]
    assert report.signature.verdict == "unsigned"


def test_pasted_xml_is_reported(browser_client: Client) -> None:
    # when a status package is pasted
    text = edxml.build(sample_status("06")).decode()
    response = browser_client.post(url(), {"text": text})

    # then it is reported as a status, and the pasted text stays in the box
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-kind="status"' in html
    assert "Đã xử lý xong" in html and "123/SNV-VP" in html
    assert "Đang xử lý văn bản đến" in html
    assert response.context["text"] == text


def test_hostile_xml_is_shown_as_an_error(browser_client: Client) -> None:
    response = browser_client.post(url(), {"package": upload(BILLION_LAUGHS, "bom.xml")})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="inspect-error"' in html and 'data-code="forbidden_dtd"' in html
    assert "Không đọc được gói tin" in html
    assert 'data-testid="inspect-report"' not in html
    assert "lol" not in response.context["error"]


def test_text_that_is_not_xml_is_shown_as_an_error(browser_client: Client) -> None:
    response = browser_client.post(url(), {"text": "đây không phải XML"})
    assert response.status_code == 400
    assert response.context["error_code"] == "not_xml"


def test_nothing_sent_asks_for_a_package(browser_client: Client) -> None:
    response = browser_client.post(url(), {"text": "  "})
    assert response.status_code == 400
    assert "Chọn tệp gói tin edXML" in response.context["error"]


def test_a_package_over_the_limit_is_refused(browser_client: Client, settings: Any) -> None:
    settings.TINHSO_EDXML_MAX_PACKAGE_BYTES = 1000
    data = edxml.build(sample_document())
    as_file = browser_client.post(url(), {"package": upload(data)})
    as_text = browser_client.post(url(), {"text": data.decode()})
    assert as_file.status_code == as_text.status_code == 413
    assert "vượt quá dung lượng" in as_file.context["error"]


def test_the_form_is_protected_against_cross_site_posts(clerk: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    response = client.post(url(), {"package": upload(edxml.build(sample_document()))})
    assert response.status_code == 403


def test_the_vendor_document_shows_the_warnings(browser_client: Client) -> None:
    path = VENDOR / "edoc_new.edxml"
    if not path.exists():
        pytest.skip(f"{path} is not here (third-party samples, not shipped)")
    response = browser_client.post(url(), {"package": upload(path.read_bytes(), path.name)})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-verdict="invalid"' in html and "Không hợp lệ" in html
    assert 'data-testid="warnings"' in html
    assert "30/10/2020" in html  # the date, read despite its format


@pytest.mark.parametrize(
    ("role", "status"), [(Role.CHUYEN_VIEN, 403), (Role.LANH_DAO, 403), (Role.MOT_CUA, 403)]
)
def test_other_officials_may_not_open_the_page(role: str, status: int) -> None:
    client = Client()
    client.force_login(official(role))
    assert client.get(url()).status_code == status


def test_citizens_get_403_and_the_anonymous_sign_in() -> None:
    citizen = Client()
    citizen.force_login(UserFactory.create(citizen=True))
    assert citizen.get(url()).status_code == 403
    response = Client().get(url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
