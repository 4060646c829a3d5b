from django.urls import include, path

from api import views

urlpatterns = [
    path("api-tokens/", views.token_list, name="api_tokens"),
    path("api-tokens/<int:token_id>/revoke/", views.token_revoke, name="api_token_revoke"),
    path("api/v1/", include("api.v1.urls")),
]
