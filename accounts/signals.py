"""Each sign-in records on the session how strongly it was authenticated (accounts.sso)."""

from allauth.account.signals import user_logged_in as allauth_user_logged_in
from django.contrib.auth.signals import user_logged_in

from .sso import STRONG_SSO_SESSION_KEY, record_sign_in_strength


def _forget_strength(sender, request, user, **kwargs):
    # Django's signal comes first for every sign-in (an accepted invitation's too);
    # allauth's, after it, says whether this one was strong single sign-on.
    if request is not None and hasattr(request, "session"):
        request.session.pop(STRONG_SSO_SESSION_KEY, None)


user_logged_in.connect(_forget_strength, dispatch_uid="sso-forget-strength")
allauth_user_logged_in.connect(record_sign_in_strength, dispatch_uid="sso-record-strength")
