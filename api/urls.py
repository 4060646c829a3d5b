from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from api import views

# Swagger UI and Redoc style their pages from script, and Redoc parses in a blob: worker: both
# allowed on these two pages only. Their files come from the sidecar (static), never a CDN.
DOCS_CSP = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})

urlpatterns = [
    path("api-tokens/", views.token_list, name="api_tokens"),
    path("api-tokens/<int:token_id>/revoke/", views.token_revoke, name="api_token_revoke"),
    path("api/v1/", include("api.v1.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view: its set-up script is a file, not inline, so the portal's CSP holds.
    path(
        "api/docs/",
        DOCS_CSP(SpectacularSwaggerSplitView.as_view(url_name="api_schema")),
        name="api_docs",
    ),
    path(
        "api/redoc/",
        # Without the stock page's web fonts from Google.
        DOCS_CSP(
            SpectacularRedocView.as_view(url_name="api_schema", template_name="api/redoc.html")
        ),
        name="api_redoc",
    ),
]
