from django.urls import path

from . import leader_views, transfer_views, views

urlpatterns = [
    path("", leader_views.pupil_list, name="pupil_list"),
    path("<int:pupil_id>/", views.pupil_detail, name="pupil_detail"),
    path("<int:pupil_id>/skills/new/", views.pupil_skill_new, name="pupil_skill_new"),
    path("<int:pupil_id>/left/", transfer_views.pupil_leave_page, name="pupil_leave"),
    path("arrivals/", transfer_views.arrivals, name="transfer_arrivals"),
    path("release-requests/", transfer_views.release_requests, name="transfer_requests"),
    path(
        "release-requests/<int:transfer_id>/",
        transfer_views.release_request,
        name="transfer_request",
    ),
]
