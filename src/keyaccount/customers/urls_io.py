from django.urls import path

from . import views_io

app_name = "customers_io"
urlpatterns = [
    path("customers/export/", views_io.export_list, name="export_list"),
    path("customers/contacts/export/", views_io.export_contacts, name="export_contacts"),
    path("customers/import/", views_io.import_view, name="import"),
    path("customers/import/template/", views_io.import_template, name="template"),
    path("customers/<int:pk>/export/", views_io.export_profile, name="export_profile"),
    path("customers/<int:pk>/print/", views_io.print_profile, name="print_profile"),
    path(
        "customers/<int:pk>/evaluations/export/",
        views_io.export_evaluations,
        name="export_evaluations",
    ),
]
