from django.urls import path

from disputes import views

urlpatterns = [
    path(
        "associations/<str:reference>/claims/<int:claim_id>/answer/",
        views.information_answer,
        name="information_answer",
    ),
    path(
        "associations/<str:reference>/claims/<int:claim_id>/dispute/",
        views.claim_dispute,
        name="claim_dispute",
    ),
    path("consent/<str:token>/", views.customer_consent, name="customer_consent"),
]
