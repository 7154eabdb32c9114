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
]
