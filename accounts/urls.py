from django.urls import path

from . import views

urlpatterns = [
    path("new/", views.invitation_new, name="invitation_new"),
    path("<str:token>/", views.invitation_accept_view, name="invitation_accept"),
]
