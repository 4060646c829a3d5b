from django.urls import path

from partners import views

urlpatterns = [
    path("incentives/", views.incentives, name="incentives"),
    path(
        "incentives/<str:mpn_id>/<str:solution_area>/enrol/",
        views.enrolment_change,
        {"action": "enrol"},
        name="enrolment_enrol",
    ),
    path(
        "incentives/<str:mpn_id>/<str:solution_area>/unenrol/",
        views.enrolment_change,
        {"action": "unenrol"},
        name="enrolment_unenrol",
    ),
]
