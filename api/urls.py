from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from access.routes import public

from . import transfer_views, views

app_name = "api"

router = SimpleRouter()
router.register("hubs", views.HubViewSet, basename="hub")
router.register("trusts", views.TrustViewSet, basename="trust")
router.register("schools", views.SchoolViewSet, basename="school")
router.register("employers", views.EmployerViewSet, basename="employer")
router.register("sectors", views.SectorViewSet, basename="sector")
router.register("pupils", views.PupilViewSet, basename="pupil")
router.register("progress/pupils", views.PupilProgressViewSet, basename="pupil-progress")
router.register("experiences", views.ExperienceViewSet, basename="experience")
router.register("reports", views.ReportViewSet, basename="report")
router.register("opportunities", views.OpportunityViewSet, basename="opportunity")
router.register("nominations", views.NominationViewSet, basename="nomination")
router.register("reflections", views.ReflectionViewSet, basename="reflection")
router.register("skill-ratings", views.SkillRatingViewSet, basename="skill-rating")
router.register("plans", views.ProgrammePlanViewSet, basename="plan")
router.register("planned-activities", views.PlannedActivityViewSet, basename="planned-activity")
router.register(
    "transfers/arrivals", transfer_views.TransferArrivalViewSet, basename="transfer-arrival"
)

urlpatterns = [
    path("framework/", views.FrameworkView.as_view(), name="framework"),
    path("national/hubs/", views.NationalView.as_view(), name="national-hubs"),
    path("me/", views.MeView.as_view(), name="me"),
    # The schema and its docs describe the API, not anyone's data.
    path("schema/", public(SpectacularAPIView.as_view()), name="schema"),
    # The split view serves its start-up script at ?script rather than inline, for the CSP.
    path(
        "docs/",
        public(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", template_name="api/swagger_ui.html"
            )
        ),
        name="docs",
    ),
    *router.urls,
]
