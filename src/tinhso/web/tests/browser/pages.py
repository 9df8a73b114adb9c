"""The list of every page of the platform, for the axe-core and screenshot sweep.

`PAGES` lists every page by URL name, with who visits it and the arguments of its URL;
`NOT_PAGES` lists the named routes that are not pages, each with its reason. A URL name of the
project in neither list fails `test_every_page_is_listed`, and a listed name that no longer
resolves fails the sweep: the list follows the code, no page is left out silently.

The sweep is cut into groups of URL namespaces, one test file each, so that parallel test
workers share it (a new app's namespace goes into one of the groups).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import Page

from tinhso.accounts.models import Membership, User
from tinhso.organizations.models import Agency, Department
from tinhso.procedures.demo import load_demo_procedures
from tinhso.procedures.models import Procedure, VersionStatus
from tinhso.procedures.services import procedure_version_new
from tinhso.testing.browser import axe_violations, format_violations, screenshots


@dataclass(frozen=True, slots=True)
class World:
    """The objects that pages with an id in their URL are shown for (the demo province)."""

    admin: User
    official: User
    agency: Agency
    department: Department
    membership: Membership
    audit_seq: int
    day: dt.date
    #: A one-stop dossier and its procedure (the dossiers group, `onestop_world`).
    dossier_code: str = ""
    procedure_code: str = ""


Args = Callable[[World], Sequence[object]]


def _none(world: World) -> Sequence[object]:
    return ()


def _agency(w: World) -> Sequence[object]:
    return (w.agency.pk,)


def _official(w: World) -> Sequence[object]:
    return (w.official.pk,)


def _day(w: World) -> Sequence[object]:
    return (w.day.year, w.day.month, w.day.day)


def _demo_catalogue() -> None:
    """The demo catalogue, loaded on first use (the pages of procedures need one)."""
    if not Procedure.objects.exists():
        load_demo_procedures()


def _catalogue(w: World) -> Sequence[object]:
    _demo_catalogue()
    return ()


def _procedure(w: World) -> Sequence[object]:
    _demo_catalogue()
    return ("2.001428",)


def _published_version(w: World) -> Sequence[object]:
    _demo_catalogue()
    return ("1.008905", 1)


def _draft_version(w: World) -> Sequence[object]:
    """A draft (version 2 of 3.000283) for the editor, made once."""
    _demo_catalogue()
    procedure = Procedure.objects.get(code="3.000283")
    draft = procedure.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is None:
        draft = procedure_version_new(actor=w.admin, procedure=procedure)
    return (procedure.code, draft.number)


def _stored_pdf(w: World) -> Sequence[object]:
    """A PDF the administrator uploaded, for its signature report and signing page."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tinhso.files.models import StoredFile
    from tinhso.files.services import file_store
    from tinhso.signatures.tests.pdfs import official_document

    stored = StoredFile.objects.filter(uploaded_by=w.admin, name="van-ban.pdf").first()
    if stored is None:
        upload = SimpleUploadedFile("van-ban.pdf", official_document(), "application/pdf")
        stored = file_store(actor=w.admin, upload=upload)
    return (stored.pk,)


def _dossier(w: World) -> Sequence[object]:
    return (w.dossier_code,)


#: Who visits: "anonymous", "admin_before_second_factor" (signed in by password only),
#: "provincial_admin" (signed in with the second factor, sees every administrative page), or
#: one of the one-stop desks: "counter" (mot_cua), "specialist" (chuyen_vien), "leader"
#: (lanh_dao) — see tinhso/dossiers/tests/browser/test_pages.py.
VISITORS = (
    "anonymous",
    "admin_before_second_factor",
    "provincial_admin",
    "counter",
    "specialist",
    "leader",
)


@dataclass(frozen=True, slots=True)
class PageCase:
    url_name: str
    visitor: str
    args: Args = _none

    @property
    def namespace(self) -> str:
        return self.url_name.split(":", 1)[0] if ":" in self.url_name else ""


