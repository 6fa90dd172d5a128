from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("customers/", views.customer_list, name="list"),
    path("customers/register/", views.register, name="register"),
    path("customers/register/check/", views.register_check, name="register_check"),
    path("customers/registrations/", views.registrations, name="registrations"),
    path("customers/registrations/<int:pk>/decide/", views.decide, name="decide"),
    path("customers/allocate/", views.allocate, name="allocate"),
    path("customers/<int:pk>/", views.customer_detail, name="detail"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="edit"),
    path("customers/<int:pk>/scores/", views.scores, name="scores"),
    path("customers/<int:pk>/grade/", views.grade, name="grade"),
    path("customers/<int:pk>/evaluations/", views.evaluation_add, name="evaluation_add"),
]
