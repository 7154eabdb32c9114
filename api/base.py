"""The one base every API view stands on: it binds the actor, checks the capability of each
action, and lets the scoped managers restrict every queryset (NetBox's restrict(), here)."""

from contextlib import ExitStack

from django.db import models
from rest_framework import exceptions, serializers, viewsets
from rest_framework.views import APIView

from access.actor import actor_for_user
from access.context import acting_as
from access.middleware import ACTIVE_MEMBERSHIP_SESSION_KEY

from .datetimes import UtcDateTimeField
from .models import ApiToken
from .permissions import ActorCan


class ScopedAPIMixin:
    """Binds the actor for the request and maps each action to a capability.

    `capabilities` maps action names (list, retrieve, create, ... or a custom @action) to a
    capability in access.rules; an action with no entry answers 404 to everyone, and the
    access-matrix test refuses a route whose actions are not all mapped.
    """

    capabilities: dict[str, str] = {}
    permission_classes = [ActorCan]

    def dispatch(self, request, *args, **kwargs):
        with ExitStack() as self._scope:
            return super().dispatch(request, *args, **kwargs)

    def perform_authentication(self, request):
        user = request.user  # runs the authenticators
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is not None:
            actor = actor_for_user(user, token.membership_id)
        elif user.is_authenticated:
            actor = actor_for_user(user, request.session.get(ACTIVE_MEMBERSHIP_SESSION_KEY))
        else:
            actor = request._request.actor
        request.actor = request._request.actor = actor
        self._scope.enter_context(acting_as(actor))

    @property
    def allowed_methods(self):
        # OPTIONS has no capability (it would answer 404), so it is not offered in `Allow`
        # and answers 405 like any other method the route does not implement.
        return [method for method in super().allowed_methods if method != "OPTIONS"]

    def capability_for(self, request):
        action = getattr(self, "action", None) or request.method.lower()
        return self.capabilities.get("get" if action == "head" else action)

    @property
    def actor(self):
        return self.request.actor

    @classmethod
    def as_view(cls, *args, **kwargs):
        view = super().as_view(*args, **kwargs)
        actions = (args[0] if args else kwargs.get("actions")) or {
            method: method for method in cls.http_method_names if hasattr(cls, method)
        }
        actions = {m: a for m, a in actions.items() if m not in ("options", "head")}
        if set(actions.values()) <= set(cls.capabilities):
            # method -> capability: the access-matrix test checks each has a designed row.
            view.access_rule = ("api", {m.upper(): cls.capabilities[a] for m, a in actions.items()})
        return view


class ScopedViewSet(ScopedAPIMixin, viewsets.GenericViewSet):
    model = None  # the model scoped_queryset() returns, for the OpenAPI schema
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            # Generating the schema: no request, no actor, so no rows; only the model.
            return self.model._base_manager.none()
        return self.scoped_queryset()

    def scoped_queryset(self):
        """The rows of this endpoint, through selectors or the scoped managers."""
        raise NotImplementedError


class ScopedAPIView(ScopedAPIMixin, APIView):
    pass


# -- Serializers: every API serializer stands on these two, so the rules below hold for
#    every endpoint without being repeated in any.


# Fields that place a record in a tenant. Records are saved to the token's organisation, so
# a body that names one anyway is refused rather than silently saved elsewhere.
TENANT_FIELDS = {
    "hub": "hub",
    "school": "school",
    "trust": "school",
    "employer": "employer",
    "learner": None,
    "pupil": None,
}


def _tenant_field_refusal(name: str) -> str:
    organisation = TENANT_FIELDS[name]
    if organisation is None:
        return f"`{name}` cannot be set on this record."
    return f"`{name}` cannot be set: records are saved to your token's {organisation}."


# Answers 400 naming any tenant field in the body that the serializer does not accept as
# input (absent, or read-only): DRF would otherwise drop it without a word. An update that
# sends back the record's own value (a client PUTting what it read) is no attempt to move
# it, so that alone passes. (Comments, not docstrings, here and below: the schema would
# show a base class's docstring as every serializer's description.)
class RefusesTenantFields:
    def to_internal_value(self, data):
        if isinstance(data, dict):
            refused = {
                name: [_tenant_field_refusal(name)]
                for name in TENANT_FIELDS
                if name in data
                and not self._writable(name)
                and not self._echoes_the_record(name, data[name])
            }
            if refused:
                raise exceptions.ValidationError(refused)
        return super().to_internal_value(data)

    def _writable(self, name: str) -> bool:
        field = self.fields.get(name)
        return field is not None and not field.read_only

    def _echoes_the_record(self, name: str, value) -> bool:
        instance = getattr(self, "instance", None)
        current = getattr(instance, f"{name}_id", None) if instance is not None else None
        return current is not None and str(current) == str(value)


class ApiSerializer(RefusesTenantFields, serializers.Serializer):
    pass


class ApiModelSerializer(RefusesTenantFields, serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UtcDateTimeField,
    }
