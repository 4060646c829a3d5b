from django.urls import path

from partners import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
