from django.urls import path

from partners import team_views, views

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
    path("team/", team_views.team, name="team"),
    path("team/invite/", team_views.team_invite, name="team_invite"),
    path("team/mfa/", team_views.team_mfa, name="team_mfa"),
    path("team/<int:user_id>/role/", team_views.member_role, name="member_role"),
    path("team/<int:user_id>/deactivate/", team_views.member_deactivate, name="member_deactivate"),
    path("team/<int:user_id>/reinvite/", team_views.member_reinvite, name="member_reinvite"),
    path("invitation/<str:token>/", team_views.invitation_accept, name="invitation_accept"),
]
