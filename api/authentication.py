"""Bearer tokens for integrations. A token authenticates its owner acting through the one
membership it was made for; the scoping layer does the rest."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions

from access.actor import membership_sees_named_pupils

from .models import TOKEN_PREFIX, ApiToken, token_digest

# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        secret = secret.strip()
        if not secret.startswith(TOKEN_PREFIX):
            raise exceptions.AuthenticationFailed("This is not an equalex API token.")
        token = (
            # The lookup itself is what decides the scope, so it cannot be scoped yet.
            ApiToken.all_tenants_UNSCOPED.select_related("user", "membership")
            .filter(digest=token_digest(secret), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token is unknown or has been revoked.")
        if (
            settings.EQUALEX_REQUIRE_MFA_FOR_PUPIL_ACCESS
            and membership_sees_named_pupils(token.membership)
            and not _has_mfa(token.user_id)
        ):
            raise exceptions.AuthenticationFailed(
                "The token's owner must set up two-factor authentication first."
            )
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.all_tenants_UNSCOPED.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


def _has_mfa(user_id) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user_id, type=Authenticator.Type.TOTP).exists()
