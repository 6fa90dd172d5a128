from django.urls import path

from . import views

app_name = "process"
urlpatterns = [path("process/", views.playbook, name="playbook")]
