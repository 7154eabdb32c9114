from django.urls import path

from . import token_views

urlpatterns = [
    path("", token_views.api_tokens, name="api_tokens"),
    path("<int:token_id>/revoke", token_views.api_token_revoke_view, name="api_token_revoke"),
]
