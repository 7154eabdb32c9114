import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect

from access.roles import Role

# When the pupil signed in (a timestamp on the session): their session ends this long
# after it, however busy (settings.PUPIL_SESSION_MAX_SECONDS).
PUPIL_SIGNED_IN_AT = "equalex_pupil_signed_in_at"
# A pupil's account has no password, email or second factor to manage.
PUPIL_ALLOWED_ACCOUNT_PATHS = ("/accounts/logout/",)


class PupilSessionMiddleware:
    """Pupil sessions are short: they end after PUPIL_IDLE_SECONDS without a page (the
    cookie's expiry slides with each page) and PUPIL_SESSION_MAX_SECONDS after signing in.
    A pupil cannot reach the account pages (no password to set, no email to add)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        actor = getattr(request, "actor", None)
        if actor is None:
            return self.get_response(request)
        if actor.role != Role.PUPIL:
            if actor.user_id is None and _pupil_user_signed_in(request):
                # A pupil whose access ended (left the school, access closed while the
                # user remains): signed out, never an account without a pupil's limits.
                logout(request)
                return redirect("pupil_sign_in")
            return self.get_response(request)
        signed_in_at = request.session.get(PUPIL_SIGNED_IN_AT)
        if signed_in_at is None:
            # Signed in some other way than the code page (single sign-on): the clock
            # starts at the first page.
            signed_in_at = request.session[PUPIL_SIGNED_IN_AT] = time.time()
        if time.time() - signed_in_at > settings.PUPIL_SESSION_MAX_SECONDS:
            logout(request)
            return redirect("pupil_sign_in")
        request.session.set_expiry(settings.PUPIL_IDLE_SECONDS)
        if (
            request.path.startswith("/accounts/")
            and request.path not in PUPIL_ALLOWED_ACCOUNT_PATHS
        ):
            return redirect("pupil_home")
        return self.get_response(request)


def _pupil_user_signed_in(request) -> bool:
    from hubs.models import Membership

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return Membership.all_tenants_UNSCOPED.filter(user_id=user.pk, role=Role.PUPIL).exists()
