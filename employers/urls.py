from django.urls import path

from . import views

urlpatterns = [path("<int:employer_id>/", views.employer_detail, name="employer_detail")]
