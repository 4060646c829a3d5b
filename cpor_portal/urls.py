from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from associations.audit_views import audit_export, audit_page
from associations.views import dashboard
from cpor_portal.health import healthz
from cpor_portal.views import set_language

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("", include("partners.urls")),
    path("", include("disputes.urls")),
    path("associations/", include("associations.urls")),
    path("audit/mpn/", audit_page, name="mpn_audit"),
    path("audit/mpn/export.csv", audit_export, name="mpn_audit_export"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", healthz, name="healthz"),
    path("language/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
