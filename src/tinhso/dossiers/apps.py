from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "tinhso.dossiers"
    label = "dossiers"
    verbose_name = _("Hồ sơ một cửa")

    def ready(self) -> None:
        # Whoever may see a dossier may read its components' scans and its result files.
        from tinhso.dossiers.access import reads_dossier_file
        from tinhso.files.access import register_file_access_rule

        register_file_access_rule(reads_dossier_file)
