from django.urls import path

from . import views

urlpatterns = [
    path("settings/", views.school_settings, name="school_settings"),
    path("<int:school_id>/", views.school_detail, name="school_detail"),
    path("<int:school_id>/pupils/", views.trust_school_pupils, name="trust_school_pupils"),
]
