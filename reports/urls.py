from django.urls import path

from . import views

urlpatterns = [
    path("school/<int:school_id>/", views.school_report, name="school_report"),
    path("hub/", views.hub_dashboard, name="hub_dashboard"),
    path("national/", views.national, name="national_report"),
    path("pupil/<int:pupil_id>/", views.pupil_record, name="pupil_record"),
    path("cohort/<int:year_group>/", views.cohort_csv, name="cohort_csv"),
    path("runs/<int:run_id>/status/", views.run_status, name="report_run_status"),
    path("runs/<int:run_id>/<str:output>/", views.run_download, name="report_run_download"),
]
