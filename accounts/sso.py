"""Single sign-on for staff: which account a provider's sign-in belongs to, and whether it
counted as multi-factor authentication (accounts.sso_config says which providers exist)."""

from dataclasses import dataclass

from allauth.socialaccount.providers.base import AuthProcess
from django.contrib.auth import get_user_model
from django.db.models.functions import Lower

from .sso_config import is_strong_authentication

# Set on the session at every sign-in: True when it was single sign-on whose provider did
# multi-factor authentication (access.middleware then asks for no TOTP of its own).
STRONG_SSO_SESSION_KEY = "equalex_sso_strong_authentication"


@dataclass
class SsoRefusal(Exception):
    reason: str  # "no_email", "unverified_email", "no_account", "other_account"
    email: str = ""


def staff_for_sso_login(sociallogin, *, signed_in=None):
    """The existing account a first single sign-on connects to, or None when there is
    nothing to connect (the provider's account is already connected, or a signed-in person
    is connecting one to their own). Raises SsoRefusal when the sign-in matches no active
    account by an email address the provider verified: nobody gets an account, let alone a
    role, by signing in."""
    if sociallogin.is_existing:
        return None
    addresses = sociallogin.email_addresses
    if not addresses:
        raise SsoRefusal("no_email")
    verified = [address.email.strip().lower() for address in addresses if address.verified]
    if not verified:
        raise SsoRefusal("unverified_email", addresses[0].email)
    users = (
        get_user_model()
        .objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=verified, is_active=True)
    )
    user = min(users, key=lambda u: verified.index(u.email_lower), default=None)
    if user is None:
        raise SsoRefusal("no_account", verified[0])
    if sociallogin.state.get("process") == AuthProcess.CONNECT:
        # Connecting from the connections page: only an account of the same address.
        if signed_in is None or signed_in.pk != user.pk:
            raise SsoRefusal("other_account", verified[0])
        return None
    return user


def id_token_amr(sociallogin) -> list:
    """The ID token's amr claim: how the provider authenticated the person. Read from the
    signed ID token only, never from userinfo."""
    id_token = (sociallogin.account.extra_data or {}).get("id_token") or {}
    amr = id_token.get("amr") or []
    return amr if isinstance(amr, list) else [amr]


def is_strong_sso(sociallogin) -> bool:
    return sociallogin is not None and is_strong_authentication(id_token_amr(sociallogin))


def record_sign_in_strength(sender, request, user, sociallogin=None, **kwargs):
    """allauth's user_logged_in: remember on the session whether this sign-in was single
    sign-on with the provider's multi-factor authentication. Every sign-in sets it, so a
    password sign-in in the same browser never inherits an earlier one's."""
    if request is not None and hasattr(request, "session"):
        request.session[STRONG_SSO_SESSION_KEY] = is_strong_sso(sociallogin)
