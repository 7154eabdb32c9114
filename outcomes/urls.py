from django.urls import path

from . import views

urlpatterns = [path("", views.framework_detail, name="framework")]
