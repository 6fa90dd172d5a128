from django.urls import URLPattern

app_name = "customers_io"
urlpatterns: list[URLPattern] = []
