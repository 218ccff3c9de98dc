from django.urls import path

from pht.apps.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/lock/", views.plan_lock, name="plan_lock"),
    path("plans/<int:pk>/version/", views.plan_version, name="plan_version"),
    path("plans/<int:pk>/power/", views.plan_power, name="plan_power"),
    path("plans/<int:pk>/run/", views.run_start, name="run_start"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/report.<str:fmt>", views.run_report, name="run_report"),
]
