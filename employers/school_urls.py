from django.urls import path

from . import board_views
from . import nomination_views as views

urlpatterns = [
    path("", views.opportunities_for_school, name="opportunity_browse"),
    path("board/", board_views.board, name="placement_board"),
    path("<int:opportunity_id>/nominate/", views.opportunity_nominate, name="opportunity_nominate"),
]
