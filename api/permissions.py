from rest_framework import exceptions, permissions

from access.roles import Role

from .models import ApiToken

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ActorCan(permissions.BasePermission):
    """Signed-in actors whose role has the action's capability; others get 404 so nothing
    leaks; a method the route does not implement is 405 with `Allow`; a read-only token is
    refused any write (403, it exists but may not)."""

    def has_permission(self, request, view):
        actor = request.actor
        if actor.user_id is None:
            raise exceptions.NotAuthenticated
        if actor.role == Role.PUPIL:
            # A pupil writes through their pages only; the API is for staff and their
            # integrations (a pupil cannot make a token, nor use one made some other way).
            raise exceptions.NotFound
        if request.method not in view.allowed_methods:
            # The route's methods are public (the schema lists them), so saying which it
            # has leaks nothing; whether this actor may use them is still a 404.
            raise exceptions.MethodNotAllowed(request.method)
        capability = view.capability_for(request)
        if capability is None or not actor.can(capability):
            raise exceptions.NotFound
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token and token.read_only and request.method in WRITE_METHODS:
            raise exceptions.PermissionDenied("This token is read-only.")
        return True
