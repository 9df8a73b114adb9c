from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignaturesConfig(AppConfig):
    name = "tinhso.signatures"
    label = "signatures"
    verbose_name = _("Chữ ký số")

    def ready(self) -> None:
        from tinhso.files.hooks import register_stored_hook
        from tinhso.signatures.tasks import on_file_stored

        register_stored_hook(on_file_stored)
