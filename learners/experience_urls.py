from django.urls import path

from . import experience_views as views
from . import leader_views

urlpatterns = [
    path("", leader_views.experiences, name="experiences"),
    path("new/", views.experience_new, name="experience_new"),
    path("<int:experience_id>/", views.experience_detail, name="experience_detail"),
    path("<int:experience_id>/edit/", views.experience_edit, name="experience_edit"),
    path("<int:experience_id>/delete/", views.experience_remove, name="experience_delete"),
    path(
        "participations/<int:participation_id>/",
        views.participation_edit,
        name="participation_edit",
    ),
]
