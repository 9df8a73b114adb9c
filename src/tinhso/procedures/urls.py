from django.urls import path

from tinhso.procedures import views

app_name = "procedures"

urlpatterns = [
    path("", views.procedure_list_view, name="procedure_list"),
    # "new/" before "<code>/": a code never reads "new" (it starts with a digit).
    path("new/", views.procedure_create, name="procedure_create"),
    path("<str:code>/", views.procedure_detail, name="procedure_detail"),
    path("<str:code>/versions/new/", views.version_new, name="version_new"),
    path("<str:code>/v<int:number>/", views.version_detail, name="version_detail"),
    path("<str:code>/v<int:number>/edit/", views.version_edit, name="version_edit"),
    path("<str:code>/v<int:number>/publish/", views.version_publish, name="version_publish"),
]
