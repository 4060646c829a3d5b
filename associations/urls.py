from django.urls import path

from associations import views
from associations.bulk import views as bulk

urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("export.csv", views.request_export, name="request_export"),
    path("new/", views.request_create, name="request_create"),
    path("bulk/", bulk.bulk_home, name="bulk_home"),
    path("bulk/template.<str:kind>", bulk.bulk_template, name="bulk_template"),
    path("bulk/<int:batch_id>/", bulk.batch_detail, name="batch_detail"),
    path("bulk/<int:batch_id>/file/", bulk.batch_file, name="batch_file"),
    path("bulk/<int:batch_id>/submit/", bulk.batch_submit, name="batch_submit"),
    path("bulk/<int:batch_id>/errors.<str:kind>", bulk.batch_errors, name="batch_errors"),
    path("<str:reference>/", views.request_detail, name="request_detail"),
    path("<str:reference>/edit/", views.request_edit, name="request_edit"),
    path("<str:reference>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("<str:reference>/delete/", views.request_delete, name="request_delete"),
    path("<str:reference>/comments/", views.request_comment, name="request_comment"),
    path("<str:reference>/proof/", views.proof_add, name="proof_add"),
    path(
        "<str:reference>/proof-template.<str:kind>",
        views.proof_template,
        name="proof_template",
    ),
    path(
        "<str:reference>/claims/<int:claim_id>/disassociate/",
        views.claim_disassociate,
        name="claim_disassociate",
    ),
    path(
        "<str:reference>/documents/<int:document_id>/",
        views.document_download,
        name="document_download",
    ),
]
