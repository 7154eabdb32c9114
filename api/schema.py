from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import SchemaGenerator

from access.actor import ANONYMOUS
from access.context import acting_as


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from your account's API tokens page: "
            "`Authorization: Bearer eqx_...`.",
        }


class ScopedSchemaGenerator(SchemaGenerator):
    """Builds the schema as nobody: the schema never depends on who asks, and django-filter
    asks the scoped managers for empty querysets, which need some actor to be set."""

    def get_schema(self, request=None, public=False):
        with acting_as(ANONYMOUS):
            return super().get_schema(request=request, public=public)
