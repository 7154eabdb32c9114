"""The one base every API view stands on: it binds the actor, checks the capability of each
action, and lets the scoped managers restrict every queryset (NetBox's restrict(), here)."""

from contextlib import ExitStack

from rest_framework import viewsets
from rest_framework.views import APIView

from access.actor import actor_for_user
from access.context import acting_as
from access.middleware import ACTIVE_MEMBERSHIP_SESSION_KEY

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
