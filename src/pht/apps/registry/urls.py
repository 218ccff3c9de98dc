from django.urls import path

from pht.apps.registry import views

app_name = "registry"
urlpatterns = [
    path("municipalities/", views.municipality_list, name="municipalities"),
    path("municipalities/<str:kommunenummer>/", views.municipality_detail, name="municipality"),
    path("practices/<str:orgnr>/", views.practice_detail, name="practice"),
    path("practices/<str:orgnr>/members/", views.team_member_save, name="team_member_save"),
    path("practices/<str:orgnr>/teams/", views.team_save, name="team_save"),
    path(
        "practices/<str:orgnr>/members/<int:member_id>/remove/",
        views.team_member_remove,
        name="team_member_remove",
    ),
]
