from django.contrib import admin
from django.urls import include, path

from employers.consent_views import consent_answer_page
from pupils import views as pupil_views

from . import views

admin.site.site_header = "equalex platform admin"
handler404 = "api.errors.not_found"
handler500 = "api.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("framework/", include("outcomes.urls")),
    path("pupils/import/", include("learners.import_urls")),
    path("pupils/access/", include("pupils.staff_urls")),
    path("pupils/", include("learners.urls")),
    path("me/", include("pupils.urls")),
    path("sign-in/code/", pupil_views.sign_in, name="pupil_sign_in"),
    path("experiences/", include("learners.experience_urls")),
    path("progress/", include("learners.progress_urls")),
    path("hub/", include("hubs.urls")),
    path("programme/", include("programmes.urls")),
    path("reports/", include("reports.urls")),
    path("schools/", include("schools.urls")),
    path("", include("employers.onboarding_urls")),
    path("employers/", include("employers.urls")),
    path("opportunities/", include("employers.school_urls")),
    path("consent/<str:token>/", consent_answer_page, name="consent_answer"),
    path("invitations/", include("accounts.urls")),
    path("privacy/", include("privacy.urls")),
    path("audit/", include("access.urls")),
    path("api/v1/", include("api.urls")),
    path("account/api-tokens/", include("api.token_urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
