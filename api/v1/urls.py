from django.urls import path

from api.v1 import views

urlpatterns = [
    path("me", views.me, name="api_me"),
    path("requests", views.request_list, name="api_request_list"),
    path("requests/<str:reference>", views.request_detail, name="api_request_detail"),
    path("mpn-ids", views.mpn_list, name="api_mpn_list"),
    path("audit", views.audit, name="api_audit"),
    path("claims/export", views.claims_export, name="api_claims_export"),
]
