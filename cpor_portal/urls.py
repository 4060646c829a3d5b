from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from associations.audit_views import audit_export, audit_page
from associations.views import dashboard
from cpor_portal.health import healthz
from cpor_portal.views import favicon, not_found, set_language
from disputes.sla_views import sla_dashboard, sla_export

# Reviewers sign in through allauth too (rate limits, MFA), never the admin's own form.
admin.site.login = secure_admin_login(admin.site.login)

# An unreachable database answers 503 with Retry-After; every other failure the plain 500.
handler500 = "cpor_portal.views.server_error"

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("", include("partners.urls")),
    path("", include("disputes.urls")),
    path("associations/", include("associations.urls")),
    path("", include("api.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("audit/mpn/", audit_page, name="mpn_audit"),
    path("audit/mpn/export.csv", audit_export, name="mpn_audit_export"),
    # A member's e-mail address and work account are the Global admin's to manage (/team/).
    *[path(f"accounts/{page}", not_found) for page in ("email/", "3rdparty/")],
    path("accounts/", include("allauth.urls")),
    # The first round's address: one sign-in page, allauth's.
    path("login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("language/", set_language, name="set_language"),
    path("admin/reviews/", admin.site.admin_view(sla_dashboard), name="review_sla"),
    path("admin/reviews/export.csv", admin.site.admin_view(sla_export), name="review_sla_export"),
    path("admin/", admin.site.urls),
]
