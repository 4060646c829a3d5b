from django.urls import path

from webhooks import views

urlpatterns = [
    path("", views.endpoint_list, name="webhook_list"),
    path("new/", views.endpoint_create, name="webhook_create"),
    path("<int:pk>/", views.endpoint_detail, name="webhook_detail"),
    path("<int:pk>/delete/", views.endpoint_delete, name="webhook_delete"),
    path("<int:pk>/enable/", views.endpoint_enable, name="webhook_enable"),
    path(
        "<int:pk>/deliveries/<int:delivery_pk>/resend/",
        views.delivery_resend,
        name="webhook_resend",
    ),
]
