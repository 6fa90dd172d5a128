from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("org/", views.org_units, name="units"),
    path("settings/language/", views.set_language, name="set_language"),
    path("settings/tokens/", views.api_tokens, name="api_tokens"),
    path("settings/tokens/<id:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<id:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/read/", views.notification_read_all, name="notification_read_all"),
    path("settings/notifications/", views.notification_settings, name="notification_settings"),
]
