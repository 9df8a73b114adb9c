from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "tinhso.web"
    label = "web"
    verbose_name = _("Giao diện")

    def ready(self) -> None:
        from tinhso.web.logging import configure_structlog

        configure_structlog()
