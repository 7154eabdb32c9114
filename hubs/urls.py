from django.urls import path

from . import views

urlpatterns = [path("rules/", views.hub_rules, name="hub_rules")]
