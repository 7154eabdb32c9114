from django.urls import path

from . import views

urlpatterns = [path("<int:school_id>/", views.school_detail, name="school_detail")]
