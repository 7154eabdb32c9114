from django.urls import path

from . import views

urlpatterns = [
    path("", views.pupil_list, name="pupil_list"),
    path("<int:pupil_id>/", views.pupil_detail, name="pupil_detail"),
    path("<int:pupil_id>/skills/new/", views.pupil_skill_new, name="pupil_skill_new"),
]
