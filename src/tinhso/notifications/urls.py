from django.urls import path

from tinhso.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("<int:pk>/retry/", views.notification_retry, name="notification_retry"),
]
