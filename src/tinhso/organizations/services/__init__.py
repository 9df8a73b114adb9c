"""Every write of the organizations app: `<entity>_<verb>(*, actor, ...)`, one transaction,
one audit row."""

from tinhso.organizations.services.admin_units import (
    AdminUnitImportResult,
    admin_units_import,
)
from tinhso.organizations.services.agencies import (
    AGENCY_FIELDS,
    CONTACT_FIELDS,
    agency_close,
    agency_create,
    agency_update,
)
from tinhso.organizations.services.common import ServiceActor
from tinhso.organizations.services.departments import department_create, department_update
from tinhso.organizations.services.positions import position_create

__all__ = [
    "AGENCY_FIELDS",
    "CONTACT_FIELDS",
    "AdminUnitImportResult",
    "ServiceActor",
    "admin_units_import",
    "agency_close",
    "agency_create",
    "agency_update",
    "department_create",
    "department_update",
    "position_create",
]
