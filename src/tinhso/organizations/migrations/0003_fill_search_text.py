"""Fill the folded search columns of rows that existed before 0002 added them."""

from typing import Any

from django.db import migrations

from tinhso.organizations.search import agency_search_text, unit_search_text


def fill(apps: Any, schema_editor: Any) -> None:
    Agency = apps.get_model("organizations", "Agency")
    AdministrativeUnit = apps.get_model("organizations", "AdministrativeUnit")
    agencies = list(Agency.objects.only("id", "name", "short_name", "code"))
    for agency in agencies:
        agency.search_text = agency_search_text(
            name=agency.name, short_name=agency.short_name, code=agency.code
        )
    Agency.objects.bulk_update(agencies, ["search_text"], batch_size=500)
    units = list(AdministrativeUnit.objects.only("id", "name", "code"))
    for unit in units:
        unit.search_text = unit_search_text(name=unit.name, code=unit.code)
    AdministrativeUnit.objects.bulk_update(units, ["search_text"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("organizations", "0002_search_text")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
