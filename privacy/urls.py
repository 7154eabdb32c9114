from django.urls import path

from . import views

urlpatterns = [path("", views.privacy_page, name="privacy")]
