from django.urls import path

from api.v1 import views

urlpatterns = [
    path("me", views.me, name="api_me"),
]
