from django.urls import URLPattern, path

from tinhso.files.api.views import FileContentView, FileDetailView, FileUploadView

urlpatterns: list[URLPattern] = [
    path("files/", FileUploadView.as_view(), name="file-upload"),
    path("files/<int:file_id>/", FileDetailView.as_view(), name="file-detail"),
    path("files/<int:file_id>/content", FileContentView.as_view(), name="file-content"),
]
