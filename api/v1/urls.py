from django.urls import path, re_path

from api.problems import not_found
from api.v1 import actions, views

CLAIM = "requests/<str:reference>/claims/<int:claim_id>"

urlpatterns = [
    path("me", views.me, name="api_me"),
    path("products", views.product_list, name="api_product_list"),
    path("requests", actions.requests, name="api_request_list"),
    path("requests/check", actions.check_new, name="api_check_new"),
    path("requests/<str:reference>", actions.request_item, name="api_request_detail"),
    path("requests/<str:reference>/submit", actions.request_submit, name="api_request_submit"),
    path("requests/<str:reference>/check", actions.check_existing, name="api_check_existing"),
    path("requests/<str:reference>/withdraw", actions.request_withdraw, name="api_withdraw"),
    path("requests/<str:reference>/comments", actions.comment_add, name="api_comment"),
    path("requests/<str:reference>/proofs", actions.proof_add, name="api_proof"),
    path(
        "requests/<str:reference>/documents/<int:document_id>",
        views.document_download,
        name="api_document",
    ),
    path(f"{CLAIM}/answer", actions.information_answer, name="api_answer"),
    path(f"{CLAIM}/dispute", actions.claim_dispute, name="api_dispute"),
    path(f"{CLAIM}/disassociate", actions.claim_disassociate, name="api_disassociate"),
    path("mpn-ids", views.mpn_list, name="api_mpn_list"),
    path("audit", views.audit, name="api_audit"),
    path("claims/export", views.claims_export, name="api_claims_export"),
    re_path(r"^(?P<path>.*)$", not_found),  # a problem, not the portal's HTML page
]
