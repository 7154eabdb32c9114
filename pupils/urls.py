from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="pupil_home"),
    path("record.pdf", views.record_pdf, name="pupil_record_pdf"),
    path(
        "experiences/<int:participation_id>/reflection/",
        views.reflect,
        name="pupil_reflect",
    ),
    path(
        "experiences/<int:participation_id>/skills/<str:moment>/",
        views.rate_skills,
        name="pupil_rate_skills",
    ),
    path(
        "experiences/<int:participation_id>/skills/",
        views.skills_compare,
        name="pupil_skills_compare",
    ),
    path("opportunities/", views.opportunities, name="pupil_opportunities"),
    path(
        "opportunities/<int:opportunity_id>/interest/",
        views.interest,
        name="pupil_interest",
    ),
]
