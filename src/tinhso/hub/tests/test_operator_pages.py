"""The operator's pages: signed-in staff only, queues, failures, packages and redelivery."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tinhso.accounts.models import User
from tinhso.audit.models import AuditEvent
from tinhso.hub.models import Delivery, DeliveryEvent
from tinhso.hub.tests.conftest import BNV, COMMUNE, OTHER, Hub, document

pytestmark = pytest.mark.urls("tinhso.config.urls_hub")

PASSWORD = "mat-khau-van-hanh-2026"


@pytest.fixture
def operator(db: None) -> User:
    return User.objects.create_user(
        username="vanhanh",
        password=PASSWORD,
        full_name="Trần Văn Vận Hành",
        email="vanhanh@hub.example",
        is_staff=True,
    )


@pytest.fixture
def staff_client(operator: User) -> Client:
    client = Client()
    client.force_login(operator)
    return client


@pytest.fixture
def traffic(hub: Hub) -> dict[str, int]:
    """A refused delivery, a dead one and a waiting one."""
    package = hub.send(hub.a, hub.sealed(document(to=(BNV, COMMUNE, OTHER)))).json()["id"]
    failed = Delivery.objects.get(package_id=package, organ_id=BNV)
    assert hub.fetch(hub.b, failed.id).status_code == 200
    assert hub.ack(hub.b, failed.id, "fail", "Tệp đính kèm không mở được").status_code == 200
    dead = Delivery.objects.get(package_id=package, organ_id=OTHER)
    Delivery.objects.filter(id=dead.id).update(state="dead", attempts=10, reason="Quá số lần")
    return {"package": package, "failed": failed.id, "dead": dead.id}


def test_the_operator_signs_in_through_the_form_and_lands_on_the_queues(
    operator: User,
) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "vanhanh", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/hub/"
    assert "Hàng đợi theo nút" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(db: None) -> None:
    for path in ("/hub/", "/hub/problems/", "/hub/packages/", "/hub/packages/1/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_an_official_who_is_not_staff_is_refused(db: None) -> None:
    clerk = User.objects.create_user(username="vanthu", password=PASSWORD, full_name="Văn thư")
    client = Client()
    client.force_login(clerk)
    for path in ("/hub/", "/hub/problems/", "/hub/packages/"):
        response = client.get(path)
        assert response.status_code == 403
        assert "chỉ dành cho người vận hành" in response.content.decode()
    assert client.post("/hub/deliveries/1/redeliver/").status_code == 403


def test_the_queues_count_each_nodes_deliveries(
    staff_client: Client, traffic: dict[str, int]
) -> None:
    response = staff_client.get("/hub/")
    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index('<tr data-node="tinh-b">') :]
    row = row[: row.index("</tr>")]
    counts = dict(re.findall(r'data-count="(\w+)">(?:<a [^>]*>)?(\d+)', row))
    assert counts == {"pending": "1", "fetched": "0", "done": "0", "failed": "1", "dead": "0"}
    assert 'data-node="tinh-c"' in html


def test_the_queues_page_costs_a_fixed_number_of_queries(
    staff_client: Client, traffic: dict[str, int], django_assert_max_num_queries: object
) -> None:
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        assert staff_client.get("/hub/").status_code == 200


def test_the_problems_list_shows_reasons_and_filters(
    staff_client: Client, traffic: dict[str, int]
) -> None:
    html = staff_client.get("/hub/problems/").content.decode()
    assert "Tệp đính kèm không mở được" in html
    assert "Quá số lần" in html
    only_dead = staff_client.get("/hub/problems/?state=dead").content.decode()
    assert f'data-delivery="{traffic["dead"]}"' in only_dead
    assert f'data-delivery="{traffic["failed"]}"' not in only_dead


def test_the_package_page_shows_the_receipts(staff_client: Client, traffic: dict[str, int]) -> None:
    html = staff_client.get(f"/hub/packages/{traffic['package']}/").content.decode()
    assert "H57.02,2026/11/20,12/QĐ-SNV" in html
    assert "Tệp đính kèm không mở được" in html
    assert html.count("Chuyển lại") == 2  # the refused and the dead deliveries
    assert "bởi tinh-b" in html
    assert staff_client.get("/hub/packages/999999/").status_code == 404


def test_the_packages_list_searches_and_paginates(staff_client: Client, hub: Hub) -> None:
    from tinhso.hub import views

    for number in range(1, views.PAGE_SIZE + 3):
        response = hub.send(hub.a, hub.sealed(document(number=str(number), to=(BNV,))))
        assert response.status_code == 201
    first = staff_client.get("/hub/packages/").content.decode()
    assert "Trang 1/2" in first
    assert "?page=2" in first
    found = staff_client.get("/hub/packages/", {"q": ",7/QĐ-SNV"}).content.decode()
    assert found.count("data-package=") == 2  # desktop table and phone list
    second = staff_client.get("/hub/packages/?page=2").content.decode()
    assert second.count("data-package=") == 2 * 2


def test_redelivery_is_a_post_and_is_audited(operator: User, traffic: dict[str, int]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    path = f"/hub/deliveries/{traffic['dead']}/redeliver/"
    # a GET changes nothing
    assert client.get(path).status_code == 405
    assert Delivery.objects.get(id=traffic["dead"]).state == "dead"
    # the form's POST (with the CSRF token of the page) redelivers
    page = client.get(f"/hub/packages/{traffic['package']}/")
    token = page.cookies["csrftoken"].value
    response = client.post(path, {"csrfmiddlewaretoken": token}, follow=True)
    assert response.status_code == 200
    assert "Đã đưa lượt chuyển đến H58.01 vào hàng đợi lại." in response.content.decode()
    delivery = Delivery.objects.get(id=traffic["dead"])
    assert (delivery.state, delivery.attempts) == ("pending", 0)
    assert DeliveryEvent.objects.filter(delivery=delivery, actor="operator:vanhanh").exists()
    assert AuditEvent.objects.filter(action="hub.delivery.redeliver", actor_id=operator.id)
    # a second redelivery of a pending delivery is refused with a message
    again = client.post(path, {"csrfmiddlewaretoken": token}, follow=True)
    assert "Chỉ chuyển lại được" in again.content.decode()


def test_redelivery_without_the_csrf_token_is_refused(
    operator: User, traffic: dict[str, int]
) -> None:
    # Django's CSRF failure page is rendered with the context processors: in the hub's role
    # tinhso.web's processor must not build the installation's sidebar (see the report).
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)
    response = client.post(f"/hub/deliveries/{traffic['dead']}/redeliver/")
    assert response.status_code == 403
    assert Delivery.objects.get(id=traffic["dead"]).state == "dead"
