from django.urls import path

from . import views

urlpatterns = [
    path("", views.privacy_page, name="privacy"),
    path("erasures/", views.erasures, name="erasures"),
    path(
        "erasures/<int:erasure_id>/confirm/",
        views.erasure_confirm_view,
        name="erasure_confirm",
    ),
    path("pupils/<int:pupil_id>/erase/", views.pupil_erase, name="pupil_erase"),
    path(
        "pupils/<int:pupil_id>/subject-access/",
        views.pupil_subject_access,
        name="pupil_subject_access",
    ),
    path(
        "subject-access/<int:export_id>/",
        views.subject_access_export,
        name="subject_access_export",
    ),
    path(
        "subject-access/<int:export_id>/status/",
        views.subject_access_status,
        name="subject_access_status",
    ),
    path(
        "subject-access/<int:export_id>/<str:output>/",
        views.subject_access_download,
        name="subject_access_download",
    ),
]
