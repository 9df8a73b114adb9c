"""Fixtures shared by every app's tests."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model
from rest_framework.test import APIClient

from tinhso.accounts.models import User
from tinhso.organizations import demo
from tinhso.organizations.models import Agency, Department


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


# --- The demo province ----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoProvince:
    """Handles on the demo province (Thành phố Huế) loaded by the `demo_province` fixture.

    `demo.agency("H57.02")` is Sở Nội vụ; `demo.user("vanthu")` a demo account (password
    `settings.TINHSO_DEMO_PASSWORD`). Codes and usernames: `tinhso.organizations.demo`.
    """

    def agency(self, code: str) -> Agency:
        return Agency.objects.get(code=code)

    def department(self, code: str, name: str) -> Department:
        return Department.objects.get(agency__code=code, name=name)

    def user(self, username: str) -> User:
        return User.objects.get(username=username)

    @property
    def ubnd(self) -> Agency:
        return self.agency(demo.UBND_CODE)

    @property
    def snv(self) -> Agency:
        return self.agency(demo.SNV_CODE)

    @property
    def phu_xuan(self) -> Agency:
        return self.agency(demo.PHU_XUAN_CODE)

    @property
    def service_center(self) -> Agency:
        return self.agency(demo.SERVICE_CENTER_CODE)


Rows = dict[type[Model], tuple[list[dict[str, Any]], list[dict[str, Any]]]]


def _concrete_models() -> list[type[Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


class _RollBack(Exception):
    pass


@pytest.fixture(scope="session")
def _demo_province_rows(django_db_setup: None, django_db_blocker: Any) -> Rows:
    """Build the demo once per test database through its services, keep the rows it wrote,
    and roll back: each test then restores them with a few bulk inserts (~0.1 s instead of
    ~1 s of services)."""
    rows: Rows = {}
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                before = {
                    model: {row["pk"]: row for row in _values(model)}
                    for model in _concrete_models()
                }
                demo.load_demo(all_units=False)
                for model, old in before.items():
                    inserted, changed = [], []
                    for row in _values(model):
                        if row["pk"] not in old:
                            inserted.append(row)
                        elif row != old[row["pk"]]:
                            changed.append(row)
                    if inserted or changed:
                        rows[model] = (inserted, changed)
                raise _RollBack
        except _RollBack:
            pass
    return rows


def _values(model: type[Model]) -> list[dict[str, Any]]:
    fields = [field.attname for field in model._meta.concrete_fields]
    return [
        {"pk": row[model._meta.pk.attname], **row}
        for row in model._base_manager.order_by("pk").values(*fields)
    ]


@pytest.fixture
def demo_province(db: None, _demo_province_rows: Rows) -> DemoProvince:
    """The demo province of `manage.py load_demo`, in this test's database.

    Function-scoped and cheap: the demo is built once per test session (per xdist worker)
    through the real services, only Huế's administrative units imported; each test gets a
    copy of exactly the rows that build wrote (agencies, departments, positions, accounts
    with memberships, units, audit rows), so tests stay isolated and may change anything.
    """
    with transaction.atomic():
        for model, (inserted, changed) in _demo_province_rows.items():
            model._base_manager.bulk_create(
                [model(**{k: v for k, v in row.items() if k != "pk"}) for row in inserted]
            )
            for row in changed:
                values = {k: v for k, v in row.items() if k != "pk"}
                model._base_manager.filter(pk=row["pk"]).update(**values)
        # Rows came back with their ids: move PostgreSQL's sequences past them.
        statements = connection.ops.sequence_reset_sql(no_style(), list(_demo_province_rows))
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
    return DemoProvince()


# --- After a transactional test: what the migrations seeded ------------------------------------


@pytest.fixture(autouse=True)
def _reseed_after_flush(request: pytest.FixtureRequest, django_db_blocker: Any) -> None:
    """A `transaction=True` test ends with the database emptied, including the working
    calendar that a data migration seeded, and xdist does not keep transactional tests last:
    before each database test, put the calendar back when a flush has removed it."""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not uses_db:
        return
    request.getfixturevalue("django_db_setup")
    from django.apps import apps as django_apps

    from tinhso.workcalendar.models import CalendarState
    from tinhso.workcalendar.selectors import work_calendar_cache_clear

    with django_db_blocker.unblock():
        if not CalendarState.objects.filter(id=1).exists():
            # The data migration's own function: the same rows, and no audit row (a test that
            # counts audit rows must not see this repair).
            migration = importlib.import_module(
                "tinhso.workcalendar.migrations.0002_seed_calendar_2015_2035"
            )
            migration.seed_calendar(django_apps, None)
            work_calendar_cache_clear()


class MonotonicClock:
    """A stand-in for `time.monotonic` that tests move by hand (`clock.now += 3`): what a
    process keeps (catalogue rows, tokens, sessions) ages by it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now
