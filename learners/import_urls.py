from django.urls import path

from . import csv_views as views

urlpatterns = [
    path("", views.pupil_import, name="pupil_import"),
    path("confirm/", views.pupil_import_confirm, name="pupil_import_confirm"),
    path("rows/", views.pupil_import_rows, name="pupil_import_rows"),
    path("template.csv", views.pupil_import_template, name="pupil_import_template"),
]
