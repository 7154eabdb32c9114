"""Response headers Django and django-csp do not send themselves."""

from django.conf import settings


class PermissionsPolicyMiddleware:
    """Permissions-Policy from settings.PERMISSIONS_POLICY ({feature: [allowed origins]}; an
    empty list refuses the feature to every origin, this one included). A few lines here
    rather than a dependency: the header is one constant string."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
