from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from pht.api import api
from pht.site import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("registry/", include("pht.apps.registry.urls")),
    path("scheme/", include("pht.apps.scheme.urls")),
    path("finance/", include("pht.apps.finance.urls")),
    path("care/", include("pht.apps.care.urls")),
    path("evaluation/", include("pht.apps.evaluation.urls")),
    path("jobs/", include("pht.apps.jobs.urls")),
]
