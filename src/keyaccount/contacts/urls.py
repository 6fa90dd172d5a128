from django.urls import path

from . import views

app_name = "contacts"
urlpatterns = [
    path("customers/<id:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("contacts/<id:pk>/edit/", views.contact_edit, name="contact_edit"),
]
