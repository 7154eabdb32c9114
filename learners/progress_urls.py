from django.urls import path

from . import progress_views as views

urlpatterns = [
    path("", views.school_summary, name="school_summary"),
    path("year/<int:year_group>/", views.cohort, name="cohort"),
]
