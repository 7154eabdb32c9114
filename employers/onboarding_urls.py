from django.urls import path

from . import onboarding_views as views

urlpatterns = [
    path("offer-work-experience/", views.employer_request_new, name="employer_request_new"),
    path("employers/add/", views.employer_add, name="employer_add"),
    path("employers/requests/", views.employer_requests, name="employer_requests"),
    path(
        "employers/requests/<int:employer_request_id>/",
        views.employer_request_detail,
        name="employer_request_detail",
    ),
    path("employers/partners/", views.employer_partners, name="employer_partners"),
]
