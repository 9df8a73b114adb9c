from __future__ import annotations

import re
from base64 import b32decode

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tinhso.accounts.models import Role, User
from tinhso.accounts.tests.helpers import code_for, confirmed_totp
from tinhso.organizations.models import Agency
from tinhso.testing.factories import official

URL = "/accounts/two-factor/"


@pytest.fixture
def no_throttle(settings: object) -> None:
    # django-otp makes the next try wait 1 s after a failure; these tests try again at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # type: ignore[attr-defined]


def test_anonymous_visitors_sign_in_first(client: Client, db: None) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_enrolment_shows_a_qr_code_and_the_secret(client: Client, admin_a: User) -> None:
    # given an administrator signed in by password, without an authenticator app
    client.force_login(admin_a)

    # when they reach the second-factor page
    response = client.get(URL + "?next=/audit/")

    # then they see an inline SVG QR code (segno) and the base32 secret of their pending device
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bật xác thực hai lớp" in html
    assert re.search(r'<div class="otp-qr-box my-2" data-testid="otp-qr"><svg ', html)
    assert (
        "<path" in html and "http" not in html.split('data-testid="otp-qr"')[1].split("</svg>")[0]
    )
    device = TOTPDevice.objects.get(user=admin_a, confirmed=False)
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)</code>', html).group(1)  # type: ignore[union-attr]
    compact = secret.replace(" ", "")
    assert b32decode(compact + "=" * (-len(compact) % 8)) == device.bin_key
    assert 'name="otp_token"' in html and 'autocomplete="one-time-code"' in html
    assert 'id="sidebar"' not in html


def test_enrolment_is_confirmed_with_a_real_code_and_leads_to_next(
    client: Client, admin_a: User
) -> None:
    # given the pending device of the enrolment page
    client.force_login(admin_a)
    client.get(URL)
    device = TOTPDevice.objects.get(user=admin_a)

    # when the code the app computes from the key is entered
    response = client.post(URL, {"otp_token": code_for(device), "next": "/audit/"})

    # then the device is confirmed, the session verified, and the user goes on
    assert response.status_code == 302 and response["Location"] == "/audit/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_a_wrong_enrolment_code_is_explained(client: Client, admin_a: User) -> None:
    client.force_login(admin_a)
    client.get(URL)
    response = client.post(URL, {"otp_token": "12345"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html and "Mã xác thực gồm 6 chữ số." in html
    assert not TOTPDevice.objects.filter(user=admin_a, confirmed=True).exists()


def test_verification_with_a_real_code(client: Client, admin_a: User) -> None:
    # given an enrolled administrator signed in by password
    device = confirmed_totp(admin_a)
    client.force_login(admin_a)

    # when they open the page, then enter the current code
    page = client.get(URL + "?next=/audit/").content.decode()
    response = client.post(URL, {"otp_token": code_for(device), "next": "/audit/"})

    # then
    assert "Xác thực hai lớp" in page and "otp-qr" not in page
    assert response.status_code == 302 and response["Location"] == "/audit/"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_a_code_is_accepted_only_once(client: Client, admin_a: User, no_throttle: None) -> None:
    # given a code already used in another session
    device = confirmed_totp(admin_a)
    code = code_for(device)
    other = Client()
    other.force_login(admin_a)
    assert other.post(URL, {"otp_token": code}).status_code == 302

    # when it is replayed
    client.force_login(admin_a)
    response = client.post(URL, {"otp_token": code})

    # then it is refused
    assert response.status_code == 200
    assert "Mã xác thực không đúng hoặc đã hết hạn" in response.content.decode()


def test_a_wrong_code_is_refused_then_the_next_try_must_wait(client: Client, admin_a: User) -> None:
    device = confirmed_totp(admin_a)
    client.force_login(admin_a)
    first = client.post(URL, {"otp_token": f"{(int(code_for(device)) + 7) % 10**6:06d}"})
    second = client.post(URL, {"otp_token": code_for(device)})
    assert "Mã xác thực không đúng hoặc đã hết hạn" in first.content.decode()
    assert "vui lòng chờ" in second.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_wrong_codes_count_towards_the_lockout(
    client: Client, admin_a: User, no_throttle: None
) -> None:
    # given an enrolled administrator signed in by password
    confirmed_totp(admin_a)
    client.force_login(admin_a)

    # when five wrong codes are entered
    responses = [client.post(URL, {"otp_token": "000000"}) for _ in range(5)]

    # then the fifth locks the account out and ends the session
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert "Tài khoản tạm thời bị khóa" in responses[-1].content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username="qt_a").failures_since_start == 5


def test_a_verified_session_goes_straight_on(client: Client, admin_a: User) -> None:
    device = confirmed_totp(admin_a)
    client.force_login(admin_a)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert client.get(URL + "?next=/audit/")["Location"] == "/audit/"


def test_an_official_may_enrol_voluntarily(client: Client, agency_a: Agency) -> None:
    # given a clerk (two-factor optional)
    clerk = official(Role.VAN_THU, agency=agency_a)
    client.force_login(clerk)

    # when they open the page
    html = client.get(URL).content.decode()

    # then the enrolment is offered without saying it is required
    assert "otp-qr" in html and "Tài khoản quản trị phải dùng" not in html
