from django.conf import settings
from rest_framework import throttling

from .models import ApiToken


class PerTokenThrottle(throttling.SimpleRateThrottle):
    """One budget per token (or per signed-in person in the browser)."""

    scope = "api"

    def get_rate(self):
        return settings.EQUALEX_API_RATE

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
