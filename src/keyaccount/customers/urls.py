from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("customers/", views.customer_list, name="list"),
    path("customers/register/", views.register, name="register"),
    path("customers/register/check/", views.register_check, name="register_check"),
    path("customers/registrations/", views.registrations, name="registrations"),
    path("customers/registrations/<id:pk>/decide/", views.decide, name="decide"),
    path("customers/registrations/decide/", views.decide_many, name="decide_many"),
    path("customers/allocate/", views.allocate, name="allocate"),
    path("customers/<id:pk>/", views.customer_detail, name="detail"),
    path("customers/<id:pk>/edit/", views.customer_edit, name="edit"),
    path("customers/<id:pk>/scores/", views.scores, name="scores"),
    path("customers/<id:pk>/grade/", views.grade, name="grade"),
    path("customers/<id:pk>/evaluations/", views.evaluation_add, name="evaluation_add"),
]