PAGES: tuple[PageCase, ...] = (
    PageCase("accounts:login", "anonymous"),
    PageCase("accounts:two_factor", "admin_before_second_factor"),
    PageCase("web:home", "provincial_admin"),
    PageCase("accounts:password_change", "provincial_admin"),
    PageCase("accounts:official_list", "provincial_admin"),
    PageCase("accounts:official_create", "provincial_admin", _agency),
    PageCase("accounts:official_detail", "provincial_admin", _official),
    PageCase("accounts:membership_add", "provincial_admin", _official),
    PageCase("accounts:membership_end", "provincial_admin", lambda w: (w.membership.pk,)),
    PageCase("accounts:official_deactivate", "provincial_admin", _official),
    PageCase("accounts:official_reactivate", "provincial_admin", _official),
    PageCase("accounts:official_otp_reset", "provincial_admin", _official),
    PageCase("audit:event_list", "provincial_admin"),
    PageCase("audit:event_detail", "provincial_admin", lambda w: (w.audit_seq,)),
    PageCase("notifications:notification_list", "provincial_admin"),
    PageCase("organizations:agency_list", "provincial_admin"),
    PageCase("organizations:agency_create", "provincial_admin"),
    PageCase("organizations:agency_detail", "provincial_admin", _agency),
    PageCase("organizations:agency_edit", "provincial_admin", _agency),
    PageCase("organizations:agency_close", "provincial_admin", _agency),
    PageCase("organizations:department_create", "provincial_admin", _agency),
    PageCase("organizations:department_edit", "provincial_admin", lambda w: (w.department.pk,)),
    PageCase("organizations:unit_list", "provincial_admin"),
    PageCase("workcalendar:calendar", "provincial_admin"),
    PageCase("workcalendar:deadline", "provincial_admin"),
    PageCase("workcalendar:day_list", "provincial_admin"),
    PageCase("workcalendar:day_add", "provincial_admin"),
    PageCase("workcalendar:day_edit", "provincial_admin", _day),
    PageCase("workcalendar:day_remove", "provincial_admin", _day),
    PageCase("workcalendar:working_hours", "provincial_admin"),
    PageCase("workcalendar:working_hours_province", "provincial_admin"),
    PageCase("workcalendar:working_hours_edit", "provincial_admin", _agency),
    PageCase("procedures:procedure_list", "provincial_admin", _catalogue),
    PageCase("procedures:procedure_create", "provincial_admin"),
    PageCase("procedures:procedure_detail", "provincial_admin", _procedure),
    PageCase("procedures:version_detail", "provincial_admin", _published_version),
    PageCase("procedures:version_edit", "provincial_admin", _draft_version),
    PageCase("signatures:check", "anonymous"),
    PageCase("signatures:trust_list", "provincial_admin"),
    PageCase("signatures:file_report", "provincial_admin", _stored_pdf),
    PageCase("signatures:sign_file", "provincial_admin", _stored_pdf),
    PageCase("dossiers:track", "anonymous"),
    PageCase("dossiers:queue", "counter"),
    PageCase("dossiers:receive", "counter"),
    PageCase("dossiers:receive_form", "counter", lambda w: (w.procedure_code,)),
    PageCase("dossiers:search", "counter"),
    PageCase("dossiers:near_due", "counter"),
    PageCase("dossiers:overdue", "counter"),
    PageCase("dossiers:detail", "counter", _dossier),
    PageCase("dossiers:inbox", "specialist"),
    PageCase("dossiers:approvals", "leader"),
    PageCase("dossiers:board", "leader"),
    PageCase("dossiers:province_board", "provincial_admin"),
    PageCase("dossiers:form_tracking_book", "counter"),
)

