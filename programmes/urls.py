from django.urls import path

from . import views

urlpatterns = [
    path("", views.programme_home, name="programme_home"),
    path("new/", views.plan_new, name="programme_plan_new"),
    path("hub/", views.hub_programmes, name="hub_programmes"),
    path("<int:plan_id>/", views.plan_detail, name="programme_plan"),
    path("<int:plan_id>/pupils/", views.plan_pupils, name="programme_plan_pupils"),
    path("<int:plan_id>/details/", views.plan_edit, name="programme_plan_edit"),
    path("<int:plan_id>/publish/", views.plan_publish, name="programme_plan_publish"),
    path("<int:plan_id>/delete/", views.plan_delete, name="programme_plan_delete"),
    path("<int:plan_id>/activities/new/", views.activity_new, name="programme_activity_new"),
    path("activities/<int:activity_id>/edit/", views.activity_edit, name="programme_activity_edit"),
    path(
        "activities/<int:activity_id>/delete/",
        views.activity_delete,
        name="programme_activity_delete",
    ),
]
