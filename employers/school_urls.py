from django.urls import path

from . import nomination_views as views

urlpatterns = [
    path("", views.opportunities_for_school, name="opportunity_browse"),
    path("<int:opportunity_id>/nominate/", views.opportunity_nominate, name="opportunity_nominate"),
]
