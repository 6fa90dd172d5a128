from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from keyaccount.api import api
from keyaccount.core import views as core_views
from keyaccount.org import views as org_views

admin.site.site_header = _("keyaccount back office")
admin.site.site_title = _("keyaccount back office")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", org_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("suggest/<slug:name>/", core_views.suggest, name="suggest"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", include("keyaccount.org.urls")),
    path("", include("keyaccount.process.urls")),
    path("", include("keyaccount.customers.urls")),
    path("", include("keyaccount.contacts.urls")),
    path("", include("keyaccount.transfer.urls")),
    path("", include("keyaccount.pipeline.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler403 = "keyaccount.core.views.error_403"
handler404 = "keyaccount.core.views.error_404"
handler500 = "keyaccount.core.views.error_500"
