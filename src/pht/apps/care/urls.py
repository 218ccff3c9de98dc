from django.urls import URLPattern, path

from pht.apps.care import views

app_name = "care"
urlpatterns: list[URLPattern] = [
    path("", views.worklist, name="worklist"),
    path("overview/", views.overview, name="overview"),
    path("reviews/", views.reviews, name="reviews"),
    path("patients/<int:resident_id>/", views.patient, name="patient"),
    path("patients/<int:resident_id>/plans/", views.plan_create, name="plan_create"),
    path("patients/<int:resident_id>/follow-up/", views.follow_up, name="follow_up"),
    path("patients/<int:resident_id>/access-log/", views.access_log, name="access_log"),
    path("patients/<int:resident_id>/fhir.json", views.fhir_export, name="fhir"),
    path("plans/<int:plan_id>/tasks/", views.task_create, name="task_create"),
    path("plans/<int:plan_id>/status/", views.plan_status, name="plan_status"),
    path("tasks/<int:task_id>/status/", views.task_status, name="task_status"),
]
