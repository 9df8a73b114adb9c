"""Who opens which e-office page: every page for each demo account.

Accounts: the Sở Nội vụ's clerk (`vanthu`), specialist (`chuyenvien`), head of department and
signer (`lanhdao`), director (`giamdoc.snv`); a commune's clerk (`vanthu.xa`, another agency);
a citizen (`congdan`); and nobody signed in (sent to the sign-in page).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tinhso.documents import services
from tinhso.documents.models import Document
from tinhso.documents.tests.views.conftest import Login
from tinhso.testing.eoffice import EofficeWorld

pytestmark = pytest.mark.django_db

ACCOUNTS = ("anonymous", "congdan", "vanthu", "chuyenvien", "lanhdao", "giamdoc.snv", "vanthu.xa")
OK, LOGIN, FORBIDDEN, NOT_FOUND = 200, "login", 403, 404


def _expect(default: Any, **overrides: Any) -> dict[str, Any]:
    table = {account: default for account in ACCOUNTS}
    table.update({"anonymous": LOGIN, "congdan": FORBIDDEN})
    table.update({k.replace("_", "."): v for k, v in overrides.items()})
    return table


OFFICIALS = _expect(OK)
CLERKS = _expect(FORBIDDEN, vanthu=OK, vanthu_xa=OK)
LEADERS = _expect(FORBIDDEN, lanhdao=OK, giamdoc_snv=OK)

PAGES = [
    ("documents:incoming_list", OFFICIALS),
    ("documents:outgoing_list", OFFICIALS),
    ("documents:search", OFFICIALS),
    ("documents:inbox", OFFICIALS),
    ("documents:overdue", OFFICIALS),
    ("documents:draft_new", OFFICIALS),
    ("documents:my_drafts", OFFICIALS),
    ("documents:approvals", OFFICIALS),
    ("documents:incoming_new", CLERKS),
    ("documents:clerk_queue", CLERKS),
    ("documents:clerk_present", CLERKS),
    ("documents:clerk_issue", CLERKS),
    ("documents:to_assign", LEADERS),
]


def _status(response: Any) -> Any:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("account", ACCOUNTS)
@pytest.mark.parametrize(("url_name", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_who_opens_each_list_page(
    eoffice: EofficeWorld, login: Login, url_name: str, expected: dict[str, Any], account: str
) -> None:
    # given a signed-in account (or none)
    client = login(None if account == "anonymous" else account)
    # when it opens the page
    response = client.get(reverse(url_name))
    # then it gets what its roles allow
    assert _status(response) == expected[account]


def _presented(eoffice: EofficeWorld) -> Document:
    d = eoffice.register()
    services.incoming_present(actor=eoffice.clerk, document_id=d.pk, leader_id=eoffice.director.pk)
    return d


#: A registered document presented to the director: the clerk and the director see it, the
#: director routes it; the specialist and the head of department are not on it yet (404), nor
#: is another agency's clerk.
DETAIL = _expect(NOT_FOUND, vanthu=OK, giamdoc_snv=OK)
ASSIGN = _expect(NOT_FOUND, vanthu=FORBIDDEN, giamdoc_snv=OK)


@pytest.mark.parametrize("account", ACCOUNTS)
def test_who_opens_a_document_and_its_assignment_form(
    eoffice: EofficeWorld, login: Login, account: str
) -> None:
    d = _presented(eoffice)
    client = login(None if account == "anonymous" else account)
    assert _status(client.get(reverse("documents:detail", args=[d.pk]))) == DETAIL[account]
    assert _status(client.get(reverse("documents:assign", args=[d.pk]))) == ASSIGN[account]


def test_an_outgoing_draft_is_seen_by_its_department_not_by_the_clerk(
    eoffice: EofficeWorld, login: Login
) -> None:
    # given a draft of the specialist, not yet submitted
    d = eoffice.draft()
    url = reverse("documents:detail", args=[d.pk])
    # then the drafter and the head of the department see it; the clerk and the director
    # (drafts not yet submitted are the department's) and another agency do not
    assert login("chuyenvien").get(url).status_code == 200
    assert login("lanhdao").get(url).status_code == 200
    assert login("vanthu").get(url).status_code == 404
    assert login("giamdoc.snv").get(url).status_code == 404
    assert login("vanthu.xa").get(url).status_code == 404


def test_an_unknown_action_is_404_and_actions_are_post_only(
    eoffice: EofficeWorld, login: Login
) -> None:
    d = eoffice.register()
    client = login("vanthu")
    assert client.post(reverse("documents:act", args=[d.pk, "explode"])).status_code == 404
    assert client.get(reverse("documents:act", args=[d.pk, "present"])).status_code == 405
    anonymous = login(None).post(reverse("documents:act", args=[d.pk, "present"]))
    assert _status(anonymous) == LOGIN
    assert (
        login("congdan").post(reverse("documents:act", args=[d.pk, "present"])).status_code == 403
    )


def test_the_section_root_leads_to_the_incoming_list(login: Login) -> None:
    response = login("vanthu").get("/van-ban/")
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:incoming_list")


SIDEBAR = {
    "vanthu": {"Việc của văn thư", "Vào sổ văn bản đến", "Văn bản đến", "Sổ văn bản"},
    "chuyenvien": {"Văn bản cần xử lý", "Soạn văn bản đi", "Dự thảo của tôi", "Văn bản đến"},
    "giamdoc.snv": {"Văn bản chờ phân công", "Văn bản chờ duyệt", "Văn bản cần xử lý"},
}
NOT_IN_SIDEBAR = {
    "vanthu": {"Văn bản chờ phân công", "Soạn văn bản đi", "Văn bản chờ duyệt"},
    "chuyenvien": {"Việc của văn thư", "Văn bản chờ phân công", "Văn bản chờ duyệt", "Sổ văn bản"},
    "giamdoc.snv": {"Việc của văn thư", "Vào sổ văn bản đến"},
}


@pytest.mark.parametrize("account", sorted(SIDEBAR))
def test_the_sidebar_offers_each_desk_its_pages(login: Login, account: str) -> None:
    response = login(account).get(reverse("web:home"))
    sections = dict(response.context["sidebar"])
    labels = {item.label for item in sections["Văn bản"]}
    assert SIDEBAR[account] <= labels
    assert not NOT_IN_SIDEBAR[account] & labels
