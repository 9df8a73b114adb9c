from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "tinhso.documents"
    label = "documents"
    verbose_name = _("Văn bản")

    def ready(self) -> None:
        # Whoever may see a document may read its files (drafts, scans, the issued PDF).
        from tinhso.documents.access import governs_document_file, reads_document_file
        from tinhso.files.access import register_file_access_rule, register_file_governor

        register_file_access_rule(reads_document_file)
        register_file_governor(governs_document_file)
