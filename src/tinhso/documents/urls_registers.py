"""Page routes of the registers and the work files, included by the documents app's URLs under
`/van-ban/` in the `documents` namespace (`documents:register_list`, …).

Include them before any `<int:pk>/`-style route of the document pages: `so-van-ban/` and
`ho-so-cong-viec/` are not document ids.
"""

from django.urls import URLPattern, path

from tinhso.documents import views_registers, views_workfiles

urlpatterns: list[URLPattern] = [
    # Sổ đăng ký văn bản đến / đi.
    path("so-van-ban/", views_registers.register_list, name="register_list"),
    path("so-van-ban/in.pdf", views_registers.register_pdf, name="register_pdf"),
    path("so-van-ban/xuat.xlsx", views_registers.register_xlsx_view, name="register_xlsx"),
    # Hồ sơ công việc.
    path("ho-so-cong-viec/", views_workfiles.workfile_list, name="workfile_list"),
    path("ho-so-cong-viec/lap/", views_workfiles.workfile_plan_view, name="workfile_plan"),
    path(
        "ho-so-cong-viec/qua-han-nop-luu/",
        views_workfiles.workfile_overdue,
        name="workfile_overdue",
    ),
    path("ho-so-cong-viec/<int:pk>/", views_workfiles.workfile_detail, name="workfile_detail"),
    path("ho-so-cong-viec/<int:pk>/mo/", views_workfiles.workfile_open_view, name="workfile_open"),
    path(
        "ho-so-cong-viec/<int:pk>/them-van-ban/",
        views_workfiles.workfile_add_view,
        name="workfile_add_document",
    ),
    path(
        "ho-so-cong-viec/<int:pk>/bo-van-ban/<int:document_id>/",
        views_workfiles.workfile_remove_view,
        name="workfile_remove_document",
    ),
    path(
        "ho-so-cong-viec/<int:pk>/dong/", views_workfiles.workfile_close_view, name="workfile_close"
    ),
    path(
        "ho-so-cong-viec/<int:pk>/nop-luu/",
        views_workfiles.workfile_submit_view,
        name="workfile_submit",
    ),
    path(
        "ho-so-cong-viec/<int:pk>/goi-ho-so.zip",
        views_workfiles.workfile_export,
        name="workfile_export",
    ),
]
