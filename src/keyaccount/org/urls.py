from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("org/", views.org_units, name="units"),
    path("settings/language/", views.set_language, name="set_language"),
    path("settings/tokens/", views.api_tokens, name="api_tokens"),
    path("settings/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
