from django.urls import path

from . import views

app_name = "customers_io"
urlpatterns = [
    path("customers/export/", views.export_list, name="export_list"),
    path("customers/contacts/export/", views.export_contacts, name="export_contacts"),
    path("customers/import/", views.import_view, name="import"),
    path("customers/import/template/", views.import_template, name="template"),
    path("customers/<id:pk>/export/", views.export_profile, name="export_profile"),
    path("customers/<id:pk>/print/", views.print_profile, name="print_profile"),
    path(
        "customers/<id:pk>/evaluations/export/",
        views.export_evaluations,
        name="export_evaluations",
    ),
]