NOT_PAGES: dict[str, str] = {
    "web:healthz": "JSON for the load balancer",
    "web:readyz": "JSON for the orchestrator",
    "accounts:logout": "POST only (the header's sign-out button)",
    "workcalendar:working_hours_reset": "POST only (a button on the working hours page)",
    "notifications:notification_retry": "POST only (a button on the outbox list)",
    "set_language": "POST only (the header's language switch; see test_navigation)",
    "files:download": "a file download (Content-Disposition: attachment), not a page",
    "dossiers:act": "POST only (the action forms of the dossier page)",
    "dossiers:form_pdf": "a PDF of an official form (Mẫu 01…), not a page",
    "dossiers:form_tracking_book_pdf": "a PDF document (the tracking book), not a page",
    "dossiers:form_tracking_book_xlsx": "an Excel workbook (the tracking book), not a page",
    "procedures:version_new": "POST only (a button on a procedure's page)",
    "procedures:version_publish": "POST only (a button on a draft's page)",
    "signatures:trust_root_toggle": "POST only (a button on the trust list)",
    "pki": "the demo PKI's RFC 3161 / OCSP / CRL endpoints (binary protocols, not pages)",
    "dossiers:sign_result": (
        "needs a result file and a key on a token: swept with screenshots and axe-core in "
        "tinhso/signatures/tests/browser/test_signing_pages.py"
    ),
    # Interconnection (exchange app), on their own test worlds.
    "exchange:edxml_inspect": (
        "swept with axe-core and screenshots in tinhso/exchange/tests/test_inspect_browser.py"
    ),
    "exchange:sent": (
        "swept with axe-core and screenshots in tinhso/exchange/tests/node/test_browser.py"
    ),
    "exchange:received": (
        "swept with axe-core and screenshots in tinhso/exchange/tests/node/test_browser.py"
    ),
    "exchange:outbox_retry": "POST only (a button on the sent packages' page)",
    "exchange:revoke_answer": "POST only (the revoke answer buttons of the document page)",
    # The e-office (documents app), on its own test world.
    "documents:incoming_list": (
        "swept with axe-core and screenshots in tinhso/documents/tests/browser/test_pages.py"
    ),
    "documents:incoming_new": (
        "swept with axe-core and screenshots in tinhso/documents/tests/browser/test_pages.py"
    ),
    "documents:clerk_queue": (
        "swept with axe-core and screenshots in tinhso/documents/tests/browser/test_pages.py"
    ),
    "documents:clerk_present": (
        "swept with axe-core and screenshots in tinhso/documents/tests/browser/test_pages.py"
    ),
    "documents:clerk_issue": (
        "swept with axe-core and screenshots in tinhso/documents/tests/browser/test_pages.py"
    ),
    "documents:to_assign": (
        "swept with axe-core and screenshots in tinhso/documents/tests/browser/test_pages.py"
    ),
    "documents:inbox": (
        "swept with axe-core and screenshots in tinhso/documents/tests/browser/test_pages.py"
    ),
    "documents:overdue": (
        "swept with axe-core and screenshots in tinhso/documents/tests/browser/test_pages.py"
    ),
    "documents:outgoing_list": (
        "swept with axe-core and screenshots in tinhso/documents/tests/browser/test_pages.py"
    ),
    "documents:draft_new": (
        "swept with axe-core and screenshots in tinhso/documents/tests/browser/test_pages.py"
    ),
    "documents:my_drafts": (
        "swept with axe-core and screenshots in tinhso/documents/tests/browser/test_pages.py"
    ),
    "documents:approvals": (
        "swept with axe-core and screenshots in tinhso/documents/tests/browser/test_pages.py"
    ),
    "documents:search": (
        "swept with axe-core and screenshots in tinhso/documents/tests/browser/test_pages.py"
    ),
    "documents:detail": (
        "swept with axe-core and screenshots in tinhso/documents/tests/browser/test_pages.py"
    ),
    "documents:assign": (
        "swept with axe-core and screenshots in tinhso/documents/tests/browser/test_pages.py"
    ),
    "documents:act": "POST only (the action forms of the document page and the queues)",
    "documents:register_list": (
        "swept with axe-core and screenshots in tinhso/documents/tests/browser/test_pages.py"
    ),
    "documents:workfile_list": (
        "swept with axe-core and screenshots in tinhso/documents/tests/browser/test_pages.py"
    ),
    "documents:workfile_plan": (
        "swept with axe-core and screenshots in tinhso/documents/tests/browser/test_pages.py"
    ),
    "documents:workfile_overdue": (
        "swept with axe-core and screenshots in tinhso/documents/tests/browser/test_pages.py"
    ),
    "documents:workfile_detail": (
        "swept with axe-core and screenshots in tinhso/documents/tests/browser/test_pages.py"
    ),
    "documents:register_pdf": "a PDF document (the register of documents), not a page",
    "documents:register_xlsx": "an Excel workbook (the register of documents), not a page",
    "documents:workfile_open": "POST only (a button on the work file's page)",
    "documents:workfile_add_document": "POST only (a form on the work file's page)",
    "documents:workfile_remove_document": "POST only (a button on the work file's page)",
    "documents:workfile_close": "POST only (a button on the work file's page)",
    "documents:workfile_submit": "POST only (a button on the work file's page)",
    "documents:workfile_export": "a ZIP archive (the work file's package), not a page",
}

#: The namespaces each sweep file visits (see the module docstring).
GROUPS: dict[str, frozenset[str]] = {
    "accounts_audit": frozenset({"web", "accounts", "audit", "notifications", "signatures"}),
    "organizations_calendar": frozenset({"organizations", "workcalendar", "procedures"}),
    # Swept by tinhso/dossiers/tests/browser/test_pages.py, on the one-stop test world.
    "dossiers": frozenset({"dossiers"}),
}


def url_names() -> Iterator[tuple[str, str]]:
    """(URL name, route) of every named route of the project."""

    def walk(resolver: URLResolver, namespace: str, prefix: str) -> Iterator[tuple[str, str]]:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern, inner, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, prefix + str(pattern.pattern)

    yield from walk(get_resolver(), "", "")


def visit_all(page: Page, world: World | None, visitor: str, group: str) -> list[str]:
    """Visit the group's pages as `visitor`: screenshots, phone width, axe-core.

    Returns the problems found on every page, so that one run reports them all.
    """
    problems: list[str] = []
    cases = [c for c in PAGES if c.visitor == visitor and c.namespace in GROUPS[group]]
    assert cases, f"no page of group {group} for {visitor}"
    for case in cases:
        try:
            url = reverse(case.url_name, args=case.args(world) if world is not None else ())
        except NoReverseMatch:
            problems.append(f"{case.url_name}: the URL name does not resolve — update {__file__}")
            continue
        response = page.goto(url)
        status = response.status if response is not None else 0
        if status != 200:
            problems.append(f"{case.url_name} ({url}): HTTP {status} for {visitor}")
            continue
        try:
            screenshots(page, case.url_name.replace(":", "-"))
        except AssertionError as exc:
            problems.append(str(exc))
        violations = axe_violations(page)
        if violations:
            problems.append(format_violations(f"{case.url_name} ({url})", violations))
    return problems
