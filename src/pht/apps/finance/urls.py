from django.urls import path

from pht.apps.finance import comparison_views, nation_views, run_views, views

app_name = "finance"
urlpatterns = [
    path("", views.statement_list, name="statements"),
    path("statements/<str:orgnr>/<str:period>/<str:model>/", views.statement_detail, name="statement"),
    path(
        "statements/<str:orgnr>/<str:period>/<str:model>/payments/",
        views.link_payment,
        name="link_payment",
    ),
    path("comparison/", comparison_views.comparison, name="comparison"),
    path("comparison/<str:orgnr>/", comparison_views.practice_comparison, name="comparison_practice"),
    path("what-if/", views.what_if, name="what_if"),
    path("export.<str:kind>", views.export, name="export"),
    path("runs/", run_views.settlement_runs, name="runs"),
    path("nation/", nation_views.nation, name="nation"),
]
