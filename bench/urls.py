"""The portal's URLs plus the benchmark's floor views."""

from django.urls import include, path

from bench.floor import floor_request_list

urlpatterns = [
    path("bench/floor/requests/", floor_request_list, name="bench_floor_request_list"),
    path("", include("cpor_portal.urls")),
]
