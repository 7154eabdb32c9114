"""Every view declares who may use it; the access-matrix test refuses a view that does not."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404


def requires(capability: str):
    """Signed-in actors with the capability pass; others get 404 (anonymous: the login page)."""
    from .rules import CAPABILITIES

    if capability not in CAPABILITIES:
        raise LookupError(f"Unknown capability {capability!r}: add it to access.rules")

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            actor = request.actor
            if actor.user_id is None:
                return redirect_to_login(request.get_full_path())
            if not actor.can(capability):
                raise Http404
            return view(request, *args, **kwargs)

        wrapped.access_rule = ("capability", capability)
        return wrapped

    return decorate


def public(view):
    """Reachable without signing in (health checks, invitation links)."""
    view.access_rule = ("public", None)
    return view
