"""Making API tokens and calling the API in tests, the way an integration would."""

from access.context import all_tenants_UNSAFE


def token_for(user, *, read_only=False, name="test integration") -> str:
    from access.actor import actor_for_user
    from api.services import api_token_create

    actor = actor_for_user(user)
    with all_tenants_UNSAFE("test token"):
        _token, secret = api_token_create(actor=actor, name=name, read_only=read_only)
    return secret


def token_made_directly(user, *, read_only=False) -> str:
    """A token written straight to the table, past api_token_create's rules (to prove the
    API itself refuses what the service would never have made)."""
    from api.models import ApiToken, token_digest, token_secret_new
    from hubs.models import Membership

    secret = token_secret_new()
    with all_tenants_UNSAFE("test token"):
        ApiToken.all_tenants_UNSCOPED.create(
            user=user,
            membership=Membership.all_tenants_UNSCOPED.filter(user=user).first(),
            name="made directly",
            read_only=read_only,
            digest=token_digest(secret),
            hint=secret[-4:],
        )
    return secret


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
