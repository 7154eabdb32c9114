from django.conf import settings
from django.shortcuts import redirect

from equalex.request_memo import request_memo

from .actor import actor_for_user
from .context import acting_as

ACTIVE_MEMBERSHIP_SESSION_KEY = "equalex_membership_id"


class ActorMiddleware:
    """The request edge of the scoping layer: build the actor, scope everything after."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        actor = actor_for_user(request.user, request.session.get(ACTIVE_MEMBERSHIP_SESSION_KEY))
        request.actor = actor
        with acting_as(actor), request_memo():
            return self.get_response(request)


# Pages a user without MFA may still reach, so they can enrol it or leave.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz")


class RequireMfaForPupilAccessMiddleware:
    """Staff who can see named pupils must enrol a second factor (production setting)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        actor = getattr(request, "actor", None)
        if (
            settings.EQUALEX_REQUIRE_MFA_FOR_PUPIL_ACCESS
            and actor is not None
            and actor.user_id is not None
            and actor.sees_named_pupils
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and not _has_mfa(request)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def _has_mfa(request) -> bool:
    from allauth.mfa.models import Authenticator

    from accounts.sso import STRONG_SSO_SESSION_KEY

    # Single sign-on whose provider did multi-factor authentication (its ID token's amr)
    # counts; otherwise the person enrols equalex's TOTP, which allauth then asks for at
    # every sign-in, single sign-on included.
    if request.session.get(STRONG_SSO_SESSION_KEY):
        return True
    return Authenticator.objects.filter(
        user_id=request.user.pk, type=Authenticator.Type.TOTP
    ).exists()
