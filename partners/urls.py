from django.urls import include, path

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
    path(
        "team/",
        include(
            [
                path("", team_views.team, name="team"),
                path("invite/", team_views.team_invite, name="team_invite"),
                path("mfa/", team_views.team_mfa, name="team_mfa"),
                path("<int:user_id>/role/", team_views.member_role, name="member_role"),
                path(
                    "<int:user_id>/deactivate/",
                    team_views.member_deactivate,
                    name="member_deactivate",
                ),
                path("<int:user_id>/reinvite/", team_views.member_reinvite, name="member_reinvite"),
            ]
        ),
    ),
    path("invitation/<str:token>/", team_views.invitation_accept, name="invitation_accept"),
]
