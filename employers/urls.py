from django.urls import path

from . import attendance_views, opportunity_views, vetting_views, views

urlpatterns = [
    path("<int:employer_id>/", views.employer_detail, name="employer_detail"),
    path(
        "opportunities/",
        opportunity_views.opportunity_list,
        name="employer_opportunities",
    ),
    path("opportunities/new/", opportunity_views.opportunity_new, name="opportunity_new"),
    path(
        "opportunities/<int:opportunity_id>/publish/",
        opportunity_views.opportunity_publish_page,
        name="opportunity_publish",
    ),
    path(
        "opportunities/<int:opportunity_id>/nominations/",
        opportunity_views.opportunity_nominations,
        name="opportunity_nominations",
    ),
    path(
        "opportunities/<int:opportunity_id>/attendance/",
        attendance_views.opportunity_attendance,
        name="opportunity_attendance",
    ),
    path("checks/", vetting_views.vetting_for_employer, name="vetting_for_employer"),
    path("checks/review/", vetting_views.vetting_review, name="vetting_review"),
    path(
        "checks/<int:vetting_id>/<str:document>/",
        vetting_views.vetting_document,
        name="vetting_document",
    ),
]
