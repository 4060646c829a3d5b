from django.urls import path

from partners import views

urlpatterns = [
    path("incentives/", views.incentives, name="incentives"),
]
