from django.urls import path

from . import staff_views

urlpatterns = [
    path("", staff_views.pupil_access, name="pupil_access"),
    path(
        "reflections/<int:reflection_id>/hide/",
        staff_views.reflection_hide,
        name="reflection_hide",
    ),
]
