from django.urls import path

from pht.apps.scheme import call_views, money_views, views

app_name = "scheme"

urlpatterns = [
    path("", views.home, name="home"),
    path("utlysning/", views.call_overview, name="call"),
    path("utlysninger/", call_views.call_list, name="calls"),
    path("utlysninger/ny/", call_views.call_new, name="call_new"),
    path("utlysninger/<slug:code>/", call_views.call_detail, name="call_detail"),
    path("utlysninger/<slug:code>/endre/", call_views.call_edit, name="call_edit"),
    path("utlysninger/<slug:code>/kopier/", call_views.call_copy, name="call_copy"),
    path("utlysninger/<slug:code>/publiser/", call_views.call_publish, name="call_publish"),
    path("utlysninger/<slug:code>/forleng/", call_views.call_extend, name="call_extend"),
    path("utlysninger/<slug:code>/lukk/", call_views.call_close, name="call_close"),
    path("offentlig/utlysninger/<slug:code>/", call_views.call_public, name="call_public"),
    path("soknader/", views.application_list, name="applications"),
    path("soknader/ny/", views.application_edit, name="application_new"),
    path("soknader/<int:pk>/", views.application_detail, name="application"),
    path("soknader/<int:pk>/endre/", views.application_edit, name="application_edit"),
    path("soknader/<int:pk>/send-inn/", views.application_submit, name="application_submit"),
    path("soknader/<int:pk>/trekk/", views.application_withdraw, name="application_withdraw"),
    path("soknader/<int:pk>/vedlegg/", views.attachment_add, name="attachment_add"),
    path("soknader/<int:pk>/vedlegg/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("soknader/<int:pk>/fagvurderer/", views.assign_reviewer, name="assign_reviewer"),
    path("soknader/<int:pk>/vilkar/", views.eligibility_verdict, name="eligibility_verdict"),
    path("vurderinger/", views.review_list, name="reviews"),
    path("vurderinger/<int:pk>/", views.review, name="review"),
    path("utvelgelse/", views.selection, name="selection"),
    path("tilsagn/<int:pk>/", views.decision_detail, name="decision"),
    path("tilsagn/<int:pk>/brev.pdf", money_views.decision_letter, name="decision_letter"),
    path("tilsagn/<int:pk>/endring/", money_views.amendment_new, name="amendment_new"),
    path("endringsvedtak/<int:pk>/", money_views.amendment_detail, name="amendment"),
    path("utlysning/<int:pk>/forleng-tilsagn/", money_views.extend_decisions, name="extend_decisions"),
    path("endringsvedtak/<int:pk>/brev.pdf", money_views.amendment_letter, name="amendment_letter"),
    path("soknader/<int:pk>/avslag.pdf", money_views.rejection_letter, name="rejection_letter"),
    path("utbetalinger/", money_views.payments, name="payments"),
    path("utbetalinger.csv", money_views.payments_csv, name="payments_csv"),
    path("rapporter/", money_views.reports, name="reports"),
]
